"""Verdicts on the relations of a document: rounding-aware, step by step.

A chain ``E₀ = E₁ = … ≈ Eₙ`` has an exact value T, taken from its first evaluable element
(its definition; numbers there are data, read exactly).  Each later element Eₖ is judged

* against the previous step: the numbers Eₖ introduces stand for the intervals they round
  to (±½ unit in the last printed digit; ``0.27329…`` for [0.27329, 0.27330]); numbers
  repeated from earlier steps, data of the document and integers are exact.  If no value
  Eₖ₋₁ can take is consistent with Eₖ, the step *introduces* an error, and where the two
  steps line up term by term the report names the term that broke;
* against the definition: T must lie in the interval of Eₖ (ok), or within the rounding the
  chain has accumulated so far (warning: consistent only thanks to rounded intermediates,
  e.g. a final value whose last digit is off), or else the step *inherits* an error.

Inequalities are decided with the same intervals (undecidable at the printed precision →
warning).  Named quantities (``H(p,q) = …``) are remembered for the rest of the document;
units (nats for ln, bits for log₂) must match the logarithms of the chain's definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mpmath

from . import context, identity, prose
from . import nodes as N
from .clauses import clauses, unwrap
from .latex import Unsupported

mp, iv = mpmath.mp, mpmath.iv
SLACK = mpmath.mpf(10) ** -40
UNIT_OF_LOG = {"nats": "ln", "bits": "log₂", "hartleys": "log₁₀"}


@dataclass
class Finding:
    path: str
    line: int
    severity: str          # error | warning | ok | unchecked
    relation: str
    stated: str | None
    computed: str | None
    message: str
    check: str             # step | inequality | name | unit | parse
    cell: int | None = None  # notebooks: 0-based cell index; line is then within the cell

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class NameValue:
    exact: object          # mp value
    stated: str
    unit: str | None
    line: int
    datum: bool = False    # bound to a bare number (`p = 0.9`): data, rebound by a later `p = …`
    printed: N.Num | None = None  # the value as last printed (H = 0.72): what later steps use
    wrong_line: int | None = None  # that printed value was judged an error there


@dataclass
class Chain:
    definition: object = None          # the node whose value is T
    exact: object = None               # T
    name: str | None = None            # head name, when the chain defines one
    known: set = field(default_factory=set)   # literal keys exact in later steps
    accumulated: object = 0            # Σ half-widths of earlier steps' intervals
    prev: object = None                # previous element (node) or None
    prev_point: object = None
    prev_interval: object = None
    error_line: int | None = None
    unit: str | None = None
    defines: bool = False              # the chain introduces its head name
    seen: set = field(default_factory=set)    # literal keys printed in earlier steps
    base: object = None                # base of a plain \log in this chain (None: e)
    base_open: bool = False            # plain \log, no convention yet: the first step decides
    inherited: str = ""                # a rounded input whose own statement was an error
    flagged: set = field(default_factory=set)  # lines where this chain has an error
    substituted: bool = False          # the definition reuses values printed rounded earlier


def _point(n: N.Num):
    return mp.mpf(n.value.numerator) / n.value.denominator


def _exact_iv(n: N.Num):
    return iv.mpf(n.value.numerator) / n.value.denominator


def _rounded_iv(n: N.Num):
    if n.decimals == 0 and not n.truncated and not getattr(n, "approx", False):
        return _exact_iv(n)
    unit = iv.mpf(1) / iv.mpf(10) ** n.decimals
    v = _exact_iv(n)
    if n.truncated:
        return iv.mpf([v.a, (v + unit).b])
    return iv.mpf([(v - unit / 2).a, (v + unit / 2).b])


def lo(interval):
    return mp.mpf(interval.a)


def hi(interval):
    return mp.mpf(interval.b)


def _contains(interval, x) -> bool:
    tol = SLACK * max(1, abs(x))
    return lo(interval) - tol <= x <= hi(interval) + tol


def _meets(i, j) -> bool:
    tol = SLACK * max(1, abs(lo(i)), abs(hi(i)))
    return lo(i) <= hi(j) + tol and lo(j) <= hi(i) + tol


def _distance(x, interval):
    return max(lo(interval) - x, x - hi(interval), 0)


def _half(interval):
    return (hi(interval) - lo(interval)) / 2


def fmt(x, like: N.Num | None = None) -> str:
    """A value with two more decimals than the stated number it is compared with."""
    if like is not None and isinstance(like, N.Num):
        digits = like.decimals + 2
        return mpmath.nstr(x, max(1, int(mpmath.floor(mpmath.log10(abs(x)))) + 1 + digits)
                           if x != 0 else 1) + "…"
    return mpmath.nstr(x, 10)


class Auditor:
    """State of one document: data numbers, named quantities, the current chain."""

    def __init__(self, path: str, line_of):
        self.path, self.line_of = path, line_of
        self.data: set[str] = set()
        self.names: dict[str, NameValue] = {}
        self.findings: list[Finding] = []
        self.chain: Chain | None = None
        self.results: dict[str, object] = {}   # key of a printed result -> its exact value
        self.wrong: dict[str, int] = {}        # key of a result judged an error -> its line
        self.vectors: dict[str, list] = {}     # p = (0.5, 0.3, 0.2): bound data
        self.log_base = "unknown"              # the document's \log: None (e), 2, 10
        self.log_source = ""                   # "stated" | "inferred at line N"
        self.last = True                       # the step being judged ends its clause
        self.recent: list = []                 # (exact value, line) of recent results
        self.paragraph: list = []              # values of the current paragraph
        self.last_math = None                  # (chain, end offset) of the last math

    # -- evaluation ----------------------------------------------------------------------
    def _env(self, ctx, literal, base="chain", printed=False):
        as_ctx = (lambda x: x) if ctx is mp else (lambda x: iv.mpf([x, x]))
        if ctx is iv:  # a name stands for its exact value or for its value as printed
            values = {k: _hull(_rounded_iv(v.printed), v.exact) if v.printed else as_ctx(v.exact)
                      for k, v in self.names.items()}
        elif printed:
            values = {k: _point(v.printed) if v.printed else v.exact
                      for k, v in self.names.items()}
        else:
            values = {k: v.exact for k, v in self.names.items()}
        for k in list(values):  # H(X|Y=a) is also written H(X|a)
            values.setdefault(_alias(k), values[k])
        vectors = {k: [as_ctx(x) for x in v] for k, v in self.vectors.items()}
        if base == "chain":
            base = self.chain.base if self.chain is not None else (
                None if self.log_base == "unknown" else self.log_base)
        return N.Env(ctx, literal, values, vectors=vectors,
                     log_base=context.base_value(base, ctx))

    def point(self, node, base="chain"):
        """Value of ``node`` as the chain's definition: printed results stand for the exact
        values they were rounded from."""
        return N.evaluate(node, self._env(mp, self._origin, base))

    def printed(self, node, base="chain"):
        """Value of ``node`` with every number read as printed."""
        return N.evaluate(node, self._env(mp, _point, base, printed=True))

    def _origin(self, n: N.Num):
        return self.results.get(n.key(), None) if n.key() in self.results else _point(n)

    def interval(self, node, exact_keys, base="chain", stated=False):
        """Interval of ``node``: numbers in ``exact_keys`` are exact, the rest stand for what
        rounds to them; in a definition (not ``stated``) a reused result also stands for the
        exact value it was printed for."""
        def lit(n):
            if n.key() in exact_keys or n.value_key() in exact_keys:
                return _exact_iv(n)
            if n.key() in self.results and not stated:  # as printed or its exact value
                return _hull(_exact_iv(n), self.results[n.key()])
            return _rounded_iv(n)
        return N.evaluate(node, self._env(iv, lit, base))

    # -- findings ------------------------------------------------------------------------
    def add(self, offset, severity, relation, stated, computed, message, check):
        self.findings.append(Finding(self.path, self.line_of(offset), severity, relation[:160],
                                     stated, computed, message, check))

    # -- document events -----------------------------------------------------------------
    def prose_number(self, literal: str):
        from .latex import number
        self.data.add(number(literal.lstrip("-"), 0).key())

    def prose(self, text: str, offset: int):
        r"""Prose of the document: a stated convention for \log (see :mod:`.context`)."""
        base = context.stated_base(text)
        if base != "unknown" and not self.log_source.startswith("stated"):
            self.log_base, self.log_source = base, f"stated at line {self.line_of(offset)}"
        prose.judge(self, text, offset)  # ≈ N after math, restated values, % changes

    def segment(self, text: str, offset: int, display: bool, parse):
        """One piece of math, cut into clauses (``a = 1,\\; b = 2``); a clause that begins
        with a relation continues the chain of the clause or display block before it."""
        text = unwrap(text)
        parts = clauses(text)
        for k, (a, b) in enumerate(parts):
            self._clause(text[a:b], offset + a, display or k + 1 < len(parts), parse)
        self.last_math = (self.chain, offset + len(text.rstrip()))
        if not display:
            self.chain = None

    def _clause(self, text: str, offset: int, display: bool, parse):
        self.segment_text, self.segment_display = text, display  # read by identity.py
        try:
            items = parse(text)
        except Unsupported as e:
            if any(c in text for c in "=<>≈≤≥") or "\\approx" in text:
                self.add(offset + e.pos, "unchecked", text.strip(), None, None, e.reason, "parse")
            return
        if len(items) == 1:
            if isinstance(items[0], Unsupported):
                return
            self.data.update(n.key() for n in N.literals(items[0]) if n.key() not in self.results)
            if _is_number(items[0]) or isinstance(items[0], N.Percent):
                prose.repeated(self, items[0], offset)  # a wrong value restated
            elif not _is_literal(items[0]):  # $\ln 2$ ≈ 0.693: prose may continue it
                self.chain = Chain()
                self.start(items[0], offset)
            return
        if items[0] is None:
            if not (display and self.chain is not None):
                rel = items[1]
                self.add(offset + rel.rhs_pos, "unchecked", text.strip(), None, None,
                         "continues a chain, but no display math precedes it", "parse")
                self.chain = None
                return
        else:
            self.chain = Chain()
            self.start(items[0], offset)
        for k in range(1, len(items), 2):
            self.last = k + 2 >= len(items)
            self.step(items[k], items[k + 1], offset)

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
            if head.name not in self.names:
                c.defines = True
                c.prev = head
                return
        self._set_definition(head)

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
        names = [self.names[n.name] for n in N.walk(node)
                 if isinstance(n, N.Name) and n.name in self.names]
        # inputs printed rounded: the exact value may lie anywhere in their hull
        c.accumulated = (2 * _half(c.prev_interval) if rounded or any(v.printed for v in names)
                         else mp.mpf(0))
        wrong = sorted([self.wrong[k] for k in rounded if k in self.wrong]
                       + [v.wrong_line for v in names if v.wrong_line])
        c.inherited = ""
        c.substituted = c.accumulated > 0 and c.prev is c.definition
        if wrong:
            c.error_line = wrong[0]
            c.inherited = f"; it uses a value stated wrongly at line {wrong[0]}"
        c.unit = _unit_of(node, c.base)
        return True

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

    def step(self, rel: N.Relation, node, offset):
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
            self.add(at, "unchecked", relation, stated, None, node.reason, "parse")
            c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if identity.judge(self, prev, rel.op, node, at, relation, stated):
            return  # free symbols: identity testing, definitions, domains (identity.py)
        # a name on the right of a definition: remember it
        if (isinstance(prev, N.Name) and prev.name not in self.names and rel.op in ("=", "≈")
                and prev.name != "e"):  # e ≈ 2.718 is Euler's number, not a definition
            if isinstance(node, N.Tuple):
                self._bind_vector(prev.name, node)
                return
            if isinstance(node, N.Name) and node.name in self.names and self.names[
                    node.name].datum:  # P(0) = P(1) = 0.5: both names get the new value
                del self.names[node.name]
                c.prev = node
                return
            if _is_number(node) or isinstance(node, N.Percent):
                prose.repeated(self, node, offset)  # P(…) = 1.78e-03 repeating a wrong value
            if self._set_definition(node):
                self._remember(prev.name, node, at)
                if isinstance(node, N.Num):
                    self.data.add(node.key())
                self.names[prev.name].datum = _is_literal(node)
            return
        conditional = rel.op in ("≤", "≥", "<", ">", "≠") and (
            _free_name(self, prev) or _free_name(self, node))
        if conditional:  # `p > 0`, `0 < q_i`: a condition on a variable, not a numeric claim
            self.add(at, "unchecked", relation, stated, None,
                     "a condition on a variable, not a numeric claim", "inequality")
            if not self._set_definition(node):
                c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if c.definition is None:
            if isinstance(node, N.Name) and node.name not in self.names:
                c.prev = node
                return
            reason = _why_not(self, prev)
            if self._set_definition(node):
                self.add(at, "unchecked", relation, stated, None, reason, "step")
            else:
                self.add(at, "unchecked", relation, stated, None, _why_not(self, node), "step")
            return
        self._decide_base(node)
        try:
            p = self.printed(node)
            # a stated result is rounded even when it coincides with a datum (q = (0.78, …))
            i_all = self.interval(node, set() if _is_number(node) else c.known, stated=True)
        except N.NotEvaluable as e:
            self.add(at, "unchecked", relation, stated, None, str(e), "step")
            c.prev, c.prev_point, c.prev_interval = node, None, None
            return
        if self._rebinds(node, i_all, at, relation, stated):
            return
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
            self._record(node, wrong, at)
            if _is_number(node) or isinstance(node, N.Percent):
                self.recent = (self.recent + [(c.exact, self.line_of(at), p if wrong else None)]
                               )[-prose.RECENT:]
                self.paragraph.append(c.exact)
        alt = getattr(node, "alt", None)
        if alt is not None:
            self._alternative(node, alt, offset, relation)
        c.accumulated += _half(i_all)
        c.seen |= {n.key() for n in N.literals(node)}
        c.prev, c.prev_point, c.prev_interval = node, p, i_all
        if c.name:
            self._remember(c.name, node, at)
            if c.defines and c.name in self.names and isinstance(node, N.Num) and unit_ok:
                value = self.names[c.name]
                value.printed = node
                value.wrong_line = self.line_of(at) if wrong else None

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
                     f"{fmt(was.exact, like)})", "name")
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
        elif never:
            self.add_error(at, relation, stated, computed,
                     f"the inequality is false: {fmt(lhs_p)} {op} {fmt(p_rhs)} does not hold",
                     "inequality")
        else:
            self.add(at, "warning", relation, stated, computed,
                     "cannot be decided at the printed precision", "inequality")

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
        self.data.update(n.key() for n in N.literals(node))
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
        self.names[name] = NameValue(c.exact, _text(node), unit or (old.unit if old else None),
                                     self.line_of(at))


def _is_literal(node) -> bool:
    """A number as written: 0.9, −2, ½, 1.5²  (not a computation with several terms)."""
    if isinstance(node, N.Num):
        return True
    if isinstance(node, N.Neg):
        return _is_literal(node.arg)
    if isinstance(node, N.Mul):  # \frac{1}{2}: factors [("*", 1), ("/", 2)]
        return (len(node.factors) == 2 and node.factors[1][0] == "/"
                and all(_is_literal(f) for _, f in node.factors))
    if isinstance(node, N.Pow):
        return _is_literal(node.base) and _is_literal(node.exp)
    return False


def _free_name(aud, node) -> bool:
    """A symbol that the text has not given a value (or only a rebindable datum), alone or
    inside an expression (``2\\,\\mathrm{TV}^2 \\le 0.02`` after ``\\mathrm{TV} = 1``)."""
    return any(isinstance(n, N.Name) and (n.name not in aud.names or aud.names[n.name].datum)
               for n in N.walk(node))


def _unit_of(node, base=None):
    units = N.log_bases(node, base)
    return units.pop() if len(units) == 1 else None


def _alias(name: str) -> str:
    """``H(Y|X=1)`` → ``H(Y|1)``: a conditioning value written without its variable."""
    head, paren, args = name.partition("(")
    return head + paren + re.sub(r"(?<![\w])[A-Za-z]\w*=", "", args) if paren else name


def _hull(interval, x):
    return iv.mpf([min(lo(interval), x), max(hi(interval), x)])


def _is_number(node) -> bool:
    return isinstance(node, N.Num) or isinstance(node, N.Neg) and isinstance(node.arg, N.Num)


def _last_unit(node):
    """One unit in the last printed digit of a stated number (0 for an expression)."""
    if isinstance(node, N.Num):
        return mpmath.mpf(10) ** -node.decimals
    return 0


def node_pos(node) -> int:
    return getattr(node, "pos", 0)


def _text(node) -> str:
    if node is None:
        return "…"
    if isinstance(node, Unsupported):
        return getattr(node, "text", "") or "(unreadable)"
    return N.to_text(node)


def _why_not(aud: Auditor, node) -> str:
    if isinstance(node, Unsupported):
        return node.reason
    try:
        aud.point(node)
    except N.NotEvaluable as e:
        return str(e)
    return "no value to compare with"


def _round_like(x, node) -> str | None:
    """x rounded to the printed decimals of a stated number."""
    if isinstance(node, N.Num) and not node.truncated:
        from decimal import ROUND_HALF_EVEN, Decimal
        d = Decimal(mpmath.nstr(x, 40, strip_zeros=False))
        return f"{d.quantize(Decimal(10) ** -node.decimals, ROUND_HALF_EVEN):.{node.decimals}f}"
    return None


def _broken_terms(aud: Auditor, a, b, known) -> list:
    """Aligned sub-term pairs that disagree although the whole steps agree (e.g. a term
    with a small weight mis-rounded), searched recursively; [] when the steps do not line
    up or when the terms only appear in another order."""
    if not _same_shape(a, b):
        return []
    pairs = _pairs(a, b)
    try:
        meets = [[_meets(aud.interval(x, known), aud.interval(y, known)) for _, y in pairs]
                 for x, _ in pairs]
    except N.NotEvaluable:
        return []
    commutes = isinstance(a, N.Add) or (isinstance(a, N.Mul) and
                                        all(o == "*" for o, _ in a.factors))
    if not any(meets[i][i] for i in range(len(pairs))):
        return []  # no term lines up: a rearrangement (11/4 − ¾ log 3), not a substitution
    if not all(meets[i][i] for i in range(len(pairs))) and commutes and _has_matching(meets):
        return []  # same terms, reordered
    bad = []
    for i, (x, y) in enumerate(pairs):
        if not meets[i][i]:
            bad.extend(_misaligned(aud, x, y, known) if _same_shape(x, y) else [(x, y)])
        else:
            bad.extend(_broken_terms(aud, x, y, known))
    return bad


def _has_matching(meets) -> bool:
    """Is there a permutation pairing every term with an agreeing one? (n ≤ 8 by search)"""
    n = len(meets)
    if n > 8:
        return False

    def go(i, used):
        return i == n or any(meets[i][j] and not used >> j & 1 and go(i + 1, used | 1 << j)
                             for j in range(n))
    return go(0, 0)


def _same_shape(a, b) -> bool:
    if isinstance(a, N.Neg) and isinstance(b, N.Neg):
        return True
    if isinstance(a, N.Add) and isinstance(b, N.Add):
        return len(a.terms) == len(b.terms)
    if isinstance(a, N.Mul) and isinstance(b, N.Mul):
        return [o for o, _ in a.factors] == [o for o, _ in b.factors]
    return False


def _pairs(a, b):
    if isinstance(a, N.Neg):
        return [(a.arg, b.arg)]
    if isinstance(a, N.Add):
        return [(x if s > 0 else N.Neg(x), y if t > 0 else N.Neg(y))
                for (s, x), (t, y) in zip(a.terms, b.terms, strict=False)]
    return [(x, y) for (_, x), (_, y) in zip(a.factors, b.factors, strict=False)]


def _blame(aud: Auditor, a, b, known, pairs=None) -> str:
    """Name the sub-terms where two aligned steps disagree (both Add or both Mul with the
    same shape); '' when the steps do not line up."""
    pairs = pairs or _misaligned(aud, a, b, known)
    if not pairs:
        return ""
    parts = []
    for x, y in pairs[:3]:
        try:
            vx = aud.point(x)
        except N.NotEvaluable:
            return ""
        like = y.arg if isinstance(y, N.Neg) else y
        parts.append(f"{N.to_text(x)} = {fmt(vx, like if isinstance(like, N.Num) else None)}, "
                     f"written {N.to_text(y)}")
    return "; ".join(parts)


def _misaligned(aud, a, b, known):
    if a is None or isinstance(a, (Unsupported, N.Name)):
        return []
    if not _same_shape(a, b):
        return [(a, b)]
    bad = []
    for x, y in _pairs(a, b):
        try:
            ok = _meets(aud.interval(x, known), aud.interval(y, known))
        except N.NotEvaluable:
            return [(a, b)]
        if not ok:
            bad.extend(_misaligned(aud, x, y, known) or [(x, y)])
    return bad or [(a, b)]
