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
from collections.abc import Mapping

import mpmath

from . import (
    bindings,
    complement,
    context,
    critical,
    identity,
    impurity,
    normaltail,
    prose,
    rates,
    roles,
    sample,
    unify,
)
from . import evaluate as E
from . import nodes as N
from .clauses import clauses, unwrap
from .latex import Unsupported
from .state import (  # noqa: F401  (re-exported: callers import them from here)
    SLACK,
    UNIT_OF_LOG,
    Chain,
    Finding,
    NameValue,
    _alias,
    _contains,
    _distance,
    _exact_iv,
    _free_name,
    _half,
    _hull,
    _is_literal,
    _is_number,
    _last_unit,
    _meets,
    _point,
    _round_like,
    _rounded_iv,
    _text,
    _unit_of,
    _why_not,
    fmt,
    hi,
    lo,
    node_pos,
)
from .substitution import Substitution
from .verdicts import Verdicts

mp, iv = mpmath.mp, mpmath.iv
class NameValues(Mapping):
    """The auditor's names as values of one context, converted on first use: in intervals a
    name stands for its exact value or its value as printed; ``printed`` reads the printed
    value; otherwise the exact one.  ``H(X|a)`` finds ``H(X|Y=a)``."""

    def __init__(self, aud, ctx, printed):
        self.aud, self.ctx, self.printed = aud, ctx, printed
        self.memo = {}

    def _name(self, key):
        names = self.aud.names
        if key in names:
            return key
        index = self.aud.__dict__.get("_alias_index")
        stamp = (id(names), len(names), self.aud.version)
        if index is None or index[0] != stamp:
            index = (stamp, {})
            for k in names:
                index[1].setdefault(_alias(k), k)
            self.aud._alias_index = index
        return index[1].get(key)

    def __getitem__(self, key):
        if key in self.memo:
            return self.memo[key]
        name = self._name(key)
        if name is None:
            raise KeyError(key)
        v = self.aud.names[name]
        if self.ctx is iv:
            value = _hull(_rounded_iv(v.printed), v.exact) if v.printed else iv.mpf(
                [v.exact, v.exact])
        elif self.printed and v.printed:
            value = _point(v.printed)
        else:
            value = v.exact
        self.memo[key] = value
        return value

    def __contains__(self, key):
        return self._name(key) is not None

    def __iter__(self):
        return iter(self.aud.names)

    def __len__(self):
        return len(self.aud.names)




def _near_euler(node) -> bool:
    """``e ≈ 2.718`` is about Euler's number; ``e = 0.05`` gives a variable e a value."""
    return not _is_number(node) or abs(float(N.literals(node)[0].value) - 2.718281828) < 0.5


def _pairs_of_values(items) -> int:
    """Length of the tuples of a chain of intervals or pairs (``a \\pm b = (lo, hi)``), or 0."""
    tuples = [x for x in items if isinstance(x, N.Tuple)]
    if items[0] is None or not tuples or len({len(t.items) for t in tuples}) != 1:
        return 0
    if len(tuples) < 2 and not any(getattr(t, "pm", False) for t in tuples):
        return 0  # p = (0.5, 0.3, 0.2): data
    return len(tuples[0].items)


class Auditor(Substitution, Verdicts):
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
        self.data_values: set = set()          # values of the prose numbers (data)
        self.version = 0                       # bumped when a name's value changes

    # -- evaluation ----------------------------------------------------------------------
    def _env(self, ctx, literal, base="chain", printed=False):
        if base == "chain":
            base = self.chain.base if self.chain is not None else (
                None if self.log_base == "unknown" else self.log_base)
        values, vectors = self._values(ctx, printed)
        return E.Env(ctx, literal, values, vectors=vectors,
                     log_base=context.base_value(base, ctx))

    def _values(self, ctx, printed):
        """Names and vectors as values of ``ctx``: names are converted when an expression
        reads them (a document may bind thousands), vectors when they change."""
        mode = (ctx is mp, printed)
        key = (id(self.vectors), len(self.vectors), self.version)
        cache = self.__dict__.setdefault("_vector_cache", {})
        if mode not in cache or cache[mode][0] != key:
            as_ctx = (lambda x: x) if ctx is mp else (lambda x: iv.mpf([x, x]))
            cache[mode] = (key, {k: [as_ctx(x) for x in v] for k, v in self.vectors.items()})
        return NameValues(self, ctx, printed), cache[mode][1]

    def point(self, node, base="chain"):
        """Value of ``node`` as the chain's definition: printed results stand for the exact
        values they were rounded from."""
        return E.evaluate(node, self._env(mp, self._origin, base))

    def printed(self, node, base="chain"):
        """Value of ``node`` with every number read as printed."""
        return E.evaluate(node, self._env(mp, _point, base, printed=True))

    def _origin(self, n: N.Num):
        return self.results.get(n.key(), None) if n.key() in self.results else _point(n)

    def interval(self, node, exact_keys, base="chain", stated=False, truncated=False):
        """Interval of ``node``: numbers in ``exact_keys`` are exact, the rest stand for what
        rounds to them (or, ``truncated``, for what was cut to them: 2.302 for 2.3025…); in a
        definition (not ``stated``) a reused result also stands for the exact value it was
        printed for."""
        def lit(n):
            if n.key() in exact_keys or n.value_key() in exact_keys:
                return _exact_iv(n)
            if n.key() in self.results and not stated:  # as printed or its exact value
                return _hull(_exact_iv(n), self.results[n.key()])
            if truncated and n.decimals > 0:
                return iv.mpf([_exact_iv(n).a, (_exact_iv(n) + iv.mpf(10) ** -n.decimals).b])
            return _rounded_iv(n)
        return E.evaluate(node, self._env(iv, lit, base))

    # -- findings ------------------------------------------------------------------------
    def add(self, offset, severity, relation, stated, computed, message, check, kind=None):
        """Record a finding; ``kind`` ("condition", "definition") marks an unchecked relation
        that states no claim."""
        self.findings.append(Finding(self.path, self.line_of(offset), severity, relation[:160],
                                     stated, computed, message, check, kind=kind))

    # -- document events -----------------------------------------------------------------
    def prose_number(self, literal: str):
        from .latex import number
        n = number(literal.lstrip("-"), 0)
        self.data.add(n.key())
        self.data_values.add(n.value)

    def prose(self, text: str, offset: int):
        r"""Prose of the document: a stated convention for \log (see :mod:`.context`)."""
        base = context.stated_base(text)
        if base != "unknown" and not self.log_source.startswith("stated"):
            self.log_base, self.log_source = base, f"stated at line {self.line_of(offset)}"
        prose.judge(self, text, offset)  # ≈ N after math, restated values, % changes
        impurity.judge(self, text, offset)  # "Entropy = 0.72" after p_1 = 4/5
        rates.collect(self, text, offset)  # "a false positive rate of 2.3 %", "1 in 10,000"
        before, start = getattr(self, "stats_text", ""), 0
        for cut in [m.start() for m in re.finditer(r"\n[ \t>]*\n", text)] + [len(text)]:
            part = text[start:cut]  # each paragraph judged in its own context ("α = .05")
            if part.strip():
                critical.judge(self, before, part, offset + start)  # "the critical value is 5.99"
                before = (before + " " + part)[-critical.WINDOW:]
            if cut < len(text):
                before = ""  # a new paragraph: earlier text no longer sets the context
            start = cut
        self.stats_text = before

    def segment(self, text: str, offset: int, display: bool, parse):
        """One piece of math, cut into clauses (``a = 1,\\; b = 2``); a clause that begins
        with a relation continues the chain of the clause or display block before it."""
        text = unwrap(text)
        critical.judge_pm(self, getattr(self, "stats_text", ""), text, offset)  # 95% CI: z ± 1.96
        critical.judge_star(self, getattr(self, "stats_text", ""), text, offset)  # z^* = 1.96
        self.stats_text = (getattr(self, "stats_text", "") + " " + text)[-critical.WINDOW:]
        parts = clauses(text)
        if len(parts) >= sample.MIN_VALUES:  # "7 - \sqrt{2}, 6, 6, 7": a data set listed
            sample.record(self, [(text[a:b], offset + a) for a, b in parts], offset, parse)
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
        if "Z" in text or "frac" in text:  # P(Z > 2.9), P((Y-50)/5 > c): normal tails, as Φ
            items = [x if x is None or isinstance(x, (N.Relation, Unsupported))
                     else normaltail.rewrite(x, self.names, text, parse) for x in items]
        if len(items) == 1:
            if isinstance(items[0], Unsupported):
                return
            self.data.update(n.key() for n in N.literals(items[0]) if n.key() not in self.results)
            self.data_values.update(n.value for n in N.literals(items[0]))
            if _is_number(items[0]):  # $1.78$ in a sentence: a value of the paragraph
                self.paragraph = (self.paragraph + [N.literals(items[0])[0].value])[-40:]
            lead, self.pending_difference = getattr(self, "pending_difference", None), None
            if lead is not None and 0 <= offset - lead <= 3 and isinstance(items[0], N.Num):
                self.pending_approx = None  # "the difference is only about $.03$ bits"
                prose.difference(self, items[0].value, items[0].decimals, offset + items[0].pos,
                                 "difference ≈ " + items[0].text)
                return
            pending = getattr(self, "pending_approx", None)
            self.pending_approx = None
            op = pending[2] if pending is not None and len(pending) > 2 else "≈"
            if op == "or":  # "$1/2$ or $1/3$" are alternatives unless they agree
                try:
                    agree = _contains(self.interval(items[0], set(), stated=True),
                                      pending[0].exact) if pending[0].exact is not None else False
                except N.NotEvaluable:
                    agree = False
                op = "=" if agree else None
            if (pending is not None and op is not None and 0 <= offset - pending[1] <= 3
                    and pending[0].exact is not None and (op == "=" or _is_number(items[0])
                                                         or isinstance(items[0], N.Percent))):
                saved, self.chain = self.chain, pending[0]  # "this is approximately $1.56$",
                try:                                        # "$30/40$ or $3/4$"
                    self.step(N.Relation(op, 0, 0), items[0], offset)
                finally:
                    self.chain = saved
            elif _is_number(items[0]) or isinstance(items[0], N.Percent):
                prose.repeated(self, items[0], offset)  # a wrong value restated
            else:  # $\ln 2$ ≈ 0.693, $30/40$ or $3/4$: prose may continue it
                self.chain = Chain()
                self.start(items[0], offset)
            return
        pairs = getattr(self, "pair_chains", None)
        self.pair_chains = None
        tuples = [x for x in items[1:] if isinstance(x, N.Tuple)]
        if pairs and items[0] is None and display and tuples and all(
                len(t.items) == len(pairs) for t in tuples):  # "= (0.67 − 0.03, …)": each end
            self._pair_steps(items, pairs, offset)
            return
        if _pairs_of_values(items):  # (0.67 − 0.03, 0.67 + 0.03) = (0.64, 0.70): each end
            chains = []
            for i in range(_pairs_of_values(items)):
                self.chain = Chain()
                chains.append(self.chain)
                parts = [x.items[i] if isinstance(x, N.Tuple) else x for x in items]
                self.start(parts[0], offset)
                for k in range(1, len(parts), 2):
                    self.last = k + 2 >= len(parts)
                    self.step(parts[k], parts[k + 1], offset)
            self.chain = None
            self.pair_chains = chains if display else None
            return
        if (len(items) == 3 and isinstance(items[0], N.Name) and items[0].name not in self.names
                and isinstance(items[1], N.Relation) and items[1].op == "="
                and not isinstance(items[2], Unsupported)):
            before = len(self.findings)
            if isinstance(getattr(items[2], "arg", items[2]), N.Num) and isinstance(
                    items[2], (N.Num, N.Percent)):
                complement.judge(self, items[0], items[2], offset)  # P(not A) after P(A)
            if len(self.findings) == before:  # P(D|H) = 0.023 after "a rate of 2.3 %"
                rates.judge(self, items[0], items[2], offset + items[1].rhs_pos)
            if len(self.findings) == before:  # \bar{x} = 7 after the data listed
                sample.judge(self, items[0], items[2], offset + items[1].rhs_pos)
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

    def _pair_steps(self, items, chains, offset):
        """Continue the chain of each end of a pair with the row's steps."""
        for i, chain in enumerate(chains):
            self.chain = chain
            parts = [x.items[i] if isinstance(x, N.Tuple) else x for x in items]
            for k in range(1, len(parts), 2):
                self.last = k + 2 >= len(parts)
                self.step(parts[k], parts[k + 1], offset)
        self.chain = None
        self.pair_chains = chains

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
                self.version += 1
                value.wrong_line = self.line_of(at) if wrong else None


def _tuple_definition(op, lhs, rhs):
    r"""``\pi_{ref} = (0.5, 0.3, 0.2)``, ``\sigma^2 = (0.25, 1)``: a name (or its power) given
    a vector of values is a definition, even when it rebinds the name."""
    named = (N.Name, N.Var)
    return ("definition" if op == "=" and isinstance(rhs, N.Tuple) and (
        isinstance(lhs, named) or isinstance(lhs, N.Pow) and isinstance(lhs.base, named))
        else None)
