"""kl_logits (kernels/_logits.py) against mpmath on every path of its row functions: the
centred pass of each dtype and its re-centring, the scalar loops for extreme ranges,
chunk boundaries, special values."""
import math

import mpmath
import numpy as np
import pytest
from klforge.kernels import _logits

from klforge import kernels as K
from klforge.verify import BARS, mp_kl_logits, ulp_error

F64_BAR = BARS["kl_logits"]
F32_BAR = 1.0


def _ref(a, b):
    """mpmath's KL at 60 digits (mp_kl_logits adds digits for the logits' spread only; a
    KL of 1e-19 from entries near 1e-2 cancels 17 of them)."""
    with mpmath.workdps(60):
        return +mp_kl_logits(a, b)


def _ref_masked(a, b):
    """KL(softmax(a) ‖ softmax(b)) from the definition at 60 digits, with p_i = 0 where
    a_i = −inf and q normalised over every entry."""
    with mpmath.workdps(60):
        live = [i for i in range(len(a)) if a[i] != -math.inf]
        za = mpmath.fsum(mpmath.exp(mpmath.mpf(float(a[i]))) for i in live)
        zb = mpmath.fsum(mpmath.exp(mpmath.mpf(float(x))) for x in b)
        return +mpmath.fsum(
            mpmath.exp(mpmath.mpf(float(a[i]))) / za
            * ((mpmath.mpf(float(a[i])) - mpmath.log(za))
               - (mpmath.mpf(float(b[i])) - mpmath.log(zb))) for i in live)


def _ulps(a, b, dtype):
    """Max ULP error of the kernel on the rows of (a, b) cast to ``dtype``; the reference
    is mpmath on the same (cast) inputs."""
    a, b = np.atleast_2d(a).astype(dtype), np.atleast_2d(b).astype(dtype)
    got = K.kl_logits(a, b)
    assert got.dtype == dtype
    return max(ulp_error(g, _ref(x, y), dtype) for g, x, y in zip(got, a, b,
                                                                          strict=True))


def _bar(dtype):
    return F64_BAR if dtype == np.float64 else F32_BAR


DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 7, 10, 100, _logits.BLK, _logits.BLK + 1, 2500])
def test_random_rows_within_bar(n, dtype):
    """Independent logits (KL of order 1), rows across the chunk edges."""
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=(3, n)) * 3, rng.normal(size=(3, n)) * 3
    assert _ulps(a, b, dtype) <= _bar(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sep", [1e-2, 1e-5, 1e-9])
def test_near_equal_rows_within_bar(sep, dtype):
    """KL ≈ sep²: float32 rows whose centre max b − max a is too far from E_p[b − a]
    for their small KL are summed again around it."""
    rng = np.random.default_rng(int(-math.log10(sep)))
    a = rng.normal(size=(4, 300)) * 4
    b = a + sep * rng.normal(size=a.shape)
    assert _ulps(a, b, dtype) <= _bar(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_common_shift_within_bar(dtype):
    """b = a + 1000 + small noise: e is the noise; b − a must be taken exactly."""
    rng = np.random.default_rng(5)
    a = rng.normal(size=(3, 64))
    b = a + 1000.0 + 1e-3 * rng.normal(size=a.shape)
    assert _ulps(a, b, dtype) <= _bar(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_outlying_argmax_forces_recentring(dtype):
    """The centre b_k − a_k at argmax a is far from E_p[b − a] relative to √KL: the
    one-centre pass cancels and the row is summed again around E_p[b − a]."""
    rng = np.random.default_rng(6)
    a = 0.1 * rng.normal(size=(3, 200))
    a[:, 17] = 1.0  # the argmax, with a small share of the mass
    b = a + 1e-4 * rng.normal(size=a.shape)
    b[:, 17] += 0.05
    assert _ulps(a, b, dtype) <= _bar(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows", [
    ([0.0, -750.0, -3.0], [0.0, -10.0, -3.0]),     # a weight below e^-700
    ([0.0, -10.0], [0.0, 605.0]),                   # e beyond 600: log space
    ([5.0, -2000.0, 1.0], [5.0, -1300.0, 1.0 + 1e-9]),
    ([0.0, -300.0], [0.0, 401.0]),
])
def test_extreme_ranges_take_the_scalar_loops(rows, dtype):
    a, b = (np.array(r) for r in rows)
    assert _ulps(a, b, dtype) <= _bar(dtype)


def test_float32_rows_read_as_float32_values():
    """float32 input is converted exactly: the result is that of the float32 values."""
    rng = np.random.default_rng(7)
    a = (rng.normal(size=50) * 3).astype(np.float32)
    b = (rng.normal(size=50) * 3).astype(np.float32)
    exact = _ref(a.astype(np.float64), b.astype(np.float64))
    assert ulp_error(K.kl_logits(a, b), exact, np.float32) <= F32_BAR
    assert ulp_error(K.kl_logits(a.astype(np.float64), b.astype(np.float64)), exact,
                     np.float64) <= F64_BAR


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values(dtype):
    inf, nan = math.inf, math.nan

    def kl(a, b):
        with np.errstate(all="raise"):  # no floating-point flag escapes
            return float(K.kl_logits(np.array(a, dtype), np.array(b, dtype)))
    assert math.isnan(kl([nan, 0.0, 1.0], [0.0, 0.0, 0.0]))
    assert math.isnan(kl([0.0, 0.0, 1.0], [0.0, nan, 0.0]))
    assert math.isnan(kl([inf, 0.0], [0.0, 0.0]))
    assert math.isnan(kl([0.0, 0.0], [0.0, inf]))
    assert math.isnan(kl([-inf, -inf], [0.0, 1.0]))      # every entry masked
    assert math.isnan(kl([], []))                        # empty row
    assert kl([0.0, 0.0], [0.0, -inf]) == inf            # p_i > 0 = q_i
    # a masked entry (p_i = 0): q = softmax(b) keeps its mass there — by hand, log(1 + e^5)
    assert kl([0.0, -inf], [0.0, 5.0]) == pytest.approx(math.log1p(math.exp(5.0)), rel=1e-7)
    assert kl([0.0, -inf], [0.0, -inf]) == 0.0           # masked in both: nothing of q there
    # masked entries in long rows, against the definition with p_i = 0 there (mpmath)
    rng = np.random.default_rng(8)
    for shift in (0.0, 8.0, -30.0, 800.0):   # masked q-mass ~ 5 %, most of q, 1e-14, all
        a, b = rng.normal(size=40), rng.normal(size=40)
        a[[3, 30]] = -inf
        b[[3, 30]] += shift
        a, b = a.astype(dtype), b.astype(dtype)
        assert ulp_error(kl(a, b), _ref_masked(a, b), dtype) <= _bar(dtype)
    # NaN precedes +inf: a NaN anywhere in the row wins over b_i = −inf
    assert math.isnan(kl([0.0, 0.0, nan], [0.0, -inf, 0.0]))
    big = [1e308, -1e308] if dtype == np.float64 else [3e38, -3e38]
    assert kl(big, [0.0, 0.0]) == pytest.approx(math.log(2), rel=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_identical_and_shifted_rows(dtype):
    rng = np.random.default_rng(9)
    a = (rng.normal(size=(5, 77)) * 30).astype(dtype)
    assert np.all(K.kl_logits(a, a) == 0.0)
    got = K.kl_logits(a, a + dtype(0.5))  # a shift leaves softmax unchanged (up to rounding)
    assert np.all(got >= 0.0) and np.all(got < 1e-12)


def test_results_do_not_depend_on_the_batch():
    """The same row gives the same bits alone, in a batch, and in the threaded driver."""
    rng = np.random.default_rng(10)
    for dtype in DTYPES:
        a = (rng.normal(size=(40000, 10)) * 3).astype(dtype)
        b = (rng.normal(size=(40000, 10)) * 3).astype(dtype)
        whole = K.kl_logits(a, b)
        for i in (0, 1, 12345, 39999):
            assert whole[i] == K.kl_logits(a[i], b[i])


def test_float32_centre_between_two_maxima():
    """float32 centre max b − max a from two different entries (a's maximum at 0, b's at 1,
    a few float32 ulps apart): S0 ≈ −8e-10 against a KL of 1.9e-19, so x = S0 + S2 and
    log1pmx(x) cancel S2 by a factor ≈ 3; still within 1 ULP."""
    rng = np.random.default_rng(11)
    a = (1e-3 * rng.normal(size=20)).astype(np.float32)
    a[0] = np.float32(0.01)
    a[1] = np.nextafter(np.nextafter(a[0], np.float32(0)), np.float32(0))
    b = a.copy()
    b[1] = np.nextafter(a[0], np.float32(1))
    got = K.kl_logits(a, b)
    ref = _ref(a.astype(np.float64), b.astype(np.float64))
    assert 0 < float(ref) < 1e-12
    assert ulp_error(got, ref, np.float32) <= F32_BAR


def _fresh_kernel():
    """A new first-reach kernel on the same loops (nothing built in it yet)."""
    return _logits.FirstReach(K.kl_logits, K.kl_logits._reach)


@pytest.mark.parametrize("dtype", DTYPES)
def test_first_reach_builds_the_full_loops_only_when_a_row_needs_them(dtype):
    """Plain rows run on the light loops alone; a masked row, an out-of-range row or an
    entry-strided call is handed back (counted in BAILS) and the call runs again on the full
    loops, which then serve every call; results equal the full ufunc's bit for bit."""
    name = np.dtype(dtype).name
    full = K.kl_logits.ufunc(name)
    rng = np.random.default_rng(12)
    a = (rng.normal(size=(300, 10)) * 3).astype(dtype)
    b = (rng.normal(size=(300, 10)) * 3).astype(dtype)
    k = _fresh_kernel()
    before = _logits.BAILS.value
    got = k(a, b)
    assert _logits.BAILS.value == before and k.compiled == (name,) and not k._ufuncs
    np.testing.assert_array_equal(got, full(a, b))
    for change in ("masked", "range", "strided"):
        k = _fresh_kernel()
        x, y = a.copy(), b.copy()
        if change == "masked":
            x[7, 3] = -math.inf
        elif change == "range":
            y[7, 3] = -math.inf  # p_i > 0 = q_i: the scalar loops give +inf
        else:
            x, y = np.repeat(x, 2, axis=1)[:, ::2], np.repeat(y, 2, axis=1)[:, ::2]
        got = k(x, y)
        assert _logits.BAILS.value > before and name in k._ufuncs
        np.testing.assert_array_equal(got, full(x, y))
        before = _logits.BAILS.value
        if change == "masked":
            assert ulp_error(got[7], _ref_masked(x[7], y[7]), dtype) <= _bar(dtype)
        if change == "range":
            assert got[7] == math.inf
        np.testing.assert_array_equal(k(a, b), full(a, b))  # full loops from now on
        assert _logits.BAILS.value == before


def test_first_reach_leaves_other_calls_to_the_full_loops():
    """out=, keywords and inputs with their own __array_ufunc__ never take the light loops
    (a lazily evaluated array could not report a row handed back)."""
    a = np.array([[0.0, 1.0, 2.0]])
    b = np.array([[2.0, 1.0, 0.0]])
    k = _fresh_kernel()
    out = np.empty(1)
    k(a, b, out=out)
    assert k.compiled == ("float64",) and "float64" in k._ufuncs and not k._reach_ufuncs
    assert out[0] == K.kl_logits.ufunc("float64")(a, b)[0]
    assert not _logits._plain(np.ma.masked_array(a)) and _logits._plain(np.float32(1.0))


# ---- huge finite logits (issue 16 F2): temperature → 0 gives logits / T of any size ----

def _ref_wide(a, b):
    """KL(softmax(a) ‖ softmax(b)) from log-softmax at 60 digits beyond the logits' size
    (a − LSE(a) of logits near 1e300 keeps 60 digits); independent of mp_kl_logits, whose
    extra digits grow with the spread itself."""
    mag = max([1.0] + [abs(float(x)) for x in list(a) + list(b)])
    with mpmath.workdps(60 + int(math.log10(mag))):
        A = [mpmath.mpf(float(x)) for x in a]
        B = [mpmath.mpf(float(x)) for x in b]
        ma, mb = max(A), max(B)
        la = ma + mpmath.log(mpmath.fsum(mpmath.exp(x - ma) for x in A))
        lb = mb + mpmath.log(mpmath.fsum(mpmath.exp(x - mb) for x in B))
        return +mpmath.fsum(mpmath.exp(x - la) * ((x - la) - (y - lb))
                            for x, y in zip(A, B, strict=True))


def _wide_cases(s, rng):
    """Rows with logits of size s: one-hot p (a), q with a huge logit (b), both, ties of
    the maximum, and random rows of 3, 10 and 300 entries (short rows, a long row)."""
    cases = [([1.0, s, 3.0], [0.0, 1.0, -1.0]), ([0.0, 1.0, -1.0], [1.0, s, 3.0]),
             ([s, -s], [0.0, 0.0]), ([0.0, 0.0], [s, -s]), ([s, 0.0], [0.0, s]),
             ([s, s, 1.0], [0.0, 1.0, 2.0]), ([s, s, -s], [s, -s, s]),
             ([1.0, 2.0, 3.0], [s, s, 0.0])]
    for n in (3, 10, 300):
        cases.append((s * rng.normal(size=n), s * rng.normal(size=n)))
        x = rng.normal(size=n)
        x[n // 2] = s
        cases.append((x, rng.normal(size=n)))
        cases.append((rng.normal(size=n), x))
    return cases


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("e", [0, 3, 8, 15, 16, 17, 19, 20, 37, 50, 100, 154, 155, 200, 300])
def test_huge_finite_logits_against_mpmath(e, dtype):
    """Spreads 1e0 … 1e300 in either argument: finite, never negative, within the bar —
    alone, in a batch of rows and entry-strided (the gather of the full loops)."""
    if dtype == np.float32 and e > 37:
        pytest.skip("beyond float32's range")
    rng = np.random.default_rng(e)
    for a, b in _wide_cases(10.0**e, rng):
        a, b = np.asarray(a, dtype), np.asarray(b, dtype)
        got = K.kl_logits(a, b)
        assert math.isfinite(got) and got >= 0.0, (a[:4], b[:4], got)
        assert ulp_error(got, _ref_wide(a, b), dtype) <= _bar(dtype), (a[:4], b[:4], got)
        wide = np.stack([np.repeat(a, 2), np.repeat(b, 2)])  # entry-strided views
        batch = K.kl_logits(np.stack([a, a[::-1], a]), np.stack([b, b[::-1], b]))
        assert batch[0] == got and batch[2] == got
        assert K.kl_logits(wide[0, ::2], wide[1, ::2]) == got


def test_tester_rows_of_issue_16_f2():
    """The outside tester's two rows: −inf and NaN before."""
    exact = 0.40760596444438029  # −log softmax((0, 1, −1))_1
    got = K.kl_logits(np.array([1.0, 1e16, 3.0]), np.array([0.0, 1.0, -1.0]))
    assert ulp_error(got, _ref_wide([1.0, 1e16, 3.0], [0.0, 1.0, -1.0]), np.float64) <= 1
    assert abs(got - exact) < 1e-15
    got = K.kl_logits(np.array([0.0, 1.0, -1.0]), np.array([1.0, 1e17, 3.0]))
    assert ulp_error(got, _ref_wide([0.0, 1.0, -1.0], [1.0, 1e17, 3.0]), np.float64) <= 1
    got32 = K.kl_logits(np.array([1.0, 1e16, 3.0], np.float32),
                        np.array([0.0, 1.0, -1.0], np.float32))
    assert abs(float(got32) - exact) <= 2.0**-24 * exact
