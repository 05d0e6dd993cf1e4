import math

import mpmath
import numpy as np
import pytest
from klforge.kernels import _primitives as P

from klforge.verify import ulp_error


def test_digamma_root_constants_recomputed():
    with mpmath.workdps(50):
        x0 = mpmath.findroot(mpmath.digamma, 1.46)
        assert P._X0_HI == float(x0) and P._X0_LO == float(x0 - P._X0_HI)
        for k, c in enumerate(P._ROOT_C, 1):
            assert c == float(mpmath.polygamma(k, x0) / mpmath.factorial(k))


@pytest.mark.parametrize("x", [-0.5, -0.5 - 2**-50, 1.0, 1.0 + 2**-52, 1e-300, -1e-8, 3.0, -0.9])
def test_log1pmx_both_sides_of_branch(x):
    assert ulp_error(P.log1pmx(x), mpmath.log1p(x) - x, np.float64) <= 4


@pytest.mark.parametrize("x", [-1.0, -1.0 - 1e-16, 1.0, 1.0 + 2e-16, 1e-200, 20.0, -40.0])
def test_expm1mx_both_sides_of_branch(x):
    assert ulp_error(P.expm1mx(x), mpmath.expm1(x) - x, np.float64) <= 4


@pytest.mark.parametrize("t", [-0.5, -0.5 - 1e-12, 2.0, 2.0 + 1e-12, 1e-10, 50.0, -0.99])
def test_kl_div_both_sides_of_branch(t):
    q = 0.37
    p = q * (1 + t)
    ref = mpmath.mpf(p) * mpmath.log(mpmath.mpf(p) / q) - p + q
    assert ulp_error(P.kl_div(p, q, p - q), ref, np.float64) <= 8


def test_digamma_near_root_and_special():
    for x in (1.4616321449683622, 1.3, 1.7, 0.01, 9.99, 10.0, 1e6):
        ref = float(mpmath.digamma(x))
        assert abs(P.digamma(x) - ref) <= 8 * np.spacing(abs(ref)) or \
            ulp_error(P.digamma(x), mpmath.digamma(x), np.float64) <= 16
    assert math.isnan(P.digamma(-1.0)) and math.isnan(P.digamma(0.0))
