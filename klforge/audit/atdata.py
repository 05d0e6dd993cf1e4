"""Relations of p and q evaluated at the distributions the text gives as data.

After ``p = (0.25, 0.25, 0.25, 0.25)`` and ``q = (0.4, 0.3, 0.2, 0.1)``, a relation such as
``D_{KL}(q\\|p) = \\ln 4 - H(q)`` speaks of those two distributions (it holds for a uniform p
only), so it is not tested at random distributions: both sides are evaluated at the given
vectors (60 digits) and compared — equal within 10^-20 relative for ``=``, within 0.5 % for
``≈``, the inequality for ``≤``/``≥``.  A relation that holds for every p and q holds there
too, so reading the text's distributions cannot turn a true general claim into an error.

A quantity of the two given distributions at the head of a chain (``D_{KL}(p\\Vert q) =
0.25(\\ln\\frac{0.25}{0.4} + …)``) is such a claim too, not a definition of a new name
(:func:`quantity_of_data`, asked by :meth:`.steps.Steps.start`); a side written as a rounded
decimal (``= 0.1218``) may differ from the exact value by half a unit of its last digit.

Example: with the vectors above, ``D_{KL}(q\\|p) = \\ln 4 - H(q)`` → ok "0.1064401353 =
0.1064401353"; ``= H(q) - \\ln 4`` → error with both sides.
"""

from __future__ import annotations

import re

import mpmath

from . import expect
from . import nodes as N
from .conditions import condition_follows as _condition_follows
from .judging import INEQUALITIES, TOL, _add, _num, state

mp = mpmath.mp
#: D_KL(p||q), KL(q||p), H(p,q), H(p): information quantities of the text's p and q
_OF_PQ = re.compile(r"^(?:D_?KL|KL|D|H|CE)\((?:[pq])(?:(?:\|\||,)[pq])?\)$")


def _given(aud) -> dict | None:
    """The text's p and q as data (equal lengths, each summing to 1), or None."""
    vec = getattr(aud, "vectors", {})
    if not all(k in vec and abs(sum(vec[k]) - 1) < mp.mpf(10) ** -9 for k in ("p", "q")) or len(
            vec["p"]) != len(vec["q"]):
        return None
    return vec


def passage(aud) -> tuple:
    """Where the reader is: the section, and the example or exercise (with its solution)
    around (:func:`.scopes.units`)."""
    off = getattr(aud, "reader_offset", None)
    unit = next((u for u in getattr(aud, "scope_units", ()) if off is not None
                 and u[0] <= off < u[1]), None)
    return getattr(aud, "section_no", 0), unit


def quantity_of_data(aud, name: str) -> bool:
    """Is ``name`` (``D_KL(p||q)``) a quantity of the p and q the text gave as data in this
    passage (the same section, and the same example or exercise, or none)?  An exercise that speaks
    of "two distributions with D(p‖q) = 0.02", or of another problem's model, after an example
    elsewhere in the section is not about that example's data."""
    where = getattr(aud, "vector_passage", {})
    return bool(_OF_PQ.match(name.replace(" ", ""))) and _given(aud) is not None and not (
        {"p", "q"} & set(state(aud).aliases)) and where.get("p") == where.get("q") == passage(
        aud) and not _condition_follows(aud)



def numeric(node) -> bool:
    """A side with no symbols at all (``0.1218``, ``0.25(\\ln\\frac{0.25}{0.4} + …)``, ``\\infty``):
    a value of the example's data; a formula in p and q (``H(p,q) - H(p)``,
    ``\\tfrac12\\chi^2(p\\|q)``) is a general statement, judged at random distributions."""
    return not any(isinstance(n, (N.Name, N.Var, N.Index)) for n in N.walk(node))


def _rounding(node):
    """Half a unit of the last digit of a side written as a rounded decimal (0.1218), else 0."""
    lit = node if isinstance(node, N.Num) else None
    if lit is None or lit.decimals <= 0:
        return mp.mpf(0)
    return mp.mpf(5) / mp.mpf(10) ** (lit.decimals + 1)


def _value(ctx, node, point):
    """A side's value at the data; ``\\infty`` (``D(q‖p) = +\\infty``) is +∞."""
    if isinstance(node, N.Const) and node.name == "inf":
        return mpmath.inf
    return ctx.value(node, point)


def judge(aud, ctx, lhs, op, rhs, names, at, relation, stated) -> bool:
    """A relation of p and q where the text gave both as data (``p = (0.25, 0.25, 0.25,
    0.25)``): evaluated at those distributions; False when they are not both given (the
    numeric checks then say what the relation is)."""
    vec = _given(aud)
    if not names <= {"\0p", "\0q"} or op not in ("=", "≈") + INEQUALITIES or vec is None:
        return False
    point = {expect.MODEL: {"p": list(vec["p"]), "q": list(vec["q"])}}
    saved = ctx.bits  # "= 0.1184 bits": the divergence in bits, as with log₂ on the other side
    ctx.bits = saved or "bits" in (getattr(lhs, "unit", None), getattr(rhs, "unit", None))
    try:
        a, b = _value(ctx, lhs, point), _value(ctx, rhs, point)
    except (N.NotEvaluable, ZeroDivisionError):
        return False
    finally:
        ctx.bits = saved
    where = ", ".join(f"{k} = ({', '.join(mpmath.nstr(x, 6) for x in vec[k])})"
                      for k in ("p", "q"))
    tol = TOL * max(1, abs(a), abs(b)) + max(_rounding(lhs), _rounding(rhs)) * (1 + TOL)
    if mpmath.isnan(a) or mpmath.isnan(b):
        return False
    if mpmath.isinf(a) or mpmath.isinf(b):  # D(q‖p) = ∞ where p has a zero that q has not
        ok = {"=": a == b, "≈": a == b, "≤": a <= b, "<": a < b, "≥": a >= b, ">": a > b}[op]
    else:
        ok = {"=": abs(a - b) <= tol, "≈": abs(a - b) <= mp.mpf("0.005") * max(1, abs(a)),
              "≤": a <= b + tol, "<": a < b + tol, "≥": a >= b - tol, ">": a > b - tol}[op]
    if ok:
        _add(aud, at, "ok", relation, stated, f"holds at the distributions the text gives "
             f"({where}): {_num(a)} {op} {_num(b)}", "step")
    else:
        _add(aud, at, "error", relation, stated, f"does not hold at the distributions the text "
             f"gives ({where}): the left side is {_num(a)} and the right side {_num(b)}",
             "step", computed=_num(a))
    return True
