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


# --- inspect.signature and the docstring's parameters (outside tester T4, H5) ---

def test_signature_names_the_inputs_then_out_and_the_ufunc_keywords():
    import inspect
    sig = inspect.signature(K.kl_normal)
    names = list(sig.parameters)
    assert names[:5] == ["mu_p", "sigma_p", "mu_q", "sigma_q", "out"]
    assert all(sig.parameters[n].kind is inspect.Parameter.POSITIONAL_ONLY for n in names[:4])
    assert sig.parameters["out"].default is None
    assert {"casting", "order", "dtype", "subok", "signature"} <= set(names)
    assert "where" not in names and "axis" not in names  # refused / not a gufunc
    # every keyword listed is really accepted by the call
    assert K.kl_normal(0.0, 1.0, 1.0, 2.0, casting="same_kind", order="K", dtype="float64",
                       subok=True) == K.kl_normal(0.0, 1.0, 1.0, 2.0)
    sig = inspect.signature(K.kl_mvn)
    assert list(sig.parameters)[:5] == ["mu_p", "L_p", "mu_q", "L_q", "out"]
    assert {"axes", "axis", "keepdims"} <= set(sig.parameters)
    p = np.array([[0.6, 0.4], [0.5, 0.5]])
    assert np.array_equal(K.kl_categorical(p.T, p.T, axis=0), K.kl_categorical(p, p))
    two = inspect.signature(K.kl_regularized_policy)
    assert list(two.parameters)[:4] == ["logits_ref", "reward", "beta", "out"]


def test_every_kernel_signature_has_one_name_per_input():
    import inspect
    for name in K.__all__:
        k = getattr(K, name)
        params = [p for p in inspect.signature(k).parameters.values()
                  if p.kind is inspect.Parameter.POSITIONAL_ONLY]
        assert len(params) == k.nin, name
        assert not any(p.name.startswith("x") and p.name[1:].isdigit() for p in params), name


def test_parameter_names_read_through_nested_brackets():
    from klforge.kernels._signature import kernel_signature, parameter_names
    doc = "T.\n\n    Parameters: p (half open unit interval (0, 1]), q (real).\n    Derivation."
    assert parameter_names(doc) == ["p", "q"]
    assert parameter_names("no such line") == []
    # a line that does not name nin inputs falls back to x1…xn
    assert list(kernel_signature("k", doc, 3, None).parameters)[:3] == ["x1", "x2", "x3"]


def test_kl_mvn_docstring_lists_the_call_not_the_n2_symbols():
    doc = K.kl_mvn.__doc__
    line = next(ln.strip() for ln in doc.splitlines() if ln.strip().startswith("Parameters:"))
    assert line.startswith("Parameters: mu_p (real vector), L_p (")
    assert "mu_p0" not in line and "Lp_00" not in line


def test_kl_geometric_docstring_says_which_end_is_open():
    line = next(ln for ln in K.kl_geometric.__doc__.splitlines() if "Parameters:" in ln)
    assert "(0, 1]" in line
    assert math.isnan(K.kl_geometric(0.0, 0.5)) and math.isfinite(K.kl_geometric(1.0, 0.5))
