"""Normal N(μ, σ²) on ℝ: density exp(−(x − μ)²/(2σ²))/√(2πσ²), μ ∈ ℝ, σ > 0.

Stable KL: with σ_p² = r·σ_q², KL = ½·rm1mlog(r − 1, log r) + v²/2, v = (μ_p − μ_q)/σ_q,
r − 1 = u·(u + 2) from the exact u = (σ_p − σ_q)/σ_q, log r = 2·log_ratio(σ_p, σ_q).
Example: ``klforge.kernels.kl_normal(0.0, 1.0, 1.0, 2.0)`` ≈ 0.4431.
"""

from __future__ import annotations

import sympy as sp

from ..core import Param, StableForm
from ..expfam import ExpFamily, X, bregman_kl, sym
from ..expfam_derivations import inline_check, kl_derivation, register
from ..primitives import log_ratio
from ..recipes import L, T, U, V, bind_ratio
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    mu, sigma = sym("mu", s, real=True), sym("sigma", s, positive=True)
    params = (Param(f"mu_{s}", mu, "real", "mean"), Param(f"sigma_{s}", sigma, "positive", "std"))
    return params, (mu / sigma**2, -1 / (2 * sigma**2))


FAMILY = ExpFamily("normal", "Normal N(μ, σ²)", X, ("integral", -sp.oo, sp.oo), (X, X**2),
                   -sp.log(2 * sp.pi) / 2, _params)


def kl(fam: ExpFamily):
    closed = bregman_kl("normal")
    mu_p, s_p = fam.theta("p")
    mu_q, s_q = fam.theta("q")
    # Write σ_p² = r·σ_q²; the scale rule turns r − 1 − log r into rm1mlog(r − 1, log r).
    r = sp.Symbol("r", positive=True)
    in_r = sp.expand(sp.expand_log(closed.subs(s_p, sp.sqrt(r) * s_q), force=True))
    stable_expr, fired = rewrite(in_r, "scale")
    # r − 1 = u·(u + 2) with u = (σ_p − σ_q)/σ_q (an exact difference, no squares that could
    # overflow); log r = 2·log_ratio(σ_p, σ_q).
    stable_expr = bind_ratio(stable_expr, r).subs(mu_p, V * s_q + mu_q)
    # ½·rm1mlog(t, l) → crm1mlog(½, u, u + 2, l): ½·t formed as (½u)(u + 2), finite where
    # t = u(u + 2) itself overflows (σ_p/σ_q up to 1.9e154; outside tester T4 H1)
    stable_expr, inside = rewrite(sp.expand(stable_expr).subs(T, U * (U + 2)), "constant_inside")
    stable = StableForm(
        ((U, (s_p - s_q) / s_q), (L, 2 * log_ratio(s_p, s_q)), (V, (mu_p - mu_q) / s_q)),
        stable_expr,
    )
    return inline_check(kl_derivation("normal", stable, fired + ("log_ratio",) + inside))


register(FAMILY, kl, KernelSpec(
    "kl_normal", written=("N", "Normal", "Gauss", "Gaussian"),
    bar=8, page="gaussian", torch=TorchPeer("Normal", ("loc", "scale")),
    # ½(σ_p/σ_q)² fits where the square does not (outside tester T4 H1: inf before)
    hard_points=((0.0, 1.4e154, 0.0, 1.0), (0.0, 1.5e154, 0.0, 1.0), (0.0, 1.8e154, 0.0, 1.0),
                 (0.0, 1.5e-10, 0.0, 1e-164), (1.5e154, 1.0, 0.0, 1.0)),
    reference="KL between two univariate normals in their usual parameters (mean, standard "
              "deviation). Every piece of the stable form is ≥ 0, so the result keeps its "
              "relative accuracy as p → q, where the textbook form cancels completely."))
