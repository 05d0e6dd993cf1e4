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


# stirling_bregman on both sides of its switches (x, y < 1 far apart: the B_{−log} − kl_div +
# kl_div first piece; |h| ≤ 3x/4: B_φ series; ≥ 16: Stirling), against its textbook form
@pytest.mark.parametrize("x,y", [(0.5548796305916711, 0.025498929605028777),
                                 (0.6294114402948109, 0.17102720265394153),
                                 (0.3, 0.95), (0.05, 0.0374), (0.05, 0.0376),
                                 (3.4522270191793623, 1.277422520390709),
                                 (15.5, 16.5), (40.0, 40.0 * (1 + 1e-12)), (1e-300, 0.5)])
def test_stirling_bregman_both_sides_of_branches(x, y):
    from klforge.derive.primitives import mp_stirling_bregman
    with mpmath.workdps(60):
        ref = mp_stirling_bregman(x, y)
    assert ulp_error(P.stirling_bregman(x, y, y - x), ref, np.float64) <= 8


def test_stirling_tail_is_the_bregman_divergence_of_the_series_tail():
    x, y = 17.0, 23.5
    L = math.log(y / x)
    with mpmath.workdps(50):
        X, Y = mpmath.mpf(x), mpmath.mpf(y)
        tail = lambda a: mpmath.fsum(mpmath.mpf(c) * a ** (1 - 2 * k)
                                     for k, c in enumerate(P._STIRLING, 1))
        dtail = lambda a: mpmath.fsum(mpmath.mpf(c) * (1 - 2 * k) * a ** (-2 * k)
                                      for k, c in enumerate(P._STIRLING, 1))
        ref = tail(Y) - tail(X) - (Y - X) * dtail(X)
    assert ulp_error(P.stirling_tail(x, L, P.rm1mlog(y / x - 1, L)), ref, np.float64) <= 8
    assert P.stirling_tail(16.0, 0.0, 0.0) == 0.0


def test_sympy_lbeta_bregman_vanishes_at_equal_halves_and_is_beta_kl():
    import sympy as sp
    from klforge.derive.primitives import lbeta_bregman, log_ratio, stirling_bregman, textbook
    a, b, c, d = sp.symbols("a b c d", positive=True)
    assert lbeta_bregman(a, b, a, b) == 0 and log_ratio(a, a) == 0
    assert stirling_bregman(a, a) == 0 and lbeta_bregman(a, b, b, a) != 0
    value = textbook(lbeta_bregman(2, 3, 4, 1)).evalf(30)
    with mpmath.workdps(30):  # KL(Beta(2, 3) ‖ Beta(4, 1)) from the Beta integral
        ref = mpmath.quad(lambda t: 12 * t * (1 - t) ** 2 * mpmath.log(
            12 * t * (1 - t) ** 2 / (4 * t**3)), [0, 1])
    assert abs(float(value) - float(ref)) < 1e-14
