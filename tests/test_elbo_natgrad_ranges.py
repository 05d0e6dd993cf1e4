"""The VAE kernels and the natural-gradient step over the whole float range (issue 16.3).

Findings T2, G1/G2: ±inf only where the *result* is beyond the float range, a zero gradient
leaves its parameter unchanged.  References are the textbook formulas written here, in mpmath
at 60 digits:

* E_q[log N(x; z, s²)] = −½ log(2π s²) − ((x − μ)² + σ²)/(2s²)
* ELBO = that − ½(μ² + σ² − 1 − log σ²)
* log p(x) = −½ log(2π(1 + s²)) − x²/(2(1 + s²))
* natural-gradient step in (μ, log σ): μ − lr·e^{2 log σ}·g_μ, log σ − lr·g_logσ/2

Checked against the kernels' stated bound |y − r| ≤ 4·eps·scale (scale: Σ |terms| of the
formula, floored at the smallest normal), and a finite result must come out finite.
"""
import itertools
import math

import klforge.kernels as K
import mpmath
import numpy as np
import pytest

DPS = 60
EPS, TINY, DBL_MAX = 2.0**-52, 2.0**-1022, 1.7976931348623157e308
BOUND = 4


def _mp(*vals):
    return [mpmath.mpf(float(v)) for v in vals]


def ref_expected_loglik(x, mu, var, s2):
    with mpmath.workdps(DPS):
        x, mu, var, s2 = _mp(x, mu, var, s2)
        terms = [-mpmath.log(s2) / 2, -mpmath.log(2 * mpmath.pi) / 2,
                 -(x - mu) ** 2 / (2 * s2), -var / (2 * s2)]
        return mpmath.fsum(terms), mpmath.fsum(abs(v) for v in terms)


def ref_elbo(x, mu, var, s2):
    value, scale = ref_expected_loglik(x, mu, var, s2)
    with mpmath.workdps(DPS):
        mu, var = _mp(mu, var)
        kl = (mu**2 + var - 1 - mpmath.log(var)) / 2  # KL(N(μ, σ²) ‖ N(0, 1)) ≥ 0
        return value - kl, scale + kl


def ref_log_evidence(x, s2):
    with mpmath.workdps(DPS):
        x, s2 = _mp(x, s2)
        terms = [-mpmath.log(1 + s2) / 2, -mpmath.log(2 * mpmath.pi) / 2,
                 -x**2 / (2 * (1 + s2))]
        return mpmath.fsum(terms), mpmath.fsum(abs(v) for v in terms)


def ref_natgrad(mu, log_sigma, g_mu, g_log_sigma, lr):
    with mpmath.workdps(DPS):
        mu, ls, gm, gs, lr = _mp(mu, log_sigma, g_mu, g_log_sigma, lr)
        step_mu, step_ls = lr * mpmath.exp(2 * ls) * gm, lr * gs / 2
        return [(mu - step_mu, abs(mu) + abs(step_mu)), (ls - step_ls, abs(ls) + abs(step_ls))]


def _check(y, ref, scale, where):
    """y within the bound of ref; ±inf (of the right sign) exactly where ref is beyond the
    float range."""
    y = float(y)
    if abs(ref) > DBL_MAX:
        assert y == math.copysign(math.inf, ref), (where, y, mpmath.nstr(ref, 17))
        return
    assert math.isfinite(y), (where, y, mpmath.nstr(ref, 17))
    err = abs(mpmath.mpf(y) - ref) / (EPS * max(scale, TINY))
    assert err <= BOUND, (where, y, mpmath.nstr(ref, 17), float(err))


# --- G1: the tester's reproducers (mpmath −5.0000000000000003e+299 and −8.988…e+307) --------

G1 = [
    (K.log_evidence_normal, ref_log_evidence, (1e300, 1e300)),
    (K.log_evidence_normal, ref_log_evidence, (DBL_MAX, DBL_MAX)),
    (K.expected_loglik_normal, ref_expected_loglik, (0.3, 1e300, 0.7, 1e300)),
    (K.elbo_normal, ref_elbo, (1e300, -0.2, 0.7, 1e300)),
    # x − μ beyond the range, its square over s² not
    (K.expected_loglik_normal, ref_expected_loglik, (DBL_MAX, -0.2 * DBL_MAX, 1e-300, DBL_MAX)),
    # h = 5e-11 over s² = 1e-320 overflows alone, h²/s² does not
    (K.expected_loglik_normal, ref_expected_loglik, (1e-10, 0.0, 1e-300, 1e-320)),
    # ½·σ² rounded 5e-324 to 0 before the division by s²
    (K.expected_loglik_normal, ref_expected_loglik, (0.3, 0.3, 5e-324, 5e-324)),
    (K.elbo_normal, ref_elbo, (0.3, 0.3, 5e-324, 1e-320)),
    # σ²/s² in (DBL_MAX, 2·DBL_MAX]: its half is finite
    (K.expected_loglik_normal, ref_expected_loglik, (0.3, 0.3, DBL_MAX, 0.7)),
]


@pytest.mark.parametrize("kernel, ref, args", G1, ids=[str(c[2]) for c in G1])
def test_g1_finite_where_the_value_is(kernel, ref, args):
    value, scale = ref(*args)
    assert abs(value) < DBL_MAX
    y = kernel(*args)
    _check(y, value, scale, args)
    if abs(value) > 1e6:  # the quotient dominates: the value itself is within a few ULP
        assert abs(mpmath.mpf(float(y)) - value) <= 4 * np.spacing(abs(float(value))), (y, value)


def test_g1_reference_values_as_published():
    # the tester's mpmath values, independent of the formula above
    assert float(ref_log_evidence(1e300, 1e300)[0]) == -5.0000000000000003e+299
    assert float(ref_log_evidence(DBL_MAX, DBL_MAX)[0]) == -8.9884656743115785e+307


# --- the grid: every argument and every pair set to extreme magnitudes ------------------------

MAGS = (5e-324, 1e-310, 1e-300, 1e-150, 1e-20, 1e-8, 0.3, 1.0, 3.0, 1e8, 1e20, 1e150, 1e300,
        DBL_MAX)
REAL = (0.0,) + MAGS + tuple(-m for m in MAGS)


def _grid(defaults, domains):
    points = {tuple(defaults)}
    for i, j in itertools.combinations_with_replacement(range(len(defaults)), 2):
        for a in domains[i]:
            for b in domains[j]:
                p = list(defaults)
                p[i], p[j] = a, b
                points.add(tuple(p))
    return sorted(points)


@pytest.mark.parametrize("kernel, ref, defaults, domains", [
    (K.expected_loglik_normal, ref_expected_loglik, (0.3, -0.2, 0.7, 1.3),
     (REAL, REAL, MAGS, MAGS)),
    (K.elbo_normal, ref_elbo, (0.3, -0.2, 0.7, 1.3), (REAL, REAL, MAGS, MAGS)),
    (K.log_evidence_normal, ref_log_evidence, (0.3, 1.3), (REAL, MAGS)),
], ids=["expected_loglik_normal", "elbo_normal", "log_evidence_normal"])
def test_vae_kernels_on_the_magnitude_grid(kernel, ref, defaults, domains):
    points = _grid(defaults, domains)
    cols = [np.array(c) for c in zip(*points, strict=True)]
    ys = kernel(*cols)
    for p, y in zip(points, ys, strict=True):
        value, scale = ref(*p)
        _check(y, value, scale, p)


def test_vae_kernels_at_triples_of_extremes():
    """x, μ, s² all extreme at once (the pairs grid keeps one at its default)."""
    big = (1e-320, 1e-300, 1e-8, 0.7, 1e150, 1e300, DBL_MAX)
    xs = (0.0, 1e-160, -1e-10, 0.5, 1e154, -1e300, DBL_MAX)
    for x, mu, s2 in itertools.product(xs, xs, big):
        for kernel, ref in ((K.expected_loglik_normal, ref_expected_loglik),
                            (K.elbo_normal, ref_elbo)):
            value, scale = ref(x, mu, 0.7, s2)
            _check(kernel(x, mu, 0.7, s2), value, scale, (kernel.__name__, x, mu, s2))


# --- G2: the natural-gradient step -------------------------------------------------------------

G2 = [
    (0.3, 355.0, 0.0, 1.3, 0.1),        # was NaN: 0·inf; exact μ unchanged
    (0.3, 400.0, 5e-324, 1.3, 0.1),     # was NaN; −1.3470080137759475e+23
    (0.3, 355.0, 0.7, 1.3, 0.1),        # was −inf; −1.5637963363131977e+307
    (0.3, 400.0, 1e-300, 1.3, 0.1),     # was −inf; −2.7263745721125668e+46
    (0.3, -0.2, 0.7, 5e-324, DBL_MAX),  # log σ: ½·g rounded 5e-324 to 0 first
    (0.3, -400.0, 1e300, -1e300, 1e300),   # lr·g overflows alone, σ² underflows alone
    (-2.0, 1000.0, 5e-324, 0.0, 5e-324),   # e^{2000}·2^-2148: finite
    (0.3, -0.2, 0.7, DBL_MAX, 1.5),      # lr·g_logσ beyond the range, its half not
    (0.3, 1100.0, 5e-324, 0.0, 5e-324),  # beyond: −inf
]


@pytest.mark.parametrize("args", G2, ids=[str(a) for a in G2])
def test_g2_step_finite_where_the_value_is(args):
    got = K.natgrad_normal_step(*args)
    for y, (value, scale) in zip(got, ref_natgrad(*args), strict=True):
        _check(y, value, scale, args)


def test_g2_reference_values_as_published():
    for args, want in (((0.3, 400.0, 5e-324, 1.3, 0.1), -1.3470080137759475e+23),
                       ((0.3, 355.0, 0.7, 1.3, 0.1), -1.5637963363131977e+307),
                       ((0.3, 400.0, 1e-300, 1.3, 0.1), -2.7263745721125668e+46)):
        assert float(ref_natgrad(*args)[0][0]) == want


@pytest.mark.parametrize("log_sigma", [-1e308, -5000.0, -400.0, 0.0, 355.0, 1000.0, 1e308])
def test_a_zero_gradient_leaves_the_parameter_unchanged(log_sigma):
    mu, ls = K.natgrad_normal_step(0.3, log_sigma, 0.0, 0.0, 0.1)
    assert float(mu) == 0.3 and float(ls) == log_sigma
    mu, ls = K.natgrad_normal_step(-7.5, log_sigma, -0.0, 0.0, DBL_MAX)
    assert float(mu) == -7.5 and float(ls) == log_sigma


def test_natgrad_over_the_range():
    """log σ beyond the ±354.9 where σ² over/underflows, gradients and lr from subnormal to
    DBL_MAX, both signs."""
    rng = np.random.default_rng(163)
    n = 3000
    mags = lambda: 10.0 ** rng.uniform(-325, 308.25, n) * rng.choice([-1.0, 1.0], n)
    cols = (rng.uniform(-3, 3, n), rng.uniform(-1200, 1200, n), mags(), mags(),
            10.0 ** rng.uniform(-325, 308.25, n))
    with np.errstate(all="ignore"):
        cols = [np.where(np.isfinite(c), c, DBL_MAX) for c in cols]
    cols[4] = np.where(cols[4] > 0, cols[4], 5e-324)
    mus, lss = K.natgrad_normal_step(*cols)
    for k in range(n):
        args = tuple(float(c[k]) for c in cols)
        for y, (value, scale) in zip((mus[k], lss[k]), ref_natgrad(*args), strict=True):
            _check(y, value, scale, args)


def test_the_reproducers_are_verify_hard_points():
    from klforge.derive.core import specs

    s = specs()
    assert {(1e300, 1e300), (DBL_MAX, DBL_MAX)} <= set(s["log_evidence_normal"].hard_points)
    assert (0.3, 1e300, 0.7, 1e300) in s["expected_loglik_normal"].hard_points
    assert (1e300, -0.2, 0.7, 1e300) in s["elbo_normal"].hard_points
    assert set(G2[:5]) <= set(s["natgrad_normal_step"].hard_points)
