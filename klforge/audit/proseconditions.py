r"""A condition stated in words before a relation: "if X and Y are independent, then …".

Course text states special cases in prose: "if $X = Y$ are two identical random variables,
then $H(X, Y) = H(X) = H(Y)$", "when $Y$ is a function of $X$, $I(X;Y) = H(Y)$",
"$Y = g(X)$ 이면 $I(X;Y) = H(Y)$", "$Y = X^2$ 는 $|X|$ 와 일대일 → $I(X;Y) = H(Y)$".  The
relation holds in that case, not at random points; :mod:`.conditions` applies conditions
written as math the points can follow (``\mu_1 = \mu_2``), but independence, a function of
another variable or "identical" are cases the random points do not follow.  A relation that
fails at random points in a sentence whose prose, before the relation, opens such a case is
therefore not judged (unchecked, naming the words) rather than called wrong.

:func:`condition_in_words` reads the sentence before the math being read: back to the last
``.``/``!``/``?`` followed by a blank, a list bullet or a heading, or a blank line (a
paragraph that ends without a full stop — "then", ",", ":" — runs on into the display that
follows it), math blanked; it finds a condition word (:data:`WORDS`: if, when, whenever,
suppose, assuming, provided, given that, since, because, in the case; the postpositions 이면,
이므로, なら; an implication arrow → ⇒ in prose) — and only when the sentence also names a
case (:data:`CASES`: independent, a function of, identical, one-to-one, …; or math with
``=`` or ``⊥``), so that "when we expand …" or "because …" alone hides no slip.

Example: ``If $X$ and $Y$ are independent then $H(X,Y) = H(X) + H(Y)$.`` →
``condition_in_words`` gives "if", and the relation is unchecked, not an error.
"""

from __future__ import annotations

import re

#: words that open a case or a premise in the prose before a relation
WORDS = (r"\bif\b", r"\bwhen\b", r"\bwhenever\b", r"\bsuppose\b", r"\bassum(?:e|ing)\b",
         r"\bprovided\b", r"\bgiven\s+that\b", r"\bsince\b", r"\bbecause\b",
         r"\bin\s+the\s+case\b", r"\bin\s+case\b", "이면", "므로", "なら", "→", "⇒")
#: (read in prose only — math is blanked — so no \Rightarrow/\to; 므로 covers 이므로)
_WORD = re.compile("|".join(WORDS), re.I)
#: words that name a case random distributions do not follow (independence, a function of
#: another variable, identical or equal variables, disjoint events, …; not "constant"
#: or "the same", which prose uses for other things: "if c is a constant, …")
CASES = (r"\bindependen", r"\bidentical", r"\bfunctions?\s+of\b", r"\bdetermin",
         r"\bone[- ]to[- ]one\b", r"\binvertible\b", r"\bbijecti", r"\binjecti",
         r"\bdisjoint\b", r"\bmutually\s+exclusive\b", r"\bdegenerate\b",
         r"\bi\.?i\.?d\b", r"\bequal\b", r"\bsame\s+distribution",
         r"\buniform", "독립", "일대일", "함수", "같", "独立", "関数", "同じ")
_CASE = re.compile("|".join(CASES), re.I)
#: math that states a case: an equation between variables, Y = g(X), X ⊥ Y
_CASE_MATH = re.compile(r"=|\\perp\b|⊥|\\independent\b")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|\\\(.*?\\\)|\\\[.*?\\\]|`[^`\n]*`", re.S)
#: a sentence boundary before the relation: full stop and blank, bullet, heading
_BOUND = re.compile(r"[.!?](?:\*\*|_)?\s+(?=\S)|\n[ \t]*(?:[*+-]|\d+[.)]|#+)[ \t]+")
_BLANK = re.compile(r"\n[ \t]*\n")
_ENDED = re.compile(r"[.!?](?:\*\*|_)?\s*$")
_MARK = "\x01"
#: how far back the sentence is read
WINDOW = 400


def _sentence_before(source: str, at: int) -> tuple[str, str]:
    """The sentence before offset ``at``: its prose (math blanked) and as written."""
    lo = max(0, at - WINDOW)
    lo = source.rfind("\n", 0, lo) + 1  # a line start: inline math never straddles it
    if source.count("$$", 0, lo) % 2:  # inside a display: start at its opening $$
        lo = source.rfind("$$", 0, lo)
    original = source[lo:at]
    # math blanked with a mark that is not white space, so that a sentence boundary's \s+
    # cannot run through it (the math right after "**Claim.**" stays in the sentence)
    text = _MATH.sub(lambda m: _MARK * len(m.group()), original)
    blanks = list(_BLANK.finditer(text))
    start = 0
    for b in reversed(blanks):
        before = text[:b.start()]
        tail = before.rstrip(" \t\n" + _MARK)
        if not tail or _ENDED.search(tail):
            start = b.end()
            break
        # a paragraph ending in "then", ",", ":" runs on into the display below it
    bounds = list(_BOUND.finditer(text, start))
    if bounds:
        start = bounds[-1].end()
    return text[start:], original[start:]


def condition_in_words(aud) -> str | None:
    """The condition word in the prose of the current sentence before the math being read
    (lower case), or None — only when the sentence also names a case (:data:`CASES`, or math
    stating one: ``Y = g(X)``, ``X ⊥ Y``); "when we expand the joint entropy, …" or
    "because of the chain rule, …" name none, so a slip after them is still judged."""
    source, at = getattr(aud, "source", ""), getattr(aud, "reader_offset", None)
    if not source or at is None or at <= 0:
        return None
    prose, written = _sentence_before(source, at)
    found = _WORD.findall(prose)
    if not found:
        return None
    if not (_CASE.search(prose) or any(_CASE_MATH.search(m.group())
                                       for m in _MATH.finditer(written))):
        return None
    return " ".join(found[-1].lower().split())
