"""Exponential(λ) on (0, ∞): density λ e^{−λx}, λ > 0.

Stable KL: with r = λ_q/λ_p, KL = r − 1 − log r = rm1mlog(t, l), t = (λ_q − λ_p)/λ_p,
l = log_ratio(λ_q, λ_p).  Example: ``klforge.kernels.kl_exponential(1.0, 2.0)`` ≈ 0.30685.
"""

from __future__ import annotations

import sympy as sp

from ..core import Param, StableForm
from ..expfam import XP, ExpFamily, bregman_kl, sym
from ..expfam_derivations import inline_check, kl_derivation, register
from ..primitives import log_ratio
from ..recipes import L, T, bind_ratio
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    lam = sym("rate", s, positive=True)
    return (Param(f"rate_{s}", lam, "positive", "rate λ"),), (-lam,)


FAMILY = ExpFamily("exponential", "Exponential(λ)", XP, ("integral", 0, sp.oo), (XP,),
                   sp.S.Zero, _params)


def kl(fam: ExpFamily):
    closed = bregman_kl("exponential")
    (lp,) = fam.theta("p")
    (lq,) = fam.theta("q")
    r = sp.Symbol("r", positive=True)  # r = λ_q/λ_p
    in_r = sp.expand(sp.expand_log(closed.subs(lq, r * lp), force=True))
    stable_expr, fired = rewrite(in_r, "scale")
    stable = StableForm(((T, (lq - lp) / lp), (L, log_ratio(lq, lp))),
                        bind_ratio(stable_expr, r))
    return inline_check(kl_derivation("exponential", stable, fired + ("log_ratio",)))


register(FAMILY, kl, KernelSpec(
    "kl_exponential", written=("Exp", "Expo", "Exponential"),
    bar=8, page="families", torch=TorchPeer("Exponential", ("rate",)),
    reference="KL between two exponential distributions given by their rates: r − 1 − log r "
              "for r = λ_q/λ_p, evaluated from the exact r − 1 and log r as `rm1mlog`."))
