"""kl_gamma at every positive finite parameter (issue 16; ``kernels/_gamma_range.py``): an
outside tester's grid — each argument and each pair of arguments set to 5e-324 … DBL_MAX, the
others O(1) — found 90 points over 8 ULP (NaN or +inf for finite results, 77 ULP with
subnormal rates, 129 ULP at α_q = β_q = 1e300).  Here that grid, random siblings in each
failing region and its float32 counterpart, against the textbook formula in mpmath (written
here, not the package's references), within the kl_gamma bar, +inf where the exact value
overflows; the light loops either agree with the full ones bit for bit or hand the element
back; no floating-point flag escapes."""
import itertools
import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from klforge import kernels as K
from klforge.verify import ulp_error

BAR = 12  # kl_gamma's bar (README table, kernels/manifest.json)
DMAX = 1.7976931348623157e308
POS = [5e-324, 1e-310, 1e-300, 1e-150, 1e-20, 1e-8, 0.3, 1.0, 3.0, 1e8, 1e20, 1e150, 1e300, DMAX]
POS32 = [1e-45, 1e-40, 1e-38, 1e-20, 1e-8, 0.3, 1.0, 3.0, 1e8, 1e20, 1e30, 3.4e38]
BASE = (1.3, 0.8, 2.1, 1.7)  # shape_p, rate_p, shape_q, rate_q


def _ref(ap, bp, aq, bq):
    """KL(Gamma(α_p, β_p) ‖ Gamma(α_q, β_q)) by the textbook formula (α_p − α_q)ψ(α_p) −
    lnΓ(α_p) + lnΓ(α_q) + α_q·log(β_p/β_q) + α_p·(β_q − β_p)/β_p, with 60 digits plus one per
    decade the arguments span (terms up to ~1e311 cancel to results down to ~1e-20)."""
    span = sum(abs(math.log10(float(x))) for x in (ap, bp, aq, bq))
    with mpmath.workdps(60 + int(span)):
        ap, bp, aq, bq = (mpmath.mpf(float(x)) for x in (ap, bp, aq, bq))
        return ((ap - aq) * mpmath.digamma(ap) - mpmath.loggamma(ap) + mpmath.loggamma(aq)
                + aq * (mpmath.log(bp) - mpmath.log(bq)) + ap * (bq - bp) / bp)


def _grid(values):
    """BASE with each argument and each pair of arguments set to ``values`` (the tester's)."""
    pts = set()
    for i in range(4):
        for v in values:
            pts.add(tuple(v if k == i else b for k, b in enumerate(BASE)))
    for i, j in itertools.combinations(range(4), 2):
        for v, w in itertools.product(values, values):
            pts.add(tuple(v if k == i else w if k == j else b for k, b in enumerate(BASE)))
    return sorted(pts)


def _siblings(n=40, seed=16):
    """Random points near each region the grid failed in (log-uniform draws)."""
    rng = np.random.default_rng(seed)

    def lu(lo, hi):
        return float(np.exp(rng.uniform(math.log(lo), math.log(hi))))

    regions = [
        lambda: (lu(0.1, 10), lu(0.1, 10), lu(0.1, 10), lu(1e300, DMAX)),  # α_p·β_q overflows
        lambda: (lu(1e-300, 10), lu(0.1, 10), lu(1e300, DMAX), lu(0.1, 10)),  # B_S(·, huge)
        lambda: (lu(1e15, DMAX), lu(0.1, 10), lu(5e-324, 1e-290), lu(0.1, 10)),  # B_S(huge, tiny)
        lambda: (lu(1e8, 1e15), lu(0.1, 10), lu(5e-324, 1e-290), lu(0.1, 10)),  # ratio ≥ 1e15
        lambda: (lu(0.1, 10), lu(5e-324, 1e-300), lu(0.1, 10), lu(1e-315, 1e-300)),  # subnormal
        lambda: (lu(0.1, 10), lu(0.1, 10), *(2 * [lu(1e290, 1e308)])),  # s: cancelling logs
        lambda: (*(2 * [lu(1e290, DMAX)]), lu(0.1, 10), lu(0.1, 10)),  # the same on the p side
        lambda: (lu(1e290, DMAX), lu(0.1, 10), lu(0.1, 10), lu(1e-310, 1e-290)),
    ]
    return [f() for f in regions for _ in range(n)]


def _check(points, dtype, bar):
    cols = [np.array(c, dtype=dtype) for c in zip(*points, strict=True)]
    with np.errstate(all="raise"):
        got = K.kl_gamma(*cols)
    bad = []
    for k, pt in enumerate(zip(*cols, strict=True)):
        ref = _ref(*pt)
        if ulp_error(got[k], ref, dtype) > bar:
            bad.append((tuple(float(x) for x in pt), float(got[k]), mpmath.nstr(ref, 17)))
    assert not bad, f"{len(bad)} of {len(points)} over {bar} ULP, e.g. {bad[:5]}"


def test_tester_grid_float64():
    _check(_grid(POS), np.float64, BAR)


def test_siblings_float64():
    _check(_siblings(), np.float64, BAR)


def test_grid_float32_one_ulp():
    pts = [p for p in _grid(POS32)]
    _check(pts, np.float32, 1)


def test_light_loops_agree_or_hand_back():
    """The light ufunc gives the full ufunc's value bit for bit, or NaN for an element it
    hands back (counted in ``_ufunc.BAILS``); NaN inputs are not handed back."""
    from klforge.kernels import _ufunc
    pts = _grid(POS) + _siblings(5)
    cols = [np.array(c) for c in zip(*pts, strict=True)]
    light = K.kl_gamma._reach_ufunc("float64")
    full = K.kl_gamma.ufunc("float64")
    before = _ufunc.BAILS.value
    with np.errstate(all="raise"):
        lv = light(*cols)
        fv = full(*cols)
    assert _ufunc.BAILS.value > before  # the grid holds elements the light form cannot do
    handed = np.isnan(lv) & ~np.isnan(fv)
    assert handed.sum() > 0
    same = ~handed
    assert np.array_equal(lv[same], fv[same], equal_nan=True)
    # shapes in [1e-3, 1e11], rates within 1e±100, NaN and out-of-domain inputs: never
    # handed back
    rng = np.random.default_rng(1)
    shape = lambda: np.exp(rng.uniform(math.log(1e-3), math.log(1e11), 20000))  # noqa: E731
    rate = lambda: np.exp(rng.uniform(-230, 230, 20000))  # noqa: E731
    ordinary = [shape(), rate(), shape(), rate()]
    before = _ufunc.BAILS.value
    assert np.array_equal(light(*ordinary), full(*ordinary))
    light(np.array([np.nan, 2.0, -1.0]), 1.0, np.array([1.0, np.inf, 1.0]), 1.0)
    assert _ufunc.BAILS.value == before


def test_first_call_is_light_and_a_wide_call_reruns_on_the_full_loops():
    code = ("import numpy as np; from klforge import kernels as K\n"
            "k = K.kl_gamma\n"
            "v = k(np.array([2.0, 1.5]), 3.0, 4.0, 1.0)\n"
            "print(sorted(k._ufuncs), sorted(k._reach_ufuncs))\n"
            "w = k(np.array([1.3, 2.0]), 3.0, 2.1, np.array([1.7976931348623157e308, 1.0]))\n"
            "print(sorted(k._ufuncs), repr(float(w[0])), repr(float(v[0])))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()
    assert first == "[] ['float64']", first
    built, wide, ordinary = second.rsplit(" ", 2)
    assert built == "['float64']", second
    assert ulp_error(float(wide), _ref(1.3, 3.0, 2.1, DMAX), np.float64) <= BAR
    assert ulp_error(float(ordinary), _ref(2.0, 3.0, 4.0, 1.0), np.float64) <= BAR


@pytest.mark.parametrize("pt, exact", [
    ((1.3, 3.0, 2.1, DMAX), "7.7900035844033683e+307"),
    ((1.3, 5e-324, 2.1, 1e-310), "26312292929884.949"),
    ((1e20, 0.8, 5e-324, 1.7), "2.1249999999999998e+20"),
    ((DMAX, 0.8, 2.1, 1e-300), "224711954.99195516"),
])
def test_brief_examples(pt, exact):
    """The examples of the issue, against the tester's printed values and our reference."""
    got = float(K.kl_gamma(*pt))
    assert ulp_error(got, _ref(*pt), np.float64) <= BAR
    assert abs(got / float(exact) - 1) < 1e-14


@pytest.mark.parametrize("pt", [(1.3, 0.8, DMAX, 1.7), (1e-300, 0.8, DMAX, 1.7),
                                (DMAX, 1e-300, 2.1, 1.7)])
def test_overflow_is_inf(pt):
    assert _ref(*pt) > DMAX
    assert float(K.kl_gamma(*pt)) == math.inf


def _bs_ref(x, y):
    """B_S(x, y) = S(y) − S(x) − (y − x)·S'(x), S(a) = lnΓ(a) − a·log a + a, S' = ψ − log."""
    with mpmath.workdps(60 + int(abs(math.log10(x)) + abs(math.log10(y)))):
        x, y = mpmath.mpf(x), mpmath.mpf(y)
        s = lambda a: mpmath.loggamma(a) - a * mpmath.log(a) + a  # noqa: E731
        return s(y) - s(x) - (y - x) * (mpmath.digamma(x) - mpmath.log(x))


@pytest.mark.parametrize("x, y", [(1e14, 5e-324), (9.9e14, 1e-300), (1e8, 5e-324),
                                  (1e20, 5e-324), (1.3, DMAX), (DMAX, 2.1), (8.0, 7e-15),
                                  (2.0, 3.0), (1e-300, 1e14)])
def test_stirling_bregman_full(x, y):
    """The full form of B_S, directly: the pairs the branch-free form misses and ordinary ones."""
    from klforge.kernels import _gamma_range as G
    assert ulp_error(G.stirling_bregman_full(x, y, y - x), _bs_ref(x, y), np.float64) <= 4


@pytest.mark.parametrize("a, n1, n2, d", [(2.1, 1.7, 1.3, 5e-324), (2.1, DMAX, 1.3, 3.0),
                                          (1e300, 1.3, 1e300, 0.8), (2.1, 1.7, DMAX, DMAX),
                                          (5e-324, 1e-300, 1.3, 0.8), (1.0, 1.0, 1.0, 1.0)])
def test_scaled_expm1mx_full(a, n1, n2, d):
    """a·(r − 1 − log r), r = n1·n2/(a·d), from the full form with the kernel's s."""
    from klforge.kernels import _gamma_range as G
    from klforge.kernels import _primitives as P
    s = P.log_ratio2(a, d, n1, n2)
    with mpmath.workdps(60 + int(sum(abs(math.log10(v)) for v in (a, n1, n2, d)))):
        r = mpmath.mpf(n1) * n2 / (mpmath.mpf(a) * d)
        ref = a * (r - 1 - mpmath.log(r))
    assert ulp_error(G.scaled_expm1mx_full(a, s, n1, n2, d), ref, np.float64) <= 4


def test_full_loops_in_place_and_strided():
    """The full loops (a light pass, then the full core where it left NaN) with the output in
    place of an input, and through strides, give the values of a fresh output."""
    d = np.array([DMAX, 1.0, 1e-310, 2.0])
    a, b, c = np.array([1.3, 2.0, 1.3, 1e20]), np.array([3.0, 3.0, 5e-324, 0.8]), 2.1
    c = np.array([2.1, 2.1, 2.1, 5e-324])
    want = K.kl_gamma(a, b, c, d)
    full = K.kl_gamma.ufunc("float64")
    assert np.array_equal(full(a, b, c, d), want)
    inplace = d.copy()
    full(a, b, c, inplace, out=inplace)
    assert np.array_equal(inplace, want)
    wide = np.stack([a, a]).T.copy()
    assert np.array_equal(full(wide[:, 0], b, c, d), want)  # strided first argument
    for k, pt in enumerate(zip(a, b, c, d, strict=True)):
        assert ulp_error(want[k], _ref(*pt), np.float64) <= BAR
