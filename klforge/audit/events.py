r"""Document events of the auditor: prose, math segments cut into clauses, chains started.

A mixin of :class:`.check.Auditor`.  ``prose(text, offset)`` reads the prose (a stated
``\log`` convention, values restated after math, rates, critical values); ``segment(text,
offset, display, parse)`` cuts a piece of math into clauses (``a = 1,\; b = 2``) and hands
each to ``_clause``, which starts a chain (``start``) or continues the previous one
(``step``, :mod:`.steps`), reads pairs of values (``(0.67 − 0.03, 0.67 + 0.03) = (0.64,
0.70)``: each end its own chain) and single values (``$1.78$`` in a sentence: a value of the
paragraph, or a prose claim ``≈ 1.56`` made about the last math).

Example: ``segment("a = 0.5, \\quad a^2 + a = 0.75", 0, True, parse)`` gives two clauses;
the second is judged with a = 0.5 substituted.
"""

from __future__ import annotations

import re

from . import (
    complement,
    conditions,
    context,
    critical,
    derivatives,
    impurity,
    normaltail,
    prose,
    rates,
    sample,
    scores,
)
from . import nodes as N
from .clauses import clauses, unwrap
from .freesymbols import declared, dimension_words
from .latex import Unsupported
from .state import (
    Chain,
    _contains,
    _is_number,
)


def _pairs_of_values(items) -> int:
    """Length of the tuples of a chain of intervals or pairs (``a \\pm b = (lo, hi)``), or 0."""
    tuples = [x for x in items if isinstance(x, N.Tuple)]
    if items[0] is None or not tuples or len({len(t.items) for t in tuples}) != 1:
        return 0
    if len(tuples) < 2 and not any(getattr(t, "pm", False) for t in tuples):
        return 0  # p = (0.5, 0.3, 0.2): data
    return len(tuples[0].items)


#: a cell's edge before and after its math: a pipe, a tabular's & (or \\, a row's start),
#: <td>, </td>
_BEFORE = re.compile(r"(?:^|\n|\||&|<t[dh][^>]*>)[ \t]*(?:\$|\\\()?[ \t]*$")
_AFTER = re.compile(r"[ \t]*(?:\$|\\\))?[ \t]*(?:\||&|\\\\|</t[dh]>)")
#: the end of a table row: a line break (Markdown, one row a line), \\ or </tr>
_ROW_END = re.compile(r"\n|\\\\|</tr>")


def _whole_cell(source: str, start: int, end: int) -> bool:
    """Is the math at ``source[start:end]`` the whole of a table cell (``| $x$ |``)?"""
    return bool(_BEFORE.search(source[max(0, start - 40):start])
                and _AFTER.match(source, end))


class Events:
    """Auditor methods for the events of a document (prose, math, clauses)."""

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
        self.declared = {**getattr(self, "declared", {}), **dimension_words(before, text)}
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
        self.declared = {**getattr(self, "declared", {}), **declared(text), **dimension_words(
            getattr(self, "stats_text", ""), text)}  # X ~ N(μ, σ²); of dimension $k$
        critical.judge_pm(self, getattr(self, "stats_text", ""), text, offset)  # 95% CI: z ± 1.96
        critical.judge_star(self, getattr(self, "stats_text", ""), text, offset)  # z^* = 1.96
        self.stats_text = (getattr(self, "stats_text", "") + " " + text)[-critical.WINDOW:]
        parts = clauses(text)
        if len(parts) >= sample.MIN_VALUES:  # "7 - \sqrt{2}, 6, 6, 7": a data set listed
            sample.record(self, [(text[a:b], offset + a) for a, b in parts], offset, parse)
        word = getattr(self, "condition_word", None)
        for k, (a, b) in enumerate(parts):
            before = len(self.findings)
            self._clause(text[a:b], offset + a, display or k + 1 < len(parts), parse)
            if word:  # "when $\sigma_1 = \sigma_2$": a condition, not a claim
                self._condition(word, text[a:b], before, parse)
        self.last_math = (self.chain, offset + len(text.rstrip()))
        self.last_math_start = offset
        if not display and _whole_cell(getattr(self, "source", ""), offset, self.last_math[1]):
            self.row_cell = self.last_math  # a cell of a table row: a later "≥ 0" cell's side
        if not display:
            self.chain = None

    def _which_claim(self, chain, end) -> bool:
        """Is "$A$, which is $B$" the claim A = B?  Not when B is followed by a factor or a case
        ("which is $2$ times …", "… for $q = 0.9$"), when A is a lone symbol or the object of a
        preposition ("the posterior of $H$, which is $P(H|D)$": "which" is the posterior)."""
        source = getattr(self, "source", "")
        if prose.WHICH_NOT.match(source[end:][:60]) or isinstance(chain.prev, (N.Name, N.Var)):
            return False
        start = getattr(self, "last_math_start", None)
        before = source[max(0, start - 40):start] if start is not None else ""
        return not re.search(r"\b(?:of|for|to|in|on|at|by|with|from|under|over|about|than)"
                             r"[\s$\\(]*$", before, re.I)

    def _next_cell(self, offset: int, end_here: int) -> bool:
        r"""A table cell that is one relation without its left side (``| $\tfrac12\ell^2$ |
        … | $\ge 0$ |``, a "sign" column; ``& $\ge 0$`` in a tabular) continues the
        nearest cell to its left on the same row that is a single expression: the chain
        resumes from that expression."""
        chain, end = getattr(self, "row_cell", (None, -1))
        source = getattr(self, "source", "")
        if chain is None or chain.prev is None or isinstance(chain.prev, Unsupported) or \
                end > offset or _ROW_END.search(source, end, offset) or not _whole_cell(
                    source, offset, end_here):
            return False
        self.chain = chain
        return True

    def _condition(self, word, text, before, parse):
        try:
            items = parse(text)
        except Unsupported:
            return
        if conditions.is_condition(word, items):
            conditions.relabel(self, word, before, items)
            self.condition_seen = True

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
                     else normaltail.rewrite(x, self.names, text, parse, self)
                     for x in items]
        if "'" in text or "prime" in text or "partial" in text:  # f''(t), ∂L/∂z: defined f, L
            items = [derivatives.primes(self, x) if isinstance(x, (Unsupported, N.Name)) else x
                     for x in items]
        if "partial" in text or "nabla" in text:  # ∂/∂μ ln p(x) of a density the text gave
            items = [scores.rewrite(self, x) if isinstance(x, (Unsupported, N.Func)) else x
                     for x in items]
        if getattr(self, "functions", None):  # g(x) ≥ x after g(x) = ln(1 + e^x)
            head = (len(items) < 2 or not isinstance(items[1], N.Relation) or items[1].op in (
                "=", "≈", ":=")) and not offset < getattr(self, "condition_until", -1)
            # an equation's head may define the name anew — except in the case a condition
            # names ("when σ = 1, h(X) = ½ln(2πe)": the defined h(X) in that case)
            items = [x if k == 0 and head or isinstance(x, (Unsupported, N.Relation))
                     else derivatives.applied(self, x) for k, x in enumerate(items)]
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
            which = op == "which"  # "$A$, which equals $B$": a claim A = B, symbols or not
            if which:
                op = "=" if self._which_claim(pending[0], offset + len(text)) else None
            if op == "or":  # "$1/2$ or $1/3$" are alternatives unless they agree
                try:
                    agree = _contains(self.interval(items[0], set(), stated=True),
                                      pending[0].exact) if pending[0].exact is not None else False
                except N.NotEvaluable:
                    agree = False
                op = "=" if agree else None
            if (pending is not None and op is not None and 0 <= offset - pending[1] <= 3
                    and (pending[0].exact is not None or which and pending[0].prev is not None
                         and not isinstance(pending[0].prev, Unsupported))
                    and (op == "=" or _is_number(items[0])
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
            if len(self.findings) > before:  # its one finding: the step adds none (steps.py)
                self.step_mark = before
        if items[0] is None and not display and self._next_cell(offset, offset + len(
                text.rstrip())):
            pass  # | $\tfrac12\ell^2$ | $\ge 0$ |: the row's value continued in the next cell
        elif items[0] is None:
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
            # the (relation, side) pairs of the chain after this step
            self.later = list(zip(items[k + 2::2], items[k + 3::2], strict=False))
            self.step(items[k], items[k + 1], offset)
        self.later = ()

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

