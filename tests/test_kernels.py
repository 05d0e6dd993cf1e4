"""Kernels: accuracy against mpmath, special values, dtypes, broadcasting, out=."""
import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from klforge import kernels as K
from klforge.verify import BARS, mp_kl_categorical, mp_kl_logits, mp_kl_mvn, ulp_error


def test_import_does_not_pull_in_sympy_mpmath_sphinx():
    # every kernel is built (kernels load lazily), then the modules are inspected
    code = ("import sys\nfrom klforge import kernels\nfor n in kernels.__all__: getattr(kernels, n)\n"
            "print(sorted(m for m in ('sympy','mpmath','sphinx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_matches_generated():
    from klforge.kernels import _kernels
    assert sorted(K.__all__) == sorted(_kernels.__all__)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved_and_out(dtype):
    x = np.ones(3, dtype)
    assert K.kl_normal(x, x, x, 2 * x).dtype == dtype
    out = np.empty(3, dtype)
    r = K.kl_normal(x, x, x, 2 * x, out=out)
    assert r is out
    assert K.kl_categorical(np.full((2, 4), 0.25, dtype), np.full(4, 0.25, dtype)).dtype == dtype


def test_broadcasting():
    mu = np.linspace(-1, 1, 5)[:, None]
    assert K.kl_normal(mu, 1.0, 0.0, np.array([1.0, 2.0])).shape == (5, 2)


def test_special_values():
    assert math.isnan(K.kl_normal(np.nan, 1, 0, 1))
    assert math.isnan(K.kl_normal(0, -1, 0, 1))
    assert math.isnan(K.kl_normal(0, 1, 0, 0))
    assert K.kl_normal(0.3, 2.0, 0.3, 2.0) == 0.0
    assert K.kl_bernoulli(0.0, 0.5) == pytest.approx(math.log(2), rel=1e-15)
    assert K.kl_bernoulli(0.5, 0.0) == math.inf
    assert math.isnan(K.kl_bernoulli(-0.1, 0.5))
    assert K.kl_categorical([0.5, 0.5, 0.0], [0.5, 0.25, 0.25]) == pytest.approx(0.5 * math.log(2), rel=1e-15)
    assert K.kl_categorical([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert math.isnan(K.kl_categorical([0.5, -0.5], [0.5, 0.5]))
    assert math.isnan(K.kl_categorical([0.5, np.nan], [0.5, 0.5]))
    assert K.entropy([1.0, 0.0]) == 0.0
    assert K.kl_logits([0.0, -np.inf], [0.0, 5.0]) == 0.0
    assert K.kl_logits([0.0, 0.0], [0.0, -np.inf]) == math.inf
    assert math.isnan(K.kl_logits([np.inf, 0.0], [0.0, 0.0]))


def test_kl_of_identical_inputs_is_exactly_zero():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(50))
    assert K.kl_categorical(p, p) == 0.0
    a = rng.normal(size=50) * 30
    assert K.kl_logits(a, a) == 0.0
    L = np.tril(rng.normal(size=(6, 6))); L[np.diag_indices(6)] = 1 + rng.random(6)
    assert K.kl_mvn(np.ones(6), L, np.ones(6), L) == 0.0


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8, 1e-12])
def test_near_equal_categorical_within_bar(sep):
    rng = np.random.default_rng(int(-math.log10(sep)))
    for _ in range(20):
        p = rng.dirichlet(np.ones(32))
        q = p * (1 + sep * rng.uniform(-1, 1, 32))
        q /= q.sum()
        e = ulp_error(K.kl_categorical(p, q), mp_kl_categorical(p, q), np.float64)
        assert e <= BARS["kl_categorical"], (p.tolist(), q.tolist(), e)


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8])
def test_unnormalised_categorical_within_conditioned_bar(sep):
    """Σ p log(p/q) of unnormalised q can cancel: the kernel computes Σ kl_div(p_i, q_i) +
    Σ (p_i − q_i) and its error is bounded by 8 eps·(Σ kl_div + |Σ (p − q)|), documented."""
    rng = np.random.default_rng(100 + int(-math.log10(sep)))
    for _ in range(20):
        p = rng.dirichlet(np.ones(32))
        q = p * (1 + sep * rng.uniform(-1, 1, 32))
        ref = mp_kl_categorical(p, q)
        with mpmath.workdps(60):
            pm, qm = [mpmath.mpf(float(x)) for x in p], [mpmath.mpf(float(x)) for x in q]
            scale = (mpmath.fsum(a * mpmath.log(a / b) - a + b for a, b in zip(pm, qm, strict=True))
                     + abs(mpmath.fsum(a - b for a, b in zip(pm, qm, strict=True))))
        err = abs(mpmath.mpf(float(K.kl_categorical(p, q))) - ref)
        assert err <= 8 * np.finfo(np.float64).eps * scale, (float(err), float(scale))


@pytest.mark.parametrize("sep", [1e-2, 1e-6, 1e-10])
def test_near_equal_normal_within_bar(sep):
    rng = np.random.default_rng(7)
    for _ in range(50):
        mp_, sp_ = rng.normal(), math.exp(rng.uniform(-3, 3))
        mq, sq = mp_ + sep * rng.uniform(-1, 1), sp_ * (1 + sep * rng.uniform(-1, 1))
        ref = (mpmath.log(mpmath.mpf(sq) / sp_) + (mpmath.mpf(sp_) ** 2 + (mpmath.mpf(mp_) - mq) ** 2)
               / (2 * mpmath.mpf(sq) ** 2) - mpmath.mpf(1) / 2)
        e = ulp_error(K.kl_normal(mp_, sp_, mq, sq), ref, np.float64)
        assert e <= BARS["kl_normal"], (mp_, sp_, mq, sq, e)


# σ_p/σ_q from 1e-150 to 1e150: both sides of the rm1mlog branch (t = −0.5, t = 1) and
# ratios where 1 + (r − 1) cannot be formed in float64.
@pytest.mark.parametrize("ratio", [1e-150, 1e-8, 0.01157 / 233.5, 0.7071, 0.70711, 1.4142,
                                   1.41422, 3.0, 1e8, 1e150])
def test_normal_far_apart_scales_within_bar(ratio):
    ref = lambda a, b, c, d: (mpmath.log(mpmath.mpf(d) / b) + (mpmath.mpf(b) ** 2 + (mpmath.mpf(a) - c) ** 2)
                              / (2 * mpmath.mpf(d) ** 2) - mpmath.mpf(1) / 2)
    args = (0.3, 2.0 * ratio, -0.1, 2.0)
    assert ulp_error(K.kl_normal(*args), ref(*args), np.float64) <= BARS["kl_normal"]
    r = mpmath.mpf(2.0) / (2.0 * ratio)  # λ_q/λ_p
    assert ulp_error(K.kl_exponential(2.0 * ratio, 2.0), r - 1 - mpmath.log(r),
                     np.float64) <= BARS["kl_exponential"]


def test_mvn_near_equal_within_bar():
    rng = np.random.default_rng(11)
    for sep in (1e-3, 1e-9):
        for n in (1, 4, 16):
            L = np.tril(rng.normal(size=(n, n)) * 0.3); L[np.diag_indices(n)] = 1 + rng.random(n)
            Lq = L * (1 + sep * rng.uniform(-1, 1, (n, n)))
            mu, mq = rng.normal(size=n), None
            mq = mu + sep * rng.uniform(-1, 1, n)
            e = ulp_error(K.kl_mvn(mu, L, mq, Lq), mp_kl_mvn(mu, L, mq, Lq), np.float64)
            assert e <= BARS["kl_mvn"], (n, sep, e)


def test_mvn_diagonal_equals_sum_of_normals():
    rng = np.random.default_rng(5)
    s1, s2 = np.exp(rng.normal(size=4)), np.exp(rng.normal(size=4))
    m1, m2 = rng.normal(size=4), rng.normal(size=4)
    assert K.kl_mvn(m1, np.diag(s1), m2, np.diag(s2)) == pytest.approx(K.kl_normal(m1, s1, m2, s2).sum(), rel=1e-14)


def test_logits_match_mpmath_moderate():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=20), rng.normal(size=20)
    assert ulp_error(K.kl_logits(a, b), mp_kl_logits(a, b), np.float64) <= 8


def test_eg_step_and_policy_against_mpmath():
    p, g, lr = np.array([0.2, 0.3, 0.5]), np.array([1.0, -2.0, 0.5]), 0.7
    w = [mpmath.mpf(x) * mpmath.exp(-lr * mpmath.mpf(y)) for x, y in zip(p, g, strict=True)]
    ref = [x / mpmath.fsum(w) for x in w]
    got = K.eg_step(p, g, lr)
    assert max(ulp_error(a, b, np.float64) for a, b in zip(got, ref, strict=True)) <= 4
    pi, v = K.kl_regularized_policy(np.log(p), g, 0.5)
    z = mpmath.fsum(mpmath.mpf(x) * mpmath.exp(mpmath.mpf(y) / 0.5) for x, y in zip(p, g, strict=True))
    assert ulp_error(v, 0.5 * mpmath.log(z), np.float64) <= 8
    assert np.allclose(pi, [float(mpmath.mpf(x) * mpmath.exp(mpmath.mpf(y) / 0.5) / z) for x, y in zip(p, g, strict=True)], rtol=1e-14)


def test_natgrad_normal_step():
    mu, ls = K.natgrad_normal_step(0.5, math.log(2.0), 1.0, 0.4, 0.1)
    assert mu == pytest.approx(0.5 - 0.1 * 4.0 * 1.0, rel=1e-15)
    assert ls == pytest.approx(math.log(2.0) - 0.1 * 0.4 / 2, rel=1e-15)


def test_toy_vae_identity():
    x, mu, var, s2 = 1.5, 1.2, 0.4, 0.25
    gap = K.log_evidence_normal(x, s2) - K.elbo_normal(x, mu, var, s2)
    pm, pv = x / (1 + s2), s2 / (1 + s2)
    assert gap == pytest.approx(K.kl_normal(mu, math.sqrt(var), pm, math.sqrt(pv)), rel=1e-12)
