r"""A false ``≠`` quoted as an example, not claimed: "$2 + 2 \neq 4$ has an infinite amount
of information" (under "low likelihood *events*"), "the *impossible* event $1 \neq 1$".

A relation ``a ≠ b`` between equal values is a false statement of arithmetic.  Course text
sometimes names one on purpose — an impossible event, a wrong example — and then it is not a
claim.  Only the words around it tell: :func:`quoted_as_example` reads the sentence holding the
math (prose before and after it, math blanked) and, when the math sits in a nested list item,
the item it hangs from; it returns the first cue word of :data:`CUES` (impossible, event,
wrong, false, incorrect, untrue, absurd, contradiction, "e.g.", "for example", "such as") or
None.  Without a cue the false ``≠`` is an error like any false relation.

Example: ``* Low likelihood events …`` / ``  * $2 + 2 \neq 4$ has …`` → ``"event"``;
``Note that $\binom{4}{2} \neq 6$, so the count differs.`` → None (an error).
"""

from __future__ import annotations

import re

from .proseconditions import _MATH, _sentence_before

#: words saying the relation is named as an (impossible, wrong) example, not claimed
CUES = (r"\bimpossib", r"\bevents?\b", r"\bwrong\b", r"\bfalse\b", r"\bincorrect", r"\buntrue\b",
        r"\babsurd", r"\bcontradict", r"\be\.\s?g\.", r"\bfor\s+example\b", r"\bsuch\s+as\b")
_CUE = re.compile("|".join(CUES), re.I)
_EG = re.compile(r"\be\.\s?g\.[\s,:]*(?:\$\$?|\\\(|\\\[|:math:`)?$", re.I)
_ITEM = re.compile(r"([ \t]*)(?:[*+-]|\d+[.)])[ \t]+")
_END = re.compile(r"(?<!e\.g)(?<!i\.e)[.!?](?:\s|$)|\n[ \t]*\n|\n[ \t]*(?:[*+-]|\d+[.)])[ \t]")
#: how far the sentence after the math and the parent item above are read
AFTER, ABOVE = 300, 1200


def _after(source: str, at: int) -> str:
    """The prose after the math that starts at ``at``, to the end of its sentence."""
    window = source[at:at + AFTER]
    m = _MATH.match(window)
    if m is None:  # the reader is inside the math: skip to its end
        end = re.search(r"\$|`|\\\)|\\\]", window)
        window = window[end.end():] if end else ""
    else:
        window = window[m.end():]
    window = _MATH.sub(" ", window)
    stop = _END.search(window)
    return window[:stop.start()] if stop else window


def _parent_item(source: str, at: int) -> str:
    """The list item a nested item holding ``at`` hangs from (its first line), or ""."""
    start = source.rfind("\n", 0, at) + 1
    own = _ITEM.match(source, start)
    if own is None or not own.group(1):
        return ""
    indent = len(own.group(1).expandtabs())
    lo = max(0, start - ABOVE)
    for line in reversed(source[lo:start].split("\n")):
        m = _ITEM.match(line)
        if m and len(m.group(1).expandtabs()) < indent:
            return _MATH.sub(" ", line)
        if not line.strip():
            continue
    return ""


def quoted_as_example(aud) -> str | None:
    """The cue word (lower case) saying the relation being read is quoted as an example or
    an impossible event, or None."""
    source, at = getattr(aud, "source", ""), getattr(aud, "reader_offset", None)
    if not source or at is None or at < 0:
        return None
    if _EG.search(source, max(0, at - 40), at):  # "e.g." ends a "sentence" of its own
        return "e.g."
    before, _ = _sentence_before(source, at)
    for text in (before, _after(source, at), _parent_item(source, at)):
        m = _CUE.search(text)
        if m:
            return " ".join(m.group().lower().split())
    return None
