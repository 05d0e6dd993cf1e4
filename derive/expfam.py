"""The exponential-family engine: log-partition, KL, entropy, cross-entropy, Fisher
information and the natural-gradient step, derived from a family's data alone.

A family (one file in ``families/``) is an :class:`ExpFamily`: its usual parameters,
sufficient statistics T(x), natural parameters η(θ), base measure h(x) and support, plus the
recipe of its KL's stable form and its kernel's :class:`~.spec.KernelSpec`;
:func:`klforge.derive.expfam_derivations.register` turns it into derivations.  This module
holds what SymPy derives from the data alone:

* the log-partition A(θ) = log ∫ h(x) exp(η(θ)·T(x)) dx (by integration or summation),
* the mean parameters m = ∇_η A = (∂η/∂θ)^{-T} ∇_θ A,
* KL(p‖q) by the Bregman identity A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p), and independently
  from the definition E_p[log p − log q]; the two must agree (:func:`derive.checks.agree`),
* the defining expectations E_p[f] (integrated or summed).

Example: ``log_partition("poisson")`` = ``rate_p`` (A = λ).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .core import (
    Param,
    _load_all,
)

X = sp.Symbol("x", real=True)
XP = sp.Symbol("x", positive=True)
K = sp.Symbol("k", integer=True, nonnegative=True)


@dataclass(frozen=True)
class ExpFamily:
    """An exponential family p(x|θ) = h(x)·exp(η(θ)·T(x) − A(θ))."""

    name: str
    title: str
    var: sp.Symbol
    support: tuple  # ("integral", lo, hi) | ("sum", lo, hi)
    stats: tuple[sp.Expr, ...]
    log_base: sp.Expr
    builder: Callable  # suffix -> (params, eta)
    #: A(θ) by hand-picked steps when SymPy's integral/sum is not the best route (suffix -> A)
    log_partition: Callable | None = None
    #: SymPy integrates the defining expectation in reasonable time; otherwise the Bregman
    #: form is checked against mpmath quadrature of the definition at 50 digits
    symbolic_definition: bool = True

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




def sym(name: str, suffix: str, **assumptions) -> sp.Symbol:
    """``name_suffix`` (e.g. ``rate_p``), the naming every family's parameters follow."""
    return sp.Symbol(f"{name}_{suffix}", **assumptions)


_FAMILIES: dict[str, ExpFamily] = {}


def family(name: str) -> ExpFamily:
    """The registered family ``name`` (every family file is imported first)."""
    _load_all()
    return _FAMILIES[name]


def families() -> dict[str, ExpFamily]:
    """Every registered exponential family, by name."""
    _load_all()
    return dict(sorted(_FAMILIES.items()))


@functools.cache
def log_partition(name: str, suffix: str = "p") -> sp.Expr:
    """A(θ) = log ∫ h(x) exp(η(θ)·T(x)) dx, derived by SymPy."""
    fam = family(name)
    if fam.log_partition is not None:
        return fam.log_partition(fam, suffix)
    z = fam.integrate(unnormalised_density(name, suffix))
    return sp.simplify(sp.expand_log(sp.log(z), force=True))

def unnormalised_density(name: str, suffix: str) -> sp.Expr:
    """h(x)·exp(η·T(x)), with exp(η·log y) written as y^η (the form SymPy integrates)."""
    fam = family(name)
    factors = [sp.exp(fam.log_base)]
    for e, t in zip(fam.eta(suffix), fam.stats, strict=True):
        factors.append(t.args[0] ** e if isinstance(t, sp.log) else sp.exp(e * t))
    return sp.Mul(*factors)


@functools.cache
def mean_params(name: str, suffix: str = "p") -> tuple[sp.Expr, ...]:
    """m = ∇_η A = (∂η/∂θ)^{-T} ∇_θ A (the chain rule; θ ↦ η is a bijection)."""
    fam = family(name)
    theta = fam.theta(suffix)
    a = log_partition(name, suffix)
    jac = sp.Matrix(fam.eta(suffix)).jacobian(theta)
    grad = sp.Matrix([sp.diff(a, t) for t in theta])
    return tuple(sp.simplify(v) for v in jac.T.solve(grad))


def log_density(name: str, suffix: str) -> sp.Expr:
    fam = family(name)
    eta = fam.eta(suffix)
    return (sum(e * t for e, t in zip(eta, fam.stats, strict=True))
            - log_partition(name, suffix) + fam.log_base)


def bregman_kl(name: str) -> sp.Expr:
    """KL(p‖q) = A(η_q) − A(η_p) − (η_q − η_p)·∇A(η_p)."""
    fam = family(name)
    ap, aq = log_partition(name, "p"), log_partition(name, "q")
    m = mean_params(name, "p")
    deta = [eq - ep for ep, eq in zip(fam.eta("p"), fam.eta("q"), strict=True)]
    return sp.simplify(aq - ap - sum(d * mi for d, mi in zip(deta, m, strict=True)))


def _expectation(name: str, f: sp.Expr) -> sp.Expr:
    fam = family(name)
    density = unnormalised_density(name, "p") * sp.exp(-log_partition(name, "p"))
    return fam.integrate(sp.expand(density * f))


@functools.cache
def definition_kl(name: str) -> sp.Expr:
    """KL(p‖q) = E_p[log p(x) − log q(x)], integrated or summed by SymPy."""
    return _expectation(name, sp.expand(log_density(name, "p") - log_density(name, "q")))


def _params(name: str) -> tuple[Param, ...]:
    fam = family(name)
    return fam.params("p") + fam.params("q")


def _definition_expr(name: str, integrand: sp.Expr) -> sp.Expr:
    fam = family(name)
    kind, lo, hi = fam.support
    if kind == "integral":
        return sp.Integral(integrand, (fam.var, lo, hi))
    return sp.Sum(integrand, (fam.var, lo, hi))


def _pdf_symbol(fam: ExpFamily, suffix: str) -> sp.Expr:
    return sp.Function(suffix)(fam.var)
