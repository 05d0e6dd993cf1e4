"""How values carry from one statement to another: the base of ``\\log`` (stated, labelled,
or decided by the first step), units and a second value in brackets, printed results reused
as inputs, names rebound by substitution, vectors of data and remembered named values.

A mixin of :class:`.check.Auditor` (it uses the auditor's ``chain``, ``names``, ``results``,
``point``/``interval`` and ``add``).  Example: after ``$\\ln 4 = 2 \\text{ bits}$`` the unit
check reports one error naming ln and the value in bits (2.0).
"""

from __future__ import annotations

import mpmath

from . import context
from . import nodes as N
from .atdata import passage
from .state import (
    UNIT_OF_LOG,
    Chain,
    NameValue,
    _contains,
    _distance,
    _is_number,
    _last_unit,
    _meets,
    _point,
    _round_like,
    _text,
    fmt,
    node_pos,
)

iv = mpmath.iv


class Substitution:
    """Auditor methods for bases, units, reused results and bindings."""

    def _base_for(self, node):
        """(base of a plain \\log in ``node``, whether the first step still decides it)."""
        if not N.has_plain_log(node):
            return None, False
        if self.log_base != "unknown":
            return self.log_base, False
        return None, True

    def _decide_base(self, node):
        """No convention yet: the base (e, 2, 10) whose value the stated step matches; the
        document follows it from then on.  A unit on the step (bits) decides by itself."""
        c = self.chain
        unit = getattr(node, "unit", None)
        if unit in context.UNIT_BASE and N.has_plain_log(c.definition):
            base = context.UNIT_BASE[unit]
            if base != c.base or c.base_open:
                self._set_definition(c.definition, base)
            return
        if not c.base_open:
            return
        for base, loose in [(b, False) for b in context.CANDIDATES] + [
                (b, True) for b in context.CANDIDATES]:
            try:
                t = self.point(c.definition, base)
                i_prev = self.interval(c.definition, c.known, base)
                i_node = self.interval(node, set() if _is_number(node) else c.known, base)
            except N.NotEvaluable:
                continue
            if _meets(i_prev, i_node) or loose and _distance(t, i_node) < _last_unit(node):
                self._set_definition(c.definition, base)
                if self.log_base == "unknown":
                    self.log_base = base
                    self.log_source = f"inferred at line {self.line_of(node_pos(node))}"
                return
        c.base_open = False

    def _unit_check(self, node, at, relation, stated):
        c = self.chain
        unit = getattr(node, "unit", None)
        if unit not in UNIT_OF_LOG:
            return True
        if c.unit and c.unit != unit:
            other = context.convert(c.exact, c.unit, unit)
            like = node if isinstance(node, N.Num) else None
            self.add_error(at, relation, stated, fmt(c.exact, like),
                     f"unit mismatch: the value is computed with {UNIT_OF_LOG[c.unit]} "
                     f"({c.unit}: {fmt(c.exact, like)}) but labelled {unit} (in {unit} it is "
                     f"{fmt(other, like)})", "unit")
            return False
        if c.name and c.name in self.names and self.names[c.name].unit not in (None, unit):
            self.add_error(at, relation, stated, None,
                     f"unit mismatch: {c.name} was given in {self.names[c.name].unit} at line "
                     f"{self.names[c.name].line}, here in {unit}", "unit")
            return False
        return True

    def _record(self, node, wrong, at):
        """A number printed as a result: later uses stand for its interval (and for the
        exact value it was rounded from); an erroneous one is blamed when reused."""
        c = self.chain
        if isinstance(node, N.Num) and node.decimals > 0 and not node.truncated:
            key = node.key()
            if key in c.known or key in self.data and key not in self.results:
                return
            if not wrong and c.exact == _point(node):
                self.results.pop(key, None)  # printed exactly: the number is its value
                return
            self.results[key] = c.exact
            if wrong:
                self.wrong[key] = self.line_of(at)
            else:
                self.wrong.pop(key, None)

    def _rebinds(self, node, i_all, at, relation, stated) -> bool:
        """``\\frac{\\alpha}{m} = \\frac{.05}{20}`` after ``m = 10``: substituting new numbers
        for names bound only to data is a new example, not a contradiction."""
        c = self.chain
        if c.prev is not c.definition or c.prev_interval is None or _meets(c.prev_interval,
                                                                            i_all):
            return False
        data_names = [n.name for n in N.walk(c.definition)
                      if isinstance(n, N.Name) and n.name in self.names
                      and self.names[n.name].datum]
        if not data_names or _is_number(node) or len(N.literals(node)) < len(set(data_names)):
            return False  # a bare value is a claim about these data, not a substitution
        self.add(at, "unchecked", relation, stated, None,
                 f"new values substituted for {', '.join(sorted(set(data_names)))}", "step")
        name = c.name
        self._set_definition(node)
        c.name = name
        return True

    def _alternative(self, node, alt, offset, relation):
        """``0.5106 nats (≈ 0.737 bits)``: the second value, converted to its own unit."""
        c = self.chain
        op, other, rhs_pos = alt
        at = offset + rhs_pos
        stated = _text(other)
        from_unit = getattr(node, "unit", None) or c.unit or "nats"
        to_unit = getattr(other, "unit", None) or from_unit
        if from_unit not in context.UNIT_BASE or to_unit not in context.UNIT_BASE:
            from_unit = to_unit = None
        t = c.exact if from_unit is None else context.convert(c.exact, from_unit, to_unit)
        try:
            i_other = self.interval(other, set())
        except N.NotEvaluable as e:
            self.add(at, "unchecked", relation, stated, None, str(e), "step")
            return
        like = other if isinstance(other, N.Num) else None
        computed = fmt(t, like)
        dist = _distance(t, i_other)
        if _contains(i_other, t):
            self.add(at, "ok", relation, stated, computed, "", "unit")
        elif dist < _last_unit(other):
            self.add(at, "warning", relation, stated, computed,
                     f"the last digit is off: the exact value {computed} rounds to "
                     f"{_round_like(t, other)}", "unit")
        else:
            self.add(at, "error", relation, stated, computed,
                     f"the value in {to_unit or 'the second unit'} is {computed}, written "
                     f"{stated}", "unit")

    def _bind_vector(self, name, node):
        """``p = (0.5, 0.3, 0.2)``: data for sums over ``p(x)``, ``p_i``."""
        try:
            values = [self.printed(item) for item in node.items]
        except N.NotEvaluable:
            return
        base = name.split("(")[0].split("[")[0]
        self.vectors[base] = values
        self.vector_passage = {**getattr(self, "vector_passage", {}), base: passage(self)}
        self.version += 1
        self.data.update(n.key() for n in N.literals(node))
        self.data_values.update(n.value for n in N.literals(node))
        self.chain = Chain()

    def _remember(self, name, node, at):
        c = self.chain
        unit = getattr(node, "unit", None) or c.unit
        old = self.names.get(name)
        if old is not None and old.exact == c.exact:
            if unit and not old.unit:
                old.unit = unit
            if c.defines:  # later steps of the defining chain: its final statement counts
                old.stated, old.line = _text(node), self.line_of(at)
            return  # keep the first statement of the value for messages
        self.version += 1
        self.names[name] = NameValue(c.exact, _text(node), unit or (old.unit if old else None),
                                     self.line_of(at))

