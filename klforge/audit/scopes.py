r"""How far a definition reaches, as a reader takes it: examples, parentheticals, conditions.

A value or formula given in passing belongs to the passage that gives it:

* an **example block** — a MyST/Quarto directive titled or named Example, Exercise, Solution,
  Problem (``:::{admonition} Example``, ``:::{dropdown} Solution``, ``{prf:example}``), a LaTeX
  ``example``/``exercise``/``solution``/``problem`` environment, or a paragraph that begins with
  a bold label (``**Example.**``, ``\textbf{Example 2}``): its definitions end with the block.
  An exercise and the solution that follows it are one block (the solution uses its data);
* a **parenthetical example** of prose that holds math (``(for instance, take $p = 0.3$ …)``,
  ``(e.g. …``, ``(say …``): its definitions end with the sentence it sits in (at the closing
  parenthesis when the example is a sentence of its own); a parenthetical
  gloss (``ten tests ($m = 10$)``) defines for what follows, as a reader takes it;
* an **"e.g." clause** (``e.g.``, ``for instance``, ``for example``, ``say``, outside any
  parenthesis): its definitions end with the paragraph.

:func:`regions` finds these passages in a document (math masked, so parentheses inside
formulas do not count); :mod:`.reachstate` saves the auditor's names and definitions when a
passage opens and puts them back when it closes, so a later relation is judged as if the
passage had not bound anything (``p > q`` after an example with ``p = 0.3``, ``q = 0.5`` is
again a relation between symbols).  :func:`sentence_end` bounds a condition's reach
(:mod:`.conditions`).

Example: in ``(For instance, take $p = 0.3$.) Then $p(1-p) \le 1/4$.`` the relation is
checked for every p, not at p = 0.3.
"""

from __future__ import annotations

import re

#: words of a directive, environment or label that make a passage an example
_EXAMPLE = r"(?:worked\s+)?(?:example|exercise|solution|problem|illustration)s?"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,}|`{3,}|~{3,})\s*\{\.?(?P<name>[\w:-]+)"
                    r"(?P<attrs>[^}\n]*)\}[ \t]*(?P<title>[^\n]*)$", re.M)
_FENCE_NAMES = re.compile(r"(?:prf:)?(?:example|exercise|solution|problem)", re.I)
_TITLED = {"admonition", "dropdown", "note", "tip", "hint", "important", "topic", "sidebar",
           "callout-note", "callout-tip", "callout-important", "callout-caution"}
_TEX_ENV = re.compile(r"\\begin\{(?P<env>" + _EXAMPLE + r")\*?\}", re.I)
_LABEL = re.compile(r"(?:^|\n[ \t>]*\n)[ \t>]*(?:\*\*|__|\\textbf\{|\\paragraph\*?\{|\\emph\{|\*|_)"
                    r"\s*(?P<w>" + _EXAMPLE + r")\b", re.I)
_EG = re.compile(r"\b(?:e\.\s?g\.|for\s+instance|for\s+example)(?=[\s,:\\~])", re.I)
_BREAK = re.compile(r"\n[ \t>]*\n")
_DELIMS = re.compile(r"\\[()\[\]]")
#: longest parenthetical read as one (a stray parenthesis must not scope a whole page)
MAX_PAREN = 1500


def masked(text: str, segments, lo: int = 0, hi: int | None = None) -> str:
    """``text[lo:hi]`` with every math segment's content replaced by ``M`` (same length, no
    line breaks) and ``\\(`` ``\\)`` ``\\[`` ``\\]`` blanked: the prose's own parentheses
    and paragraph breaks (offsets relative to ``lo``)."""
    hi = len(text) if hi is None else hi
    out = list(text[lo:hi])
    for s in segments:
        a, b = max(0, s.offset - lo), min(len(out), s.offset + len(s.text) - lo)
        if b > a:  # a sentence's final period inside the math is kept: it ends the sentence
            dot = s.text.rstrip().endswith(".") and not s.text.rstrip().endswith("\\.")
            out[a:b] = "M" * (b - a)
            if dot:
                out[min(b, a + len(s.text.rstrip())) - 1] = "."
    return _DELIMS.sub("  ", "".join(out))


def paragraph_end(prose: str, at: int) -> int:
    """Offset of the first paragraph break at or after ``at`` in the masked text."""
    m = _BREAK.search(prose, at)
    return m.start() if m else len(prose)


_SENTENCE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)(?<!\betc)(?<!\bvs)[.!?](?=\s)")


def sentence_end(prose: str, at: int) -> int:
    """Offset just after the sentence that goes on at ``at`` (masked text): its full stop,
    or its paragraph's end."""
    end = paragraph_end(prose, at)
    m = _SENTENCE.search(prose, at, end)
    return m.end() if m else end


def _fences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of MyST/Quarto directives that are examples, exercises, solutions."""
    out = []
    for m in _FENCE.finditer(text):
        name = m.group("name").lower()
        # the title: after the directive, in Quarto's title="…", or the block's first line
        # (a Quarto callout's "## Example")
        title = " ".join((m.group("title"), m.group("attrs"),
                          text[m.end():text.find("\n", m.end() + 1) + 1 or len(text)]))
        kind = _kind(name) if _FENCE_NAMES.fullmatch(name) else (
            _kind(title) if name in _TITLED else None)
        if kind is None:
            continue
        fence = m.group("fence")
        close = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$",
                           re.M)
        end = close.search(text, m.end())
        if end is not None:
            out.append((m.start(), end.end(), kind))
    return out


def _kind(words: str) -> str | None:
    m = re.search(r"\b(example|exercise|solution|problem|illustration)", words, re.I)
    if m is None:
        return None
    word = m.group(1).lower()
    return {"problem": "exercise", "illustration": "example"}.get(word, word)


def _environments(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _TEX_ENV.finditer(text):
        end = text.find("\\end{" + m.group("env"), m.end())
        if end >= 0:
            out.append((m.start(), end, _kind(m.group("env")) or "example"))
    return out


def _labels(prose: str) -> list[tuple[int, int, str]]:
    """A paragraph that begins with a bold label ``**Example.**``: to the paragraph's end."""
    out = []
    for m in _LABEL.finditer(prose):
        start = m.start("w")
        out.append((start, paragraph_end(prose, start), _kind(m.group("w")) or "example"))
    return out


#: words that open a parenthetical example: "(for instance, take $p = 0.3$ …)"
_OPENS_EXAMPLE = re.compile(r"\s*(?:\\(?:emph|textit|textbf)\s*\{|\*{1,2}|_)?\s*"
                            r"(?:(?:for\s+instance|for\s+example|say|take|suppose|consider|imagine|"
                            r"as\s+an\s+example|an\s+example|example|if\s+we\s+take)\b|e\.\s?g\.)",
                            re.I)


def _parentheticals(prose: str) -> list[tuple[int, int, str]]:
    """Parentheses of the prose (math masked) that hold math and no paragraph break: kind
    "parenthetical" when they open with an example's words (``(for instance, …``, ``(e.g.``,
    ``(say``), "gloss" otherwise (``ten tests ($m = 10$)`` defines m for what follows)."""
    out, stack = [], []
    for m in re.finditer(r"[()]|\n[ \t>]*\n", prose):
        tok = m.group()
        if tok == "(":
            stack.append(m.start())
        elif tok == ")":
            if stack:
                a = stack.pop()
                if "M" in prose[a:m.end()] and m.end() - a <= MAX_PAREN:
                    out.append((a, m.end(), "parenthetical" if _OPENS_EXAMPLE.match(
                        prose, a + 1) else "gloss"))
        else:
            stack = []  # a paragraph break: an unclosed parenthesis is a stray one
    return out


def _after_parenthesis(prose: str, close: int) -> int:
    """Where a parenthetical example's reach ends: with the sentence it sits in
    (``a coin (e.g. $n = 3$ flips) has $2^n = 8$ outcomes.``), or at the parenthesis when the
    example is a sentence of its own (``(For instance, take $p = 0.3$ … nats.)``)."""
    if prose[:close - 1].rstrip()[-1:] in (".", "!", "?"):
        return close
    return sentence_end(prose, close)


def _eg_clauses(prose: str, parens) -> list[tuple[int, int, str]]:
    """``e.g.``/``for instance`` outside a parenthetical: to the end of its paragraph."""
    out = []
    for m in _EG.finditer(prose):
        if any(a <= m.start() < b for a, b, _ in parens):
            continue
        end = paragraph_end(prose, m.end())
        if "M" in prose[m.end():end]:
            out.append((m.start(), end, "e.g."))
    return out


_SET = ("exercise", "solution", "exercises")


def blocks(text: str) -> list[tuple[int, int, str]]:
    """Example, exercise and solution blocks of the whole document (directives and LaTeX
    environments).  Exercises and solutions that follow one another with nothing but blank
    space between are one block, a problem set: a solution uses its exercise's data, and a
    later exercise may take "the same pair" as an earlier one."""
    found = sorted(_fences(text) + _environments(text))
    out: list[list] = []
    for a, b, kind in found:
        if (out and out[-1][2] in _SET and kind in _SET and a >= out[-1][1]
                and not re.sub(r"[\s>:`~]", "", text[out[-1][1]:a])):
            out[-1][1], out[-1][2] = b, "exercises"  # a problem set: "for the same pair"
            continue
        out.append([a, b, kind])
    return [tuple(x) for x in out]


def units(text: str) -> list[tuple[int, int]]:
    """(start, end) of each example, and of each exercise with the solution that follows it: the
    passages that give their own data (finer than :func:`blocks`' problem sets, whose later
    exercises may speak of other distributions)."""
    out: list[list] = []
    for a, b, kind in sorted(_fences(text) + _environments(text)):
        if (out and kind == "solution" and out[-1][2] == "exercise" and a >= out[-1][1]
                and not re.sub(r"[\s>:`~]", "", text[out[-1][1]:a])):
            out[-1][1], out[-1][2] = b, "solution"
            continue
        out.append([a, b, kind])
    return [(a, b) for a, b, _ in out]


def regions(text: str, segments, lo: int = 0, hi: int | None = None, whole=None):
    """(masked prose, regions) of ``text[lo:hi]``: the regions are (start, end, kind) of the
    passages whose definitions end with them, sorted by start, offsets into ``text``; kinds:
    "example", "exercise", "solution", "exercises" (a problem set), "parenthetical", "e.g.".
    ``whole``: :func:`blocks` of the whole text, when the caller has them."""
    prose = masked(text, segments, lo, hi)
    end = lo + len(prose)
    found = [(a, b, k) for a, b, k in (blocks(text) if whole is None else whole)
             if a < end and b > lo]
    parens = _parentheticals(prose)
    examples = [(a, _after_parenthesis(prose, b), kind) for a, b, kind in parens
                if kind == "parenthetical"]
    local = _labels(prose) + examples + _eg_clauses(prose, parens)
    return prose, sorted(found + [(a + lo, b + lo, kind) for a, b, kind in local])
