"""Bernoulli(p) on {0, 1}: pmf p^x (1 − p)^(1−x), p ∈ [0, 1].

Stable KL: Σ_x (p_x − q_x) = 0, so KL = kl_div(p, q) + kl_div(1 − p, 1 − q), each term ≥ 0.
Example: ``klforge.kernels.kl_bernoulli(0.3, 0.5)`` ≈ 0.08228.
"""

from __future__ import annotations

import sympy as sp

from ..core import Param, StableForm
from ..expfam import ExpFamily, K
from ..expfam_derivations import inline_check, kl_derivation, register
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    p = sp.Symbol(s, positive=True)
    return (Param(s, p, "unit_interval", "P(x = 1)"),), (sp.log(p / (1 - p)),)


def _log_partition(fam: ExpFamily, suffix: str) -> sp.Expr:
    """The sum over {0, 1} simplifies best in the usual parameter: log(1 + p/(1 − p))."""
    (p,) = fam.theta(suffix)
    return sp.simplify(sp.log(sp.exp(0) + p / (1 - p)))


FAMILY = ExpFamily("bernoulli", "Bernoulli(p)", K, ("sum", 0, 1), (K,), sp.S.Zero, _params,
                   log_partition=_log_partition)


def kl(fam: ExpFamily):
    (p,) = fam.theta("p")
    (q,) = fam.theta("q")
    # Σ_x (p_x − q_x) = 0, so adding −p + q and −(1−p) + (1−q) leaves the KL unchanged and
    # makes each term a kl_div ≥ 0.
    terms = [p * sp.log(p / q) - p + q, (1 - p) * sp.log((1 - p) / (1 - q)) - (1 - p) + (1 - q)]
    rewritten = [rewrite(t, "relative_entropy") for t in terms]
    stable = StableForm((), sp.Add(*[r for r, _ in rewritten]))
    return inline_check(kl_derivation("bernoulli", stable, ("kl_div",)))


register(FAMILY, kl, KernelSpec(
    "kl_bernoulli", written=("Bern", "Ber", "Bernoulli"),
    bar=8, page="families", torch=TorchPeer("Bernoulli", ("probs",)),
    reference="KL between two Bernoulli distributions given by P(x = 1). Both terms are "
              "scipy-style `kl_div` terms (each ≥ 0); the difference 1 − p − (1 − q) is "
              "formed as q − p, so p ≈ q close to 1 keeps its digits."))
