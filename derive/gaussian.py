"""Gaussian KLs beyond the univariate family: N(μ, e^ℓ) ‖ N(0, 1) and full-covariance MVN.

The MVN closed form ½[tr(Σ_q⁻¹Σ_p) + Δᵀ Σ_q⁻¹ Δ − n + log det Σ_q − log det Σ_p] is derived
with Σ = L·Lᵀ for n = 2 from the Gaussian expectation E_p[(x−m)ᵀA(x−m)] = tr(AΣ_p) +
(μ_p−m)ᵀA(μ_p−m); it is checked against the univariate KL (n = 1) and against the sum of
univariate KLs for diagonal factors.  The stable form uses D = L_q⁻¹(L_p − L_q) and
w = L_q⁻¹(μ_p − μ_q), every term of which is ≥ 0:

    KL = ½ [ Σ_{i≠j} D_ij² + Σ_i (D_ii² − 2·log1pmx(D_ii)) + Σ_i w_i² ].
"""

from __future__ import annotations

import sympy as sp

from .checks import agree
from .core import Derivation, Param, StableForm, Step, derivation, get
from .primitives import log1pmx, textbook
from .rewriting import rewrite
from .spec import KernelSpec, RowSampling, TorchPeer

N_SYMBOLIC = 2


def _lower(name: str, n: int) -> sp.Matrix:
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}_{i}{j}", positive=True) if i == j
                     else (sp.Symbol(f"{name}_{i}{j}", real=True) if i > j else 0))


def mvn_closed_form(n: int):
    mp = sp.Matrix([sp.Symbol(f"mu_p{i}", real=True) for i in range(n)])
    mq = sp.Matrix([sp.Symbol(f"mu_q{i}", real=True) for i in range(n)])
    lp, lq = _lower("Lp", n), _lower("Lq", n)
    sp_, sq = lp * lp.T, lq * lq.T
    sq_inv = sq.inv()
    delta = mq - mp
    # E_p[log p − log q] with E_p[(x−m)ᵀA(x−m)] = tr(AΣ_p) + (μ_p−m)ᵀA(μ_p−m):
    e_log_p = -sp.Rational(n, 2) - sp.log(sp_.det()) / 2
    e_log_q = -((sq_inv * sp_).trace() + (delta.T * sq_inv * delta)[0]) / 2 - sp.log(sq.det()) / 2
    closed = sp.simplify(e_log_p - e_log_q)
    return closed, mp, mq, lp, lq


def mvn_stable_form(mp, mq, lp, lq) -> sp.Expr:
    n = lp.shape[0]
    d = lq.inv() * (lp - lq)
    w = lq.inv() * (mp - mq)
    off = sum(d[i, j] ** 2 for i in range(n) for j in range(n) if i != j)
    diag = sum(d[i, i] ** 2 - 2 * log1pmx(d[i, i]) for i in range(n))
    return (off + diag + sum(x**2 for x in w)) / 2


@derivation("kl_mvn", spec=KernelSpec(
    "kl_mvn", bar=16, page="gaussian", rows=RowSampling("mvn_factors", count=160),
    reduction="kl_mvn",
    torch=TorchPeer("MultivariateNormal", ("loc", "scale_tril"), vector=True)))
def _kl_mvn() -> Derivation:
    closed, mp, mq, lp, lq = mvn_closed_form(N_SYMBOLIC)
    syms = list(mp) + list(lp[i, j] for i in range(2) for j in range(i + 1)) + list(mq) + list(
        lq[i, j] for i in range(2) for j in range(i + 1))
    params = tuple(Param(str(s), s, "positive" if s.is_positive else "real") for s in syms)
    stable = mvn_stable_form(mp, mq, lp, lq)
    checks = [agree("stable form = closed form", textbook(stable), closed, params)]
    # n = 1 must reduce to the univariate Normal KL.
    c1, mp1, mq1, lp1, lq1 = mvn_closed_form(1)
    normal = get("kl_normal")
    mu_p, s_p, mu_q, s_q = normal.symbols
    checks.append(agree("n = 1 gives kl_normal", c1.subs({mp1[0]: mu_p, mq1[0]: mu_q,
                        lp1[0, 0]: s_p, lq1[0, 0]: s_q}), normal.closed_form, normal.params))
    # Diagonal factors: the sum of univariate KLs.
    diag = {lp[1, 0]: 0, lq[1, 0]: 0}
    per_coord = sum(normal.closed_form.subs({mu_p: mp[i], s_p: lp[i, i], mu_q: mq[i],
                                             s_q: lq[i, i]}, simultaneous=True) for i in range(2))
    checks.append(agree("diagonal = Σ kl_normal", closed.subs(diag), per_coord, params))
    return Derivation(
        name="kl_mvn",
        title="KL divergence between multivariate normals N(μ_p, L_p L_pᵀ) ‖ N(μ_q, L_q L_qᵀ)",
        params=params,
        definition=sp.Integral(sp.Function("p")(sp.Symbol("x")) * sp.log(
            sp.Function("p")(sp.Symbol("x")) / sp.Function("q")(sp.Symbol("x"))),
            (sp.Symbol("x"), -sp.oo, sp.oo)),
        steps=(
            Step("E_p[log p] = −n/2 − ½ log det(2πΣ_p)", sp.Symbol("E_p[log p]")),
            Step("E_p[log q] via E_p[(x−m)ᵀA(x−m)] = tr(AΣ_p) + (μ_p−m)ᵀA(μ_p−m)  (n = 2)",
                 closed),
            Step("Stable form with D = L_q⁻¹(L_p − L_q), w = L_q⁻¹(μ_p − μ_q)", stable),
        ),
        closed_form=closed,
        stable_form=StableForm((), stable),
        kernel="kl_mvn",
        rules=("log1pmx",),
        checks=tuple(checks),
        notes="Symbolic work at n = 2; the kernel implements the same stable form for any n.",
    )


@derivation("kl_normal_std", spec=KernelSpec(
    "kl_normal_std", bar=8, page="gaussian",
    # ½·e^ℓ fits where e^ℓ does not (outside tester T4 H1: inf before cexpm1mx)
    hard_points=((0.0, 709.9), (0.0, 710.0), (0.0, 710.47), (1e154, 710.0)),
    no_torch="KL(N(μ, e^logvar) ‖ N(0, 1)) in log-variance: no torch class takes these "
             "parameters one to one (kl_normal is cross-checked)"))
def _kl_normal_std() -> Derivation:
    normal = get("kl_normal")
    mu_p, s_p, mu_q, s_q = normal.symbols
    mu, logvar = sp.Symbol("mu", real=True), sp.Symbol("logvar", real=True)
    closed = sp.expand(sp.expand_log(normal.closed_form.subs(
        {mu_p: mu, s_p: sp.exp(logvar / 2), mu_q: 0, s_q: 1}), force=True))
    # e^ℓ − 1 − ℓ → expm1mx(ℓ), then the ½ inside: ½·e^ℓ is formed past e^ℓ's overflow
    stable, fired = rewrite(closed, "exponential", "constant_inside")
    params = (Param("mu", mu, "real", "mean"), Param("logvar", logvar, "real", "log variance"))
    checks = (agree("stable form = closed form", textbook(stable), closed, params),)
    return Derivation(
        name="kl_normal_std",
        title="KL(N(μ, e^ℓ) ‖ N(0, 1)), the VAE regulariser in log-variance",
        params=params,
        definition=normal.definition,
        steps=(Step("Substitute μ_q = 0, σ_q = 1, σ_p = e^{ℓ/2} into kl_normal", closed),
               Step("e^ℓ − 1 − ℓ → expm1mx(ℓ); ½·expm1mx(ℓ) → cexpm1mx(½, ℓ)", stable)),
        closed_form=closed,
        stable_form=StableForm((), stable),
        kernel="kl_normal_std",
        rules=fired,
        checks=checks,
    )
