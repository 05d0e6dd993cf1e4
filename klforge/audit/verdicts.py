"""Verdicts on one step of a chain: equalities (ok, warning, error with the reason) and
inequalities, decided on intervals.

An equality step is judged against the previous step (an error *introduced*, naming the broken
term when the steps line up, a *warning* when only a cut last digit explains it) and against the
chain's exact value (ok; a *warning* for a final digit off by one, for rounded intermediates or
for an error inherited by a step that follows; an *error* for the value the chain concludes).
A mixin of :class:`.check.Auditor`.  Example: ``$0.92\\ln\\frac{0.92}{0.70} = 0.92(0.274)$``
is an error naming ``ln(0.92/0.70) = 0.27329…, written 0.274``.
"""

from __future__ import annotations

import mpmath

from . import nodes as N
from .quoted import quoted_as_example
from .state import (
    SLACK,
    _contains,
    _distance,
    _is_number,
    _meets,
    _round_like,
    _text,
    fmt,
    hi,
    lo,
)
from .terms import _blame, _broken_terms, term_findings

iv = mpmath.iv

def _same_shape_scalar(node) -> bool:
    """One number, or one product with a single printed number (0.92(0.2732)): a cut digit
    there cannot hide behind compensating terms."""
    return len([n for n in N.literals(node) if n.decimals > 0]) <= 2 and not isinstance(
        node, N.Add)


def _exact_text(x, like) -> str:
    """``fmt(x, like)`` (two more decimals than ``like``), with more digits while the printed
    ones beyond ``like``'s decimals read 5 or 50 — a midpoint only as printed (0.0985… for
    0.098503… against 0.106), so a reader (and ``--fix``) can round it at ``like``'s
    precision."""
    text = fmt(x, like)
    if not isinstance(like, N.Num) or x == 0:
        return text
    beyond = text.rstrip("…").partition(".")[2][like.decimals:]
    for extra in range(3, 21):
        if beyond not in ("5", "50"):
            break
        digits = max(1, int(mpmath.floor(mpmath.log10(abs(x)))) + 1 + like.decimals + extra)
        text = mpmath.nstr(x, digits, strip_zeros=False) + "…"
        beyond = text.rstrip("…").partition(".")[2][like.decimals:].rstrip("0")
    return text


class Verdicts:
    """Auditor methods that judge one relation."""

    def _equality(self, node, at, relation, stated, i_all):
        c = self.chain
        t = c.exact
        like = node if isinstance(node, N.Num) else None
        computed = fmt(t, like)
        loose_prev = c.prev_interval is None or _meets(c.prev_interval, i_all)
        if not loose_prev and isinstance(c.prev, N.Name) and c.prev.name in self.names:
            was = self.names[c.prev.name]
            c.error_line = c.error_line or self.line_of(at)
            self.add_error(at, relation, stated, computed,
                     f"contradicts {c.prev.name} = {was.stated} (line {was.line}; exact "
                     f"{_exact_text(was.exact, like)})", "name")
            return
        last_unit = (mpmath.mpf(10) ** -node.decimals if isinstance(node, N.Num) else 0)
        dist = _distance(t, i_all)
        follows = c.prev_point is not None and _contains(i_all, c.prev_point)
        if (loose_prev and follows and c.substituted and not _contains(i_all, t)
                and dist <= c.accumulated * (1 + SLACK)):
            if c.inherited:
                self.add(at, "warning", relation, stated, computed,
                         f"follows from the numbers as printed{c.inherited}; the exact value "
                         f"is {computed}", "step")
            else:
                self.add(at, "ok", relation, stated, computed,
                         "follows from values printed rounded earlier", "step")
            return
        if SLACK * max(1, abs(t)) < dist < last_unit and c.error_line is None:
            self.add(at, "warning", relation, stated, computed,
                     f"the last digit is off: the exact value {computed} rounds to "
                     f"{_round_like(t, node)}", "step")
            return
        broken = [] if not loose_prev else _broken_terms(self, c.prev, node, c.known)
        if not loose_prev or broken:
            blame = _blame(self, c.prev, node, c.known, broken)
            if c.prev_interval is not None and self._truncated(node, c.known, broken):
                self.add(at, "warning", relation, stated, computed,
                         "follows from the previous step only with its numbers truncated, not "
                         "rounded" + (f" ({blame})" if blame else ""), "step")
                return
            msg = "this step does not follow from the previous one" + (
                f": {blame}" if blame else f" ({fmt(c.prev_point, like)}, written {stated})")
            c.error_line = c.error_line or self.line_of(at)
            self.add_error(at, relation, stated, computed, msg, "step")
            return
        if _contains(i_all, t):
            # numbers repeated from earlier steps are exact: does the step follow from the
            # previous one as printed?  If not, it is right only by the exact value.
            i_rep = self.interval(node, c.known | c.seen)
            if (c.prev_point is None or _contains(i_rep, c.prev_point)
                    or isinstance(c.prev, N.Name)):  # a named value restated: its exact value
                self.add(at, "ok", relation, stated, computed, "", "step")
                term_findings(self, c.prev, node, c.known, at)  # 0.7·0.99 = 0.693, each term
            else:
                self.add(at, "warning", relation, stated, computed,
                         f"agrees with the exact value but not with the previous step as "
                         f"printed ({_text(c.prev)} = {fmt(c.prev_point, like)})", "step")
            return
        if follows and dist <= c.accumulated * (1 + SLACK):
            rounded = _round_like(t, node)
            self.add(at, "warning", relation, stated, computed,
                     "consistent only through rounded intermediates; the exact value is "
                     f"{computed}" + (f", which rounds to {rounded}" if rounded else ""), "step")
            return
        if follows and c.inherited:
            self.add(at, "warning", relation, stated, computed,
                     f"follows from the numbers as printed{c.inherited}; the exact value is "
                     f"{computed}", "step")
            return
        if c.error_line:
            msg = (f"inherits the error introduced at line {c.error_line}; the exact value is "
                   f"{computed}")
            line = self.line_of(at)
            # an intermediate step that follows from its predecessor is right as arithmetic:
            # the error is reported where it was made, and on the value the chain concludes
            # (once per line)
            if follows and not (self.last and _is_number(node) and line not in c.flagged):
                self.add(at, "warning", relation, stated, computed, msg, "step")
                return
        else:
            msg = (f"follows from the previous step, but the exact value of the chain is "
                   f"{computed}")
            c.error_line = self.line_of(at)
        self.add_error(at, relation, stated, computed, msg, "step")

    def _truncated(self, node, known, pairs) -> bool:
        """Does the step follow when its new numbers are read as truncated (2.302 for
        2.3025…)?  A last digit cut rather than rounded is a warning, not an error.  When the
        steps line up term by term, each term that broke must be such a cut."""
        try:
            if pairs:
                return all(_meets(self.interval(x, known),
                                  self.interval(y, known, stated=True, truncated=True))
                           for x, y in pairs)
            if not _same_shape_scalar(node):
                return False
            i_cut = self.interval(node, known, stated=True, truncated=True)
        except N.NotEvaluable:
            return False
        return _meets(self.chain.prev_interval, i_cut)

    def add_error(self, at, *args):
        """An error finding, remembered per line of the current chain."""
        if self.chain is not None:
            self.chain.flagged.add(self.line_of(at))
        self.add(at, "error", *args)

    def _inequality(self, op, at, relation, stated, i_rhs, p_rhs):
        c = self.chain
        lhs_i, lhs_p = c.prev_interval, c.prev_point
        la, lb, ra, rb = lo(lhs_i), hi(lhs_i), lo(i_rhs), hi(i_rhs)
        tol = SLACK * max(1, abs(la), abs(rb))  # equal within 60-digit evaluation
        sure, never = {"≠": (lb < ra - tol or la > rb + tol, la == lb == ra == rb),
                       "≤": (lb <= ra + tol, la > rb + tol),
                       "<": (lb < ra - tol, la >= rb - tol),
                       "≥": (la >= rb - tol, lb < ra - tol),
                       ">": (la > rb + tol, lb <= ra + tol)}[op]
        computed = f"{fmt(lhs_p)} vs {fmt(p_rhs)}"
        if sure:
            self.add(at, "ok", relation, stated, computed, "", "inequality")
        elif never and op == "≠" and (cue := quoted_as_example(self)):  # "2 + 2 ≠ 4 has
            self.add(at, "unchecked", relation, stated, computed,  # …" under "… events"
                     "a false statement of arithmetic (≠ between equal values) quoted as an "
                     f"example (after '{cue}'), not claimed", "inequality")
        elif never:
            self.add_error(at, relation, stated, computed,
                     f"the inequality is false: {fmt(lhs_p)} {op} {fmt(p_rhs)} does not hold",
                     "inequality")
        else:
            self.add(at, "warning", relation, stated, computed,
                     "cannot be decided at the printed precision", "inequality")

