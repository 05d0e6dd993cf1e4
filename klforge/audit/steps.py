r"""One step of a chain: its start (the definition), and each relation that follows.

A mixin of :class:`.check.Auditor`.  ``start(head)`` makes ``head`` the chain's definition
(or records the name it defines); ``_set_definition(node)`` reads its exact value T, the
interval of its numbers and the rounding it carries; ``step(rel, node)`` judges ``prev rel
node``: free symbols go to :mod:`.identity`, a name given a value is remembered (a numeric
binding, :mod:`.bindings`), conditions are recorded, inequalities and equalities are decided
on intervals (:mod:`.verdicts`).

Example: in ``D = 0.92\ln\frac{0.92}{0.70} = 0.92(0.274)`` the definition's value is
0.2514…, and the step ``0.92(0.274)`` is an error naming ``ln(0.92/0.70) = 0.27329…``.
"""

from __future__ import annotations

import mpmath

from . import (
    atdata,
    bindings,
    derivatives,
    identity,
    prose,
    roles,
    unify,
    unjudged,
)
from . import nodes as N
from .calculus import Divergent
from .latex import Unsupported
from .namevalues import NameValues
from .state import (
    _free_name,
    _half,
    _is_literal,
    _is_number,
    _text,
    _unit_of,
    _why_not,
)

mp, iv = mpmath.mp, mpmath.iv


def _near_euler(node) -> bool:
    """``e ≈ 2.718`` is about Euler's number; ``e = 0.05`` gives a variable e a value."""
    return not _is_number(node) or abs(float(N.literals(node)[0].value) - 2.718281828) < 0.5


def _tuple_definition(op, lhs, rhs):
    r"""``\pi_{ref} = (0.5, 0.3, 0.2)``, ``\sigma^2 = (0.25, 1)``: a name (or its power) given
    a vector of values is a definition, even when it rebinds the name."""
    named = (N.Name, N.Var)
    return ("definition" if op == "=" and isinstance(rhs, N.Tuple) and (
        isinstance(lhs, named) or isinstance(lhs, N.Pow) and isinstance(lhs.base, named))
        else None)


class Steps:
    """Auditor methods for the start and the steps of a chain."""

    def start(self, head, offset):
        c = self.chain
        if isinstance(head, Unsupported):
            c.prev = head
            return
        if isinstance(head, N.Name) and not (head.name == "e" and "e" not in self.names):
            c.name = head.name
            old = self.names.get(head.name)
            if old is not None and old.datum:
                del self.names[head.name]  # texts reuse p, x, σ² across examples: rebind data
                self.version += 1
            if head.name not in self.names and not self._claimed_under_condition(
                    head, offset) and not atdata.quantity_of_data(self, head.name):
                c.defines = True
                c.prev = head
                return
        self._set_definition(head)

    def _claimed_under_condition(self, head, offset) -> bool:
        """``D_{KL}(p\\|q) = 0`` in a sentence after "whenever μ₁ = μ₂": a quantity of the
        text's distributions stated in the case a condition names is a claim, not its
        definition (:mod:`.conditions`)."""
        return (offset < getattr(self, "condition_until", -1) and "(" in head.name
                and unjudged.quantity(self, head.name))

    def _set_definition(self, node, base="auto"):
        """``node`` is the chain's definition: its numbers are data, except results printed
        rounded by earlier steps, which stand for their intervals (and, for the exact value,
        for the values they were rounded from)."""
        c = self.chain
        if base == "auto":
            c.base, c.base_open = self._base_for(node)
        else:
            c.base, c.base_open = base, False
        try:
            value, printed = self.point(node), self.printed(node)
        except N.NotEvaluable:
            c.prev, c.prev_point, c.prev_interval = node, None, None
            return False
        keys = {n.key() for n in N.literals(node)}
        rounded = {k for k in keys if k in self.results}
        rounded_values = {n.value_key() for n in N.literals(node) if n.key() in rounded}
        c.definition, c.exact = node, value
        c.known = (set(self.data) | keys | N.rational_values(node)) - rounded - rounded_values
        c.seen = keys
        c.prev, c.prev_point = node, printed
        try:
            c.prev_interval = self.interval(node, c.known)
        except N.NotEvaluable:  # e.g. a factorial of a rounded number: judge the point
            c.prev_interval = iv.mpf([printed, printed])
        lookup = NameValues(self, mp, False)
        names = [self.names[lookup._name(n.name)] for n in N.walk(node)
                 if isinstance(n, N.Name) and n.name in lookup]
        # inputs printed rounded: the exact value may lie anywhere in their hull
        c.accumulated = (2 * _half(c.prev_interval) if rounded or any(v.printed for v in names)
                         else mp.mpf(0))
        wrong = sorted([self.wrong[k] for k in rounded if k in self.wrong]
                       + [v.wrong_line for v in names if v.wrong_line])
        c.inherited = ""
        c.substituted = c.accumulated > 0 and c.prev is c.definition
        if wrong:
            c.error_line = wrong[0]
            c.inherited = (f"; it inherits the error at line {wrong[0]}, where a value it uses "
                           "was stated wrongly")
        c.unit = _unit_of(node, c.base)
        return True

    def step(self, rel: N.Relation, node, offset):
        """Judge ``prev rel node``: exactly one finding per relation.  The judges below may
        return having recorded only a binding (``a = 2``), a chain link (``f(x) = g(y)``) or
        nothing evaluable; such a relation still gets its one finding (:func:`.unjudged.add`),
        and a relation two judges both answered keeps the weightier (:func:`.unjudged.keep_one`).
        ``self.step_mark`` (set by a clause judge such as :mod:`.complement`) is the number of
        findings before this relation was first judged."""
        mark = self.__dict__.pop("step_mark", None)
        self.__dict__.pop("alt_mark", None)
        before = len(self.findings) if mark is None else mark
        prev = self.chain.prev
        new_name = isinstance(prev, N.Name) and prev.name not in self.names
        if new_name:
            derivatives.record(self, prev, rel.op, node)  # f(t) = t log t: for f''(t)
        self._step(rel, node, offset)
        if len(self.findings) == before:
            unjudged.add(self, prev, rel, node, offset + rel.rhs_pos, new_name)
        else:
            unjudged.keep_one(self.findings, before, self.__dict__.pop("alt_mark", None))
        if new_name and len(self.findings) > before:  # h(X) = ½ln(2πeσ²): for later uses
            derivatives.record_name(self, prev, rel.op, node, self.findings[before])

    def _step(self, rel: N.Relation, node, offset):
        c = self.chain
        at = offset + rel.rhs_pos
        if rel.op == "≈" and isinstance(node, N.Num) and node.decimals == 0 and not node.unit:
            zeros = len(node.text) - len(node.text.rstrip("0"))
            if 0 < zeros < len(node.text):  # ≈ 150: two significant digits, ±5
                node.decimals = -zeros
            node.approx = True  # ≈ 148: rounded to units, not an exact integer
        prev = c.prev
        relation = f"{_text(prev)} {rel.op} {_text(node)}"
        stated = _text(node)
        if isinstance(node, Unsupported):
            if node.reason == "unsupported 'end of math'" and roles.judge(
                    self, getattr(self, "source", ""), prev, rel.op, at):  # = {kl}`k1.kl`
                c.prev, c.prev_point, c.prev_interval = node, None, None
                return
            reason = node.reason if node.reason != "unsupported 'end of math'" else (
                "the right-hand side is not in the math (a value written after it, such as one "
                "the build inserts)")
            defines = identity.unreadable_definition(self, prev, rel.op, reason)  # m = ∇A(η)
            condition = identity.unreadable_condition(self, prev, rel.op, node)  # p = q (a.e.)
            self.add(at, "unchecked", relation, stated, None, defines or condition or reason,
                     "parse", kind="definition" if defines else "condition" if condition else None)
            c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if rel.op in ("=", "≈") and c.prev_point is None and not isinstance(prev, Unsupported):
            unify.judge(self, prev, node, at, relation, stated)  # p(1−p) → 0.67 × 0.33
        if identity.judge(self, prev, rel.op, node, at, relation, stated):
            return  # free symbols: identity testing, definitions, domains (identity.py)
        # a name on the right of a definition: remember it
        if (isinstance(prev, N.Name) and prev.name not in self.names and rel.op in ("=", "≈")
                and not (prev.name == "e" and _near_euler(node))):  # e ≈ 2.718: Euler's
            if isinstance(node, N.Tuple):
                self._bind_vector(prev.name, node)
                return
            if isinstance(node, N.Name) and node.name in self.names and self.names[
                    node.name].datum:  # P(0) = P(1) = 0.5: both names get the new value
                del self.names[node.name]
                self.version += 1
                c.prev = node
                return
            if _is_number(node) or isinstance(node, N.Percent):
                prose.repeated(self, node, offset)  # P(…) = 1.78e-03 repeating a wrong value
            if self._set_definition(node):
                self._remember(prev.name, node, at)
                if isinstance(node, N.Num):
                    self.data.add(node.key())
                    self.data_values.add(node.value)
                self.names[prev.name].datum = _is_literal(node)
            return
        conditional = rel.op in ("≤", "≥", "<", ">", "≠") and (
            _free_name(self, prev) or _free_name(self, node))
        if conditional:  # `p > 0`, `0 < q_i`: a condition on a variable, not a numeric claim
            self.add(at, "unchecked", relation, stated, None,
                     "a condition on a variable, not a numeric claim", "inequality",
                     kind="condition")
            if not self._set_definition(node):
                c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if c.definition is None:
            if isinstance(node, N.Name) and node.name not in self.names:
                c.prev = node
                return
            reason = _why_not(self, prev)
            if _divergent(self, at, relation, stated, prev, rel.op):
                c.prev, c.prev_point, c.prev_interval = node, None, None
                return
            # `\pi_{ref} = (0.5, 0.3, 0.2)`: a name given a vector of values defines it
            kind = _tuple_definition(rel.op, prev, node)
            if self._set_definition(node):
                self.add(at, "unchecked", relation, stated, None, reason, "step", kind=kind)
            else:
                self.add(at, "unchecked", relation, stated, None, _why_not(self, node), "step",
                         kind=kind)
            return
        self._decide_base(node)
        try:
            p = self.printed(node)
            # a stated result is rounded even when it coincides with a datum (q = (0.78, …))
            i_all = self.interval(node, set() if _is_number(node) else c.known, stated=True)
        except N.NotEvaluable as e:
            if not _divergent(self, at, relation, stated, node, rel.op, e):
                self.add(at, "unchecked", relation, stated, None, str(e), "step",
                         kind=_tuple_definition(rel.op, prev, node))
            c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if bindings.substitutes(self, c.definition, node) and self._rebinds(
                node, i_all, at, relation, stated):
            return  # new numbers in place of bound symbols: a new example

        unit_ok = self._unit_check(node, at, relation, stated)
        if rel.op in ("≤", "≥", "<", ">", "≠"):
            if c.prev_interval is None:
                self.add(at, "unchecked", relation, stated, None,
                         "the left-hand side could not be evaluated", "inequality")
                self._set_definition(node)
                return
            # a stated bound is a threshold, not a rounded result: its numbers are exact
            i_bound = self.interval(node, {n.key() for n in N.literals(node)})
            self._inequality(rel.op, at, relation, stated, i_bound, p)
            self._set_definition(node)
            return
        wrong = False
        if unit_ok:  # a unit mismatch is the one finding on this relation
            n_before = len(self.findings)
            self._equality(node, at, relation, stated, i_all)
            wrong = len(self.findings) > n_before and self.findings[-1].severity == "error"
            if wrong and self.findings[-1].check == "step":  # judged at x = 0.3 (line 1)
                self.findings[-1].message += bindings.point(self, c.definition)
            self._record(node, wrong, at)
            if _is_number(node) or isinstance(node, N.Percent):
                self.recent = (self.recent + [(c.exact, self.line_of(at), p if wrong else None)]
                               )[-prose.RECENT:]
                self.paragraph.append(c.exact)
        alt = getattr(node, "alt", None)
        if alt is not None:  # a second value stated in brackets: its own finding
            self.alt_mark = len(self.findings)
            self._alternative(node, alt, offset, relation)
        c.accumulated += _half(i_all)
        c.seen |= {n.key() for n in N.literals(node)}
        c.prev, c.prev_point, c.prev_interval = node, p, i_all
        if c.name:
            self._remember(c.name, node, at)
            if c.defines and c.name in self.names and isinstance(node, N.Num) and unit_ok:
                value = self.names[c.name]
                value.printed = node
                self.version += 1
                value.wrong_line = self.line_of(at) if wrong else None


def _divergent(aud, at, relation, stated, node, op, err=None) -> bool:
    """A side that is an integral written over an infinite range that diverges
    (``∫_0^∞ 2 dx = 1``): equal to a finite value is an error (True when reported)."""
    if op != "=":
        return False
    if err is None:
        try:
            aud.point(node)
        except N.NotEvaluable as e:
            err = e
    if not isinstance(err, Divergent):
        return False
    aud.add_error(at, relation, stated, "∞", f"{err}: it has no finite value", "step")
    return True
