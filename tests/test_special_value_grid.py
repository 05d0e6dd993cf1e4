"""Every elementwise kernel on every combination of special values in all its arguments
(NaN, ±inf, 0, −1, an ordinary value): the call returns (no loop left running on a
non-finite input — outside tester G11: kl_beta(1.3, 1.3, nan, −inf) never returned), and
NaN or ±inf in any argument gives NaN, as the published special-value table says."""
import itertools

import numpy as np
import pytest

from klforge import kernels as K

VALUES = (np.nan, np.inf, -np.inf, 0.0, -1.0, 1.3)
ELEMENTWISE = sorted(n for n in K.__all__ if getattr(K, n).signature is None
                     and getattr(K, n).nout == 1)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_special_value_combination_returns_nan_for_non_finite(name, dtype):
    kernel = getattr(K, name)
    grid = np.array(list(itertools.product(VALUES, repeat=kernel.nin)), dtype=dtype)
    got = kernel(*grid.T)
    non_finite = ~np.isfinite(grid).all(axis=1)
    wrong = [tuple(map(float, row)) for row, v in zip(grid[non_finite], got[non_finite],
                                                      strict=True) if not np.isnan(v)]
    assert not wrong, f"{name}: not NaN for {wrong[:5]}"
