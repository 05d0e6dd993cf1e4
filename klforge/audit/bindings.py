r"""Numeric bindings: a symbol given a number (``x = 0.3``, ``\mu = 2``) is a definition, and
later relations that read the symbol are judged with that value substituted.

Two questions about a step of a chain whose definition reads such bound symbols:

* :func:`substitutes` — is the step the definition with *new numbers written in place of the
  bound symbols* (``\frac{\alpha}{m} = \frac{.05}{20}`` after ``m = 10``: a new example, not
  a contradiction)?  Only when the two sides line up node by node (:func:`.unify._align`) and
  every sub-tree that reads a bound symbol is that symbol alone, opposite a number.
  ``\ln\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2}{2\sigma_2^2} - \frac12 = \ln 2 - 0.25``
  after ``\sigma_1 = 1, \sigma_2 = 2`` does not line up: it is a claim about the bound values,
  judged (and here wrong: the value is ln 2 − 0.375).
* :func:`point` — the binding a wrong step was judged at, for its message: "at σ_1 = 1
  (line 3), σ_2 = 2 (line 3)".

Domain: names the auditor holds as data (``NameValue.datum``: bound to a bare number).
Example: after ``Let $x = 0.3$.``, ``$x^2 + 1 = 1.9$`` is an error "… written 1.9 (at x = 0.3,
line 1)".
"""

from __future__ import annotations

import mpmath

from . import nodes as N
from .unify import _align


def bound(aud, node) -> list[str]:
    """Names in ``node`` bound to a bare number (data), in order of appearance."""
    out: list[str] = []
    for n in N.walk(node):
        if isinstance(n, (N.Name, N.Var)) and n.name in aud.names and aud.names[
                n.name].datum and n.name not in out:
            out.append(n.name)
    return out


def substitutes(aud, definition, node) -> bool:
    """Is ``node`` ``definition`` with numbers written in place of its bound symbols?"""
    if definition is None or node is None:
        return False
    data = set(bound(aud, definition))
    if not data:
        return False
    pairs: list = []
    if not _align(definition, node, pairs):
        return False
    seen = False
    for a, b in pairs:
        if not {n.name for n in N.walk(a) if isinstance(n, (N.Name, N.Var))} & data:
            continue
        if not isinstance(a, (N.Name, N.Var)) or not N.literals(b) or any(
                isinstance(n, (N.Name, N.Var)) for n in N.walk(b)):
            return False
        seen = True
    return seen


def given(aud, *nodes) -> str:
    """``"x = 0.3, line 1"`` for the bound symbols the ``nodes`` read; "" when none."""
    names = []
    for node in nodes:
        names += [k for k in bound(aud, node) if k not in names]
    if not names:
        return ""
    lines = {aud.names[k].line for k in names}
    values = ", ".join(f"{k} = {aud.names[k].stated}" for k in names)
    where = (f"line {lines.pop()}" if len(lines) == 1 else
             "lines " + ", ".join(str(x) for x in sorted(lines)))
    return f"{values}, {where}"


def point(aud, node) -> str:
    """``" (at x = 0.3, line 1)"`` for the bound symbols ``node`` reads; "" when none."""
    text = given(aud, node)
    return f" (at {text})" if text else ""


def value_of_definition(aud, ctx, st, prev, node, at, relation, stated) -> bool:
    r"""``y = 6`` after ``y = 3x + 1`` and ``x = 2``: a number stated for a name defined by a
    formula is checked against the formula at the bound values (error: "y = 3·x + 1 is 7 at
    x = 2 (line 1), written 6").  True when judged; False when the formula does not evaluate
    at the document's values (a free symbol left: the number then binds the name as before)."""
    from .judging import _add, _continue
    from .latex import Unsupported

    formula = st.defs.get(prev.name)
    if formula is None or isinstance(formula, Unsupported) or not N.literals(node) or any(
            isinstance(n, (N.Name, N.Var)) for n in N.walk(node)):
        return False
    names = bound(aud, formula)
    if not names:
        return False
    try:
        exact = ctx.value(formula, {})
        shown = aud.interval(node, set(), stated=True)
    except (N.NotEvaluable, TypeError, ValueError, ZeroDivisionError):
        return False
    text = f"{prev.name} = {N.to_text(formula)}"
    at_point = "at " + given(aud, formula)  # "at x = 2, line 1"
    if shown.a <= exact <= shown.b:
        _add(aud, at, "ok", relation, stated, f"agrees with {text} {at_point}", "step")
    else:
        _add(aud, at, "error", relation, stated, f"{text} is {mpmath.nstr(exact, 10)} "
             f"{at_point}, written {stated}", "step", computed=mpmath.nstr(exact, 10))
    _continue(aud, node)
    return True
