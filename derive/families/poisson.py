"""Poisson(λ) on {0, 1, 2, …}: pmf λ^k e^{−λ}/k!, λ > 0.

Stable KL: λ_p log(λ_p/λ_q) − λ_p + λ_q = kl_div(λ_p, λ_q) ≥ 0.
Example: ``klforge.kernels.kl_poisson(2.0, 3.0)`` ≈ 0.18907.
"""

from __future__ import annotations

import sympy as sp

from ..core import Param, StableForm
from ..expfam import ExpFamily, K, sym
from ..expfam_derivations import inline_check, kl_derivation, register
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    lam = sym("rate", s, positive=True)
    return (Param(f"rate_{s}", lam, "positive", "rate λ"),), (sp.log(lam),)


FAMILY = ExpFamily("poisson", "Poisson(λ)", K, ("sum", 0, sp.oo), (K,),
                   -sp.log(sp.factorial(K)), _params)


def kl(fam: ExpFamily):
    (lp,) = fam.theta("p")
    (lq,) = fam.theta("q")
    stable_expr, fired = rewrite(lp * sp.log(lp / lq) - lp + lq, "relative_entropy")
    return inline_check(kl_derivation("poisson", StableForm((), stable_expr), fired))


register(FAMILY, kl, KernelSpec(
    "kl_poisson", written=("Pois", "Poi", "Poisson"),
    bar=8, page="families", torch=TorchPeer("Poisson", ("rate",)),
    reference="KL between two Poisson distributions given by their rates: one `kl_div` "
              "term, λ_p·log(λ_p/λ_q) − λ_p + λ_q ≥ 0."))
