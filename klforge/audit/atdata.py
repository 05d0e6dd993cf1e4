"""Relations of p and q evaluated at the distributions the text gives as data.

After ``p = (0.25, 0.25, 0.25, 0.25)`` and ``q = (0.4, 0.3, 0.2, 0.1)``, a relation such as
``D_{KL}(q\\|p) = \\ln 4 - H(q)`` speaks of those two distributions (it holds for a uniform p
only), so it is not tested at random distributions: both sides are evaluated at the given
vectors (60 digits) and compared — equal within 10^-20 relative for ``=``, within 0.5 % for
``≈``, the inequality for ``≤``/``≥``.  A relation that holds for every p and q holds there
too, so reading the text's distributions cannot turn a true general claim into an error.

Example: with the vectors above, ``D_{KL}(q\\|p) = \\ln 4 - H(q)`` → ok "0.1064401353 =
0.1064401353"; ``= H(q) - \\ln 4`` → error with both sides.
"""

from __future__ import annotations

import mpmath

from . import expect
from . import nodes as N
from .judging import INEQUALITIES, TOL, _add, _num

mp = mpmath.mp


def judge(aud, ctx, lhs, op, rhs, names, at, relation, stated) -> bool:
    """A relation of p and q where the text gave both as data (``p = (0.25, 0.25, 0.25,
    0.25)``): evaluated at those distributions; False when they are not both given (the
    numeric checks then say what the relation is)."""
    vec = getattr(aud, "vectors", {})
    if not names <= {"\0p", "\0q"} or op not in ("=", "≈") + INEQUALITIES or not all(
            k in vec and abs(sum(vec[k]) - 1) < mp.mpf(10) ** -9 for k in ("p", "q")) or len(
            vec["p"]) != len(vec["q"]):
        return False
    point = {expect.MODEL: {"p": list(vec["p"]), "q": list(vec["q"])}}
    try:
        a, b = ctx.value(lhs, point), ctx.value(rhs, point)
    except (N.NotEvaluable, ZeroDivisionError):
        return False
    where = ", ".join(f"{k} = ({', '.join(mpmath.nstr(x, 6) for x in vec[k])})"
                      for k in ("p", "q"))
    tol = TOL * max(1, abs(a), abs(b))
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
