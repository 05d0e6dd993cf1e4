"""The ``Kernel`` wrapper (kernels/_ufunc.py): inputs NumPy reads through ``__array__``,
and clear errors for what it cannot do — each naming the kernel and the argument."""

import math

import numpy as np
import pytest

from klforge import kernels as K


class _ArrayLike:
    """An array-like whose ``dtype`` is not a NumPy dtype (as torch tensors are)."""

    dtype = "not-a-numpy-dtype-object"

    def __init__(self, values):
        self._values = np.asarray(values, dtype=np.float64)

    def __array__(self, dtype=None, copy=None):
        return self._values if dtype is None else self._values.astype(dtype)


class _Unreadable:
    dtype = object()

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("cannot convert")


def _kl_normal(mp, sp, mq, sq):   # the textbook closed form, written here
    return math.log(sq / sp) + (sp * sp + (mp - mq) ** 2) / (2 * sq * sq) - 0.5


def test_an_array_like_with_a_foreign_dtype_is_read_through_its_array():
    got = K.kl_normal(_ArrayLike([0.1, 0.3]), 1.0, 0.0, 2.0)
    assert np.asarray(got).dtype == np.float64
    for g, m in zip(np.asarray(got), (0.1, 0.3), strict=True):
        assert g == pytest.approx(_kl_normal(m, 1.0, 0.0, 2.0), rel=1e-14)


def test_torch_tensors_work_like_numpy_ufunc_inputs():
    torch = pytest.importorskip("torch")
    got = K.kl_normal(torch.tensor([0.1], dtype=torch.float64), 1.0, 0.0, 2.0)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert float(got[0]) == pytest.approx(_kl_normal(0.1, 1.0, 0.0, 2.0), rel=1e-14)


def test_an_unreadable_input_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match=r"kl_normal: argument 2 \(_Unreadable\)"):
        K.kl_normal(0.1, _Unreadable(), 0.0, 2.0)


def test_where_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="kl_normal: where= is not supported"):
        K.kl_normal(np.ones(2), 1.0, 0.0, 2.0, out=np.empty(2), where=np.ones(2, bool))
