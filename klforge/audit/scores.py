r"""Scores: the derivative of a log-density the text declared, with respect to a parameter.

Course text writes the score of a density it gave before,
``\frac{\partial}{\partial\mu}\log p(x) = \frac{x-\mu}{\sigma^2}``, also as
``\frac{\partial \ln p(x)}{\partial\mu}``, ``\partial_\mu \ln p(x)`` or
``\nabla_\mu \log q(x)``.  The parser leaves the ``\frac{\partial}{…}`` forms unread and reads
``\nabla_\mu\ln q(x)`` as one name; :func:`rewrite` turns either into the derivative node
``Func("grad", ln density, μ)`` (evaluated by :mod:`.analysis` with ``mpmath.diff``) when the
density is known:

* a formula the text gave, ``p(x) = \frac{1}{\sqrt{2\pi\sigma^2}}e^{-(x-\mu)^2/2\sigma^2}``
  (``st.fdefs``, :func:`.textdensities.record`), at its own variable;
* a named family, ``p = \mathcal N(\mu, \sigma^2)`` or ``X \sim \mathcal N(\mu, \sigma^2)``
  read for ``p(x)``: the log-density of N(m, v) (mean, variance) is −½ln(2πv) − (x−m)²/(2v),
  of Exp(λ) ln λ − λx, of Pois(λ) x ln λ − λ (− ln x!, which no parameter's derivative sees),
  of Bern(p) x ln p + (1−x) ln(1−p).

The parameter must occur in the density (∂/∂μ of a formula without μ is not what the author
means): otherwise the side is left as it was.  Example: after ``p = \mathcal N(\mu,
\sigma^2)``, ``\frac{\partial}{\partial\mu}\log p(x) = \frac{\mu-x}{\sigma^2}`` is an error at
random (x, μ, σ).
"""

from __future__ import annotations

import re
from fractions import Fraction

from . import known
from . import nodes as N
from .distributions import parameter

_LOG = r"\\(?:log|ln)\s*(?:\\left)?\(?\s*"
_DENS = (r"(?P<f>[A-Za-z])(?:_\{?(?P<fs>[A-Za-z0-9]+)\}?)?\s*(?:\\left)?\(\s*(?P<x>[A-Za-z])\s*"
         r"(?:\\right)?\)")
_END = r"\s*(?:\\right)?\)?\s*"
_PAR = r"\\?(?P<v>[A-Za-z]+)(?:_\{?(?P<vs>[A-Za-z0-9]+)\}?)?"
_FORMS = [re.compile(r"^\s*" + f + r"\s*$") for f in (
    r"\\[dt]?frac\{\s*\\partial\s*\}\{\s*\\partial\s*" + _PAR + r"\s*\}\s*(?:\\[,;!]\s*)?"
    + _LOG + _DENS + _END,                                   # \frac{\partial}{\partial\mu}\log p(x)
    r"\\[dt]?frac\{\s*\\partial\s*" + _LOG + _DENS + _END + r"\}\{\s*\\partial\s*" + _PAR
    + r"\s*\}",                                              # \frac{\partial \ln p(x)}{\partial\mu}
    r"\\(?:partial|nabla)_\{?" + _PAR + r"\}?\s*" + _LOG + _DENS + _END)]  # \partial_\mu \ln p(x)


def _n(k: int) -> N.Num:
    return N.Num(Fraction(k), str(k), 0, 0)


def _family_log_density(fam: str, params: list, x: N.Name):
    """The log-density of a named family at x, as a node (None for other families)."""
    def ln(a):
        return N.Func("ln", a)

    if fam == "normal":
        m, v = params
        diff = N.Add([(1, x), (-1, m)])
        return N.Add([(-1, N.Mul([("*", _n(1)), ("/", _n(2)),
                                   ("*", ln(N.Mul([("*", _n(2)),
                                                   ("*", N.Const("pi")), ("*", v)])))])),
                      (-1, N.Mul([("*", N.Pow(diff, _n(2))),
                                   ("/", N.Mul([("*", _n(2)), ("*", v)]))]))])
    if fam == "exponential":
        (lam,) = params
        return N.Add([(1, ln(lam)), (-1, N.Mul([("*", lam), ("*", x)]))])
    if fam == "poisson":
        (lam,) = params
        return N.Add([(1, N.Mul([("*", x), ("*", ln(lam))])), (-1, lam)])  # − ln x!: no λ
    if fam == "bernoulli":
        (p,) = params
        one = _n(1)
        return N.Add([(1, N.Mul([("*", x), ("*", ln(p))])),
                      (1, N.Mul([("*", N.Add([(1, one), (-1, x)])),
                                   ("*", ln(N.Add([(1, one), (-1, p)])))]))])
    return None


def _log_density(aud, st, f: str, x: str):
    """ln f(x) as a node: the formula the text gave for f, or its named family; None."""
    fdef = getattr(st, "fdefs", {}).get(f)
    if fdef is not None and fdef[0] == x:
        return N.Func("ln", fdef[1])
    named = st.aliases.get(f) or getattr(aud, "declared", {}).get(f.upper())  # X ~ N(…): p(x)
    dist = known.distribution(named) if named else None
    if dist is None:
        return None
    try:
        params = [parameter(a) for a in dist[1]]
    except N.NotEvaluable:
        return None
    return _family_log_density(dist[0], params, N.Name(x))


def rewrite(aud, node):
    """A side that is the score of a declared density (unread text, or ``\\nabla_\\mu \\ln
    q(x)`` parsed as a gradient of ``ln q(x)``) as ``Func("grad", ln density, parameter)``;
    ``node`` unchanged otherwise."""
    from .judging import state

    if isinstance(node, N.Func) and node.name == "grad":
        return _parsed_gradient(aud, state(aud), node)
    text = getattr(node, "text", None)
    if not isinstance(text, str) or not ("partial" in text or "nabla" in text):
        return node
    m = next((p.match(text) for p in _FORMS if p.match(text)), None)
    if m is None:
        return node
    d = m.groupdict()
    f = d["f"] + (f"_{d['fs']}" if d.get("fs") else "")
    var = d["v"] + (f"_{d['vs']}" if d.get("vs") else "")
    out = _score(aud, state(aud), f, d["x"], var)
    if out is None:
        return node
    out.written = text.strip()
    return out


def _score(aud, st, f: str, x: str, var: str):
    """∂/∂var ln f(x) as a node, or None (no density, or var not one of its parameters)."""
    body = _log_density(aud, st, f, x)
    if body is None or var == x or not any(isinstance(n, N.Name) and n.name == var
                                           for n in N.walk(body)):
        return None
    return N.Func("grad", body, N.Name(var))


def _parsed_gradient(aud, st, node):
    """``Func("grad", ln(q(x)), μ)`` as the parser reads ``\\nabla_\\mu\\ln q(x)``."""
    inner, var = node.arg, node.base
    m = re.fullmatch(r"([A-Za-z](?:_\w+)?)\(([A-Za-z])\)", getattr(
        getattr(inner, "arg", None), "name", "") or "")
    if not (isinstance(inner, N.Func) and inner.name in ("ln", "log") and inner.base is None
            and isinstance(var, N.Name) and m):
        return node
    out = _score(aud, st, m.group(1), m.group(2), var.name)
    if out is None:
        return node
    out.written = f"∇_{var.name} ln {m.group(1)}({m.group(2)})"
    return out
