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
