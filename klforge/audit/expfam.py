"""Identities of a general exponential family p_η(x) = h(x) exp(ηᵀT(x) − A(η)), tested on
concrete members.

A relation written for any family (``\\mathbb{E}_{\\eta_p}[T] = \\nabla A(\\eta_p)``,
``D_{KL}(p_{\\eta_p}\\|p_{\\eta_q}) = A(\\eta_q) - A(\\eta_p) - (\\eta_q-\\eta_p)^\\top\\nabla
A(\\eta_p)``, ``F(\\eta) = \\nabla^2 A(\\eta)``, ``H(p_\\eta) = A(\\eta) - \\eta^\\top\\nabla
A(\\eta) - \\mathbb{E}_\\eta[\\ln h(x)]``) must hold for each member; it is evaluated, at random
natural parameters, for three one-parameter members (T(x) = x):

* Bernoulli: A(η) = ln(1 + e^η), h = 1, pmf μ^x (1 − μ)^{1−x} with μ = 1/(1 + e^{−η});
* Poisson: A(η) = e^η, h(x) = 1/x!, pmf λ^x e^{−λ}/x! with λ = e^η (sums to x = 150);
* Normal with unit variance: A(η) = η²/2, h(x) = φ(x), density N(η, 1) (Gauss–Hermite,
  40 nodes: exact for the polynomial integrands these identities produce);
* the Bregman divergence of the log-partition B_A(x, y) = A(x) − A(y) − (x − y)·A′(y).

Densities are the textbook pmf/pdf (not h·exp(ηx − A)), expectations, D_KL, entropies and
the Fisher information F(η) = Var(T) are computed from them, and ∇A, ∇²A by ``mpmath.diff``
(at 60 digits): the two sides come from different routes.  Example: with the ½ of a
Bregman divergence added, the identity fails for the Poisson member.
"""

from __future__ import annotations

import functools
import re

import mpmath

from . import nodes as N
from .mvn import _read

mp = mpmath.mp
POISSON_TERMS = 150
_DENSITY = re.compile(r"^p_(?P<eta>eta(?:_\w+)?)\((?P<x>.+)\)$")
_EXPECT = re.compile(r"^E_(?P<eta>eta(?:_\w+)?)\[(?P<body>.*)\]$")
_KL = re.compile(r"^D_?KL\(p_(?P<a>eta(?:_\w+)?)(?:\|\||Vert)p_(?P<b>eta(?:_\w+)?)\)$")
_H = re.compile(r"^H\(p_(?P<eta>eta(?:_\w+)?)\)$")
_F = re.compile(r"^F\((?P<eta>eta(?:_\w+)?)\)$")
_A = re.compile(r"^A\((?P<arg>.+)\)$")
_BREGMAN = re.compile(r"^B_A\((?P<x>[^,]+),(?P<y>[^,]+)\)$")


def mentions(text: str) -> bool:
    """Does a relation speak of a general family (A(η), p_η, T(x), E_η, F(η))?"""
    return bool(re.search(r"A\(\\?eta|p_\{?\\?eta|p_eta|E_\{?\\?eta|E_eta|F\(\\?eta"
                          r"|∇²?A(?!\^)", text))  # not ∇A^*: the conjugate is left abstract


def general(st, lhs, rhs) -> bool:
    """Is ``lhs = rhs`` an identity for every family?  Both sides must speak of the general
    family (∇A(η) = e^η is the Poisson member's, not a general identity), and the text must
    not have defined A, T or h (a particular family)."""
    if any(k in st.defs for k in ("A", "T", "h")):
        return False
    return all(mentions(N.to_text(side).replace(" ", "")) or "T(" in N.to_text(side)
               for side in (lhs, rhs))


def quantity(name: str) -> bool:
    """Is ``name`` a quantity of a general family (E_η[T], D_KL(p_η‖p_η'), H(p_η), F(η),
    p_η(x)), so that a relation it heads is a claim, not its definition?"""
    name = name.replace(" ", "")
    return any(r.match(name) for r in (_DENSITY, _EXPECT, _KL, _H, _F))


class Family:
    """One member: its log-partition, base measure, density and support."""

    def __init__(self, name):
        self.name = name

    def A(self, eta):
        return {"Bernoulli": lambda: mp.log1p(mp.exp(eta)), "Poisson": lambda: mp.exp(eta),
                "Normal": lambda: eta ** 2 / 2}[self.name]()

    def h(self, x):
        if self.name == "Poisson":
            return 1 / mp.factorial(int(x))
        if self.name == "Normal":
            return mp.npdf(x)
        return mp.mpf(1)

    def density(self, eta, x):
        if self.name == "Bernoulli":
            mu = 1 / (1 + mp.exp(-eta))
            return mu if x == 1 else 1 - mu
        if self.name == "Poisson":
            lam = mp.exp(eta)
            return lam ** int(x) * mp.exp(-lam) / mp.factorial(int(x))
        return mp.npdf(x, eta, 1)

    def expect(self, eta, f):
        """E_η[f(x)] against the textbook density."""
        if self.name == "Bernoulli":
            return mp.fsum(self.density(eta, x) * f(mp.mpf(x)) for x in (0, 1))
        if self.name == "Poisson":
            return mp.fsum(self.density(eta, x) * f(mp.mpf(x)) for x in range(POISSON_TERMS))
        nodes, weights = _hermite40()
        return mp.fsum(w * f(eta + mp.sqrt(2) * t) for t, w in zip(nodes, weights, strict=True)
                       ) / mp.sqrt(mp.pi)

    def sample_eta(self, rng):
        return mp.mpf(mpmath.nstr(mp.mpf(-2) + 4 * mp.mpf(rng.random()), 4))

    def sample_x(self, rng):
        if self.name == "Bernoulli":
            return mp.mpf(rng.randint(0, 1))
        if self.name == "Poisson":
            return mp.mpf(rng.randint(0, 8))
        return mp.mpf(mpmath.nstr(mp.mpf(-3) + 6 * mp.mpf(rng.random()), 4))


FAMILIES = [Family("Bernoulli"), Family("Poisson"), Family("Normal")]


@functools.lru_cache(maxsize=1)
def _hermite40():
    """Nodes and weights of the 40-point Gauss–Hermite rule (∫ e^{-t²} f(t) dt)."""
    with mp.workdps(N.DPS + 10):
        return mpmath.gauss_quadrature(40, "hermite")


def value(ev, name):
    """Value of an exponential-family name for the evaluator ``ev`` (a
    :class:`.linalg.Evaluator` whose point has a ``family``); None if ``name`` is not one."""
    fam = ev.pt.family
    if fam is None:
        return None
    name = name.replace(" ", "")
    if m := _A.match(name):
        return fam.A(_scalar(ev, m.group("arg")))
    if m := _BREGMAN.match(name):  # B_A(x, y) = A(x) − A(y) − (x − y)·A′(y), A′ by mpmath.diff
        x, y = _scalar(ev, m.group("x")), _scalar(ev, m.group("y"))
        return fam.A(x) - fam.A(y) - (x - y) * mpmath.diff(fam.A, y)
    if name in ("T", "T(x)"):
        return ev.name("x")
    if name == "h(x)":
        return fam.h(ev.name("x"))
    if m := _DENSITY.match(name):
        return fam.density(ev.name(m.group("eta")), _scalar(ev, m.group("x")))
    if m := _EXPECT.match(name):
        body = _read("x" if m.group("body") == "T" else m.group("body"))
        return fam.expect(ev.name(m.group("eta")), lambda x: ev.with_bound("x", x).value(body))
    if m := _KL.match(name):
        a, b = ev.name(m.group("a")), ev.name(m.group("b"))
        return fam.expect(a, lambda x: mp.log(fam.density(a, x) / fam.density(b, x)))
    if m := _H.match(name):
        eta = ev.name(m.group("eta"))
        return fam.expect(eta, lambda x: -mp.log(fam.density(eta, x)))
    if m := _F.match(name):  # the Fisher information: the variance of T
        eta = ev.name(m.group("eta"))
        mean = fam.expect(eta, lambda x: x)
        return fam.expect(eta, lambda x: (x - mean) ** 2)
    return None


def _scalar(ev, text):
    return ev.value(_read(text))
