"""A distribution family is one file (derive/families/): everything else is computed from the
registry.  Geometric and Laplace, the two families added that way, are checked against
independent hand derivations in mpmath (never the engine's own closed form), near p = q in
ULPs against their bars, at their special values, and — for every kernel whose spec names a
torch peer — against torch.distributions.kl_divergence (skipped when torch is absent)."""

import importlib
import pkgutil

import mpmath
import numpy as np
import pytest
from klforge.derive import families
from klforge.derive.core import kernel_derivations, specs
from klforge.derive.domains import DOMAINS

from klforge import kernels as K
from klforge import verify as V
from klforge.verify.ulp import ulp_error

FAMILY_MODULES = sorted(m.name for m in pkgutil.iter_modules(families.__path__))


def test_every_family_file_declares_a_kernel_everything_else_lists():
    """Each family file registers a kernel with a spec; the generated exports, verify's bars
    and the reference pages are computed from that registry, not kept by hand."""
    assert {"geometric", "laplace", "gamma", "dirichlet"} <= set(FAMILY_MODULES)
    for mod in FAMILY_MODULES:
        kernel = f"kl_{mod}"
        spec = specs()[kernel]
        module = importlib.import_module(f"klforge.derive.families.{mod}")
        assert module.__doc__ and "Example" in module.__doc__, mod
        assert kernel in K.__all__, f"{kernel}: run `klforge emit`"
        assert (kernel in V.BARS) != (kernel in V.BOUNDS), kernel
        assert spec.page and spec.reference, f"{kernel}: no reference page text"
        assert spec.torch is not None, f"{kernel}: torch has this distribution"
    assert sorted(K.__all__) == sorted(specs()), "generated exports ≠ registered kernels"


def test_spec_sampling_reaches_the_hard_points_and_domain_ends():
    from klforge.derive.core import get

    d = get("kl_geometric")
    cols = V.scalar_inputs(d, np.random.default_rng(0), 50, 4)
    points = set(zip(*(c.tolist() for c in cols), strict=True))
    assert set(specs()["kl_geometric"].hard_points) <= points
    p = cols[0]
    assert p.min() < 1e-6 and p.max() > 1 - 1e-6  # mirrored: both ends of (0, 1]


def test_domain_guards_are_the_emitted_ones():
    import inspect

    src = inspect.getsource(K._kernels)
    # half_open_unit_interval, from derive/domains.py: the core selects NaN where it fails
    assert "(not (0.0 < p <= 1.0))" in src
    assert DOMAINS["half_open_unit_interval"].guard.format(x="p") == "not (0.0 < p <= 1.0)"


# --- Geometric: hand derivation -------------------------------------------------------------
# Σ_k p(1−p)^k [log(p/q) + k log((1−p)/(1−q))] with Σ_k k p(1−p)^k = (1−p)/p:
#   KL = log(p/q) + ((1 − p)/p)·log((1 − p)/(1 − q)).


def geometric_hand(p, q):
    p, q = mpmath.mpf(float(p)), mpmath.mpf(float(q))
    if p == 1:
        return -mpmath.log(q)
    if q == 1:
        return mpmath.inf
    return mpmath.log(p / q) + (1 - p) / p * mpmath.log((1 - p) / (1 - q))


def test_geometric_hand_derivation_is_the_series():
    """The hand formula is itself the series Σ_k P(k) log(P(k)/Q(k)) (mpmath nsum)."""
    for p, q in ((0.3, 0.6), (0.9, 0.2), (0.05, 0.07)):
        with mpmath.workdps(40):
            mp_, mq = mpmath.mpf(p), mpmath.mpf(q)
            series = mpmath.nsum(lambda k, a=mp_, b=mq: a * (1 - a) ** k * (
                mpmath.log(a / b) + k * mpmath.log((1 - a) / (1 - b))), [0, mpmath.inf])
            assert abs(series - geometric_hand(p, q)) < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8, 1e-12])
def test_geometric_near_equal_within_bar(sep):
    rng = np.random.default_rng(12)
    p = np.concatenate([np.exp(rng.uniform(np.log(1e-8), np.log(0.5), 40)),
                        1 - np.exp(rng.uniform(np.log(1e-8), np.log(0.5), 40))])
    q = np.clip(p * (1 + sep * rng.uniform(-1, 1, p.size)), 1e-300, 1.0)
    got = K.kl_geometric(p, q)
    worst = max(ulp_error(g, V.reference_value(geometric_hand, a, b))
                for g, a, b in zip(got, p, q, strict=True))
    assert worst <= V.BARS["kl_geometric"], worst


def test_geometric_special_values():
    assert K.kl_geometric(1.0, 0.25) == pytest.approx(np.log(4.0), rel=1e-15)  # −log q
    assert K.kl_geometric(0.5, 1.0) == np.inf
    assert K.kl_geometric(0.3, 0.3) == 0.0 and K.kl_geometric(1.0, 1.0) == 0.0
    for bad in (0.0, -0.1, 1.5, np.nan, np.inf):
        assert np.isnan(K.kl_geometric(bad, 0.5)) and np.isnan(K.kl_geometric(0.5, bad))
    assert K.kl_geometric(np.float32(0.5), np.float32(0.25)).dtype == np.float32


# --- Laplace: hand derivation ---------------------------------------------------------------
# With d = |μ_p − μ_q|: E_p|x − μ_p| = b_p and E_p|x − μ_q| = d + b_p e^{−d/b_p}, so
#   KL = log(b_q/b_p) + d/b_q + (b_p/b_q) e^{−d/b_p} − 1.


def laplace_hand(mu_p, b_p, mu_q, b_q):
    mu_p, b_p, mu_q, b_q = (mpmath.mpf(float(v)) for v in (mu_p, b_p, mu_q, b_q))
    d = abs(mu_p - mu_q)
    return mpmath.log(b_q / b_p) + d / b_q + b_p / b_q * mpmath.exp(-d / b_p) - 1


def test_laplace_engine_closed_form_is_the_hand_derivation():
    import sympy as sp
    from klforge.derive.core import get

    d = get("kl_laplace")
    f = sp.lambdify(d.symbols, d.closed_form, "mpmath")
    rng = np.random.default_rng(3)
    for _ in range(20):
        args = (rng.normal() * 3, np.exp(rng.normal()), rng.normal() * 3, np.exp(rng.normal()))
        with mpmath.workdps(40):
            want = laplace_hand(*args)
            got = f(*(mpmath.mpf(float(a)) for a in args))
            assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** -30, args


def test_laplace_hand_derivation_is_the_integral():
    """The hand formula against quadrature of ∫ p log(p/q), both signs of μ_p − μ_q."""
    for args in ((0.0, 1.0, 1.5, 2.0), (1.5, 2.0, 0.0, 1.0), (-3.0, 0.5, 2.0, 4.0)):
        mp_, bp, mq, bq = (mpmath.mpf(a) for a in args)
        with mpmath.workdps(30):
            def f(x, mp_=mp_, bp=bp, mq=mq, bq=bq):
                lp = -abs(x - mp_) / bp - mpmath.log(2 * bp)
                return mpmath.exp(lp) * (lp + abs(x - mq) / bq + mpmath.log(2 * bq))
            integral = mpmath.quad(f, [-mpmath.inf, *sorted({mp_, mq}), mpmath.inf])
            assert abs(integral - laplace_hand(*args)) < mpmath.mpf(10) ** -25, args


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8, 1e-12])
def test_laplace_near_equal_within_bar(sep):
    rng = np.random.default_rng(5)
    n = 60
    mu_p = rng.choice([-1, 1], n) * np.exp(rng.uniform(np.log(1e-3), np.log(1e3), n))
    b_p = np.exp(rng.uniform(np.log(1e-3), np.log(1e3), n))
    mu_q = mu_p + sep * rng.uniform(-1, 1, n) * np.maximum(np.abs(mu_p), 1.0)
    b_q = b_p * (1 + sep * rng.uniform(-1, 1, n))
    got = K.kl_laplace(mu_p, b_p, mu_q, b_q)
    worst = max(ulp_error(g, V.reference_value(laplace_hand, *a))
                for g, *a in zip(got, mu_p, b_p, mu_q, b_q, strict=True))
    assert worst <= V.BARS["kl_laplace"], worst


@pytest.mark.parametrize("args", [
    (0.0, 5e-324, 1.0, 2.0),          # |Δμ|/b_p overflows; the KL is 744.63
    (0.0, 1e-310, 1e-300, 1e-305),    # subnormal b_p, |Δμ|/b_p = 1e10
    (3.0, 1e-320, -2.0, 1e-3),
    (0.0, 1e-300, 8e-298, 1.0),       # |Δμ|/b_p = 800: e^{−z} below the double range
    (0.0, 1e-300, 6.9e-298, 1.0),     # just inside z ≤ 700
    (0.0, 2.0, 1e-3, 3e-310),         # b_p/b_q beyond the float range: +inf
])
def test_laplace_subnormal_and_huge_ratios_within_bar(args):
    got = K.kl_laplace(*args)
    with mpmath.workdps(60):
        want = laplace_hand(*args)
    if want > np.finfo(np.float64).max:
        assert got == np.inf, (args, got)
    else:
        assert ulp_error(got, want, np.float64) <= V.BARS["kl_laplace"], (args, got, want)


def test_laplace_special_values():
    assert K.kl_laplace(2.0, 3.0, 2.0, 3.0) == 0.0
    assert K.kl_laplace(0.0, 1e300, 0.0, 1e-300) == np.inf  # b_p/b_q overflows: KL > max
    assert K.kl_laplace(1e308, 1.0, -1e308, 1.0) == np.inf
    for bad in ((0.0, 0.0, 0.0, 1.0), (0.0, 1.0, np.inf, 1.0), (np.nan, 1.0, 0.0, 1.0),
                (0.0, 1.0, 0.0, -2.0)):
        assert np.isnan(K.kl_laplace(*bad)), bad


# --- torch cross-check, computed from the registry ------------------------------------------

# the family files' kernels (every kernel's peer: tests/test_torch_crosscheck.py)
PEERS = sorted(f"kl_{m}" for m in FAMILY_MODULES if specs()[f"kl_{m}"].torch is not None)


def _moderate(rng, domain, shape):
    lo, hi = DOMAINS[domain].box
    return rng.uniform(lo, hi, shape)


@pytest.mark.parametrize("kernel", PEERS)
def test_torch_agrees(kernel):
    """Moderate inputs (where torch's textbook formulas are accurate): our kernel against
    torch.distributions.kl_divergence for every kernel whose spec names a torch peer."""
    torch = pytest.importorskip("torch", reason="torch not installed: `pip install torch`")
    from klforge.derive.core import get

    spec, d = specs()[kernel], get(kernel_derivations()[kernel])
    peer, rng = spec.torch, np.random.default_rng(2026)
    shape = (40, 5) if peer.vector else (200,)
    args = [_moderate(rng, p.domain if not peer.vector else "positive", shape)
            for p in d.params]
    half = len(args) // 2
    side = lambda xs: getattr(torch.distributions, peer.distribution)(**{
        k: torch.as_tensor(x, dtype=torch.float64) for k, x in zip(peer.kwargs, xs, strict=True)})
    ref = torch.distributions.kl_divergence(side(args[:half]), side(args[half:])).numpy()
    np.testing.assert_allclose(getattr(K, kernel)(*args), ref, rtol=peer.rtol, err_msg=kernel)
