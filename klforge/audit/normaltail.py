r"""Standard normal probabilities written as ``P(Z > z)``, read as values of Φ.

Statistics courses write the standard normal variable as ``Z`` and its tail probabilities
as probabilities of events: ``P(Z > 2.9)``, ``\mathbb{P}(Z > z)``, ``P(|Z| \ge 2.5)``,
``P(Z \le -1.96)``.  The parser flattens these into names (``P(Z>2.9)``); this module reads
such a name, when its threshold is a number or a name (``z``), as the expression it means:

* ``P(Z > a)``, ``P(Z ≥ a)`` → 1 − Φ(a);  ``P(Z < a)``, ``P(Z ≤ a)`` → Φ(a);
* ``P(|Z| > a)``, ``P(|Z| ≥ a)`` → 2(1 − Φ(a));  ``P(|Z| < a)``, ``P(|Z| ≤ a)`` → 2Φ(a) − 1,

and, written standardised, ``P\left(\frac{Y - 50}{5} > \frac{64.5 - 50}{5}\right)`` (a
capital variable minus a value, over a value: the text's normal approximation) → 1 − Φ of
the right-hand side, read from the math as written, so that
``P\left(\frac{Y-50}{5} > \frac{64.5-50}{5}\right) = 1 - \Phi(2.9) = 0.0019`` and
``\mathbb{P}(Z > z) \approx 1 - 0.5596 = 0.4404`` are checked step by step
(Φ is evaluated exactly and, in intervals, monotonically: see :mod:`.evaluate`).  A
threshold name (``z``) takes the value the text gave it, rounded as printed.  Only the capital
``Z`` is read so, and only while the document has not bound ``Z`` (or the event's name)
itself (nor after ``Let $Z =$ the number of …`` or ``Let $Z$ denote the …``: a Z defined
in words, :func:`named_in_words`).

Example: ``rewrite(Name("P(Z>2.9)"), {})`` is ``1 − Φ(2.9)`` = 0.0018658…
Bounds: a name of at most :data:`MAX_NAME` characters, matched by one anchored regular
expression; the tree is rebuilt once (:func:`.nodes.map_children`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from . import nodes as N
from .tokens import number

MAX_NAME = 60
_TAIL = re.compile(r"(?:P|Pr|mathbbP|mathrmP|operatornameP)\((?P<abs>\|?)Z(?P=abs)"
                   r"(?P<op>>|<|≥|≤|geq?|leq?|gt|lt)(?P<t>-?(?:\d+\.?\d*|\.\d+)|[a-z](?:_\w{1,6})?)"
                   r"\)")
_ONE = N.Num(Fraction(1), "1", 0, 0)
_TWO = N.Num(Fraction(2), "2", 0, 0)


def _phi(arg):
    return N.Func("Phi", arg)


def meaning(name: str, pos: int):
    """The Φ expression a ``P(Z … a)`` name means, or None."""
    m = _TAIL.fullmatch(name) if len(name) <= MAX_NAME else None
    if m is None:
        return None
    t = m.group("t")
    arg = N.Name(t, pos) if t[0].isalpha() else (
        N.Neg(number(t[1:], pos)) if t.startswith("-") else number(t, pos))
    upper = m.group("op") in (">", "≥", "ge", "geq", "gt")
    if not m.group("abs"):
        return N.Add([(1, _ONE), (-1, _phi(arg))]) if upper else _phi(arg)
    if upper:
        return N.Mul([("*", _TWO), ("*", N.Add([(1, _ONE), (-1, _phi(arg))]))])
    return N.Add([(1, N.Mul([("*", _TWO), ("*", _phi(arg))])), (-1, _ONE)])


_P_OPEN = re.compile(r"(?:\\Pr|P|\\mathbb\{P\}|\\mathrm\{P\})\s*(?:\\left\s*)?\(")
_INEQ = re.compile(r"\\geq?\b|\\leq?\b|\\gt\b|\\lt\b|>|<|≥|≤")
_STANDARD = re.compile(r"\s*\\[dt]?frac\s*\{\s*[A-Z]\s*-\s*[^{}<>]{1,40}\}\s*\{[^{}<>]{1,40}\}\s*")


def standardised(raw: str, pos: int, parse):
    r"""``P\left(\frac{Y - m}{s} > c\right)`` at ``raw[pos:]``: 1 − Φ(c) (Φ(c) for <, ≤),
    with c parsed from the math at its own offsets; None for anything else."""
    m = _P_OPEN.match(raw, pos)
    if m is None:
        return None
    depth, i, end = 1, m.end(), None
    while i < len(raw) and i - pos < 4 * MAX_NAME:
        if raw.startswith("\\right", i):
            i += 6
            continue
        depth += raw[i] == "("
        depth -= raw[i] == ")"
        if depth == 0:
            end = i
            break
        i += 1
    if end is None:
        return None
    inner = re.sub(r"\\right\s*$", "", raw[m.end():end])
    ops = list(_INEQ.finditer(inner))
    if len(ops) != 1 or not _STANDARD.fullmatch(inner[:ops[0].start()]):
        return None
    start = m.end() + ops[0].end()
    try:
        items = parse(" " * start + inner[ops[0].end():])
    except Exception:  # Unsupported and friends: not a threshold this module reads
        return None
    if len(items) != 1 or items[0] is None or isinstance(items[0], N.Relation):
        return None
    upper = ops[0].group().lstrip("\\") in (">", "≥", "ge", "geq", "gt")
    arg = items[0]
    return N.Add([(1, _ONE), (-1, _phi(arg))]) if upper else _phi(arg)


#: ``Let $Z =$ the …``, ``Let $Z$ denote/be/represent the …``: Z defined in words (the math
#: is Z alone, or "Z =", in $…$, \\(…\\) or :math:`…`), with the rest of the sentence
_Z_MATH = (r"(?:\$\s*Z\s*(?P<eq>=\s*)?\$|\\\(\s*Z\s*(?P<eq2>=\s*)?\\\)"
           r"|:math:`\s*Z\s*(?P<eq3>=\s*)?`)")
_Z_WORDS = re.compile(r"\blet\s+" + _Z_MATH + r"\s*(?P<verb>be\b|denotes?\b|represents?\b|"
                      r"stands?\s+for\b|is\b)?(?P<rest>[^\n]{0,160})", re.I)
#: the sentence makes it the standard normal one after all
_NORMAL = re.compile(r"normal|gauss|N\s*\(\s*0|\\mathcal\s*\{?\s*N|standard", re.I)


def named_in_words(aud) -> bool:
    """Did the text, before the math being read, define ``Z`` in words (``Let $Z =$ the
    torque required to loosen the next bolt``, ``Let $Z$ denote the number of defects``)
    and not as a standard normal one (``Let $Z$ be a standard normal variable``)?  Then Z is
    its own variable — a table of its values may follow — not the standard normal one."""
    source, at = getattr(aud, "source", ""), getattr(aud, "reader_offset", None)
    if not source or "Z" not in source:
        return False
    cached = getattr(aud, "z_in_words", None)
    if cached is None or cached[0] is not source:
        starts = []
        for m in _Z_WORDS.finditer(source):
            rest = re.split(r"[.!?](?:\s|$)", m.group("rest"), maxsplit=1)[0]
            said = m.group("eq") or m.group("eq2") or m.group("eq3") or m.group("verb")
            if said and not _NORMAL.search(rest):
                starts.append(m.start())
        cached = aud.z_in_words = (source, starts)
    return any(start < (len(source) if at is None else at) for start in cached[1])


def rewrite(node, names, raw: str = "", parse=None, aud=None):
    """``node`` with its standard normal tail names replaced (not names the text bound, nor
    a Z it defined in words); with the math ``raw`` it was parsed from (and the parser),
    standardised events too."""
    if node is None or "Z" in names or named_in_words(aud):
        return node

    def rec(n):
        if isinstance(n, N.Name) and n.name not in names:
            if "Z" in n.name:
                return meaning(n.name, n.pos) or n
            if parse is not None and "frac" in n.name and 0 <= n.pos < len(raw):
                return standardised(raw, n.pos, parse) or n
            return n
        return N.map_children(n, rec)
    return rec(node)
