r"""Conventions stated as values at a zero: ``p\ln\frac{p}{0} = +\infty`` (p > 0).

Such a relation (a literal 0 that divides, or in a logarithm's argument, with ±∞ on the right)
is a limit: the 0 stands for a quantity that tends to 0 from above.  The left
side is evaluated with the 0 replaced by 10^-10, 10^-20 and 10^-40 at random points of the
other symbols' domains; it tends to +∞ (−∞) when it grows (falls) at every point and does not
settle — the second step is at least as large as the first, as for ``p·ln(p/ε)`` (linear in
ln ε) or ``1/ε``, whereas a convergent expression's steps shrink.  Holding at every point is
ok ("tends to +∞ as the 0 is approached from above"); a point where it settles or moves the
other way is an error with the three values.

Example: ``p\ln\frac{p}{0} = +\infty`` → ok; ``0\cdot\frac{1}{0} = +\infty`` is not read here
(the 0 that multiplies is not a divisor, the audit leaves it to the numeric checks).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from . import nodes as N

EXPONENTS = (10, 20, 40)
POINTS = 12


def _infinity(node) -> int:
    """+1 for +∞, −1 for −∞, 0 otherwise."""
    if isinstance(node, N.Const) and node.name == "inf":
        return 1
    if isinstance(node, N.Neg) and isinstance(node.arg, N.Const) and node.arg.name == "inf":
        return -1
    return 0


def _divisors(node) -> list:
    r"""The literal zeros that divide in ``node`` (``p/0``) or stand in a logarithm's argument
    (``\ln\frac{0}{p}``), once each."""
    zero = lambda f: isinstance(f, N.Num) and f.value == 0  # noqa: E731
    found = [f for m in N.walk(node) if isinstance(m, N.Mul) for op, f in m.factors
             if op == "/" and zero(f)]
    found += [f for m in N.walk(node) if isinstance(m, N.Func) and m.name in ("ln", "log")
              for f in N.walk(m.arg) if zero(f)]
    return list({id(f): f for f in found}.values())


def _with(node, zero, k):
    """``node`` with the literal ``zero`` (by identity) replaced by 10^-k."""
    from .densities import _map

    small = N.Num(Fraction(1, 10 ** k), f"1e-{k}", k, zero.pos)
    return _map(node, lambda m: small if isinstance(m, N.Num) and m.pos == zero.pos
                and m.value == 0 else m)


def judge(ctx, lhs, op, rhs, names, points) -> tuple[str, str] | None:
    """(verdict, message) for ``lhs = ±∞`` with a division by a literal 0; None when the
    relation is not of that form.  ``points`` yields points of ``names``."""
    sign = _infinity(rhs)
    zeros = _divisors(lhs)
    if op != "=" or not sign or len(zeros) != 1:
        return None
    sides = [_with(lhs, zeros[0], k) for k in EXPONENTS]
    held = 0
    for point in points:
        try:
            v = [ctx.value(s, point) for s in sides]
        except N.NotEvaluable:
            continue
        d1, d2 = sign * (v[1] - v[0]), sign * (v[2] - v[1])
        where = f" at {_describe(point)}" if point else ""
        if not (d1 > 0 and d2 >= d1 * (1 - mpmath.mpf(10) ** -20)):
            values = ", ".join(mpmath.nstr(x, 8) for x in v)
            return "error", (f"does not tend to {'+' if sign > 0 else '−'}∞ as the 0 is "
                             f"approached from above{where}: {values} with 10^-10, 10^-20, "
                             "10^-40 in its place")
        held += 1
        if held >= POINTS:
            break
    if held < 4 and names:
        return None
    return "ok", (f"tends to {'+' if sign > 0 else '−'}∞ as the 0 is approached from above "
                  f"(10^-10, 10^-20, 10^-40 in its place) at {held} random points"
                  if names else f"tends to {'+' if sign > 0 else '−'}∞ as the 0 is approached "
                  "from above")


def _describe(point) -> str:
    from .symbols import describe

    return describe(point)
