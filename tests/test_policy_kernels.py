"""eg_step (kernels/_policy.py) where lr·g_i overflows (issue 16 F8): the step
p_i ∝ p_i·exp(−lr·g_i) against mpmath at 60 digits (exponents of any size), both dtypes."""
import math

import mpmath
import numpy as np
import pytest

from klforge import kernels as K


def _ref(p, g, lr):
    """p_i·exp(−lr·g_i) / Σ_j p_j·exp(−lr·g_j) at 60 digits beyond the exponents' size,
    shifted by the largest exponent (mpmath's exponent range is unbounded: no overflow)."""
    size = max([1.0] + [abs(float(y)) for y in g])
    with mpmath.workdps(60 + int(math.log10(max(1.0, abs(float(lr)))) + math.log10(size))):
        e = [mpmath.log(mpmath.mpf(float(x))) - mpmath.mpf(float(lr)) * mpmath.mpf(float(y))
             if x > 0 else -mpmath.inf for x, y in zip(p, g, strict=True)]
        top = max(e)
        w = [mpmath.exp(x - top) for x in e]
        s = mpmath.fsum(w)
        return [x / s for x in w]


def _check(p, g, lr, dtype, rel):
    p, g = np.asarray(p, dtype), np.asarray(g, dtype)
    got = K.eg_step(p, g, dtype(lr))
    assert got.dtype == dtype
    ref = _ref(p, g, dtype(lr))
    for x, r in zip(got, ref, strict=True):
        assert math.isfinite(x) and x >= 0.0, (p, g, lr, got)
        assert abs(mpmath.mpf(float(x)) - r) <= rel * r + 1e-300, (p, g, lr, got, ref)


DTYPES = [np.float64, np.float32]
REL = {np.float64: 8 * 2.0**-53, np.float32: 2.0**-24}


@pytest.mark.parametrize("dtype", DTYPES)
def test_tester_case_is_a_one_hot_step(dtype):
    """F8: lr·g_0 = 1.7e309 overflows; the exact step is [0, 1]."""
    big = 1.7e308 if dtype == np.float64 else 3e38
    lr = 10.0 if dtype == np.float64 else 1e300  # float32: lr is converted to the row dtype
    if dtype == np.float32:
        lr = 3e38
    got = K.eg_step(np.array([0.5, 0.5], dtype), np.array([big, 0.0], dtype), dtype(lr))
    np.testing.assert_array_equal(got, np.array([0.0, 1.0], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", [
    ([0.5, 0.5], [-1.7e308, 0.0], 10.0),                 # the winner's exponent overflows up
    ([0.5, 0.5], [1.7e308, 1e308], 10.0),                # every exponent overflows down
    ([0.3, 0.7], [-1.7e308, -1.7e308], 10.0),            # a tie of overflowing exponents
    ([0.3, 0.7], [-1e300, -1e300], 0.7),                 # huge, inexact products, tied
    ([0.2, 0.3, 0.5], [1e308, 1e308, 1e308 - 1e292], 1e10),
    ([0.5, 0.5], [1e300, -1e300], 2.0),
    ([0.2, 0.3, 0.5], [-1e17, -1e17 - 16.0, -1e17 + 32.0], 0.125),  # mixed weights at 1e17
    ([1e-300, 0.5, 0.0], [-1.7e308, 1.0, 5.0], 1.5),
])
def test_overflowing_steps_against_mpmath(case, dtype):
    p, g, lr = case
    if dtype == np.float32:  # the same shapes at float32 magnitudes
        g = [float(np.clip(x * 1e-270, -3e38, 3e38)) for x in g]
        lr = min(lr * 1e270, 3e38)
        p = [max(x, 1e-30) if x else 0.0 for x in p]
    _check(p, g, lr, dtype, REL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_ordinary_steps_keep_their_accuracy(dtype):
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = rng.random(7)
        g = rng.normal(size=7) * 3
        _check(p, g, 0.7, dtype, REL[dtype])


# --- kl_regularized_policy: π* = softmax(l + r/β) is invariant to a common reward offset --------

def _policy_ref(logits, reward, beta):
    """softmax(l_i + r_i/β) at 120 digits, with r_i/β formed exactly from the float inputs."""
    with mpmath.workdps(120):
        y = [mpmath.mpf(float(li)) + mpmath.mpf(float(ri)) / mpmath.mpf(float(beta))
             for li, ri in zip(logits, reward, strict=True)]
        top = max(y)
        w = [mpmath.exp(v - top) for v in y]
        s = mpmath.fsum(w)
        return [v / s for v in w]


@pytest.mark.parametrize("offset", [1.0, 1e3, 1e6, 1e9, 1e12, 1e14, 1e15, 1e16])
@pytest.mark.parametrize("dtype", DTYPES)
def test_policy_reward_offset_keeps_pi_star_within_bar(offset, dtype):
    # rewards = offset·β + O(β) noise: the differences r_i/β − r_j/β are O(1) and the
    # offset must cancel (π* ∝ π_ref·exp(r/β)); the bar is 8 ULP relative (verify's
    # policy_scale), float32 ≤ 1 ULP of float32 after one rounding.
    rng = np.random.default_rng(int(math.log10(offset)) + 7)
    rel = 8 * 2.0**-53 if dtype is np.float64 else 2.0**-24
    tiny = float(np.finfo(dtype).smallest_subnormal)  # π*_i below the range rounds to 0
    for _ in range(12):
        n = int(rng.integers(2, 6))
        logits = (rng.normal(size=n) * 2).astype(dtype)
        beta = dtype(math.exp(rng.uniform(math.log(1e-3), math.log(10.0))))
        reward = (offset * float(beta) + rng.normal(size=n) * 2 * float(beta)).astype(dtype)
        pi, _ = K.kl_regularized_policy(logits, reward, beta)
        ref = _policy_ref(logits, reward, beta)
        for x, r in zip(pi, ref, strict=True):
            assert 0.0 <= x <= 1.0, (offset, logits, reward, beta, pi)
            assert abs(mpmath.mpf(float(x)) - r) <= rel * r + tiny, (offset, pi, ref)


@pytest.mark.parametrize("offset", [1e7, 1e16])
def test_policy_equal_rewards_give_the_reference_policy(offset):
    logits = np.array([0.0, 1.0, -0.5])
    pi, _ = K.kl_regularized_policy(logits, np.full(3, offset), 1.0)
    ref = _policy_ref(logits, np.zeros(3), 1.0)  # softmax(l): the offset cancels exactly
    for x, r in zip(pi, ref, strict=True):
        assert abs(mpmath.mpf(float(x)) - r) <= 8 * 2.0**-53 * r, (pi, ref)


# --- kl_regularized_policy in log space (issue 16, s12 H2/H3) ------------------------------------

def _policy_textbook(logits, reward, beta):
    """(π*, V) from the log-space textbook form, at 60 digits beyond the magnitudes and more
    until V settles (V near 0 is a difference of two logs: the tail needs the digits)."""
    vals = [abs(float(x)) for x in logits if x != -np.inf] + [abs(float(x)) for x in reward]
    base = 60 + int(math.log10(max(vals + [1.0])) - math.log10(min(1.0, float(beta))))
    if not any(reward):
        return _policy_textbook_at(logits, reward, beta, base)  # V = 0 exactly
    last = None
    for extra in (0, 100, 350, 700, 1400):
        out = _policy_textbook_at(logits, reward, beta, base + extra)
        if (last is not None and out[1] != 0
                and abs(out[1] - last[1]) <= abs(out[1]) * mpmath.mpf(10)**-50):
            return out
        last = out
    raise AssertionError(f"reference V did not settle: {logits}, {reward}, {beta}")


def _policy_textbook_at(logits, reward, beta, digits):
    """log π_ref = l − LSE(l), z = log π_ref + r/β, π* = exp(z − LSE(z)), V = β·LSE(z) at
    ``digits`` digits (mpmath's exponent range is unbounded: nothing underflows)."""
    with mpmath.workdps(digits):
        b = mpmath.mpf(float(beta))
        ls = [mpmath.mpf(float(x)) for x in logits]
        m = max(ls)
        lse_l = m + mpmath.log(mpmath.fsum(mpmath.exp(x - m) for x in ls))
        z = [(x - lse_l) + mpmath.mpf(float(r)) / b for x, r in zip(ls, reward, strict=True)]
        top = max(z)
        lse_z = top + mpmath.log(mpmath.fsum(mpmath.exp(x - top) for x in z))
        return [mpmath.exp(x - lse_z) for x in z], b * lse_z


def _policy_check(logits, reward, beta, dtype, ulps=8):
    """π* within ``ulps`` relative (float32: one rounding), V within ``ulps`` eps of its
    scale β·E_ref|expm1(r/β)| + |V| (verify's bound), every output finite."""
    lg, rw = np.asarray(logits, dtype), np.asarray(reward, dtype)
    b = dtype(beta)
    pi, v = K.kl_regularized_policy(lg, rw, b)
    assert pi.dtype == dtype and np.all(np.isfinite(pi)) and np.isfinite(v), (lg, rw, b, pi, v)
    ref_pi, ref_v = _policy_textbook(lg, rw, b)
    eps = 2.0**-52 if dtype == np.float64 else 2.0**-23
    rel = ulps * eps / 2 if dtype == np.float64 else eps / 2
    tiny = float(np.finfo(dtype).smallest_subnormal)
    for x, r in zip(pi, ref_pi, strict=True):
        assert abs(mpmath.mpf(float(x)) - r) <= rel * r + tiny, (lg, rw, b, pi, ref_pi)
    scale = mpmath.mpf(float(b)) * _mean_abs_expm1(lg, rw, b) + abs(ref_v)
    assert abs(mpmath.mpf(float(v)) - ref_v) <= ulps * eps * scale + tiny, (lg, rw, b, v, ref_v)
    return pi, v


def _mean_abs_expm1(logits, reward, beta):
    """E_ref|expm1(r/β)| in log space: Σ exp(log π_ref,i + log|expm1(x_i)|)."""
    with mpmath.workdps(60):
        ls = [mpmath.mpf(float(x)) for x in logits]
        m = max(ls)
        lse_l = m + mpmath.log(mpmath.fsum(mpmath.exp(x - m) for x in ls))
        b = mpmath.mpf(float(beta))
        return mpmath.fsum(mpmath.exp(x - lse_l + mpmath.log(abs(mpmath.expm1(mpmath.mpf(
            float(r)) / b)))) for x, r in zip(ls, reward, strict=True) if r != 0)


M64 = float(np.finfo(np.float64).min)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", [
    ([-1000.0, 0.0], [1.0, 0.0], 1e-3),            # H2: V was −inf
    ([-1e4, 0.0, 0.3], [10.0, 1.0, 2.0], 0.01),    # RLHF-like mask at −1e4
    ([-1e9, 0.5, 1.0], [1e10, 2.0, 3.0], 0.5),
    ([-746.0, 0.0], [720.0, 0.0], 1.0),            # V had the wrong sign
    ([-744.0, 0.0], [744.0, 0.0], 1.0),            # V 37 % off (subnormal π_ref)
    ([-745.0, 0.0], [746.0, 0.0], 1.0),
    ([-760.0, 0.0], [745.0, 0.0], 1.0),
    ([-760.0, 0.0, 0.5], [745.0, 0.0, 0.2], 1.0),
    ([-1e5, 0.0], [1e300, 0.0], 0.5),              # π* was NaN
    ([-800.0, 0.0, 0.1], [1.0, 2e-3, -1e-3], 1.0),  # masked, V near 0
    ([0.1, -700.3], [0.0, 1.0], 1.0),              # a small π_ref, log π_ref inexact
])
def test_masked_actions_with_large_reward_ratio(case, dtype):
    logits, reward, beta = case
    if dtype == np.float32:  # float32 magnitudes: a −1e4…−1e5 logit is the mask, r/β < 1e38
        reward = [min(r, 1e30) for r in reward]
        logits = [max(x, -1e30) for x in logits]
    _policy_check(logits, reward, beta, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_finfo_min_mask(dtype):
    """The masked_fill(finfo.min) idiom, with a huge reward on the masked action."""
    m = float(np.finfo(dtype).min)
    big = 1e10 if dtype == np.float64 else 1e6
    pi, v = _policy_check([m, 0.5, 1.0], [big, 2.0, 3.0], 0.5, dtype)
    assert pi[0] == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_batch_has_no_infinite_value(dtype):
    """A realistic masked batch (β = 0.01, rewards N(0, 10²), 20 % masked at −1e4 or
    finfo.min): every V finite and within the bound (it was −inf in 6 % of the rows)."""
    rng = np.random.default_rng(16)
    masks = [-1e4, float(np.finfo(dtype).min)]
    for k in range(40):
        lg = rng.normal(0.0, 2.0, 8)
        lg[rng.random(8) < 0.2] = masks[k % 2]
        lg[rng.integers(8)] = rng.normal()  # at least one action left
        _policy_check(lg, rng.normal(0.0, 10.0, 8), 0.01, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta", [1e-19, 1e-20, 1e-25, 1e-30, 1e-40, 1e-100, 1e-200, 1e-300])
def test_tiny_beta_gives_the_greedy_limit(beta, dtype):
    """H3: β → 0 with O(1) rewards: equal rewards keep π_ref, distinct ones pick the best."""
    if dtype == np.float32 and beta < 1e-38:
        beta = 1e-45  # float32's smallest: r/β still ~1e45
    logits = [0.0, 1.0]
    pi, v = _policy_check(logits, [1.0, 1.0], beta, dtype)
    pi, v = _policy_check([0.1, -0.3, 1.2], [0.1, -0.2, 0.3], beta, dtype)
    np.testing.assert_array_equal(pi, np.array([0.0, 0.0, 1.0], dtype))
    _policy_check([-1e4, 0.0, 0.5], [0.7, 0.2, 0.2], beta, dtype)  # the masked action wins


@pytest.mark.parametrize("dtype", DTYPES)
def test_ordinary_rows_keep_their_accuracy(dtype):
    rng = np.random.default_rng(12)
    for _ in range(60):
        n = int(rng.integers(2, 12))
        beta = math.exp(rng.uniform(math.log(1e-2), math.log(1e2)))
        scale = math.exp(rng.uniform(math.log(1e-3), math.log(1e2)))
        _policy_check(rng.normal(size=n) * 3, rng.normal(size=n) * scale, beta, dtype)


@pytest.mark.parametrize("case", [
    ([-M64, -1e9, 1e300], [-1.0, M64, -1e300], 1e-30),   # r/β overflows; the logits decide
    ([1e10, -1e9, -M64], [-1e300, 0.5, -1.0], 1e-30),
    ([-800.0, -800.0, M64], [-1e300, -M64, 1e10], 1e-3),
    ([1e300, -M64, -1.0], [1e9, 1e300, 1.0], 5e-324),
    ([-1e4, 0.0], [1.0, 0.5], 1e-310),                   # a masked best action keeps its share
    ([M64, -M64], [-M64, M64], 1.0),                     # l + r/β = 0 for both: π* = ½, ½
    ([0.0, 1.0], [1.0, 1.0], 5e-324),
])
def test_reward_ratio_beyond_the_range(case):
    _policy_check(*case, np.float64)
