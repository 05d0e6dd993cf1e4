r"""Randomized identity testing: both sides of a relation with free symbols evaluated at
random points of the symbols' domains (mpmath at 60 digits), the verdicts of equalities and
inequalities.

* ``_equality``: ok ("holds at N random points of the domain (σ positive)"), error with a
  counterexample point and both sides' values (confirmed with ``mpmath.iv`` where the
  formula allows), unchecked when too few points evaluate, or an equation (one side constant,
  sides that cross) rather than an identity.
* ``_inequality``: random points and the ends of the domains; "no counterexample in N points
  … not a proof" (ok), a counterexample (error), or a condition on the symbols.

The number of points is fixed (POINTS, INEQ_POINTS; QUAD_POINTS when a side is a
quadrature), so verdicts do not depend on the machine's load; a relation still running after
GUARD seconds of CPU time is "unchecked: time limit", never a weaker "ok".  Called by
:func:`.identity.judge` with an :class:`.expect.Context` for the points and values.

Example: ``\ln\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2}{2\sigma_2^2} - \frac12 =
r - 1 - \ln r`` with ``r = \sigma_1^2/\sigma_2^2`` → error "does not hold: at σ_1 = …,
σ_2 = … the left side is … and the right side …".
"""

from __future__ import annotations

import re
import time

from . import bindings, expect, sympyjudge
from . import nodes as N
from . import symbols as S
from .conditions import in_case
from .fallbacks import as_moments, as_stated_equal, in_words, new_constant, slash_reading
from .judging import TOL, _add, _names, _num, _rng

POINTS = 12          # points for an equality
INEQ_POINTS = 150    # points for an inequality
MIN_VALID = 4        # points where both sides must be defined
QUAD_POINTS = 6      # points for a relation whose side is a quadrature (slow)
GUARD = 5.0          # CPU seconds per relation: past it the verdict is "unchecked: time limit"


def _points(ctx, names, n, rng, extreme=False):
    """Up to 4n random points (the caller stops at its fixed count of usable ones): the same
    points on any machine.  Only a relation still running after GUARD seconds of CPU time is
    cut short, and then ``ctx.timed_out`` makes its verdict "unchecked: time limit"."""
    tries, start = 0, time.process_time()
    while tries < 4 * n:
        tries += 1
        if time.process_time() - start > GUARD:
            ctx.timed_out = (f"time limit: {GUARD:g} s of CPU time spent before {ctx.valid} "
                             "points were usable")
            return
        yield ctx.point(names, rng, extreme and tries % 2 == 0)


def _wanted(ctx, n) -> int:
    """Usable points a verdict needs: ``n``, or QUAD_POINTS when a side is a quadrature (set by
    the first evaluation, the same for every point of a relation)."""
    return min(n, QUAD_POINTS) if ctx.quadrature else n


def _timed_out(aud, ctx, at, relation, stated, check) -> bool:
    """A relation cut short by a clock (GUARD here, or an expression's own time limit at a
    point, which load can trigger) gets no verdict from fewer points: unchecked."""
    if not getattr(ctx, "timed_out", None):
        return False
    _add(aud, at, "unchecked", relation, stated, ctx.timed_out, check)
    return True


def _evaluate_both(ctx, lhs, rhs, point):
    return ctx.value(lhs, point), ctx.value(rhs, point)


def _sampled(ctx, lhs, rhs, points, skipped):
    """``(point, a, b)`` for each point where both sides evaluate (counted in
    ``ctx.valid``); the first reason a point could not be evaluated goes into ``skipped``."""
    for point in points:
        try:
            a, b = _evaluate_both(ctx, lhs, rhs, point)
        except N.NotEvaluable as e:
            if not skipped:
                skipped.append(str(e))
            if str(e).startswith("time limit"):  # evaluate.py's wall clock, per expression
                ctx.timed_out = f"{e} at a sampled point"
            continue
        ctx.valid += 1
        yield point, a, b


def _equality(aud, ctx, lhs, rhs, free_l, free_r, at, relation, stated, special=False):
    names = free_l | free_r
    rng = _rng(relation)
    agree, disagree, skipped = [], [], []
    for point, a, b in _sampled(ctx, lhs, rhs, _points(ctx, names, POINTS, rng), skipped):
        (agree if _close(a, b, ctx) else disagree).append((point, a, b))
        if len(agree) + len(disagree) >= _wanted(ctx, POINTS) or (disagree and not names):
            break
    valid = len(agree) + len(disagree)
    if not disagree and _timed_out(aud, ctx, at, relation, stated, "step"):
        return
    where = f" of the domain ({S.domain_text(names, ctx.st.domains, ctx.hints)})" if names else ""
    if valid < min(MIN_VALID, 1 if not names else MIN_VALID):
        why = skipped[0] if skipped else "undefined"
        if names and not disagree and sympyjudge.identical(lhs, rhs, names, ctx.st.domains,
                                                           ctx.hints):
            _add(aud, at, "ok", relation, stated, f"SymPy simplifies the difference of the sides "
                 f"to 0 (random points of the domain could not be evaluated: {why})", "step")
            aud.findings[-1].judge = "sympy"
            return
        _add(aud, at, "unchecked", relation, stated,
             f"could not be evaluated at enough points: {why}", "step")
        return
    if not disagree:
        msg = (f"holds at {valid} random points{where}" if names else
               "agrees with the value computed from its definition")
        _add(aud, at, "ok", relation, stated, msg, "step")
        return
    if as_moments(aud, ctx, lhs, rhs, names, at, relation, stated) or slash_reading(
            aud, ctx, lhs, rhs, names, at, relation, stated) or new_constant(
            aud, lhs, rhs, free_l, free_r, at, relation, stated) or as_stated_equal(
            aud, ctx, lhs, rhs, names, at, relation, stated):
        return
    point, a, b = disagree[0]
    sure = _certain(ctx, lhs, rhs, point)
    signs = {(a > b) for _, a, b in disagree}
    single = (not getattr(aud, "segment_display", True) and not special  # "σ² = σ here":
              and not ctx.used_definitions and len(names) == 1        # one symbol, tiny sides,
              and sum(1 for _ in N.walk(lhs)) + sum(1 for _ in N.walk(rhs)) <= 5  # inline
              and _relations_in(getattr(aud, "segment_text", "")) == 1)
    case = (not free_l or not free_r) and _claimed_in_case(aud, ctx, lhs, rhs)
    if names and not case and (not free_l or not free_r or len(agree) >= 2 or (
            single and len(signs) == 2)):
        kind = ("it holds at some points only" if len(agree) >= 2 else
                "one side is a constant" if not free_l or not free_r else
                "the sides cross: equal where a condition on the symbols holds")
        _add(aud, at, "unchecked", relation, stated,
             f"an equation for the free symbol{'s' if len(names) > 1 else ''} "
             f"{_names(names)} rather than an identity ({kind}; "
             f"at {S.describe(point)}: {_num(a)} vs {_num(b)})", "step",
             kind="definition" if not free_l or not free_r else "condition")
        return
    if names and not case and in_words(aud, names, at, relation, stated, lhs, rhs, "step"):
        return
    fixed = bindings.given(aud, lhs, rhs)  # symbols the text gave values: μ = 2, line 1
    at_point = (f"at {S.describe(point)}" + (f" (with {fixed})" if fixed else "") + " "
                if names else "")
    if case:  # D_KL(p‖q) = 0 "when μ₁ = μ₂": σ₁ ≠ σ₂ left free
        at_point = f"in the case its sentence states (its conditions applied), {at_point}"
    _add(aud, at, "error", relation, stated,
         f"does not hold: {at_point}the left side is {_num(a)} and the right side {_num(b)}"
         + (" (confirmed with interval arithmetic)" if sure else ""), "step",
         computed=_num(a))


def _claimed_in_case(aud, ctx, lhs, rhs) -> bool:
    """``D_{KL}(p\\|q) = 0`` "when μ₁ = μ₂": a quantity of the text's (a formula it defined, or
    an information quantity such as D_KL(p||q)) equated to a constant in the case a condition
    names, every condition of the sentence one the random points follow
    (:mod:`.conditions`): a claim for every point of that case, not an equation for its
    symbols."""
    if not in_case(aud):
        return False
    from .unjudged import quantity
    return ctx.used_definitions or any(
        isinstance(n, N.Name) and "(" in n.name and quantity(aud, n.name)
        for side in (lhs, rhs) for n in N.walk(side))


def _inequality(aud, ctx, lhs, op, rhs, free_l, free_r, at, relation, stated):
    names = free_l | free_r
    rng = _rng(relation)
    held, broken, skipped = 0, [], []
    points = _points(ctx, names, INEQ_POINTS if names else 1, rng, extreme=True)
    for point, a, b in _sampled(ctx, lhs, rhs, points, skipped):
        tol = (expect.QUAD_TOL if ctx.quadrature else TOL) * max(1, abs(a), abs(b))
        ok = {"≤": a <= b + tol, "<": a <= b + tol, "≥": a >= b - tol, ">": a >= b - tol}[op]
        if ok:
            held += 1
        else:
            broken.append((point, a, b))
        if held + len(broken) >= (_wanted(ctx, INEQ_POINTS) if names else 1):
            break
    valid = held + len(broken)
    if not broken and _timed_out(aud, ctx, at, relation, stated, "inequality"):
        return
    if valid < (MIN_VALID if names else 1):
        _add(aud, at, "unchecked", relation, stated,
             "could not be evaluated at enough points: "
             f"{skipped[0] if skipped else 'undefined'}", "inequality")
        return
    if not broken:
        where = S.domain_text(names, ctx.st.domains, ctx.hints)
        msg = (f"no counterexample in {valid} points of the domain ({where}), including its "
               "ends; not a proof" if names else "holds")
        _add(aud, at, "ok", relation, stated, msg, "inequality")
        return
    point, a, b = max(broken, key=lambda t: abs(t[0] and t[1] - t[2] or 0))
    constant = _constant(ctx, lhs, rhs, free_l, free_r)
    if names and (not free_l or not free_r) and (held or (constant is not None and constant != 0)):
        # `x^2 > 4`, `np(1-p) > 10`: a condition on the symbols (a claim such as
        # `r - 1 - ln r >= 0` compares with 0 and fails nowhere)
        _add(aud, at, "unchecked", relation, stated,
             f"a condition on {_names(names)}, not an identity "
             f"(false at {S.describe(point)})", "inequality", kind="condition")
        return
    if names and in_words(aud, names, at, relation, stated, lhs, rhs, "inequality"):
        return
    at_point = f"at {S.describe(point)}" if names else "here"
    _add(aud, at, "error", relation, stated,
         f"counterexample {at_point}: {_num(a)} {op} {_num(b)} is false", "inequality",
         computed=f"{_num(a)} vs {_num(b)}")


def _constant(ctx, lhs, rhs, free_l, free_r):
    """The value of the side without free symbols (None if both have some)."""
    side = rhs if not free_r else lhs if not free_l else None
    if side is None:
        return None
    try:
        return ctx.value(side, {})
    except N.NotEvaluable:
        return None


def _relations_in(text: str) -> int:
    """Relation symbols at the top level of a math segment (``A = B`` alone is 1)."""
    return len(re.findall(r"(?<![<>!:\\])=|\\(?:le|ge|leq|geq|approx|lt|gt)\b|[<>≤≥≈]", text))


def _close(a, b, ctx) -> bool:
    tol = expect.QUAD_TOL if ctx.quadrature else TOL
    return abs(a - b) <= tol * max(1, abs(a), abs(b))


def _certain(ctx, lhs, rhs, point) -> bool:
    """Are the two sides different with certainty (disjoint mpmath.iv intervals)?"""
    try:
        a, b = ctx.interval(lhs, point), ctx.interval(rhs, point)
    except (N.NotEvaluable, TypeError, AttributeError):
        return False
    return a.b < b.a or b.b < a.a
