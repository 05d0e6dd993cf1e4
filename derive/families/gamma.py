"""Gamma(α, β) on (0, ∞), shape α > 0 and rate β > 0: density β^α x^(α−1) e^{−βx}/Γ(α).

Stable KL: with r = β_q/β_p, KL = α_p·rm1mlog(r − 1, log r) + (α_p − α_q)·log r
+ B_lnΓ(α_p, α_q), B_lnΓ the Bregman divergence of lnΓ (``lgamma_bregman``).
Example: ``klforge.kernels.kl_gamma(2.0, 1.0, 3.0, 2.0)`` ≈ 0.46139.
"""

from __future__ import annotations

import sympy as sp

from ..core import Param, StableForm
from ..expfam import XP, ExpFamily, bregman_kl, sym
from ..expfam_derivations import inline_check, kl_derivation, register
from ..primitives import log_ratio
from ..recipes import L, T, bind_ratio, loggamma_form
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    a, b = sym("shape", s, positive=True), sym("rate", s, positive=True)
    params = (Param(f"shape_{s}", a, "positive", "shape α"),
              Param(f"rate_{s}", b, "positive", "rate β"))
    return params, (a - 1, -b)


FAMILY = ExpFamily("gamma", "Gamma(α, β) (shape, rate)", XP, ("integral", 0, sp.oo),
                   (sp.log(XP), XP), sp.S.Zero, _params)


def kl(fam: ExpFamily):
    closed = bregman_kl("gamma")
    ap, bp = fam.theta("p")
    aq, bq = fam.theta("q")
    r = sp.Symbol("r", positive=True)  # r = β_q/β_p
    in_r = sp.expand(sp.expand_log(closed.subs(bq, r * bp), force=True))
    # a_q·(−log r) + a_p·(r − 1) = a_p·(r − 1 − log r) + (a_p − a_q)·log r
    in_r = sp.expand(in_r.subs(aq, ap - sp.Symbol("d")))
    stable_expr, fired = rewrite(in_r, "scale")
    stable_expr = bind_ratio(stable_expr.subs(sp.Symbol("d"), ap - aq), r)
    stable_expr, fired2 = rewrite(loggamma_form(stable_expr), "log_gamma")
    # l·(α_p − α_q), not l·α_p − l·α_q: the difference of nearby shapes is exact.
    stable_expr = sp.collect(stable_expr, L)
    stable = StableForm(((T, (bq - bp) / bp), (L, log_ratio(bq, bp))), stable_expr)
    notes = ("Near p = q the three pieces α_p·(r − 1 − log r), (α_p − α_q)·log r and "
             "B_lnΓ(α_p, α_q) are each accurate; the middle one has either sign, so the "
             "relative error grows with the condition of the Fisher matrix in that direction.")
    return inline_check(kl_derivation("gamma", stable, fired + ("log_ratio",) + fired2, notes))


register(FAMILY, kl, KernelSpec(
    "kl_gamma", written=("Gamma",),
    bound=(8, "α_p·rm1mlog + (α_p − α_q)·log r + B_lnΓ, the middle term has "
              "either sign, so the relative error grows with the Fisher matrix's condition "
              "in the direction of p − q (measured max below)."),
    magnitudes=(("shape_p", 1e-2, 1e3), ("shape_q", 1e-2, 1e3)),
    page="families", torch=TorchPeer("Gamma", ("concentration", "rate")),
    reference="KL between two Gamma distributions in shape and rate. The three pieces of the "
              "stable form are each accurate; one of them has either sign, so the error is "
              "stated as a bound against the size of the pieces."))
