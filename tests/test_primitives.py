import math

import mpmath
import numpy as np
import pytest
from klforge.kernels import _primitives as P
from klforge.kernels import _stirling as ST
from klforge.kernels import _stirling_scalar as SS

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


# stirling_bregman on both sides of its switches (min(x, y) < 1: the first piece with 1 + w
# from exact products; subnormal: three divisions; ≥ 8: Stirling), against its textbook form;
# the branch-free version (seven selected steps) and the scalar loop both
@pytest.mark.parametrize("x,y", [(0.5548796305916711, 0.025498929605028777),
                                 (0.6294114402948109, 0.17102720265394153),
                                 (0.3, 0.95), (0.05, 0.0374), (0.05, 0.0376),
                                 (3.4522270191793623, 1.277422520390709),
                                 (15.5, 16.5), (40.0, 40.0 * (1 + 1e-12)), (1e-300, 0.5),
                                 (0.5157473205338152, 0.21883064337396277), (9.99, 10.01),
                                 (44.29056265548953, 0.0014012307330935482), (2e-309, 1e-300),
                                 (1.0, 5e-320), (0.3, 1e6), (1e8, 1e8 * (1 - 1e-10)),
                                 (7.99, 8.01), (8.01, 7.99), (0.999, 7.5), (1.0, 1.0 + 1e-14),
                                 (1e-5, 1e5)])
def test_stirling_bregman_both_sides_of_branches(x, y):
    from klforge.derive.primitives import mp_stirling_bregman
    with mpmath.workdps(60):
        ref = mp_stirling_bregman(x, y)
    assert ulp_error(P.stirling_bregman(x, y, y - x), ref, np.float64) <= 8
    assert ulp_error(SS.stirling_bregman_loop(x, y, y - x), ref, np.float64) <= 8


def test_stirling_bregman_special_values():
    inf, nan = math.inf, math.nan
    for f in (P.stirling_bregman, SS.stirling_bregman_loop):
        assert f(2.0, inf, inf) == inf and f(3.0, 3.0, 0.0) == 0.0
        for x, y in ((0.0, 1.0), (1.0, 0.0), (-1.0, 2.0), (inf, 2.0), (nan, 1.0), (1.0, nan),
                     (inf, inf), (5e-324, -1.0)):
            assert math.isnan(f(x, y, y - x)), (f, x, y)


@pytest.mark.parametrize("x,y", [(17.0, 23.5), (10.0, 10.0 * (1 + 1e-9)), (12.0, 5.9),
                                 (10.0, 15.0), (10.0, 15.0 + 1e-12), (400.0, 11.0), (11.0, 5e4),
                                 (8.0, 8.5), (8.5, 8.0), (8.0, 1e200), (1e200, 8.0)])
def test_tail_bregman_is_the_bregman_divergence_of_the_series_tail(x, y):
    # x ≤ y and x > y, near and far (one positive-term form for every t); the tail is
    # summed to 50 digits from the Bernoulli numbers, not from the kernel's tables
    with mpmath.workdps(50):
        X, Y = mpmath.mpf(x), mpmath.mpf(y)
        c = [mpmath.bernoulli(2 * k) / (2 * k * (2 * k - 1)) for k in range(1, 15)]
        tail = lambda a: mpmath.fsum(ck * a ** (1 - 2 * k) for k, ck in enumerate(c, 1))
        dtail = lambda a: mpmath.fsum(ck * (1 - 2 * k) * a ** (-2 * k)
                                      for k, ck in enumerate(c, 1))
        ref = tail(Y) - tail(X) - (Y - X) * dtail(X)
    assert ulp_error(ST.tail_bregman(x, y, (y - x) / x, ST.STIRLING), ref, np.float64) <= 8
    assert ST.tail_bregman(10.0, 10.0, 0.0, ST.STIRLING) == 0.0
    assert SS.tail_bregman_scalar(x, y, (y - x) / x, ST.STIRLING) == ST.tail_bregman(
        x, y, (y - x) / x, ST.STIRLING)


def test_stirling_constants_are_the_bernoulli_coefficients():
    # the literal constants of kernels/_stirling.py against mpmath's Bernoulli numbers at 50
    # digits: each the double nearest B_2k/(2k(2k − 1)), and as many as the bound needs
    with mpmath.workdps(50):
        assert len(ST.STIRLING) == 14
        for k, c in enumerate(ST.STIRLING, 1):
            exact = mpmath.bernoulli(2 * k) / (2 * k * (2 * k - 1))
            assert c == float(exact)
            assert abs(mpmath.mpf(c) - exact) <= abs(exact) * 2.0**-53


def test_no_exec_in_the_stirling_module():
    import inspect
    for mod in (ST, SS):
        src = inspect.getsource(mod)
        assert "exec(" not in src and "Fraction" not in src


@pytest.mark.parametrize("x,y", [(8.0, 8.0 * (1 + 1e-12)), (8.0 * (1 + 1e-12), 8.0), (8.0, 1e300),
                                 (1e300, 8.0), (9.5, 8.1), (8.1, 9.5), (1e5, 3e5), (50.0, 8.0)])
def test_tail_sums_recurrences_against_the_power_sums(x, y):
    # Σ_k c_k v^n G_n(ρ) and Σ_k c_k v^n H_n(ρ) against the sums written out at 50 digits
    sg, sh, rho = ST.tail_sums(x, y, ST.STIRLING)
    with mpmath.workdps(50):
        a, b = min(mpmath.mpf(x), mpmath.mpf(y)), max(mpmath.mpf(x), mpmath.mpf(y))
        r = a / b
        c = [mpmath.bernoulli(2 * k) / (2 * k * (2 * k - 1)) for k in range(1, 15)]
        g = mpmath.fsum(ck * a ** -(2 * k - 1) * mpmath.fsum((2 * k - 1 - i) * r**i
                        for i in range(2 * k - 1)) for k, ck in enumerate(c, 1))
        h = mpmath.fsum(ck * a ** -(2 * k - 1) * mpmath.fsum((i + 1) * r**i
                        for i in range(2 * k - 1)) for k, ck in enumerate(c, 1))
        assert ulp_error(sg, g, np.float64) <= 4 and ulp_error(sh, h, np.float64) <= 4
        assert ulp_error(rho, r, np.float64) <= 0.5


@pytest.mark.parametrize("r", [1e-300, 5e-320, 1e-10, 0.1, 0.3, 0.4999, 0.5, 0.9, 1.0 + 2**-40,
                               1.5, 2.0, 2.0001, 3.9, 4.0, 100.0, 1e300])
def test_rm1mlog_r_every_exponent_reduction(r):
    ref = mpmath.mpf(r) - 1 - mpmath.log(mpmath.mpf(r))
    assert ulp_error(ST.rm1mlog_r(r - 1.0, r), ref, np.float64) <= 2


def test_rm1mlog_r_special_values():
    assert ST.rm1mlog_r(-1.0, 0.0) == math.inf and ST.rm1mlog_r(math.inf, math.inf) == math.inf
    assert math.isnan(ST.rm1mlog_r(math.nan, math.nan)) and math.isnan(ST.rm1mlog_r(-2.0, -1.0))
    assert ST.rm1mlog_r(0.0, 1.0) == 0.0


@pytest.mark.parametrize("x,y", [(0.5157, 0.2188), (0.025, 0.0592), (1.0, 2.0), (3.5, 3.5 + 1e-9),
                                 (44.3, 0.0014), (0.002, 900.0), (9.5, 9.2), (1.0, 1e6),
                                 (5e5, 1.0), (1.0, 1.0 + 1e-15)])
def test_phi_bregman_closed_form(x, y):
    # B_φ = (y + 1)·F(h/(x(y + 1))) against φ(y) − φ(x) − h·φ'(x) at 60 digits
    with mpmath.workdps(60):
        X, Y = mpmath.mpf(x), mpmath.mpf(y)
        phi = lambda a: (a + 1) * mpmath.log(1 + 1 / a) - 1
        ref = phi(Y) - phi(X) - (Y - X) * (mpmath.log(1 + 1 / X) - 1 / X)
    far = min(x, y) < 1.0
    assert ulp_error(ST.phi_bregman(x, 0.0, y, 0.0, y - x, far), ref, np.float64) <= 4
    if not far:  # the shift loop's version (s straight from h and x(y + 1), Estrin)
        assert ulp_error(ST.phi_bregman_near(x, 0.0, y, 0.0, y - x), ref, np.float64) <= 4


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


@pytest.mark.parametrize("a,b,c,d", [(3.0, 1.0, 1.0, 3.0 + 3e-16), (2.0, 5.0, 3.0, 10.0 / 3.0),
                                     (1.0, 1.0, 1.0, 1.0 / 0.76), (1.0, 1.0, 1.0, 1.0 / 1.24),
                                     (1.0, 1.0, 1.0, 1.0 / 0.74), (7.0, 1e3, 0.1, 3.0),
                                     (1e200, 1e100, 3e199, 1.0), (1e-200, 1e-100, 1e-199, 7.0),
                                     (1e-320, 1.0, 3.0, 1e-300), (1.0, 2.0, 3.0, 4.0)])
def test_log_ratio2_every_form(a, b, c, d):
    # near (log1p), far (log of the ratio + low parts), products outside [1e-290, 1e290]
    ref = mpmath.log((mpmath.mpf(a) * b) / (mpmath.mpf(c) * d))
    assert ulp_error(P.log_ratio2(a, b, c, d), ref, np.float64) <= 4


def test_log_ratio2_and_scaled_expm1mx_special_values():
    assert all(math.isnan(P.log_ratio2(*v)) for v in ((0.0, 1.0, 1.0, 1.0), (1.0, -1.0, 1.0, 1.0),
                                                     (1.0, 1.0, math.nan, 1.0)))
    assert P.log_ratio2(math.inf, 1.0, 1.0, 1.0) == math.inf
    assert math.isnan(P.scaled_expm1mx(1.0, math.nan, 1.0))
    assert P.scaled_expm1mx(1.0, 0.0, 1.0) == 0.0


@pytest.mark.parametrize("s", [-1.0 - 1e-12, -1.0, -0.3, 1e-9, -1e-9, 0.7, 1.0, 30.0, 699.0,
                               701.0, 1e6])
def test_scaled_expm1mx_both_sides_of_its_switches(s):
    a = 2.5
    ref = a * (mpmath.exp(-mpmath.mpf(s)) - 1 + s)
    e = float(a * mpmath.exp(-mpmath.mpf(s)))  # the caller's a·e^{−s}, rounded once
    assert ulp_error(P.scaled_expm1mx(a, s, e), ref, np.float64) <= 4


@pytest.mark.parametrize("b,d,c", [(1.0, 0.0, 1.0), (2.0, 1e-9, 3.0), (1.0, 1.0, 1.0),
                                   (1.0, 700.0, 2.0), (1.0, 700.0 * (1 + 2**-52), 2.0),
                                   (1e-300, 1e-290, 1.0), (5e-324, 1.0, 2.0),
                                   (1e-310, 3e-310, 1e-305), (1e300, 1.0, 1e-5),
                                   (1e-200, 3e-200, 1e150), (4.0, 1e308, 1.0)])
def test_perspective_expm1mx_every_branch(b, d, c):
    # z = d/b on both sides of 700 and overflowing; b/c normal, below and above the range
    with mpmath.workdps(60):
        b_, d_, c_ = mpmath.mpf(b), mpmath.mpf(d), mpmath.mpf(c)
        ref = (b_ * mpmath.expm1(-d_ / b_) + d_) / c_
    assert ulp_error(P.perspective_expm1mx(b, d, c), ref, np.float64) <= 4, (b, d, c)


def test_perspective_expm1mx_special_values():
    assert P.perspective_expm1mx(3.0, 0.0, 2.0) == 0.0
    assert P.perspective_expm1mx(1.0, math.inf, 1.0) == math.inf
    for bad in ((math.nan, 1.0, 1.0), (1.0, math.nan, 1.0), (1.0, 1.0, math.nan)):
        assert math.isnan(P.perspective_expm1mx(*bad)), bad


@pytest.mark.parametrize("x,y", [(20.0, 21.0), (5.0, 5.0 * (1 + 1e-7)), (4.999, 5.001),
                                 (0.999, 0.998), (1e-40, 3.0), (3e38, 4.999), (1.0, 1e30),
                                 (0.3, 0.30001), (7.5, 2.25), (1e-3, 1e-3 * (1 - 1e-6)),
                                 (12.0, 1e5), (2.5, 7.0)])
def test_stirling_bregman32_to_1e_10(x, y):
    # float32 inputs (exact in double); the float32 path's stated bound (kernels/_stirling32.py)
    from klforge.derive.primitives import mp_stirling_bregman
    from klforge.kernels._stirling32 import stirling_bregman32
    x, y = float(np.float32(x)), float(np.float32(y))
    with mpmath.workdps(100):  # S(3e38) cancels ~40 digits
        ref = mp_stirling_bregman(x, y)
        got = stirling_bregman32(x, y, y - x)
        assert abs(mpmath.mpf(got) / ref - 1) <= 3e-10, (x, y, got)


def test_stirling_bregman32_random_float32_pairs_and_specials():
    from klforge.derive.primitives import mp_stirling_bregman
    from klforge.kernels._stirling32 import stirling_bregman32
    rng = np.random.default_rng(5)
    xs = np.exp(rng.uniform(np.log(1e-3), np.log(1e4), 150)).astype(np.float32)
    ys = np.where(rng.random(150) < 0.5, xs * (1 + 10 ** rng.uniform(-6, -1, 150)),
                  np.exp(rng.uniform(np.log(1e-3), np.log(1e4), 150))).astype(np.float32)
    with mpmath.workdps(50):
        for x, y in zip(xs.astype(float), ys.astype(float), strict=True):
            if x != y:
                ref = mp_stirling_bregman(x, y)
                assert abs(mpmath.mpf(stirling_bregman32(x, y, y - x)) / ref - 1) <= 3e-10
    inf = math.inf
    assert stirling_bregman32(2.0, inf, inf) == inf and stirling_bregman32(3.0, 3.0, 0.0) == 0.0
    for x, y in ((0.0, 1.0), (-1.0, 2.0), (inf, 2.0), (math.nan, 1.0), (1.0, -3.0)):
        assert math.isnan(stirling_bregman32(x, y, y - x))


@pytest.mark.parametrize("y", [5e-324, 1e-320, 1e-310, 1e-300])
def test_bregman_pieces_and_kl_gamma_at_a_subnormal_second_argument(y):
    # issue 16, outside tester's F3: the first shift step's ratio y(x+1)/(x(y+1)) underflowed
    # to 0 (+inf where the value is ~745); reference: lnΓ(y) − lnΓ(x) − (y − x)ψ(x) in mpmath
    from klforge.derive.core import specs

    from klforge import kernels as K

    for x in (0.5, 2.0, 30.0):
        with mpmath.workdps(60):
            xm, ym = mpmath.mpf(x), mpmath.mpf(y)
            ref = mpmath.loggamma(ym) - mpmath.loggamma(xm) - (ym - xm) * mpmath.digamma(xm)
            ref_s = ref - (ym * mpmath.log(ym / xm) - ym + xm)  # B_S = B_lnΓ − B_g
            # kl_gamma(α_p, β_p, α_q, β_q) with β_p = 1, β_q = 2, α_q = y (textbook form)
            kg = ((xm - ym) * mpmath.digamma(xm) - mpmath.loggamma(xm) + mpmath.loggamma(ym)
                  + ym * (mpmath.log(1) - mpmath.log(2)) + xm * (2 - 1))
        assert ulp_error(P.lgamma_bregman(x, y, y - x), ref) <= 8, (x, y)
        assert ulp_error(SS.stirling_bregman_loop(x, y, y - x), ref_s) <= 8, (x, y)
        assert ulp_error(ST.stirling_bregman(x, y, y - x), ref_s) <= 8, (x, y)
        assert ulp_error(K.kl_gamma(x, 1.0, y, 2.0), kg) <= specs()["kl_gamma"].bar, (x, y)
