"""Exponential families: log-partition, KL, entropy, cross-entropy and Fisher information.

A family is data: its usual parameters, sufficient statistics T(x), natural parameters
η(θ), base measure h(x) and support.  From that alone SymPy derives

* the log-partition A(θ) = log ∫ h(x) exp(η(θ)·T(x)) dx (by integration or summation),
* the mean parameters m = ∇_η A = (∂η/∂θ)^{-T} ∇_θ A,
* KL(p‖q) by the Bregman identity A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p), and independently
  from the definition E_p[log p − log q]; the two must agree (:func:`derive.checks.agree`),
* the entropy A − η·m − E[log h] and the cross-entropy −E_p[log q],
* the Fisher information −E[∇²_θ log p] = ∇²_θ A − Σ_i m_i ∇²_θ η_i, cross-checked as the
  Hessian of KL(p_θ ‖ p_θ') in θ' at θ' = θ.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import sympy as sp

from .checks import DIGITS, agree
from .core import Derivation, DerivationError, Param, StableForm, Step, derivation
from .primitives import log_ratio
from .rewriting import rewrite

X = sp.Symbol("x", real=True)
XP = sp.Symbol("x", positive=True)
K = sp.Symbol("k", integer=True, nonnegative=True)


@dataclass(frozen=True)
class Family:
    """An exponential family p(x|θ) = h(x)·exp(η(θ)·T(x) − A(θ))."""

    name: str
    title: str
    var: sp.Symbol
    support: tuple  # ("integral", lo, hi) | ("sum", lo, hi)
    stats: tuple[sp.Expr, ...]
    log_base: sp.Expr
    builder: object  # suffix -> (params, eta)

    def params(self, suffix: str) -> tuple[Param, ...]:
        return self.builder(suffix)[0]

    def eta(self, suffix: str) -> tuple[sp.Expr, ...]:
        return self.builder(suffix)[1]

    def theta(self, suffix: str) -> tuple[sp.Symbol, ...]:
        return tuple(p.symbol for p in self.params(suffix))

    def integrate(self, integrand: sp.Expr) -> sp.Expr:
        """∫ or Σ over the support, term by term after putting powers in x^a form
        (SymPy recognises x^(a−1)·e^(−bx) and λ^k/k!, not exp((a−1)·log x))."""
        kind, lo, hi = self.support
        terms = sp.Add.make_args(sp.expand(integrand, power_exp=False, power_base=False, log=False))
        if kind == "integral":
            parts = [sp.integrate(t, (self.var, lo, hi), conds="none") for t in terms]
            return sp.simplify(sp.gammasimp(sp.hyperexpand(sp.Add(*parts))))
        return sp.simplify(sp.Add(*[sp.summation(t, (self.var, lo, hi)) for t in terms]))


def _sym(name: str, suffix: str, **assumptions) -> sp.Symbol:
    return sp.Symbol(f"{name}_{suffix}", **assumptions)


def _normal(s):
    mu, sigma = _sym("mu", s, real=True), _sym("sigma", s, positive=True)
    params = (Param(f"mu_{s}", mu, "real", "mean"), Param(f"sigma_{s}", sigma, "positive", "std"))
    return params, (mu / sigma**2, -1 / (2 * sigma**2))


def _bernoulli(s):
    p = sp.Symbol(s, positive=True)
    return (Param(s, p, "unit_interval", "P(x = 1)"),), (sp.log(p / (1 - p)),)


def _poisson(s):
    lam = _sym("rate", s, positive=True)
    return (Param(f"rate_{s}", lam, "positive", "rate λ"),), (sp.log(lam),)


def _exponential(s):
    lam = _sym("rate", s, positive=True)
    return (Param(f"rate_{s}", lam, "positive", "rate λ"),), (-lam,)


def _gamma(s):
    a, b = _sym("shape", s, positive=True), _sym("rate", s, positive=True)
    params = (Param(f"shape_{s}", a, "positive", "shape α"),
              Param(f"rate_{s}", b, "positive", "rate β"))
    return params, (a - 1, -b)


def _beta(s):
    a, b = _sym("alpha", s, positive=True), _sym("beta", s, positive=True)
    params = (Param(f"alpha_{s}", a, "positive", "α"), Param(f"beta_{s}", b, "positive", "β"))
    return params, (a - 1, b - 1)


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("normal", "Normal N(μ, σ²)", X, ("integral", -sp.oo, sp.oo), (X, X**2),
               -sp.log(2 * sp.pi) / 2, _normal),
        Family("bernoulli", "Bernoulli(p)", K, ("sum", 0, 1), (K,), sp.S.Zero, _bernoulli),
        Family("poisson", "Poisson(λ)", K, ("sum", 0, sp.oo), (K,), -sp.log(sp.factorial(K)),
               _poisson),
        Family("exponential", "Exponential(λ)", XP, ("integral", 0, sp.oo), (XP,), sp.S.Zero,
               _exponential),
        Family("gamma", "Gamma(α, β) (shape, rate)", XP, ("integral", 0, sp.oo),
               (sp.log(XP), XP), sp.S.Zero, _gamma),
        Family("beta", "Beta(α, β)", XP, ("integral", 0, 1), (sp.log(XP), sp.log(1 - XP)),
               sp.S.Zero, _beta),
    )
}


@functools.cache
def log_partition(name: str, suffix: str = "p") -> sp.Expr:
    """A(θ) = log ∫ h(x) exp(η(θ)·T(x)) dx, derived by SymPy."""
    fam = FAMILIES[name]
    if name == "bernoulli":  # the sum over {0, 1} simplifies best in the usual parameter
        (p,) = fam.theta(suffix)
        return sp.simplify(sp.log(sp.exp(0) + p / (1 - p)))
    z = fam.integrate(unnormalised_density(name, suffix))
    return sp.simplify(sp.expand_log(sp.log(z), force=True))


def unnormalised_density(name: str, suffix: str) -> sp.Expr:
    """h(x)·exp(η·T(x)), with exp(η·log y) written as y^η (the form SymPy integrates)."""
    fam = FAMILIES[name]
    factors = [sp.exp(fam.log_base)]
    for e, t in zip(fam.eta(suffix), fam.stats, strict=True):
        factors.append(t.args[0] ** e if isinstance(t, sp.log) else sp.exp(e * t))
    return sp.Mul(*factors)


@functools.cache
def mean_params(name: str, suffix: str = "p") -> tuple[sp.Expr, ...]:
    """m = ∇_η A = (∂η/∂θ)^{-T} ∇_θ A (the chain rule; θ ↦ η is a bijection)."""
    fam = FAMILIES[name]
    theta = fam.theta(suffix)
    a = log_partition(name, suffix)
    jac = sp.Matrix(fam.eta(suffix)).jacobian(theta)
    grad = sp.Matrix([sp.diff(a, t) for t in theta])
    return tuple(sp.simplify(v) for v in jac.T.solve(grad))


def log_density(name: str, suffix: str) -> sp.Expr:
    fam = FAMILIES[name]
    eta = fam.eta(suffix)
    return (sum(e * t for e, t in zip(eta, fam.stats, strict=True))
            - log_partition(name, suffix) + fam.log_base)


def bregman_kl(name: str) -> sp.Expr:
    """KL(p‖q) = A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p)."""
    fam = FAMILIES[name]
    ap, aq = log_partition(name, "p"), log_partition(name, "q")
    m = mean_params(name, "p")
    deta = [eq - ep for ep, eq in zip(fam.eta("p"), fam.eta("q"), strict=True)]
    return sp.simplify(aq - ap - sum(d * mi for d, mi in zip(deta, m, strict=True)))


def _expectation(name: str, f: sp.Expr) -> sp.Expr:
    fam = FAMILIES[name]
    density = unnormalised_density(name, "p") * sp.exp(-log_partition(name, "p"))
    return fam.integrate(sp.expand(density * f))


@functools.cache
def definition_kl(name: str) -> sp.Expr:
    """KL(p‖q) = E_p[log p(x) − log q(x)], integrated or summed by SymPy."""
    return _expectation(name, sp.expand(log_density(name, "p") - log_density(name, "q")))


def _params(name: str) -> tuple[Param, ...]:
    fam = FAMILIES[name]
    return fam.params("p") + fam.params("q")


def _definition_expr(name: str, integrand: sp.Expr) -> sp.Expr:
    fam = FAMILIES[name]
    kind, lo, hi = fam.support
    if kind == "integral":
        return sp.Integral(integrand, (fam.var, lo, hi))
    return sp.Sum(integrand, (fam.var, lo, hi))


def _pdf_symbol(fam: Family, suffix: str) -> sp.Expr:
    return sp.Function(suffix)(fam.var)


#: Families whose defining expectation SymPy integrates in reasonable time; for the others
#: the Bregman form is checked against mpmath quadrature of the definition at 50 digits.
_SYMBOLIC_DEFINITION = {"normal", "bernoulli", "poisson", "exponential", "gamma"}


def _quad_expectation(fam: Family, f_lp, f_lq, point) -> mpmath.mpf:
    """∫ p·(log p − log q) by tanh-sinh.  On (0, 1) the endpoint singularities x^(α−1) and
    (1−x)^(β−1) are removed by x = t^(1/α) on (0, ½] and 1 − x = t^(1/β) on [½, 1)."""

    def f(x):
        lp = f_lp(x)
        return mpmath.exp(lp) * (lp - f_lq(x))

    _, lo, hi = fam.support
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

    from .checks import DIGITS, sample_point
    from .core import Check, DerivationError

    fam = FAMILIES[name]
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
                 f"numeric (mpmath quadrature, {DIGITS} digits, 3 random points)",
                 f"max relative difference {mpmath.nstr(worst, 3)}")


def _kl_derivation(name: str, stable: StableForm | None, rules: tuple[str, ...],
                   notes: str = "") -> Derivation:
    fam = FAMILIES[name]
    params = _params(name)
    bregman = bregman_kl(name)
    if name in _SYMBOLIC_DEFINITION:
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


def _inline_check(d: Derivation) -> Derivation:
    """Raise unless the stable form maps back to the closed form (round trip)."""
    if d.stable_form is not None:
        from .primitives import textbook

        check = agree("stable form = closed form", textbook(d.stable_form.inline()),
                      d.closed_form, d.params)
        return Derivation(**{**d.__dict__, "checks": d.checks + (check,)})
    return d


# --- KL per family, with its stable form -------------------------------------------------

t_, u_, v_, r_, l_ = sp.symbols("t u v r l", real=True)


def _bind_ratio(expr: sp.Expr, r: sp.Symbol) -> sp.Expr:
    """Replace r − 1 by t and log r by l (the bindings the caller supplies accurately);
    raise if r survives anywhere else."""
    expr = sp.expand(expr).subs(sp.log(r), l_).subs(r, t_ + 1)
    expr = sp.expand(expr)
    if expr.has(r):
        raise DerivationError(f"ratio {r} left in stable form {expr}")
    return expr


@derivation("kl_normal")
def _kl_normal() -> Derivation:
    closed = bregman_kl("normal")
    mu_p, s_p = FAMILIES["normal"].theta("p")
    mu_q, s_q = FAMILIES["normal"].theta("q")
    # Write σ_p² = r·σ_q²; the scale rule turns r − 1 − log r into rm1mlog(r − 1, log r).
    r = sp.Symbol("r", positive=True)
    in_r = sp.expand(sp.expand_log(closed.subs(s_p, sp.sqrt(r) * s_q), force=True))
    stable_expr, fired = rewrite(in_r, "scale")
    # r − 1 = u·(u + 2) with u = (σ_p − σ_q)/σ_q (an exact difference, no squares that could
    # overflow); log r = 2·log_ratio(σ_p, σ_q).
    stable_expr = _bind_ratio(stable_expr, r).subs(mu_p, v_ * s_q + mu_q)
    stable = StableForm(
        ((u_, (s_p - s_q) / s_q), (t_, u_ * (u_ + 2)), (l_, 2 * log_ratio(s_p, s_q)),
         (v_, (mu_p - mu_q) / s_q)),
        sp.expand(stable_expr),
    )
    return _inline_check(_kl_derivation("normal", stable, fired + ("log_ratio",)))


@derivation("kl_bernoulli")
def _kl_bernoulli() -> Derivation:
    (p,) = FAMILIES["bernoulli"].theta("p")
    (q,) = FAMILIES["bernoulli"].theta("q")
    # Σ_x (p_x − q_x) = 0, so adding −p + q and −(1−p) + (1−q) leaves the KL unchanged and
    # makes each term a kl_div ≥ 0.
    terms = [p * sp.log(p / q) - p + q, (1 - p) * sp.log((1 - p) / (1 - q)) - (1 - p) + (1 - q)]
    rewritten = [rewrite(t, "relative_entropy") for t in terms]
    stable = StableForm((), sp.Add(*[r for r, _ in rewritten]))
    return _inline_check(_kl_derivation("bernoulli", stable, ("kl_div",)))


@derivation("kl_poisson")
def _kl_poisson() -> Derivation:
    (lp,) = FAMILIES["poisson"].theta("p")
    (lq,) = FAMILIES["poisson"].theta("q")
    stable_expr, fired = rewrite(lp * sp.log(lp / lq) - lp + lq, "relative_entropy")
    return _inline_check(_kl_derivation("poisson", StableForm((), stable_expr), fired))


@derivation("kl_exponential")
def _kl_exponential() -> Derivation:
    closed = bregman_kl("exponential")
    (lp,) = FAMILIES["exponential"].theta("p")
    (lq,) = FAMILIES["exponential"].theta("q")
    r = sp.Symbol("r", positive=True)  # r = λ_q/λ_p
    in_r = sp.expand(sp.expand_log(closed.subs(lq, r * lp), force=True))
    stable_expr, fired = rewrite(in_r, "scale")
    stable = StableForm(((t_, (lq - lp) / lp), (l_, log_ratio(lq, lp))),
                        _bind_ratio(stable_expr, r))
    return _inline_check(_kl_derivation("exponential", stable, fired + ("log_ratio",)))


@derivation("kl_gamma")
def _kl_gamma() -> Derivation:
    closed = bregman_kl("gamma")
    ap, bp = FAMILIES["gamma"].theta("p")
    aq, bq = FAMILIES["gamma"].theta("q")
    r = sp.Symbol("r", positive=True)  # r = β_q/β_p
    in_r = sp.expand(sp.expand_log(closed.subs(bq, r * bp), force=True))
    # a_q·(−log r) + a_p·(r − 1) = a_p·(r − 1 − log r) + (a_p − a_q)·log r
    in_r = sp.expand(in_r.subs(aq, ap - sp.Symbol("d")))
    stable_expr, fired = rewrite(in_r, "scale")
    stable_expr = _bind_ratio(stable_expr.subs(sp.Symbol("d"), ap - aq), r)
    stable_expr, fired2 = rewrite(_loggamma(stable_expr), "log_gamma")
    # l·(α_p − α_q), not l·α_p − l·α_q: the difference of nearby shapes is exact.
    stable_expr = sp.collect(stable_expr, l_)
    stable = StableForm(((t_, (bq - bp) / bp), (l_, log_ratio(bq, bp))), stable_expr)
    notes = ("Near p = q the three pieces α_p·(r − 1 − log r), (α_p − α_q)·log r and "
             "B_lnΓ(α_p, α_q) are each accurate; the middle one has either sign, so the "
             "relative error grows with the condition of the Fisher matrix in that direction.")
    return _inline_check(_kl_derivation("gamma", stable, fired + ("log_ratio",) + fired2,
                                        notes))


@derivation("kl_beta")
def _kl_beta() -> Derivation:
    closed = bregman_kl("beta")
    stable_expr, fired = rewrite(_loggamma(closed), "log_gamma")
    notes = ("KL = B(α_p, α_q) + B(β_p, β_q) − B(α_p + β_p, α_q + β_q) with B the Bregman "
             "divergence of lnΓ, each evaluated to a few ULP; the subtraction loses about "
             "log10(min(α, β)) digits when α and β are large and move in proportion.")
    return _inline_check(_kl_derivation("beta", StableForm((), stable_expr), fired, notes))


def _loggamma(expr: sp.Expr) -> sp.Expr:
    """log Γ(·) products → sums of loggamma(·), the form the log_gamma rule matches."""
    expr = sp.expand(sp.expand_log(expr, force=True))
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
                        lambda e: sp.loggamma(e.args[0].args[0]))


# --- Entropy and cross-entropy -----------------------------------------------------------


def _entropy(name: str) -> Derivation:
    fam = FAMILIES[name]
    a = log_partition(name, "p")
    m = mean_params(name, "p")
    e_log_h = _expectation(name, fam.log_base) if fam.log_base != 0 else sp.S.Zero
    h = sp.simplify(a - sum(e * mi for e, mi in zip(fam.eta("p"), m, strict=True)) - e_log_h)
    params = fam.params("p")
    if name in _SYMBOLIC_DEFINITION:
        check = agree("A − η·∇A − E[log h] = −E_p[log p]", h,
                      _expectation(name, -log_density(name, "p")), params)
        checks = (check,)
    else:
        checks = ()
    p = _pdf_symbol(fam, "p")
    return Derivation(
        name=f"entropy_{name}",
        title=f"Entropy of a {fam.title} distribution",
        params=params,
        definition=_definition_expr(name, -p * sp.log(p)),
        steps=(Step("H(p) = A(η) − η·∇A(η) − E_p[log h(x)]", h),),
        closed_form=h,
        checks=checks,
    )


def _cross_entropy(name: str) -> Derivation:
    fam = FAMILIES[name]
    h = _entropy(name).closed_form
    kl = bregman_kl(name)
    ce = sp.simplify(h + kl)
    params = _params(name)
    checks = ()
    if name in _SYMBOLIC_DEFINITION:
        checks = (agree("H(p) + KL(p‖q) = −E_p[log q]", ce,
                        _expectation(name, -log_density(name, "q")), params),)
    p, q = _pdf_symbol(fam, "p"), _pdf_symbol(fam, "q")
    return Derivation(
        name=f"cross_entropy_{name}",
        title=f"Cross-entropy between two {fam.title} distributions",
        params=params,
        definition=_definition_expr(name, -p * sp.log(q)),
        steps=(Step("H(p, q) = H(p) + KL(p‖q)", ce),),
        closed_form=ce,
        checks=checks,
    )


# Poisson: E[log k!] has no closed form; the entropy keeps it as the series
# e^{−λ} Σ_k λ^k log(k!)/k!, which the numeric checks sum with mpmath.
for _name in ("normal", "bernoulli", "poisson", "exponential", "gamma", "beta"):
    derivation(f"entropy_{_name}")(functools.partial(_entropy, _name))
    derivation(f"cross_entropy_{_name}")(functools.partial(_cross_entropy, _name))


# --- Fisher information ------------------------------------------------------------------


def fisher_information(name: str, suffix: str = "p") -> sp.Matrix:
    """F(θ) = −E[∇²_θ log p] = ∇²_θ A − Σ_i m_i ∇²_θ η_i (since E[T] = m)."""
    fam = FAMILIES[name]
    theta = fam.theta(suffix)
    a = log_partition(name, suffix)
    m = mean_params(name, suffix)
    f = sp.hessian(a, theta) - sum(
        (mi * sp.hessian(e, theta) for mi, e in zip(m, fam.eta(suffix), strict=True)),
        sp.zeros(len(theta))
    )
    return sp.simplify(f)


def _fisher(name: str) -> Derivation:
    fam = FAMILIES[name]
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


for _name in FAMILIES:
    derivation(f"fisher_{_name}")(functools.partial(_fisher, _name))
