"""Geometric(p) on {0, 1, 2, …} — the number of failures before the first success, as
``torch.distributions.Geometric`` counts: pmf p·(1 − p)^k, success probability 0 < p ≤ 1.

An exponential family with T(k) = k, η = log(1 − p), A = −log p (the geometric series,
summed by SymPy).  Bregman KL: log(p/q) + ((1 − p)/p)·log((1 − p)/(1 − q)).
Stable KL: KL = [kl_div(p, q) + kl_div(1 − p, 1 − q)]/p — the Bernoulli KL over p (the
added −p + q − (1 − p) + (1 − q) is 0), so each term is ≥ 0 and p ≈ q cancels nothing; the
second kl_div takes the exact difference q − p.  p = 1 gives −log q; q = 1 > p gives +inf.
Example: ``klforge.kernels.kl_geometric(0.5, 0.25)`` ≈ 0.26162 (nats).
"""

from __future__ import annotations

import sympy as sp

from ..core import DerivationError, Param, StableForm
from ..expfam import ExpFamily, K
from ..expfam_derivations import inline_check, kl_derivation, register
from ..rewriting import rewrite
from ..spec import KernelSpec, TorchPeer


def _params(s):
    p = sp.Symbol(s, positive=True)
    return (Param(s, p, "half_open_unit_interval", "success probability"),), (sp.log(1 - p),)


def _log_partition(fam: ExpFamily, suffix: str) -> sp.Expr:
    """A = log Σ_k (1 − p)^k, summed by SymPy.  SymPy answers with a Piecewise on |1 − p| < 1,
    which holds on the whole domain 0 < p ≤ 1 (checked at its ends and middle); that branch
    is kept."""
    (p,) = fam.theta(suffix)
    z = sp.summation((1 - p) ** K, (K, 0, sp.oo))
    if isinstance(z, sp.Piecewise):
        value, cond = z.args[0]
        if not all(bool(cond.subs(p, v)) for v in (sp.Rational(1, 10**12), sp.S.Half, 1)):
            raise DerivationError(f"geometric series: condition {cond} fails on 0 < p ≤ 1")
        z = value
    return sp.simplify(sp.expand_log(sp.log(z), force=True))


# SymPy does not sum the defining expectation in closed form; the Bregman form is checked
# against mpmath's sum of E_p[log p − log q] at 50 digits.
FAMILY = ExpFamily("geometric", "Geometric(p) (failures before the first success)", K,
                   ("sum", 0, sp.oo), (K,), sp.S.Zero, _params, log_partition=_log_partition,
                   symbolic_definition=False)


def kl(fam: ExpFamily):
    (p,) = fam.theta("p")
    (q,) = fam.theta("q")
    terms = [p * sp.log(p / q) - p + q, (1 - p) * sp.log((1 - p) / (1 - q)) - (1 - p) + (1 - q)]
    rewritten = [rewrite(t, "relative_entropy") for t in terms]
    fired = tuple(dict.fromkeys(name for _, f in rewritten for name in f))
    stable = StableForm((), sp.Add(*[r for r, _ in rewritten]) / p)
    return inline_check(kl_derivation("geometric", stable, fired))


register(FAMILY, kl, KernelSpec(
    "kl_geometric", written=("Geom", "Geo", "Geometric"),
    bar=8, page="families", torch=TorchPeer("Geometric", ("probs",)),
    hard_points=((1.0, 0.5), (0.5, 1.0), (1.0, 1.0), (1.0, 1.0 - 2.0**-52),
                 (1.0 - 2.0**-52, 1.0 - 2.0**-51), (1e-300, 1e-300), (1e-10, 1.0000001e-10),
                 (0.5, 0.5 + 2.0**-53), (1e-300, 0.5), (0.75, 1e-300)),
    reference="KL between two geometric distributions on {0, 1, 2, …} (failures before the "
              "first success, as `torch.distributions.Geometric`), given by the success "
              "probability p ∈ (0, 1]. It is the Bernoulli KL divided by p; both `kl_div` "
              "terms are ≥ 0, so p ≈ q keeps full relative accuracy."))
