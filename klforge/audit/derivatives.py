"""Derivatives written in Leibniz notation, read back from the products the parser makes.

The parser reads ``dL/dp`` as d·L/dp, ``\\frac{dp}{d\\eta}`` as dp/(d·η) and ``dp/d\\eta`` as
dp/d·η.  :func:`rewrite` turns these shapes into the derivative node ``Func("grad", f,
base=v)`` that :mod:`.linalg` evaluates with ``mpmath.diff`` (60 digits) at sampled points:

* dL/dp, \\frac{dL}{dp}, \\frac{d}{dp} L — the derivative of L (a definition of the text,
  ``L(p) = -(0.6\\ln p + 0.4\\ln(1-p))`` or ``L = …``) in p;
* dp/dη with η defined through p (``\\eta = \\ln\\frac{p}{1-p}``) — 1/(dη/dp), the inverse
  function's derivative (:meth:`.linalg.Evaluator.gradient`).

A prime on a function the text defined (``f(t) = t\\log t``, then ``f''(t) = 1/t``, or
``\\ell'(\\theta)`` after ``\\ell(\\theta) = …``) is read by :func:`primes`: the parser leaves
``f''(t)`` unread, and it becomes ``hess`` (``grad`` for one prime) of the function's formula in
its own variable, evaluated the same way; :func:`applied` puts the formula in place of ``g(x)``
elsewhere (``g(x) \\ge x``), never at the head of an equation (``f(t) = -\\ln t`` may give f a
new meaning).

Only a differential whose letters name a symbol (``dp``, ``dtheta``, ``deta``) is read; a
``d`` that is a variable of the text (``d = F^{-1}g``) keeps its meaning when no differential
follows.  Example: ``\\frac{dp}{d\\eta} = p(1-p)`` with η the logit of p → ok; ``= -p(1-p)``
→ error at a sampled p.
"""

from __future__ import annotations

import copy
import re

import mpmath

from . import nodes as N

_DIFF = re.compile(r"^d(?P<v>[a-z]|alpha|beta|eta|theta|mu|sigma|lambda|tau|phi|psi|x_\w+)$")


def _differential(n):
    """``dp`` → "p"; ``d·eta`` (a product d times a symbol) → "eta"; None otherwise."""
    if isinstance(n, N.Name) and (m := _DIFF.match(n.name)):
        return m.group("v")
    if (isinstance(n, N.Mul) and len(n.factors) == 2 and all(o == "*" for o, _ in n.factors)
            and isinstance(n.factors[0][1], N.Name) and n.factors[0][1].name == "d"
            and isinstance(n.factors[1][1], N.Name)):
        return n.factors[1][1].name
    return None


def _grad(f, v, pos=0):
    return N.Func("grad", f, N.Name(v, pos))


def _from_factors(factors):
    """A derivative made of a product's factors, or None."""
    ops = [o for o, _ in factors]
    nodes = [n for _, n in factors]
    d = lambda n: isinstance(n, N.Name) and n.name == "d"  # noqa: E731
    # d · L / dp   (dL/dp)
    if len(factors) == 3 and ops == ["*", "*", "/"] and d(nodes[0]) and _differential(nodes[2]):
        return _grad(nodes[1], _differential(nodes[2]))
    # (d · L) / dp   (\frac{dL}{dp})
    if (len(factors) == 2 and ops == ["*", "/"] and isinstance(nodes[0], N.Mul)
            and _differential(nodes[1]) and len(nodes[0].factors) == 2
            and d(nodes[0].factors[0][1]) and nodes[0].factors[1][0] == "*"):
        return _grad(nodes[0].factors[1][1], _differential(nodes[1]))
    # dp / (d · eta)  or  dp / deta   (\frac{dp}{d\eta})
    if (len(factors) == 2 and ops == ["*", "/"] and _differential(nodes[0])
            and _differential(nodes[1])):
        return _grad(N.Name(_differential(nodes[0])), _differential(nodes[1]))
    # dp / d · eta   (dp/d\eta)
    if (len(factors) == 3 and ops == ["*", "/", "*"] and _differential(nodes[0]) and d(nodes[1])
            and isinstance(nodes[2], N.Name)):
        return _grad(N.Name(_differential(nodes[0])), nodes[2].name)
    return None


def rewrite(node):
    """``node`` with Leibniz derivatives as ``grad`` nodes (unchanged when there are none)."""
    if isinstance(node, N.Mul):
        whole = _from_factors(node.factors)
        if whole is not None:
            return whole
        fs = node.factors
        # (d/dp) · L   (\frac{d}{dp} L): the operator applied to the next factor
        for i in range(len(fs) - 1):
            op = fs[i][1]
            if (fs[i][0] == "*" and isinstance(op, N.Mul) and len(op.factors) == 2
                    and [o for o, _ in op.factors] == ["*", "/"]
                    and isinstance(op.factors[0][1], N.Name) and op.factors[0][1].name == "d"
                    and _differential(op.factors[1][1]) and fs[i + 1][0] == "*"):
                g = _grad(rewrite(fs[i + 1][1]), _differential(op.factors[1][1]))
                rest = fs[:i] + [("*", g)] + fs[i + 2:]
                return rest[0][1] if len(rest) == 1 else N.Mul(
                    [(o, rewrite(n)) for o, n in rest])
    return N.map_children(node, rewrite)


_PRIME = re.compile(r"^\s*\\?(?P<f>[A-Za-z]+)\s*(?P<p>'{1,2}|\^\s*\{?\s*(?:\\prime\s*){1,2}\}?"
                    r"|\^\s*\{\s*''?\s*\}|\^\s*\{?\s*\(\s*[12]\s*\)\s*\}?)\s*"
                    r"(?:\\left)?\(\s*\\?(?P<x>[A-Za-z]+)\s*(?:\\right)?\)\s*$")


def primes(aud, node):
    """``f''(t)`` (unread by the parser) as the second derivative of the function the text
    defined, ``f(t) = t\\log t`` (:attr:`functions` of the auditor: name -> (variable,
    formula)); ``node`` unchanged otherwise, or when the argument is not that variable."""
    text = (getattr(node, "text", "") or "" if not isinstance(node, N.Name) else node.name
            if "'" in node.name else "") if node is not None else ""  # f''(t) read as a name
    m = _PRIME.match(text)
    if m is None:
        return _partial(aud, node, text)
    fn = getattr(aud, "functions", {}).get(m.group("f"))
    if fn is None or fn[0] != (m.group("x"),):
        return node
    mark = m.group("p")
    second = mark.count("'") == 2 or mark.count("prime") == 2 or "2" in mark
    return _derivative(fn[1], m.group("x"), second, text)


def _derivative(body, var, second, text):
    out = N.Func("hess" if second else "grad", body, N.Name(var))
    out.written = text.strip()  # the report shows f''(t) as the author wrote it
    return out


_F = r"\\?(?:(?:mathcal|mathrm|operatorname)\s*\{)?(?P<f>[A-Za-z]+)\}?\s*(?:\((?P<args>[^()]*)\))?"
_V = r"\\?(?P<v>[A-Za-z]+)(?:_\{?(?P<sub>[A-Za-z0-9]+)\}?)?"
_PARTIALS = [re.compile(r"^\s*" + p + r"\s*$") for p in (
    r"\\[dt]?frac\{\s*\\partial(?:\^\{?(?P<o>2)\}?)?\s*" + _F + r"\s*\}\{\s*\\partial\s*" + _V
    + r"(?:\^\{?2\}?)?\s*\}",                                     # \frac{\partial L}{\partial z}
    r"\\[dt]?frac\{\s*\\partial(?:\^\{?(?P<o>2)\}?)?\s*\}\{\s*\\partial\s*" + _V
    + r"(?:\^\{?2\}?)?\s*\}\s*(?:\\[,;!]\s*)?" + _F,                 # \frac{\partial}{\partial z} L
    r"\\partial_\{?" + _V + r"\}?\s*" + _F)]                          # \partial_z L


def _partial(aud, node, text):
    r"""``\frac{\partial\mathcal L}{\partial z}``, ``\frac{\partial^2 \ell}{\partial\mu^2}``,
    ``\partial_z L`` of a function the text defined (``\mathcal L(z, y) = …``: the others held
    fixed) or of a name it gave a formula (``\ell = …``); ``node`` unchanged otherwise."""
    if "partial" not in text:
        return node
    for pattern in _PARTIALS:
        m = pattern.match(text)
        if m is None:
            continue
        var = m.group("v") + (f"_{m.group('sub')}" if m.group("sub") else "")
        fn = getattr(aud, "functions", {}).get(m.group("f"))
        if fn is not None and (m.group("args") is None or _args(m.group("args")) == fn[0]):
            formula, body = fn[1], fn[1]
        else:
            from .judging import state
            formula = state(aud).defs.get(m.group("f"))
            if m.group("args") is not None or formula is None:
                return node
            body = N.Name(m.group("f"))  # the evaluator reads the name's formula
        if not _uses(formula, var):
            return node  # ∂/∂v of a formula without v: not what the author means
        return _derivative(body, var, m.groupdict().get("o") == "2", text)
    return node


def _args(text: str) -> tuple:
    return tuple(a.strip().lstrip("\\") for a in text.split(","))


def _uses(node, var: str) -> bool:
    return any(isinstance(n, N.Name) and n.name == var for n in N.walk(node))


#: heads left to the density readers: p(x), q(x) are distributions, not formulas to inline
_DENSITIES = {"p", "q", "P", "Q"}


def applied(aud, node):
    """``g(x)`` of a function the text defined (``g(x) = \\ln(1 + e^x)``), at its own
    variable, replaced by its formula, so ``g(x) \\ge x`` is judged; other nodes unchanged."""
    functions = getattr(aud, "functions", None)
    if not functions or node is None or isinstance(node, (Exception, N.Relation)):
        return node

    def swap(n):
        if isinstance(n, N.Name) and n.name in aud.names:
            return n  # a name with a value (H(Y|X) ≈ 0.99): the numeric checks read it as printed
        if isinstance(n, N.Name) and n.name in functions and "(" in n.name:  # h(X), D(p||q)
            out = copy.copy(functions[n.name][1])
            out.written = n.name
            return out
        if isinstance(n, N.Name):
            m = re.fullmatch(r"([A-Za-z]+)\((\w+(?:,\w+)*)\)", n.name)
            fn = functions.get(m.group(1)) if m and m.group(1) not in _DENSITIES else None
            if fn is None or fn[0] != tuple(m.group(2).split(",")):
                return n
            out = copy.copy(fn[1])
            out.written = n.name  # the report shows g(x) as written
            return out
        return N.map_children(n, swap)
    return swap(node)


def record(aud, prev, op, node) -> None:
    """``f(t) = t\\log t`` heading a chain: remember f's variable and formula for
    :func:`primes` (per section: :func:`.layout.new_section` forgets them)."""
    if op not in ("=", ":=") or not isinstance(prev, N.Name) or node is None or isinstance(
            node, (Exception, N.Relation)):
        return
    m = re.fullmatch(r"([A-Za-z]+)\(([A-Za-z]\w*(?:,[A-Za-z]\w*)*)\)", prev.name)
    params = tuple(m.group(2).split(",")) if m else ()
    if m and any(_uses(node, v) for v in params):
        aud.functions = {**getattr(aud, "functions", {}), m.group(1): (params, node)}
        if len(params) == 1:
            _positive(aud, params[0], node)


def record_name(aud, prev, op, node, finding) -> None:
    """``h(X) = \\tfrac12\\ln(2\\pi e\\sigma^2)``, ``D(p\\|q) = p\\ln\\frac pq + …``: a name with
    arguments that the relation defines (its finding a definition, or nothing to evaluate on
    the left and a formula of symbols only on the right) stands for the formula in later
    relations (:func:`applied`); a density p(x) is left to the density readers, a function of
    its variable to :func:`record`."""
    if (op != "=" or not isinstance(prev, N.Name) or "(" not in prev.name or finding is None
            or node is None or isinstance(node, (Exception, N.Relation, N.Tuple))
            or prev.name.split("(")[0] in _DENSITIES or _is_value(node)):
        return
    head = prev.name.split("(")[0]
    if head in getattr(aud, "functions", {}):
        return  # f(t) = t ln t: a function of its variable
    if finding.kind == "definition" or (finding.severity == "unchecked" and finding.kind is None
                                        and "nothing to evaluate" in finding.message
                                        and not _applications(node)):
        aud.functions = {**getattr(aud, "functions", {}), prev.name: ((), node)}


def _applications(node) -> bool:
    """``H(p)``, ``p(k)``: the formula uses quantities of its own (``D = \\log K - H(p)`` is a
    claim about them, not a definition of D by symbols)."""
    return any(isinstance(n, N.Name) and "(" in n.name for n in N.walk(node))


def _is_value(node) -> bool:
    """A number or a formula of numbers only (``\\tfrac12\\ln(8\\pi e)``): an example's value,
    not a definition to carry on."""
    return not any(isinstance(n, (N.Name, N.Var)) for n in N.walk(node))


def _positive(aud, var: str, node) -> None:
    """``f(t) = t\\log t``, ``h(t) = (\\sqrt t - 1)^2``, ``\\ell(\\theta) = x\\ln\\theta + (1-x)
    \\ln(1-\\theta)``: the formula takes the logarithm or root of t (or of a − t), so it is
    defined for t > 0 (t < a) — the symbol's domain, unless the text gave it one."""
    from . import symbols as S
    from .judging import state
    domains = state(aud).domains
    if var in domains:
        return
    for n in N.walk(node):
        if not (isinstance(n, N.Func) and n.name in ("log", "ln", "sqrt", "lg")):
            continue
        if isinstance(n.arg, N.Name) and n.arg.name == var:  # ln t: t > 0
            S.restrict(domains, var, ">", 0)
        elif (isinstance(n.arg, N.Add) and len(n.arg.terms) == 2 and n.arg.terms[1][0] == -1
              and isinstance(n.arg.terms[0][1], N.Num) and n.arg.terms[0][0] == 1
              and isinstance(n.arg.terms[1][1], N.Name) and n.arg.terms[1][1].name == var):
            S.restrict(domains, var, "<", mpmath.mpf(n.arg.terms[0][1].value.numerator)
                       / n.arg.terms[0][1].value.denominator)  # ln(1 − θ): θ < 1


def has(node) -> bool:
    return any(isinstance(n, N.Func) and n.name in ("grad", "hess") for n in N.walk(node))
