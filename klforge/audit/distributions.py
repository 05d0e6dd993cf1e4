r"""Expectations against named distributions, and reading names the parser flattened.

* :func:`against` — E[f(X)] for X ~ N(μ, σ²) (quadrature over μ ± 40σ), Bern(p) (two
  terms), Pois(λ) (``mpmath.nsum``), Exp(λ), Gamma(α, β) (shape, rate), Beta(α, β)
  (quadrature), at ``QUAD_DPS`` digits; the caller compares sides to ``QUAD_TOL``.
  Example: ``against("poisson", [mpf(2)], lambda k: k*k)`` is λ² + λ = 6.
* :func:`parameter` — a parameter written inside a flattened name (``"sigma^2"`` from
  ``\\mathcal N(\\mu,\\sigma^2)``) as a formula: Greek letters get their backslash back.
* :func:`special` — ``\psi(\alpha)`` (digamma), ``\Gamma(\alpha)``, ``B(a, b)`` (beta
  function), ``\operatorname{erf}(x)``, ``\sigma(x)`` (the logistic function: a Greek letter
  applied to a parenthesis is a function in course text), read as names by the parser.
* :func:`call_as_product` — ``n(n+1)``, read by the parser as a call, is n·(n+1) when the
  head is a plain symbol (not p, f, H, D, … which are functions in course text) and the
  parenthesis holds an operation.
"""

from __future__ import annotations

import functools
import re

import mpmath

from . import nodes as N
from .latex import GREEK, parse_chain

mp = mpmath.mp
QUAD_DPS = 15
QUAD_TOL = mpmath.mpf(10) ** -9    # sides agree to this relative tolerance after quadrature
#: heads that are functions in course text (p(x), f(x), H(p)), never a product
FUNCTION_HEADS = set("fghpqrFGHPQDKLEIZOo") | {"KL", "TV", "Var", "Cov", "exp", "ln", "log",
                                            "pi", "phi", "psi", "ell", "sigma", "mu",
                                            "Gamma", "lnGamma", "digamma", "erf"}  # Γ(α + 1)
_CALL = re.compile(r"^(?P<head>[A-Za-z]+(?:_\w+)?)\((?P<args>[^()]*(?:\([^()]*\)[^()]*)*)\)$")
_COMMANDS = re.compile(r"(?<![A-Za-z\\])(ln|log|exp|sqrt)(?=[A-Za-z\\(])")
_GREEK = re.compile(r"(?<![A-Za-z\\])(" + "|".join(sorted(GREEK, key=len, reverse=True))
                    + r")(?![A-Za-z])")


def against(fam, params, f):
    """E[f(X)] for X of family ``fam`` with parameters as written (N: mean, variance)."""
    with mp.workdps(QUAD_DPS):
        if fam == "normal":
            mu, var = params
            if var <= 0:
                raise N.NotEvaluable("a normal variance must be positive")
            s = mp.sqrt(var)
            # Gauss–Hermite with 24 and 40 nodes (exact for polynomials of degree < 48); if
            # they disagree, tanh-sinh over μ ± 40σ (the tails beyond are below e^-800)
            a, b = (sum(w * f(mu + mp.sqrt(2) * s * x) for x, w in _hermite(n)) / mp.sqrt(mp.pi)
                    for n in (24, 40))
            if abs(a - b) <= QUAD_TOL * max(1, abs(b)) / 100:
                return b
            return mp.quad(lambda t: mp.npdf(t, mu, s) * f(t), [mu - 40 * s, mu, mu + 40 * s])
        if fam == "bernoulli":
            (p,) = params
            return (1 - p) * f(mp.mpf(0)) + p * f(mp.mpf(1))
        if fam == "poisson":
            (lam,) = params
            return mp.nsum(lambda k: mp.exp(-lam) * lam ** k / mp.factorial(k) * f(k),
                           [0, mp.inf])
        if fam == "exponential":
            (lam,) = params
            return mp.quad(lambda t: lam * mp.exp(-lam * t) * f(t), [0, mp.inf])
        if fam == "gamma":  # t = u^(1/a) on [0, 1] removes the singularity t^(a-1) at 0
            a, b = params
            with mp.workdps(2 * QUAD_DPS):
                c = b ** a / mp.gamma(a)
                low = mp.quad(lambda u: mp.exp(-b * u ** (1 / a)) * f(u ** (1 / a)), [0, 1]) / a
                high = mp.quad(lambda t: t ** (a - 1) * mp.exp(-b * t) * f(t), [1, mp.inf])
                return c * (low + high)
        if fam == "beta":  # t = u^(1/a) near 0, 1 - t = v^(1/b) near 1: no singularities
            a, b = params
            with mp.workdps(2 * QUAD_DPS):
                half = mp.mpf(1) / 2
                low = mp.quad(lambda u: (1 - u ** (1 / a)) ** (b - 1) * f(u ** (1 / a)),
                              [0, half ** a]) / a
                high = mp.quad(lambda v: (1 - v ** (1 / b)) ** (a - 1) * f(1 - v ** (1 / b)),
                               [0, half ** b]) / b
                return (low + high) / mp.beta(a, b)
    raise N.NotEvaluable(f"expectations over {fam} are not supported")


@functools.cache
def _hermite(n: int):
    """Gauss–Hermite nodes and weights (weight e^{-x²}) at 2·QUAD_DPS digits, computed once."""
    with mp.workdps(2 * QUAD_DPS):
        return tuple(zip(*mpmath.gauss_quadrature(n, "hermite"), strict=True))


def density(fam, params, x):
    """The density (or mass) at x of family ``fam`` with parameters as written."""
    with mp.workdps(2 * QUAD_DPS):
        if fam == "normal":
            mu, var = params
            if var <= 0:
                raise N.NotEvaluable("a normal variance must be positive")
            return mp.npdf(x, mu, mp.sqrt(var))
        if fam == "exponential":
            (lam,) = params
            return lam * mp.exp(-lam * x) if x >= 0 else mp.mpf(0)
        if fam == "gamma":
            a, b = params
            return b ** a * x ** (a - 1) * mp.exp(-b * x) / mp.gamma(a) if x > 0 else mp.mpf(0)
        if fam == "beta":
            a, b = params
            return x ** (a - 1) * (1 - x) ** (b - 1) / mp.beta(a, b) if 0 < x < 1 else mp.mpf(0)
        if fam in ("poisson", "bernoulli"):  # a mass: e^{-λ}λ^k/k!, p^x (1 − p)^{1−x}
            if x != int(x) or x < 0 or (fam == "bernoulli" and x > 1):
                raise N.NotEvaluable(f"a {fam} mass at {mpmath.nstr(x, 6)}, not an outcome")
            (lam,) = params
            if fam == "bernoulli":
                return lam if x == 1 else 1 - lam
            return mp.exp(-lam) * lam ** int(x) / mp.factorial(int(x))
    raise N.NotEvaluable(f"the density of {fam} at a point is not supported")


def parameter(text: str):
    """A parameter as written inside a flattened name (``"sigma^2"``) as a formula."""
    text = _COMMANDS.sub(r"\\\1 ", text)  # lnbeta_1: \ln lost its backslash
    items = parse_chain(_GREEK.sub(r"\\\1", text))
    if len(items) != 1 or isinstance(items[0], Exception) or items[0] is None:
        raise N.NotEvaluable(f"cannot read the parameter {text!r}")
    return items[0]


def call_as_product(name: str, pos: int = 0):
    """``n(n+1)`` → Mul(n, n+1); None when the name is a function call or not readable."""
    m = _CALL.match(name)
    if not m or not re.search(r"[-+*^]", m.group("args")):
        return None
    head = m.group("head")
    if re.split(r"[_(^]", head, maxsplit=1)[0] in FUNCTION_HEADS:
        return None
    args = m.group("args")
    if "," in args or "|" in args:
        return None
    try:
        inner = parameter(args)
    except N.NotEvaluable:
        return None
    return N.Mul([("*", N.Name(head, pos)), ("*", inner)])


#: special functions as the parser names them: name head → (mpmath function, arity)
SPECIAL = {"psi": (mpmath.digamma, 1), "digamma": (mpmath.digamma, 1),
           "Gamma": (mpmath.gamma, 1), "B": (mpmath.beta, 2), "Beta": (mpmath.beta, 2),
           "erf": (mpmath.erf, 1), "Phi": (mpmath.ncdf, 1), "lnGamma": (mpmath.loggamma, 1),
           "sigma": (lambda x: 1 / (1 + mpmath.exp(-x)), 1),  # σ(x): the logistic function
           "log1p": (mpmath.log1p, 1), "expm1": (mpmath.expm1, 1),  # numerics' names
           "log1pmx": (lambda t: mpmath.log1p(t) - t, 1)}  # ln(1 + t) − t (SciPy's name)
_DIGIT_CALL = re.compile(r"^(?P<head>log1pmx|log1p|expm1)\((?P<args>[^()]*(?:\([^()]*\)[^()]*)*)\)$"
                         )  # names with a digit, which _CALL's head does not take


def special(name: str):
    """``psi(alpha_1)`` → (mpmath.digamma, ["alpha_1"]); None for other names."""
    m = _CALL.match(name) or _DIGIT_CALL.match(name)
    if not m or m.group("head") not in SPECIAL:
        return None
    fn, arity = SPECIAL[m.group("head")]
    args = [a.strip() for a in m.group("args").split(",")]
    return (fn, args) if len(args) == arity and all(args) else None
