r"""Relations after "when", "if", "for", "provided", … are conditions, not claims.

A reader takes ``when $\tfrac12 q \le p \le 2q$`` or ``if $\sigma_1 = \sigma_2 = \sigma$`` as
the case the sentence is about, not as something the text asserts.  :func:`word_before`
finds the word right before a piece of math (or ``and``/``or`` continuing such a piece);
:func:`is_condition` says whether a clause after it states a condition:

* after **when, whenever, if, only if, provided (that), assuming (that), given that,
  unless, as long as**: every relation of the clause is an inequality, or an equality
  between symbols and numbers (``\mu_1 = \mu_2``, ``\sigma = 1``, ``q(x) = 0``);
* after **for, for all, for every, for any, where** (words that also introduce definitions:
  ``for $p = \mathcal N(0, 1)$``, ``where $r = \sigma_1^2/\sigma_2^2$``): every relation is an
  inequality, or an equality between symbols only.

A condition clause gets one finding per relation, unchecked of kind "condition" (what it
was judged before is dropped: ``when $p > q$`` is not a claim about values an example gave p
and q).  An equality chain of symbols (``\sigma_1 = \sigma_2 = \sigma``) makes each symbol the
last one for the rest of its sentence, so the relation the sentence states under it is judged
in that case; :class:`Reach` undoes the condition's bindings at the end of the sentence
(:func:`.reachstate.undo`) — except an assumption's (after assuming, provided, given that), which
holds for the argument that follows.

Under a condition after when/if/…, an equation headed by an information quantity of the text's
distributions (``D_{\mathrm{KL}}(p\|q) = 0``) is the claim the sentence makes in that case,
not a definition of the quantity (:meth:`.steps.Steps.start`, :attr:`condition_until`).

That claim is checked at random points of the case when every condition of its sentence is
one the points follow (:attr:`condition_known`: symbols set equal, a symbol's value or bound):
``D_{\mathrm{KL}}(p\|q) = 0`` "when μ₁ = μ₂" alone is an error (it needs σ₁ = σ₂ too); under
``p \approx q`` it stays unchecked.

Example: ``In particular, when $\sigma_1=\sigma_2=\sigma$, $\mathrm{KL} = (\mu_1-\mu_2)^2 /
2\sigma^2$`` → two conditions and the KL judged with σ_1 = σ_2 = σ.
"""

from __future__ import annotations

import re

from . import nodes as N
from . import reachstate as _state
from . import scopes as _scopes
from . import symbols as S
from .latex import Unsupported

STRONG = ("when", "whenever", "if", "only if", "provided", "provided that", "assuming",
          "assuming that", "given that", "unless", "as long as", "iff")
ASSUMPTIONS = ("provided", "provided that", "assuming", "assuming that", "given that")
WEAK = ("for", "for all", "for every", "for any", "for each", "where")
_WORD = re.compile(r"(?:^|[^\w\\])(?P<w>" + "|".join(
    sorted((w.replace(" ", r"\s+") for w in STRONG + WEAK), key=len, reverse=True))
    + r")[\s,:~]*(?:\$+|\\\(|\\\[)?\s*$", re.I)
_JOIN = re.compile(r"^[\s,]*(?:\$+|\\\)|\\\])?[\s,]*(?:and|or)\s*(?:\$+|\\\(|\\\[)?\s*$",
                   re.I)
INEQUALITIES = ("≤", "≥", "<", ">", "≠")
#: prose read before a piece of math for its condition word
WINDOW = 40


def word_before(text: str, start: int, prev_end: int | None, prev_word: str | None) -> str | None:
    """The condition word right before the math at ``start`` (lower case, single-spaced), or
    ``prev_word`` when only ``and``/``or``/a comma joins it to the previous condition's math
    (which ended at ``prev_end``)."""
    if prev_word and prev_end is not None and 0 <= start - prev_end <= WINDOW and _JOIN.match(
            text[prev_end:start]):
        return prev_word
    m = _WORD.search(text[max(0, start - WINDOW):start])
    return " ".join(m.group("w").lower().split()) if m else None


def _simple(node) -> bool:
    """A symbol (``\\mu_1``, ``\\sigma``) as a side of a condition — not an application
    such as ``\\mathcal N(\\mu, \\sigma^2)`` or ``D(p\\|q)``."""
    return isinstance(node, (N.Name, N.Var)) and "(" not in node.name


def _number(node) -> bool:
    if isinstance(node, N.Neg):
        node = node.arg
    if isinstance(node, N.Mul):
        return all(_number(f) for _, f in node.factors)
    return isinstance(node, N.Num)


def is_condition(word: str | None, items) -> bool:
    """Does the parsed clause ``items`` state a condition after ``word``?"""
    if not word or len(items) < 3 or items[0] is None or len(items) % 2 == 0:
        return False
    if any(isinstance(x, Unsupported) for x in items):
        return False
    strong = word in STRONG
    for k in range(1, len(items), 2):
        rel, a, b = items[k], items[k - 1], items[k + 1]
        if not isinstance(rel, N.Relation):
            return False
        if rel.op in INEQUALITIES:
            continue
        if rel.op not in ("=", "≈"):
            return False
        if _simple(a) and _simple(b):  # σ₁ = σ₂, p ≈ q
            continue
        if rel.op != "=":
            return False
        if strong and (_simple(a) and _number(b) or _number(a) and _simple(b)):
            continue
        return False
    return True


def relabel(aud, word: str, before: int, items) -> None:
    """The findings recorded since index ``before`` become conditions; a chain of symbols
    (``a = b = c``) makes each symbol the last one (the identity judge's definitions)."""
    for f in aud.findings[before:]:
        if f.check == "term":
            continue
        f.severity, f.kind, f.computed = "unchecked", "condition", None
        f.message = (f"a condition the text states (after '{word}'), not a claim; the rest of "
                     "the sentence is read under it")
    ops = [items[k].op for k in range(1, len(items), 2)]
    names = items[0::2]
    aud.condition_clause_known = _applied(aud, ops, names)
    if set(ops) == {"="} and all(_simple(n) for n in names):
        from .judging import state
        st = state(aud)
        last = names[-1]
        for n in names[:-1]:
            if (n.name != last.name and S.SIMPLE.match(n.name) and n.name not in st.aliases
                    and last.name not in st.aliases):
                st.defs[n.name] = last
    aud.chain = None


#: a condition stated after the claim: "D(p‖q) = 0 only when p = q", "… if and only if …"
_AFTER = re.compile(r"\b(?:if|iff|when|whenever|unless|provided|only|exactly|precisely)\b", re.I)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)


def condition_follows(aud) -> bool:
    """Does the sentence go on, after the math being read, with a condition word?  Then the
    relation is a general statement about p and q ("= 0 only when p = q"), not one about the
    example's data."""
    source, at = getattr(aud, "source", ""), getattr(aud, "reader_offset", None)
    if not source or at is None:
        return False
    window = source[at:at + 600]
    end = re.search(r"\$|\\\)|\\\]|\\end\{", window)
    rest = window[end.end():] if end else ""
    rest = re.split(r"(?<=[.!?])\s|\n\s*\n", rest.lstrip("$"), maxsplit=1)[0]
    return bool(_AFTER.search(_MATH.sub(" ", rest)))


def in_case(aud) -> bool:
    """Is the reader in a sentence after a when/if condition that the random points follow
    (``if $a = 1/2$, $H(P) = \\ln 2$``, P = Bern(a)): its relation is the claim for that case."""
    return (getattr(aud, "reader_offset", 0) < getattr(aud, "condition_until", -1)
            and getattr(aud, "condition_known", False) and not condition_follows(aud))


def _applied(aud, ops, sides) -> bool:
    r"""Will the relation the sentence states be judged exactly in the case this condition
    names?  Yes for a chain of symbols (``\mu_1 = \mu_2``: substituted), a symbol given a
    number (``\sigma = 1``: bound), a bound on one symbol (``\sigma > 1``: its domain) and
    ``≠`` (true at random points); not for ``p ≈ q``, ``\sigma_1 < \sigma_2`` or a
    distribution's name, which the random points do not follow."""
    from .judging import state
    aliases = state(aud).aliases
    if any(isinstance(n, (N.Name, N.Var)) and n.name in aliases for n in sides):
        return False
    if set(ops) == {"="}:
        return all(_simple(n) and S.SIMPLE.match(n.name) for n in sides if not _number(n))
    return len(ops) == 1 and (ops[0] == "≠" or ops[0] in INEQUALITIES and sum(
        _simple(n) for n in sides) == 1 and sum(_number(n) for n in sides) == 1)


#: prose that hands its sentence on to the display after it ("if $X \\sim …$, then" ⏎ $$…$$)
_HANDS_ON = re.compile(r"(?:,|:|\bthen|\bwe\s+(?:have|get|find))\s*$", re.I)


def _case_end(masked: str, at: int) -> int:
    """The end of the sentence going on at ``at`` (masked text), where a sentence that stops
    at a paragraph break after "then", a comma or a colon goes on into the display (or
    paragraph) that follows: the case it names is what that display is about."""
    until = _scopes.sentence_end(masked, at)
    nxt = len(masked) - len(masked[until:].lstrip())
    if (until < nxt < len(masked) and masked[until - 1:until] != "."
            and _HANDS_ON.search(masked[at + 1:until])):
        return _scopes.sentence_end(masked, nxt)
    return until


class Reach:
    """Opens and closes the passages of :func:`.scopes.regions` as :func:`.layout.run`'s
    events pass (:meth:`at`), and reads the condition word before each piece of math
    (:meth:`segment`): a condition's bindings last to the end of its sentence."""

    def __init__(self, aud, regions, masked: str, lo: int, feed):
        self.aud, self.regions, self.masked, self.lo, self.k = aud, regions, masked, lo, 0
        self.feed = feed  # feeds one segment to the auditor (layout._segment)
        if not hasattr(aud, "scope_stack"):
            aud.scope_stack = []

    def at(self, off: int) -> None:
        self.aud.reader_offset = off  # where the reader is (atdata.passage)
        stack = self.aud.scope_stack
        done = [e for e in stack if e[0] <= off]
        if done:
            self.aud.scope_stack = stack = [e for e in stack if e[0] > off]
            for _end, what, saved in reversed(done):
                (_state.undo if what == "condition" else _state.restore)(self.aud, saved)
        while self.k < len(self.regions) and self.regions[self.k][0] <= off:
            start, end, what = self.regions[self.k]
            self.k += 1
            if off < end:
                stack.append((end, what, _state.snapshot(self.aud)))

    def segment(self, text: str, item, parse) -> None:
        aud = self.aud
        word = word_before(text, item.offset, getattr(aud, "condition_end", None),
                                       getattr(aud, "condition_prev", None))
        aud.condition_word, aud.condition_seen = word, False
        before = _state.snapshot(aud) if word else None
        try:
            self.feed(aud, item, parse)
        finally:
            aud.condition_word = None
        end = item.offset + len(item.text.rstrip())
        if word and aud.condition_seen:
            # an assumption ("assuming α = .05:") holds for the argument that follows; a case
            # ("when σ₁ = σ₂ = σ", "if q = 1/2") for its sentence
            changed = {} if word in ASSUMPTIONS else _state.changes(aud, before)
            until = _scopes.sentence_end(self.masked, max(0, end - self.lo - 1)) + self.lo
            if changed:
                aud.scope_stack.append((until, "condition", changed))
            aud.condition_end, aud.condition_prev = end, word
            if word in STRONG:  # "whenever μ₁ = μ₂, D(p‖q) = 0": a claim in that case
                clause = getattr(aud, "condition_clause_known", False)
                same = getattr(aud, "condition_until", None) == until  # "when a and b"
                aud.condition_known = clause and (getattr(aud, "condition_known", True)
                                                  if same else True)
                aud.condition_until = until
        elif word in STRONG and word not in ASSUMPTIONS and before["declared"] != getattr(
                aud, "declared", {}):
            # "if $X \\sim Pois(\\lambda)$, then …": a variable's family named in a case holds
            # for that sentence, not for the sections after it
            changed = {k: v for k, v in _state.changes(aud, before).items() if k == "declared"}
            until = _case_end(self.masked, max(0, end - self.lo - 1)) + self.lo
            aud.scope_stack.append((until, "condition", changed))
            aud.condition_prev = None
        else:
            aud.condition_prev = None
