"""Distributions on the simplex: categorical (KL, entropy, cross-entropy) and logits (the
Dirichlet family is ``families/dirichlet.py``).

Symbolic work is done at K = 3; the kernels apply the same per-term stable forms over any
length.  The categorical family in natural parameters η_i = log(p_i/p_K) has log-partition
A = log(1 + Σ_{i<K} e^{η_i}) = −log p_K; its Bregman divergence is checked against the
definition Σ p_i log(p_i/q_i).
"""

from __future__ import annotations

import sympy as sp

from .checks import agree
from .core import Derivation, Param, StableForm, Step, derivation, get
from .primitives import expm1mx, log1pmx, textbook
from .rewriting import rewrite
from .spec import KernelSpec, RowSampling, TorchPeer

K = 3


def _probs(name: str):
    return [sp.Symbol(f"{name}_{i}", positive=True) for i in range(K)]


def _simplex_params(*names):
    return tuple(Param(str(s), s, "unit_interval") for n in names for s in _probs(n))


def _on_simplex(expr, *names):
    """Eliminate the last coordinate: x_K = 1 − Σ_{i<K} x_i."""
    subs = {}
    for n in names:
        xs = _probs(n)
        subs[xs[-1]] = 1 - sum(xs[:-1])
    return expr.subs(subs)


def _free_params(*names):
    return tuple(Param(str(s), s, "simplex_coordinate") for n in names for s in _probs(n)[:-1])


def categorical_bregman():
    p, q = _probs("p"), _probs("q")
    eta = lambda x: [sp.log(x[i] / x[-1]) for i in range(K - 1)]
    a = lambda x: sp.log(1 + sum(sp.exp(e) for e in eta(x)))
    mean = p[:-1]  # ∇_η A = softmax(η)_i = p_i
    return sp.simplify(a(q) - a(p) - sum((eq - ep) * m
                                         for eq, ep, m in zip(eta(q), eta(p), mean, strict=True)))


@derivation("kl_categorical", spec=KernelSpec(
    "kl_categorical", bar=8, page="categorical", rows=RowSampling("simplex_pair"),
    torch=TorchPeer("Categorical", ("probs",), vector=True), reduction="kl_categorical"))
def _kl_categorical() -> Derivation:
    p, q = _probs("p"), _probs("q")
    definition = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    bregman = categorical_bregman()
    check = agree("Bregman identity = Σ p_i log(p_i/q_i)", _on_simplex(bregman, "p", "q"),
                  _on_simplex(definition, "p", "q"), _free_params("p", "q"), symbolic=False)
    pi, qi = sp.Symbol("p_i", nonnegative=True), sp.Symbol("q_i", nonnegative=True)
    term, fired = rewrite(pi * sp.log(pi / qi) - pi + qi, "relative_entropy")
    stable_term = term + (pi - qi)
    rt = agree("stable term = p_i log(p_i/q_i)", textbook(stable_term), pi * sp.log(pi / qi),
               (Param("p_i", pi, "positive"), Param("q_i", qi, "positive")))
    return Derivation(
        name="kl_categorical",
        title="KL divergence between categorical distributions",
        params=(Param("p", sp.IndexedBase("p"), "probability_vector"),
                Param("q", sp.IndexedBase("q"), "probability_vector")),
        definition=definition,
        steps=(Step("Natural parameters η_i = log(p_i/p_K), A(η) = log(1 + Σ e^{η_i}) = −log p_K",
                    sp.Eq(sp.Symbol("A"), -sp.log(p[-1]))),
               Step(f"Bregman identity (K = {K})", bregman),
               Step("Per term: p_i log(p_i/q_i) = kl_div(p_i, q_i) + (p_i − q_i), each kl_div ≥ 0",
                    stable_term)),
        closed_form=definition,
        stable_form=StableForm((), stable_term),
        kernel="kl_categorical",
        rules=fired,
        checks=(check, rt),
        notes="Rows are renormalised (p/Σp, q/Σq) from compensated sums gathered in the same "
              "pass: KL = (Σ kl_div(p_i, q_i) − kl_div(Σp, Σq))/Σp.",
    )


def _simple_sum(name, title, term, kernel, definition):
    p, q = _probs("p"), _probs("q")
    return Derivation(
        name=name, title=title,
        params=(Param("p", sp.IndexedBase("p"), "probability_vector"),)
        + ((Param("q", sp.IndexedBase("q"), "probability_vector"),) if "q" in kernel or
           "cross" in kernel else ()),
        definition=definition(p, q),
        steps=(Step("Per term (0·log 0 = 0)", term),),
        closed_form=definition(p, q),
        stable_form=StableForm((), term),
        kernel=kernel,
    )


@derivation("entropy_categorical", spec=KernelSpec(
    "entropy", bar=8, page="categorical", rows=RowSampling("simplex"), reduction="entropy",
    torch=TorchPeer("Categorical", ("probs",), vector=True, method="entropy")))
def _entropy_categorical() -> Derivation:
    pi = sp.Symbol("p_i", nonnegative=True)
    d = _simple_sum("entropy_categorical", "Entropy of a categorical distribution",
                    -pi * sp.log(pi), "entropy", lambda p, q: -sum(x * sp.log(x) for x in p))
    a = sp.log(1 / _probs("p")[-1])  # A(η) − η·∇A(η) for the categorical family
    p = _probs("p")
    bregman = a - sum(sp.log(p[i] / p[-1]) * p[i] for i in range(K - 1))
    check = agree("A − η·∇A = −Σ p log p", _on_simplex(bregman, "p"),
                  _on_simplex(d.closed_form, "p"), _free_params("p"), symbolic=False)
    return Derivation(**{**d.__dict__, "checks": (check,)})


@derivation("cross_entropy_categorical",
            spec=KernelSpec("cross_entropy", bar=8, page="categorical",
                            rows=RowSampling("simplex_pair"), reduction="cross_entropy",
                            no_torch="torch.distributions has no cross-entropy between two "
                                     "distributions"))
def _cross_entropy_categorical() -> Derivation:
    pi, qi = sp.Symbol("p_i", nonnegative=True), sp.Symbol("q_i", nonnegative=True)
    d = _simple_sum("cross_entropy_categorical", "Cross-entropy between categorical distributions",
                    -pi * sp.log(qi), "cross_entropy",
                    lambda p, q: -sum(x * sp.log(y) for x, y in zip(p, q, strict=True)))
    h, kl = get("entropy_categorical").closed_form, get("kl_categorical").closed_form
    check = agree("H(p, q) = H(p) + KL(p‖q)", _on_simplex(h + kl, "p", "q"),
                  _on_simplex(d.closed_form, "p", "q"), _free_params("p", "q"), symbolic=False)
    return Derivation(**{**d.__dict__, "checks": (check,)})


@derivation("kl_logits", spec=KernelSpec(
    "kl_logits", bar=8, page="categorical", rows=RowSampling("logits", hard_points=(
        # tail weights that underflow while their e_i is large, results near the subnormal
        # range, the log-sum-exp switch from both sides, a shift by a large constant
        ((0.0, -800.0), (0.0, -100.0)), ((0.0, -800.0), (0.0, -800.0 + 1e-3)),
        ((0.0, -750.0, -3.0), (0.0, -10.0, -3.0)), ((0.0, -1000.0), (-1000.0, 0.0)),
        ((0.0, -720.0), (0.0, -719.0)), ((5.0, -2000.0, 1.0), (5.0, -1300.0, 1.0 + 1e-9)),
        ((0.0, -705.0), (-0.5, -10.0)), ((0.0, -300.0), (0.0, 399.0)),
        ((0.0, -300.0), (0.0, 401.0)), ((0.0, -10.0), (0.0, 595.0)),
        ((0.0, -10.0), (0.0, 605.0)),
        ((1e3, 1e3 - 1e-6, 999.0), (-5e2, -5e2, -5e2 - 1.0 + 1e-12)))),
    torch=TorchPeer("Categorical", ("logits",), rtol=1e-10, vector=True), reduction="kl_logits"))
def _kl_logits() -> Derivation:
    a = [sp.Symbol(f"a_{i}", real=True) for i in range(K)]
    b = [sp.Symbol(f"b_{i}", real=True) for i in range(K)]
    za, zb = sum(sp.exp(x) for x in a), sum(sp.exp(x) for x in b)
    p = [sp.exp(x) / za for x in a]
    q = [sp.exp(x) / zb for x in b]
    definition = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    closed_tb = (sum(pi * (ai - bi) for pi, ai, bi in zip(p, a, b, strict=True))
                 - sp.log(za) + sp.log(zb))
    closed, fired = rewrite(closed_tb, "logits")
    params = tuple(Param(str(s), s, "real") for s in a + b)
    checks = [agree("Σ p_i(a_i − b_i) − LSE(a) + LSE(b) = definition", textbook(closed),
                    definition, params, symbolic=False)]
    # Stable: with e_i = (b_i − a_i) − c for any shift c (the kernel takes c = E_p[b − a]),
    # KL = log E_p[e^{e}] − E_p[e] = log1pmx(S0 + S2) + S2, S0 = E_p[e], S2 = E_p[expm1mx(e)].
    c = sp.Symbol("c", real=True)
    e = [bi - ai - c for ai, bi in zip(a, b, strict=True)]
    s0 = sum(pi * ei for pi, ei in zip(p, e, strict=True))
    s2 = sum(pi * expm1mx(ei) for pi, ei in zip(p, e, strict=True))
    stable = log1pmx(s0 + s2) + s2
    checks.append(agree("centred stable form = definition (any shift c)", textbook(stable),
                        definition, params + (Param("c", c, "real"),), symbolic=False))
    S0, S2 = sp.symbols("S_0 S_2", real=True)
    return Derivation(
        name="kl_logits",
        title="KL(softmax(a) ‖ softmax(b)) from logits",
        params=(Param("a", sp.IndexedBase("a"), "real_vector"),
                Param("b", sp.IndexedBase("b"), "real_vector")),
        definition=definition,
        steps=(Step("log(p_i/q_i) = a_i − b_i − LSE(a) + LSE(b)", closed),
               Step("Centre e_i = b_i − a_i − c; KL = log E_p[e^{e}] − E_p[e]", stable),
               Step("S0 = E_p[e], S2 = E_p[expm1mx(e)] ≥ 0; KL = log1pmx(S0 + S2) + S2",
                    log1pmx(S0 + S2) + S2)),
        closed_form=closed,
        stable_form=StableForm((), log1pmx(S0 + S2) + S2),
        kernel="kl_logits",
        rules=fired + ("log1pmx", "expm1mx"),
        checks=tuple(checks),
        notes="softmax is never materialised; b_i − a_i and a_i − max a are taken exactly "
              "(double-double), the mean of e is re-centred once, tail terms whose weight "
              "underflows are formed in log space, and when some log p_i + e_i > 700 the kernel "
              "uses LSE(log p_i + e_i) − S0 (KL ≥ 700 − log n there, no cancellation).",
    )
