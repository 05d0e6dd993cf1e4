"""The derivations an exponential family registers (:func:`register`): ``kl_<name>`` with the
stable form its family file derives, ``entropy_<name>``, ``cross_entropy_<name>``,
``fisher_<name>`` and ``natgrad_<name>_usual``, each checked against an independent route:

* KL by the Bregman identity A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p), checked against the
  definition E_p[log p − log q] (SymPy, or mpmath quadrature/summation at 50 digits),
* the entropy A − η·m − E[log h] and the cross-entropy −E_p[log q],
* the Fisher information −E[∇²_θ log p] = ∇²_θ A − Σ_i m_i ∇²_θ η_i, cross-checked as the
  Hessian of KL(p_θ ‖ p_θ') in θ' at θ' = θ,
* the natural-gradient step θ ← θ − η F(θ)⁻¹ g, cross-checked with F = (∂η/∂θ)ᵀ(∂m/∂θ).

Example: ``register(FAMILY, kl, KernelSpec("kl_poisson", bar=8))`` in ``families/poisson.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import sympy as sp

from .checks import DIGITS, agree
from .core import Derivation, DerivationError, Param, StableForm, Step, derivation, get
from .expfam import (
    _FAMILIES,
    ExpFamily,
    _definition_expr,
    _expectation,
    _params,
    _pdf_symbol,
    bregman_kl,
    definition_kl,
    family,
    log_density,
    log_partition,
    mean_params,
)
from .spec import KernelSpec


def _quad_expectation(fam: ExpFamily, f_lp, f_lq, point) -> mpmath.mpf:
    """∫ p·(log p − log q) by tanh-sinh (Σ by mpmath.nsum on a discrete support).  On (0, 1)
    the endpoint singularities x^(α−1) and (1−x)^(β−1) are removed by x = t^(1/α) on
    (0, ½] and 1 − x = t^(1/β) on [½, 1)."""

    def f(x):
        lp = f_lp(x)
        return mpmath.exp(lp) * (lp - f_lq(x))

    kind, lo, hi = fam.support
    if kind == "sum":
        return mpmath.nsum(f, [lo, hi])
    if (lo, hi) != (0, 1):
        return mpmath.quad(f, [lo, hi])
    a, b = (mpmath.mpf(sp.N(point[s], DIGITS + 10)) for s in fam.theta("p"))
    left = mpmath.quad(lambda t: f(t ** (1 / a)) * t ** (1 / a - 1) / a, [0, mpmath.mpf(0.5) ** a])
    right = mpmath.quad(
        lambda t: f(1 - t ** (1 / b)) * t ** (1 / b - 1) / b, [0, mpmath.mpf(0.5) ** b]
    )
    return left + right


def _numeric_definition_check(name: str, closed: sp.Expr) -> object:
    """Compare the closed form with mpmath quadrature of E_p[log p − log q] (50 digits)."""
    import random

    from .checks import sample_point
    from .core import Check

    fam = family(name)
    params = _params(name)
    lp, lq = log_density(name, "p"), log_density(name, "q")
    rng = random.Random(7)
    worst = mpmath.mpf(0)
    for _ in range(3):
        point = sample_point(params, rng)
        f_lp = sp.lambdify(fam.var, lp.subs(point), "mpmath")
        f_lq = sp.lambdify(fam.var, lq.subs(point), "mpmath")
        with mpmath.workdps(DIGITS + 10):
            integral = _quad_expectation(fam, f_lp, f_lq, point)
            closed_value = mpmath.mpf(sp.N(closed.subs(point), DIGITS + 5))
        err = abs(integral - closed_value) / max(1, abs(closed_value))
        worst = max(worst, err)
        if err > mpmath.mpf(10) ** -40:
            raise DerivationError(f"kl_{name}: Bregman form ≠ quadrature at {point}")
    return Check("Bregman identity = E_p[log p − log q]",
                 f"numeric (mpmath {'summation' if fam.support[0] == 'sum' else 'quadrature'}, "
                 f"{DIGITS} digits, 3 random points)",
                 f"max relative difference {mpmath.nstr(worst, 3)}")


def kl_derivation(name: str, stable: StableForm | None, rules: tuple[str, ...],
                  notes: str = "") -> Derivation:
    """KL(p‖q) of family ``name`` by the Bregman identity, checked against the definition,
    with the stable form its family file derived."""
    fam = family(name)
    params = _params(name)
    bregman = bregman_kl(name)
    if fam.symbolic_definition:
        check = agree("Bregman identity = E_p[log p − log q]", bregman, definition_kl(name),
                      params)
    else:
        check = _numeric_definition_check(name, bregman)
    p, q = _pdf_symbol(fam, "p"), _pdf_symbol(fam, "q")
    ap = log_partition(name, "p")
    steps = (
        Step("Sufficient statistics T(x)", sp.Eq(sp.Symbol("T"), sp.Tuple(*fam.stats))),
        Step("Natural parameters η(θ)", sp.Eq(sp.Symbol("eta_p"), sp.Tuple(*fam.eta("p")))),
        Step("Log-partition A(θ) = log ∫ h(x) exp(η·T(x)) dx", sp.Eq(sp.Symbol("A_p"), ap)),
        Step("Mean parameters ∇_η A = E_p[T(x)]",
             sp.Eq(sp.Symbol("m_p"), sp.Tuple(*mean_params(name, "p")))),
        Step("Bregman identity KL = A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p)", bregman),
        Step(f"Checked against the definition ({check.method})", bregman),
    )
    return Derivation(
        name=f"kl_{name}",
        title=f"KL divergence between two {fam.title} distributions",
        params=params,
        definition=_definition_expr(name, p * sp.log(p / q)),
        steps=steps,
        closed_form=bregman,
        stable_form=stable,
        kernel=f"kl_{name}" if stable is not None else None,
        rules=rules,
        checks=(check,),
        notes=notes,
    )


def inline_check(d: Derivation) -> Derivation:
    """Raise unless the stable form maps back to the closed form (round trip)."""
    if d.stable_form is not None:
        from .primitives import textbook

        check = agree("stable form = closed form", textbook(d.stable_form.inline()),
                      d.closed_form, d.params)
        return Derivation(**{**d.__dict__, "checks": d.checks + (check,)})
    return d


def _information(name: str, kind: str, title: str, params, integrand, step: str,
                 closed: sp.Expr, check_label: str, direct) -> Derivation:
    """The Derivation of an entropy-like quantity ``kind`` (entropy, cross_entropy) of family
    ``name``: defined as ∫ ``integrand``, one step (label ``step``) giving ``closed``, and, when
    the family's definition is symbolic, the check ``closed`` = ``direct()`` (the defining
    expectation, computed only then).  Example: ``_entropy("normal").closed_form``."""
    checks = ()
    if family(name).symbolic_definition:
        checks = (agree(check_label, closed, direct(), params),)
    return Derivation(
        name=f"{kind}_{name}",
        title=title,
        params=params,
        definition=_definition_expr(name, integrand),
        steps=(Step(step, closed),),
        closed_form=closed,
        checks=checks,
    )


def _entropy(name: str) -> Derivation:
    """H(p) = A(η) − η·∇A(η) − E_p[log h(x)], checked against −E_p[log p]."""
    fam = family(name)
    a = log_partition(name, "p")
    m = mean_params(name, "p")
    e_log_h = _expectation(name, fam.log_base) if fam.log_base != 0 else sp.S.Zero
    h = sp.simplify(a - sum(e * mi for e, mi in zip(fam.eta("p"), m, strict=True)) - e_log_h)
    p = _pdf_symbol(fam, "p")
    return _information(name, "entropy", f"Entropy of a {fam.title} distribution",
                        fam.params("p"), -p * sp.log(p),
                        "H(p) = A(η) − η·∇A(η) − E_p[log h(x)]", h,
                        "A − η·∇A − E[log h] = −E_p[log p]",
                        lambda: _expectation(name, -log_density(name, "p")))


def _cross_entropy(name: str) -> Derivation:
    """H(p, q) = H(p) + KL(p‖q), checked against −E_p[log q]."""
    fam = family(name)
    ce = sp.simplify(_entropy(name).closed_form + bregman_kl(name))
    p, q = _pdf_symbol(fam, "p"), _pdf_symbol(fam, "q")
    return _information(name, "cross_entropy",
                        f"Cross-entropy between two {fam.title} distributions", _params(name),
                        -p * sp.log(q), "H(p, q) = H(p) + KL(p‖q)", ce,
                        "H(p) + KL(p‖q) = −E_p[log q]",
                        lambda: _expectation(name, -log_density(name, "q")))


def fisher_information(name: str, suffix: str = "p") -> sp.Matrix:
    """F(θ) = −E[∇²_θ log p] = ∇²_θ A − Σ_i m_i ∇²_θ η_i (since E[T] = m)."""
    fam = family(name)
    theta = fam.theta(suffix)
    a = log_partition(name, suffix)
    m = mean_params(name, suffix)
    f = sp.hessian(a, theta) - sum(
        (mi * sp.hessian(e, theta) for mi, e in zip(m, fam.eta(suffix), strict=True)),
        sp.zeros(len(theta))
    )
    return sp.simplify(f)


def _fisher(name: str) -> Derivation:
    fam = family(name)
    f = fisher_information(name)
    theta_p, theta_q = fam.theta("p"), fam.theta("q")
    kl = bregman_kl(name)
    hess = sp.hessian(kl, theta_q).subs(dict(zip(theta_q, theta_p, strict=True)))
    check = agree("−E[∇² log p] = ∇²_θ' KL(p_θ‖p_θ') at θ' = θ",
                  sp.Add(*[x**2 for x in (sp.simplify(hess) - f)]), sp.S.Zero, fam.params("p"))
    return Derivation(
        name=f"fisher_{name}",
        title=f"Fisher information of the {fam.title} family in its usual parameters",
        params=fam.params("p"),
        definition=-sp.Symbol("E") * sp.Symbol("∇²log p"),
        steps=(
            Step("F = ∇²_θ A − Σ_i E[T_i] ∇²_θ η_i", f),
            Step("Equals the Hessian of KL(p_θ‖p_θ') at θ' = θ", sp.simplify(hess)),
        ),
        closed_form=f,
        checks=(check,),
    )


def _natgrad_family(name: str) -> Derivation:
    """θ ← θ − η F(θ)⁻¹ g in the family's usual parameters, F from ``fisher_<name>``.

    Cross-check, independent of the Hessian formula behind ``fisher_<name>``: for an
    exponential family F_θ = (∂η/∂θ)ᵀ (∂m/∂θ), with m = ∇_η A the mean parameters.
    """
    fam = family(name)
    fisher = get(f"fisher_{name}")
    theta = fam.theta("p")
    grads = [sp.Symbol(f"g_{t}", real=True) for t in theta]
    lr = sp.Symbol("lr", positive=True)
    f = fisher.closed_form
    direction = sp.simplify(f.inv() * sp.Matrix(grads))
    step = sp.Matrix(theta) - lr * direction
    d_eta = sp.Matrix(fam.eta("p")).jacobian(theta)
    d_mean = sp.Matrix(mean_params(name, "p")).jacobian(theta)
    params = fam.params("p") + tuple(Param(str(g), g, "real") for g in grads) + (
        Param("lr", lr, "positive"),)
    check = agree("F_θ = (∂η/∂θ)ᵀ(∂m/∂θ)", sp.Add(*[x**2 for x in (d_eta.T * d_mean - f)]),
                  sp.S.Zero, fam.params("p"))
    return Derivation(
        name=f"natgrad_{name}_usual",
        title=f"Natural-gradient step for the {fam.title} family in its usual parameters",
        params=params, definition=sp.Symbol("θ") - lr * sp.Symbol("F⁻¹∇L"),
        steps=(Step("Fisher information F(θ)", f),
               Step("Natural-gradient direction F⁻¹ g", direction),
               Step("θ ← θ − η F⁻¹ g", step)),
        closed_form=step, checks=(check,))




# --- registration --------------------------------------------------------------------------


def register(fam: ExpFamily, stable: Callable[[ExpFamily], Derivation], spec: KernelSpec) -> None:
    """Register family ``fam``: ``kl_<name>`` (``stable(fam)`` builds it, with its stable
    form; ``spec`` declares its kernel), ``entropy_<name>``, ``cross_entropy_<name>``,
    ``fisher_<name>`` and ``natgrad_<name>_usual``."""
    if fam.name in _FAMILIES:
        raise ValueError(f"family {fam.name!r} registered twice")
    _FAMILIES[fam.name] = fam
    derivation(f"kl_{fam.name}", spec=spec)(functools.partial(stable, fam))
    # Poisson: E[log k!] has no closed form; the entropy keeps it as the series
    # e^{−λ} Σ_k λ^k log(k!)/k!, which the numeric checks sum with mpmath.
    derivation(f"entropy_{fam.name}")(functools.partial(_entropy, fam.name))
    derivation(f"cross_entropy_{fam.name}")(functools.partial(_cross_entropy, fam.name))
    derivation(f"fisher_{fam.name}")(functools.partial(_fisher, fam.name))
    derivation(f"natgrad_{fam.name}_usual")(functools.partial(_natgrad_family, fam.name))
