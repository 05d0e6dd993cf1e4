"""kernels/_simd.py, _rowsum.py and _ufunc.py: the vectorised paths.

References are mpmath at high precision (never the code under test); the fast paths are
also checked to agree bit for bit with the strided scalar loops that share their core.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest
from klforge.kernels import _rowsum as R
from klforge.kernels import _simd as S
from klforge.kernels import _ufunc as U

from klforge import kernels as K
from klforge.verify.ulp import ulp_error

mpmath.mp.dps = 60
EPS = 2.0**-52


def ulps(got, ref):
    """|got − ref| in float64 ULPs: klforge's one ULP measure (klforge.verify.ulp)."""
    return ulp_error(got, mpmath.mpf(ref), np.float64)


def assert_within(fn, ref, points, bar):
    """Every point within ``bar`` ULPs; a failure lists each bad point with both values."""
    bad = []
    for args in points:
        got = fn(*args)
        r = ref(*[mpmath.mpf(float(a)) for a in args])
        e = ulps(got, r)
        if not e <= bar:
            bad.append(f"{args}: got {got!r}, mpmath {mpmath.nstr(r, 20)} ({e:.3g} ulp)")
    assert not bad, f"{len(bad)} of {len(points)} points above {bar} ulp:\n" + "\n".join(bad[:20])


@pytest.mark.parametrize("name", sorted(S.POLY_RECIPES))
def test_polynomial_coefficients_recomputed(name):
    expr, (lo, hi), n = S.POLY_RECIPES[name]
    with mpmath.workdps(40):
        if name == "ATANH_P":
            def f(z):
                if z == 0:
                    return mpmath.mpf(1) / 3
                return (mpmath.atanh(mpmath.sqrt(z)) / mpmath.sqrt(z) - 1) / z
        else:
            def f(x):
                return mpmath.mpf(1) / 2 if x == 0 else (mpmath.exp(x) - 1 - x) / x**2
        def bound(v):
            return mpmath.mpf(eval(v, {"log": mpmath.log}) if isinstance(v, str) else v)
        coeffs, err = mpmath.chebyfit(f, [bound(lo), bound(hi)], n, error=True)
    assert [float(c) for c in coeffs] == pytest.approx(list(getattr(S, name)), rel=1e-13, abs=1e-30)
    assert err < 2.0**-57


def _both_sides(x, k=3):
    return [x * (1 + j * EPS) for j in range(-k, k + 1)]


def test_kl_div_normal_both_sides_of_the_switch_and_far():
    rng = np.random.default_rng(1)
    pts = [(q * r, q) for q in (1e-300, 3e-7, 0.7, 1.0, 5e12, 1e300)
           for r in _both_sides(0.5) + _both_sides(2.0) + [1 + 1e-12, 1 - 1e-9, 0.9, 1.3]]
    pts += [(float(a), float(b)) for a, b in 10.0 ** rng.uniform(-300, 300, (200, 2))]
    ref = lambda p, q: p * mpmath.log(p / q) - p + q
    assert_within(S.kl_div_normal, ref, pts, 8)


def test_log_ratio_normal_and_the_primitive_on_subnormals_and_infinities():
    pts = [(q * r, q) for q in (4.5e-308, 1e-5, 1.0, 8e307) for r in
           _both_sides(0.5) + _both_sides(2.0) + [1 + 2e-16, 1 - 1e-10]]
    assert_within(S.log_ratio_normal, lambda a, b: mpmath.log(a / b), pts, 4)
    from klforge.kernels import _primitives as P
    sub = [(5e-324, 1.0), (1.0, 5e-324), (3e-310, 7e-312), (1e-310, 1e300), (1e300, 2e-320)]
    assert_within(P.log_ratio, lambda a, b: mpmath.log(a / b), sub, 4)
    assert P.log_ratio(math.inf, 1.0) == math.inf
    assert P.log_ratio(1.0, math.inf) == -math.inf
    for a, b in [(math.inf, math.inf), (0.0, 1.0), (1.0, 0.0), (-1.0, 1.0), (math.nan, 1.0)]:
        assert math.isnan(P.log_ratio(a, b)), (a, b)


def test_log_normal_short_within_2_to_the_minus_44():
    """The float32 rows' logarithm: relative error below 2⁻⁴⁴ (ample: their half ULP is
    2⁻²⁴), across the range, both sides of √2·2^k (its reduction switch) and near 1."""
    rng = np.random.default_rng(7)
    xs = list(10.0 ** rng.uniform(-307, 308, 400)) + list(1 + rng.uniform(-0.3, 0.3, 200))
    xs += [1 + s * 10.0**-k for k in range(1, 16) for s in (-1, 1)]
    xs += [y for k in range(-8, 9) for y in _both_sides(math.sqrt(2) * 2.0**k)]
    for x in xs:
        ref = mpmath.log(mpmath.mpf(x))
        assert abs((mpmath.mpf(S.log_normal_short(x)) - ref) / ref) < 2.0**-44, x


def test_exp_and_expm1mx_normal_across_the_range():
    rng = np.random.default_rng(2)
    xs = list(rng.uniform(-708, 709, 300)) + [k * math.log(2) / 2 for k in range(-40, 41, 2)]
    assert_within(S.exp_normal, mpmath.exp, [(x,) for x in xs], 2)
    ys = list(rng.uniform(-700, 700, 200)) + _both_sides(1.0) + _both_sides(-1.0) + \
        [s * 10.0**-k for k in range(1, 15) for s in (-1, 1)]
    assert_within(S.expm1mx_normal, lambda x: mpmath.exp(x) - 1 - x, [(y,) for y in ys], 8)


@pytest.mark.parametrize("n", [1, 7, 256, 257, 5000])
def test_kl_categorical_long_rows_near_equal(n):
    rng = np.random.default_rng(n)
    p = rng.random(n) + 1e-3
    p /= p.sum()
    q = p * (1 + 1e-7 * rng.uniform(-1, 1, n))
    ws = np.empty((8, R.BLK))
    R.kl_sums(p, q, n, 0, 1, ws)  # the one-pass sums of the row (a row longer than BLK in chunks)
    s1, d, tp, tq = ws[1:5, 0]
    with mpmath.workdps(60):
        P = [mpmath.mpf(float(a)) for a in p]
        Q = [mpmath.mpf(float(b)) for b in q]
        ref = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(P, Q, strict=True))
        assert ulps(s1 + d, ref) <= 8  # Σ kl_div + Σ (p − q) = Σ p log(p/q)
        assert ulps(tp, mpmath.fsum(P)) <= 1 and ulps(tq, mpmath.fsum(Q)) <= 1
        tp_, tq_ = mpmath.fsum(P), mpmath.fsum(Q)
        normalised = mpmath.fsum(a / tp_ * mpmath.log((a / tp_) / (b / tq_))
                                 for a, b in zip(P, Q, strict=True))
    assert ulps(K.kl_categorical(p, q), normalised) <= 8


def test_kl_logits_long_rows():
    rng = np.random.default_rng(5)
    for n, scale, sep in [(3000, 3.0, None), (1000, 20.0, 1e-6), (300, 0.01, None)]:
        a = rng.normal(size=n) * scale
        b = rng.normal(size=n) * scale if sep is None else a + sep * rng.normal(size=n)
        value = float(K.kl_logits(a, b))
        A = [mpmath.mpf(float(v)) for v in a]
        B = [mpmath.mpf(float(v)) for v in b]
        la = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in A))
        lb = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in B))
        ref = mpmath.fsum(mpmath.exp(x - la) * ((x - la) - (y - lb))
                          for x, y in zip(A, B, strict=True))
        assert ulps(value, ref) <= 8, (n, scale, sep)


def test_rows_outside_the_fast_path_are_declined_and_the_scalar_loop_answers():
    def s1(p, q):
        ws = np.empty((8, R.BLK))
        R.kl_sums(np.array(p), np.array(q), len(p), 0, 1, ws)
        return ws[1, 0]
    assert math.isnan(s1([0.5, 0.5], [1.0, 0.0]))  # declined: the scalar loop answers
    assert math.isnan(s1([5e-324, 1.0], [0.5, 0.5]))
    assert s1([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2))  # p = 0 is in: ½ + kl_div(1, ½)
    assert K.kl_categorical([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert K.kl_categorical([0.0, 1.0], [0.0, 1.0]) == 0.0
    p, q = [5e-324, 1.0 - 5e-324], [0.25, 0.75]  # both rows sum to 1 exactly
    ref = mpmath.fsum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / b)
                      for a, b in zip(p, q, strict=True))
    assert ulps(K.kl_categorical(p, q), ref) <= 8
    # a weight below e^-700 leaves kl_logits' vectorised pass; the scalar loop answers
    assert K.kl_logits([0.0, -800.0], [0.0, 0.0]) == pytest.approx(
        math.log(2.0) - math.log1p(math.exp(-800.0)), rel=1e-15)
    assert K.kl_logits([0.0, 1.0], [0.0, -np.inf]) == math.inf


def test_special_inputs_raise_no_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(K.kl_categorical([0.5, np.nan], [0.5, 0.5]))
        # p = (1, 0) (a masked entry), q = softmax(0, 5): KL = −log q_0 = log(1 + e⁵)
        assert K.kl_logits([0.0, -np.inf], [0.0, 5.0]) == pytest.approx(
            math.log1p(math.exp(5.0)), rel=1e-14)
        assert math.isnan(K.kl_normal(0.0, -1.0, 0.0, 1.0))
        K.kl_normal(np.zeros(4), np.array([0.0, 1e-320, np.inf, 2.0]), 0.0, 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ufunc_loops_agree_bit_for_bit(dtype):
    """Unit-stride (vectorised, multi-threaded past PARALLEL_MIN), strided and broadcast
    inputs all run the same core, so their results are identical."""
    rng = np.random.default_rng(6)
    n = U.PARALLEL_MIN + 1000
    wide = [rng.normal(size=2 * n), rng.random(2 * n) + 0.01, rng.normal(size=2 * n),
            10.0 ** rng.uniform(-3, 3, 2 * n)]
    wide = [w.astype(dtype) for w in wide]
    contiguous = K.kl_normal(*[np.ascontiguousarray(w[::2]) for w in wide])
    strided = K.kl_normal(*[w[::2] for w in wide])
    np.testing.assert_array_equal(contiguous, strided)
    small = K.kl_normal(*[np.ascontiguousarray(w[:100:2]) for w in wide])
    np.testing.assert_array_equal(small, contiguous[:50])
    bcast = K.kl_normal(wide[0][:10], dtype(1.5), wide[2][:10], dtype(0.5))
    elementwise = [K.kl_normal(wide[0][i], dtype(1.5), wide[2][i], dtype(0.5)) for i in range(10)]
    np.testing.assert_array_equal(bcast, np.array(elementwise, dtype))
    assert contiguous.dtype == dtype


def test_ufunc_out():
    x = np.linspace(0.5, 2.0, 8)
    out = np.full(8, -1.0)
    assert K.kl_normal(0.0, x, 0.0, 1.0, out=out) is out
    for xi, oi in zip(x, out, strict=True):  # KL(N(0, σ²) ‖ N(0, 1)) = (σ² − 1 − 2 log σ)/2
        s = mpmath.mpf(float(xi))
        assert ulps(oi, (s**2 - 1 - 2 * mpmath.log(s)) / 2) <= 8
