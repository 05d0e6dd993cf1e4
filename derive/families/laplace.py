"""Laplace(μ, b) on ℝ, location μ ∈ ℝ and scale b > 0: density exp(−|x − μ|/b)/(2b).

With an unknown location this is not an exponential family, so the KL comes from the
definition ∫ p log(p/q) dx: with x = μ_p + y and d = |μ_p − μ_q| (the integral is even in
μ_p − μ_q: y → −y), the signs of y and y + d are fixed on (−∞, −d), (−d, 0) and (0, ∞),
where SymPy integrates each piece.  Result: log(b_q/b_p) + d/b_q + (b_p/b_q)·e^{−d/b_p} − 1,
checked against mpmath quadrature of the definition (breakpoints at μ_p and μ_q).

Stable KL: with r = b_p/b_q and z = d/b_p,
KL = (r − 1 − log r) + r·(e^{−z} − 1 + z)
   = rm1mlog(r − 1, log r) + perspective_expm1mx(b_p, |μ_p − μ_q|, b_q),
two terms ≥ 0, so p ≈ q (r → 1, z → 0) cancels nothing, and the second stays finite where
z overflows (a subnormal b_p: it tends to |μ_p − μ_q|/b_q).
Example: ``klforge.kernels.kl_laplace(0.0, 1.0, 1.0, 2.0)`` ≈ 0.48327 (nats).
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from ..checks import DIGITS, agree, sample_point
from ..core import Check, Derivation, DerivationError, Param, StableForm, Step, derivation
from ..primitives import log_ratio, textbook
from ..recipes import L, T, bind_ratio
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer

X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
D = sp.Symbol("d", nonnegative=True)  # |μ_p − μ_q|


def params(s: str) -> tuple[Param, ...]:
    return (Param(f"mu_{s}", sp.Symbol(f"mu_{s}", real=True), "real", "location μ"),
            Param(f"b_{s}", sp.Symbol(f"b_{s}", positive=True), "positive", "scale b"))


def log_density(s: str, x: sp.Expr = X) -> sp.Expr:
    mu, b = (p.symbol for p in params(s))
    return -sp.Abs(x - mu) / b - sp.log(2 * b)


def definition_kl() -> tuple[sp.Expr, tuple[Step, ...]]:
    """∫ p log(p/q) by SymPy, region by region; returns the closed form and the steps."""
    (mu_p, b_p), (mu_q, b_q) = ((p.symbol for p in params(s)) for s in "pq")
    # x = μ_p + y, μ_p − μ_q = d ≥ 0: |x − μ_p| = |y|, |x − μ_q| = |y + d|
    regions = (((-sp.oo, -D), -Y, -(Y + D)), ((-D, 0), -Y, Y + D), ((0, sp.oo), Y, Y + D))
    pieces = []
    for (lo, hi), abs_y, abs_yd in regions:
        log_p = -abs_y / b_p - sp.log(2 * b_p)
        log_q = -abs_yd / b_q - sp.log(2 * b_q)
        pieces.append(sp.integrate(sp.exp(log_p) * (log_p - log_q), (Y, lo, hi), conds="none"))
    in_d = sp.expand(sp.expand_log(sp.simplify(sp.Add(*pieces)), force=True))
    closed = in_d.subs(D, sp.Abs(mu_p - mu_q))
    steps = (
        Step("Substitute x = μ_p + y, d = |μ_p − μ_q| (the integral is even in μ_p − μ_q)",
             sp.Eq(sp.Symbol("KL"), sp.Integral(sp.exp(log_density("p", mu_p + Y))
                                                 * (log_density("p", mu_p + Y)
                                                    - log_density("q", mu_p + Y)).subs(
                                                     mu_q, mu_p - D), (Y, -sp.oo, sp.oo)))),
        Step("Integrate on (−∞, −d), (−d, 0), (0, ∞), where |y| and |y + d| have fixed signs",
             in_d),
        Step("d = |μ_p − μ_q|", closed),
    )
    return closed, steps


def _quadrature_check(closed: sp.Expr, ps: tuple[Param, ...]) -> Check:
    """The closed form against mpmath quadrature of ∫ p log(p/q) (breakpoints at μ_p, μ_q),
    at random points with either sign of μ_p − μ_q."""
    rng = random.Random(11)
    f_lp = sp.lambdify([X, *[p.symbol for p in params("p")]], log_density("p"), "mpmath")
    f_lq = sp.lambdify([X, *[p.symbol for p in params("q")]], log_density("q"), "mpmath")
    worst = mpmath.mpf(0)
    for _ in range(4):
        point = sample_point(ps, rng)
        with mpmath.workdps(DIGITS + 10):
            mp_, bp, mq, bq = (mpmath.mpf(point[p.symbol].p) / point[p.symbol].q for p in ps)

            def f(x, mp_=mp_, bp=bp, mq=mq, bq=bq):
                lp = f_lp(x, mp_, bp)
                return mpmath.exp(lp) * (lp - f_lq(x, mq, bq))
            cuts = sorted({mp_, mq})
            integral = mpmath.quad(f, [-mpmath.inf, *cuts, mpmath.inf])
            value = mpmath.mpf(sp.N(closed.subs(point), DIGITS + 5))
        err = abs(integral - value) / max(1, abs(value))
        worst = max(worst, err)
        if err > mpmath.mpf(10) ** -40:
            raise DerivationError(f"kl_laplace: closed form ≠ quadrature at {point}")
    return Check("closed form = ∫ p log(p/q) dx",
                 f"numeric (mpmath quadrature, {DIGITS} digits, 4 random points)",
                 f"max relative difference {mpmath.nstr(worst, 3)}")


def stable_form(closed: sp.Expr) -> tuple[StableForm, tuple[str, ...]]:
    """r = b_p/b_q, z = |μ_p − μ_q|/b_p; adding and subtracting r exposes r − 1 − log r
    (``scale`` rule) and r·(e^{−z} − 1 + z) (``exponential`` rule)."""
    (mu_p, b_p), (mu_q, b_q) = ((p.symbol for p in params(s)) for s in "pq")
    r, z = sp.Symbol("r", positive=True), sp.Symbol("z", nonnegative=True)
    in_rz = sp.expand(sp.expand_log(
        closed.subs(sp.Abs(mu_p - mu_q), z * b_p).subs(b_p, r * b_q), force=True))
    exp_part = r * sp.exp(-z) - r + r * z
    scale_part = sp.expand(in_rz - exp_part)
    if scale_part.has(z):
        raise DerivationError(f"kl_laplace: z left outside r·(e^(−z) − 1 + z): {scale_part}")
    scale_stable, fired1 = rewrite(scale_part, "scale")
    exp_stable, fired2 = rewrite(exp_part, "exponential")
    # r·expm1mx(−z) = (b_p/b_q)·expm1mx(−|Δμ|/b_p) → perspective_expm1mx(b_p, |Δμ|, b_q):
    # finite where |Δμ|/b_p overflows (a subnormal b_p) but the term, → |Δμ|/b_q, does not.
    in_params = exp_stable.subs({r: b_p / b_q, z: sp.Abs(mu_p - mu_q) / b_p})
    exp_param, fired3 = rewrite(in_params, "perspective")
    if fired3 != ("perspective_expm1mx",):
        raise DerivationError(f"kl_laplace: perspective rule did not fire on {in_params}")
    result = bind_ratio(scale_stable, r) + exp_param
    bindings = ((T, (b_p - b_q) / b_q), (L, log_ratio(b_p, b_q)))
    return StableForm(bindings, result), fired1 + ("log_ratio",) + fired2 + fired3


@derivation("kl_laplace", spec=KernelSpec(
    "kl_laplace", written=("Laplace",),
    bar=8, page="families", torch=TorchPeer("Laplace", ("loc", "scale")),
    hard_points=((0.0, 1.0, 0.0, 1.0), (1e3, 1.0, -1e3, 1.0), (0.0, 1e-300, 1e-300, 1e-300),
                 (0.0, 5e-324, 1.0, 2.0), (0.0, 1e-310, 1e-300, 1e-305),
                 (3.0, 1e-320, -2.0, 1e-3), (0.0, 1e-300, 800e-300, 1.0),
                 (1.0, 2.0, 1.0 + 2.0**-52, 2.0 * (1 + 2.0**-52)), (0.0, 1e300, 0.0, 1e-300),
                 (5.0, 1e-3, -5.0, 1e3)),
    reference="KL between two Laplace distributions in location μ and scale b (not an "
              "exponential family: derived from the definition ∫ p log(p/q) dx). "
              "Evaluated as rm1mlog(r − 1, log r) + r·expm1mx(−z) with r = b_p/b_q and "
              "z = |μ_p − μ_q|/b_p: two terms ≥ 0, so p ≈ q keeps full relative accuracy. "
              "The second term is formed without z or r where they leave the float range "
              "(perspective_expm1mx), so a subnormal scale gives a finite KL."))
def kl_laplace() -> Derivation:
    ps = params("p") + params("q")
    closed, steps = definition_kl()
    stable, rules = stable_form(closed)
    checks = (_quadrature_check(closed, ps),
              agree("stable form = closed form", textbook(stable.inline()), closed, ps))
    p, q = sp.Function("p")(X), sp.Function("q")(X)
    return Derivation(
        name="kl_laplace",
        title="KL divergence between two Laplace(μ, b) distributions",
        params=ps,
        definition=sp.Integral(p * sp.log(p / q), (X, -sp.oo, sp.oo)),
        steps=steps,
        closed_form=closed,
        stable_form=stable,
        kernel="kl_laplace",
        rules=rules,
        checks=checks,
        notes="Not an exponential family (unknown location): the KL is integrated from the "
              "definition.  b_p/b_q − 1 is formed as (b_p − b_q)/b_q and log(b_p/b_q) as "
              "log_ratio, so neither overflows nor cancels.",
    )
