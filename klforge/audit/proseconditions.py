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
이므로, なら; an implication arrow → ⇒ in prose).

Example: ``If $X$ and $Y$ are independent then $H(X,Y) = H(X) + H(Y)$.`` →
``condition_in_words`` gives "if", and the relation is unchecked, not an error.
"""

from __future__ import annotations

import re

#: words that open a case or a premise in the prose before a relation
WORDS = (r"\bif\b", r"\bwhen\b", r"\bwhenever\b", r"\bsuppose\b", r"\bassum(?:e|ing)\b",
         r"\bprovided\b", r"\bgiven\s+that\b", r"\bsince\b", r"\bbecause\b",
         r"\bin\s+the\s+case\b", r"\bin\s+case\b", "이면", "이므로", "므로", "なら",
         "→", "⇒", r"\\Rightarrow\b", r"\\implies\b", r"\\to\b")
_WORD = re.compile("|".join(WORDS), re.I)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|\\\(.*?\\\)|\\\[.*?\\\]|`[^`\n]*`", re.S)
#: a sentence boundary before the relation: full stop and blank, bullet, heading
_BOUND = re.compile(r"[.!?](?:\*\*|_)?\s+(?=\S)|\n[ \t]*(?:[*+-]|\d+[.)]|#+)[ \t]+")
_BLANK = re.compile(r"\n[ \t]*\n")
_ENDED = re.compile(r"[.!?](?:\*\*|_)?\s*$")
#: how far back the sentence is read
WINDOW = 400


def _sentence_before(source: str, at: int) -> str:
    """The prose of the sentence before offset ``at`` (math blanked)."""
    lo = max(0, at - WINDOW)
    text = source[lo:at]
    # a math block may start before the window: blank everything up to its end
    text = _MATH.sub(lambda m: " " * len(m.group()), text)
    blanks = list(_BLANK.finditer(text))
    start = 0
    for b in reversed(blanks):
        before = text[:b.start()]
        tail = before.rstrip()
        if not tail or _ENDED.search(tail):
            start = b.end()
            break
        # a paragraph ending in "then", ",", ":" runs on into the display below it
    text = text[start:]
    bounds = list(_BOUND.finditer(text))
    if bounds:
        text = text[bounds[-1].end():]
    return text


def condition_in_words(aud) -> str | None:
    """The condition word in the prose of the current sentence before the math being read
    (lower case), or None."""
    source, at = getattr(aud, "source", ""), getattr(aud, "reader_offset", None)
    if not source or at is None or at <= 0:
        return None
    found = _WORD.findall(_sentence_before(source, at))
    return " ".join(found[-1].lower().split()) if found else None
