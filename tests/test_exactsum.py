"""kernels/_exactsum.py (σ-split sums in SIMD lanes) and the long-row chunk loop of
kernels/_rowsum.py that uses them: exact high parts, bounded low parts, rows longer than a
chunk against mpmath, a row alone = the same row in a batch."""
import math

import mpmath
import numpy as np
import pytest
from klforge.kernels import _exactsum as X
from klforge.kernels import _rowsum as R
from numba import njit

from klforge import kernels as K


@njit(cache=False)
def _sums2(x, y):
    return X.split_sums2(x, y)


@njit(cache=False)
def _sums3(x, y, z):
    return X.split_sums3(x, y, z)


def _adversarial(rng, m):
    """Signed terms over 40 decades with exact cancellations (x, −x pairs) and a few
    large ones: a plain or reassociated sum loses most digits here."""
    x = rng.choice([-1.0, 1.0], m) * 10.0 ** rng.uniform(-20, 20, m)
    k = m // 3
    x[k:2 * k] = -x[:k]
    return rng.permutation(x)


def _sigma(x):
    """2¹² times the largest power of two ≤ max|x_i| (zeros and subnormals: 2⁻¹⁰¹¹)."""
    e = max((math.frexp(abs(v))[1] - 1 for v in x if abs(v) >= 2.0**-1022), default=-1023)
    return 2.0 ** (e + 12)


@pytest.mark.parametrize("m", [1, 2, 7, 64, 1000, 1024, X.MAX_TERMS])
def test_high_parts_sum_exactly_and_the_low_parts_within_the_bound(m):
    rng = np.random.default_rng(m)
    x, y = _adversarial(rng, m), rng.random(m) * 1e-300 + 1e-300
    hx, lx, hy, ly, neg = _sums2(x, y)
    assert neg == (x < 0).sum()
    # the high parts by hand, with the same σ (Python floats: no reassociation)
    s = _sigma(x)
    highs = [(s + v) - s for v in x]
    assert hx == math.fsum(highs)  # exact whatever order the SIMD lanes took
    assert abs(math.fsum([hx, lx, *[-v for v in x]])) <= 2.0**-72 * max(abs(x))
    assert abs(math.fsum([hy, ly, *[-v for v in y]])) <= 2.0**-72 * max(y)
    hz = _sums3(y, x, x)  # (the low parts' lanes may be ordered otherwise: not compared)
    assert hz[0] == hy and hz[2] == hz[4] == hx
    assert abs(math.fsum([hz[2], hz[3], *[-v for v in x]])) <= 2.0**-72 * max(abs(x))


def test_a_chunk_that_would_overflow_sigma_or_holds_nan_gives_nan():
    big = np.array([1.0, 2.0**1012])
    assert math.isnan(_sums2(big, np.ones(2))[0])
    assert _sums2(np.array([1.0, 2.0**1011]), np.ones(2))[0] == 2.0**1011 + 1.0
    for bad in (np.nan, np.inf):
        assert math.isnan(_sums2(np.array([1.0, bad]), np.ones(2))[0])


def test_fold_keeps_a_normalised_pair():
    @njit(cache=False)
    def fold(s, c, h, lo):
        return X.fold(s, c, h, lo)
    s, c = fold(0.0, 0.0, 1.0, 2.0**-60)
    assert (s, c) == (1.0, 2.0**-60)
    s, c = fold(0.0, 0.0, 0.0, 3.0)  # a chunk whose high parts cancel
    assert (s, c) == (3.0, 0.0)


def _mp_rows(p, q):
    """KL, entropy and cross-entropy of the renormalised row, at 40 digits."""
    with mpmath.workdps(40):
        P = [mpmath.mpf(float(a)) for a in p]
        Q = [mpmath.mpf(float(b)) for b in q]
        tp, tq = mpmath.fsum(P), mpmath.fsum(Q)
        kl = mpmath.fsum(a / tp * mpmath.log((a / tp) / (b / tq)) for a, b in zip(P, Q, strict=True)
                         if a)
        h = -mpmath.fsum(a / tp * mpmath.log(a / tp) for a in P if a)
        x = -mpmath.fsum(a / tp * mpmath.log(b / tq) for a, b in zip(P, Q, strict=True) if a)
    return kl, h, x


def _ulps(got, ref):
    return float(abs(mpmath.mpf(float(got)) - ref) / (abs(ref) * 2.0**-52))


@pytest.mark.parametrize("n,sep,scale", [(32768, 1e-6, 1.0), (100_000, None, 1.0),
                                         (5000, 1e-9, 1e-200), (3 * R.BLK + 1, None, 3e250)])
def test_long_rows_against_mpmath(n, sep, scale):
    """Rows of several chunks, near p = q (the correction cancels), unnormalised, and
    scaled near the float64 range's ends: within the kernels' 8 ULP bar."""
    rng = np.random.default_rng(n)
    p = rng.random(n) ** 4 + 1e-12
    q = rng.random(n) ** 4 + 1e-12 if sep is None else p * (1 + sep * rng.uniform(-1, 1, n))
    p, q = p * scale, q * (scale / 3)
    kl, h, x = _mp_rows(p, q)
    assert _ulps(K.kl_categorical(p, q), kl) <= 8
    assert _ulps(K.entropy(p), h) <= 8
    assert _ulps(K.cross_entropy(p, q), x) <= 8


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_long_row_alone_equals_the_same_row_in_a_batch(dtype):
    rng = np.random.default_rng(7)
    p = (rng.random((3, 2 * R.BLK + 5)) + 1e-3).astype(dtype)
    q = (rng.random((3, 2 * R.BLK + 5)) + 1e-3).astype(dtype)
    for kernel, args in ((K.kl_categorical, (p, q)), (K.cross_entropy, (p, q)),
                         (K.entropy, (p,))):
        batch = kernel(*args)
        alone = [kernel(*[a[i].copy() for a in args]) for i in range(3)]
        np.testing.assert_array_equal(batch, np.array(alone, dtype))
