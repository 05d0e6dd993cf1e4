"""Categorical and logits rows at the traps an outside tester found (issue 16, T2 G6, G7, G8,
G10): rows that agree to a few ULP (the renormalised KL's correction cancels to the last
bits), totals beyond the float range or far apart, logits whose differences overflow, and
q = softmax(b) undefined.  References: mpmath at 60 digits written here (the textbook
Σ p̂_i log(p̂_i/q̂_i) from the exact totals), or values derived by hand."""
import math

import mpmath
import numpy as np
import pytest

from klforge import kernels as K

M = np.finfo(np.float64).max
BAR = 8.0  # kl_categorical's bar (derive/simplex.py)


def _mp_kl(p, q):
    """KL(p/Σp ‖ q/Σq) at 60 digits from the float entries, exactly as given."""
    with mpmath.workdps(60):
        p = [mpmath.mpf(float(x)) for x in p]
        q = [mpmath.mpf(float(x)) for x in q]
        tp, tq = mpmath.fsum(p), mpmath.fsum(q)
        return mpmath.fsum((a / tp) * mpmath.log((a * tq) / (b * tp))
                           for a, b in zip(p, q, strict=True) if a != 0)


def _ulps(got, ref):
    ref_f = float(ref)
    if ref_f == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return float(abs(mpmath.mpf(float(got)) - ref) / np.spacing(abs(ref_f)))


# The tester's three rows (G8), with their mpmath values as printed in the finding.
G8_ROWS = [
    ([0.9318454232641952, 0.24389649332303487], [0.9318454232641951, 0.24389649332303484],
     2.3456625018454292e-36),
    ([0.8011762924427079, 0.8131204502877912], [0.8011762924427094, 0.8131204502877927],
     8.7526290396703354e-35),
    ([0.64892786840598, 0.9531209315850221, 0.7547882260942947],
     [0.6489278684059799, 0.953120931585022, 0.7547882260942947], 2.3351323877861913e-33),
]


@pytest.mark.parametrize("p, q, printed", G8_ROWS)
def test_rows_a_few_ulp_apart_hold_the_bar(p, q, printed):
    ref = _mp_kl(p, q)
    assert abs(float(ref) - printed) <= 2 * np.spacing(printed)  # the finding's value
    got = K.kl_categorical(np.array(p), np.array(q))
    assert _ulps(got, ref) <= BAR, (got, float(ref))


@pytest.mark.parametrize("n", [2, 3, 10, 100])
def test_random_near_equal_rows_hold_the_bar(n):
    """q_i = p_i + k_i·ulp(p_i), |k_i| ≤ 1, 2, 4, 16: every row within the bar (before the
    fix: 5.8e3 ULP at n = 2, 22 at n = 10)."""
    rng = np.random.default_rng(16 + n)
    worst = 0.0
    for sep in (1, 2, 4, 16):
        rows = 12 if n < 100 else 4
        p = rng.uniform(0.05, 1.0, (rows, n))
        q = p + rng.integers(-sep, sep + 1, (rows, n)) * np.spacing(p)
        got = K.kl_categorical(p, q)
        for i in range(rows):
            worst = max(worst, _ulps(got[i], _mp_kl(p[i], q[i])))
    assert worst <= BAR, worst


def test_near_equal_rows_give_the_same_bits_alone_and_in_a_batch():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 1.0, (9, 3))
    q = p + rng.integers(-2, 3, p.shape) * np.spacing(p)
    batch = K.kl_categorical(p, q)
    alone = [K.kl_categorical(p[i].copy(), q[i].copy()) for i in range(9)]
    assert batch.tolist() == alone


@pytest.mark.parametrize("p, q, ref", [
    ([5e-324, 5e-324], [1e308, 1e308], 0.0),  # equal normalised rows: exactly 0
    ([1e307, 1e307], [1e-310, 1e-310], 0.0),
    ([1e-300, 1e-300], [1e308, 1e308], 0.0),  # was 1.06e-65
    ([1e-310, 2e-310], [1e308, 1e308], None),  # mpmath (the subnormals as they are)
    ([1e-300, 3e-300], [1e308 * (2.0 / 3.0), 1e308], None),
    ([M, M], [0.3, 0.7], None),
])
def test_totals_beyond_the_float_range_or_far_apart(p, q, ref):
    """G6: the totals' ratio leaves the float range; each row is scaled by its own power of
    two (was NaN)."""
    got = K.kl_categorical(np.array(p), np.array(q))
    if ref is not None:
        assert got == ref
    else:
        assert _ulps(got, _mp_kl(p, q)) <= BAR, got


def test_cross_entropy_with_totals_far_apart():
    """G6: H([½, ½], [½, ½]) = ln 2 whatever the totals (was NaN)."""
    for p, q in [([5e-324, 5e-324], [1e308, 1e308]), ([1e308, 1e308], [5e-324, 5e-324])]:
        got = K.cross_entropy(np.array(p), np.array(q))
        assert abs(got - math.log(2.0)) <= np.spacing(math.log(2.0)), (p, q, got)


def test_logits_whose_difference_overflows():
    """G7: b − a overflows; KL = 2M exceeds the float range → +inf (was NaN).  Values where
    the shifted logits give the answer by hand: [M, M] vs [−M, −M] (equal softmaxes) → 0;
    [M, 0] vs [0, M] → M (p = (1, 0), q = (0, 1) up to e^−M: KL = M − 0)."""
    assert K.kl_logits(np.array([-M, M]), np.array([M, -M])) == math.inf
    assert K.kl_logits(np.array([M, M]), np.array([-M, -M])) == 0.0
    assert K.kl_logits(np.array([M, 0.0]), np.array([0.0, M])) == M
    # p = softmax(0, ln 3, −M) = (¼, ¾, 0), q = softmax(M, M, M/2) = (½, ½, 0) (b_2 − a_2
    # overflows): KL = ¼ log ½ + ¾ log (3/2) = ¾ ln 3 − ln 2
    a = np.array([0.0, math.log(3.0), -M])
    b = np.array([M, M, M / 2])
    with mpmath.workdps(40):
        ref = float(mpmath.mpf(0.75) * mpmath.log(3) - mpmath.log(2))
    assert abs(K.kl_logits(a, b) - ref) <= 16 * np.spacing(ref)
    # a masked entry with an overflowing difference elsewhere: p = (1, 0, 0), q ≈ (0, 1, 0)
    assert K.kl_logits(np.array([M, -M, -np.inf]), np.array([-M, M, 0.0])) == math.inf


def test_q_undefined_gives_nan():
    """G10: every b_i = −inf: softmax(b) does not exist → NaN (was +inf), as for a."""
    assert math.isnan(K.kl_logits(np.array([0.0, -np.inf]), np.array([-np.inf, -np.inf])))
    assert math.isnan(K.kl_logits(np.array([-np.inf, -np.inf]), np.array([0.0, 0.0])))
    # one live b against a live a still gives +inf (p_i > 0 = q_i), as published
    assert K.kl_logits(np.array([0.0, 0.0]), np.array([0.0, -np.inf])) == math.inf
    assert math.isnan(K.kl_categorical(np.array([1.0, 0.0]), np.array([0.0, 0.0])))


def test_float32_rows_a_few_ulp_apart():
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 1.0, (8, 3)).astype(np.float32)
    q = (p + rng.integers(-2, 3, p.shape) * np.spacing(p)).astype(np.float32)
    got = K.kl_categorical(p, q)
    assert got.dtype == np.float32
    for i in range(8):
        ref = _mp_kl(p[i], q[i])
        assert float(abs(mpmath.mpf(float(got[i])) - ref)) <= np.spacing(np.float32(ref)), i


# --- cross-entropy rows with an entry at or near DBL_MAX (outside tester T4, H4) ---

def _mp_xent(p, q):
    """H(p/Σp, q/Σq) = −Σ p̂_i log q̂_i at 60 digits, the textbook form of the normalised rows
    from the float entries exactly as given (0·log 0 = 0)."""
    with mpmath.workdps(60):
        p = [mpmath.mpf(float(x)) for x in p]
        q = [mpmath.mpf(float(x)) for x in q]
        tp, tq = mpmath.fsum(p), mpmath.fsum(q)
        return -mpmath.fsum((a / tp) * mpmath.log(b / tq) for a, b in zip(p, q, strict=True)
                            if a != 0)


F32MAX = float(np.finfo(np.float32).max)
H4_ROWS = [
    ([M, .3, .5], [.4, .5, .2]),  # the tester's row: was +inf (B + P·log Q overflowed)
    ([M, .3, .5], [.4, 2., .2]),  # was NaN (a second-pass term inf, Neumaier inf − inf)
    ([M / 2, M / 2, 1.], [.1, .7, .2]),  # P rounds to DBL_MAX
    ([M, M, .5], [.4, 2., .2]),  # P overflows
    ([2.0**1012, 3., 1e-300], [1e-300, .5, 2.]),  # just past the scaling threshold
    ([2.0**1011, .3, .5], [.4, .5, .2]),  # just below it
    ([1e308, 1.], [1., 10.]),
    ([M, 1e-300, 1.], [5e-324, 1., 1e300]),  # H·P far beyond the float range
]


@pytest.mark.parametrize("p, q", H4_ROWS)
def test_cross_entropy_with_an_entry_near_dbl_max(p, q):
    ref = _mp_xent(p, q)
    got = K.cross_entropy(np.array(p), np.array(q))
    assert math.isfinite(got), (p, q, got)
    assert _ulps(got, ref) <= BAR, (p, q, got, float(ref))
    # the same row inside a batch, between ordinary rows, gives the same bits
    batch = K.cross_entropy(np.array([[.2, .3, .5][:len(p)], p, [1.] * len(p)]),
                            np.array([[.3, .3, .4][:len(q)], q, [2.] * len(q)]))
    assert batch[1] == got


@pytest.mark.parametrize("p, q", [([F32MAX, .3, .5], [.4, .5, .2]),
                                  ([F32MAX, F32MAX, .5], [.4, 2., .2])])
def test_cross_entropy_float32_rows_at_flt_max(p, q):
    ref = float(_mp_xent(np.float32(p), np.float32(q)))
    got = K.cross_entropy(np.array(p, np.float32), np.array(q, np.float32))
    assert got.dtype == np.float32
    assert abs(float(got) - ref) <= np.spacing(np.float32(ref)), (got, ref)
