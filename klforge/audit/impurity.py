"""Entropy or Gini impurity of a two-class node, stated in prose after its class probability.

Decision-tree lessons compute, node by node, the probability of one class and then the
node's impurity::

    - **Left Branch (Pointy):** 5 examples (4 cats, 1 dog). $p_1 = 4/5 = 0.8$.
      - _Entropy = 0.72_

A prose claim "entropy = N", "entropy is N", "Gini (index|impurity) is N" (≈/about allowed)
is checked against the binary entropy H(p) = −p log p − (1−p) log(1−p) — in the document's
log base, or in bits or nats when it has none yet — or the Gini impurity 2p(1−p) of the
probability ``p`` (a name ``p``, ``p_1``, ``p_{+}``, ``P(…)`` with a value strictly between
0 and 1) bound on the claim's line or on one of the :data:`LINES` lines before it (the most
recent such binding).  A decimal stands for its rounding interval, an integer for itself.
Only *ok* is reported: a node whose impurity does not match may have more than two classes
or refer to another probability, so a mismatch gets no verdict.  A *maximum* impurity
("Gini's maximum impurity is 0.5", "the maximum value of the Gini index is 0.5") is the
two-class maximum: Gini 1/2, entropy log 2 (1 bit).

Example: after ``$p_1 = 4/5$``, the prose "Entropy = 0.72" is ok (H(0.8) = 0.7219 bits).
Bounds: at most :data:`MAX_CLAIMS` claims per piece of prose; one pass over the bound names
per claim.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath

LINES, MAX_CLAIMS, TAIL = 2, 50, 60
_CLAIM = re.compile(r"(?<![A-Za-z])(?P<what>entropy|gini(?:[’']s)?"
                    r"(?:\s+(?:index|impurity|score))?)\b"
                    r"[^.\d\n]{0,40}?(?:=|\bis\b|\bequals\b)\s*(?:about\s+|approximately\s+|"
                    r"roughly\s+|≈\s*|~\s*)?(?P<n>\d*\.\d+|\d+)(?![A-Za-z0-9]|\.\d|\s*%)", re.I)
_PROB_NAME = re.compile(r"[pP](?:_\{?[\w+\-]{1,6}\}?)?(?:\([^()]{1,30}\))?")
_MAX = re.compile(r"\bmax(?:imum|imal)?\b", re.I)


def _mpf(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def _binary_entropy(p, base):
    h = -p * mpmath.log(p) - (1 - p) * mpmath.log(1 - p)
    return h if base is None else h / mpmath.log(base)


def _probability(aud, line: int):
    """(name, value, its line) of the latest probability bound on ``line`` or just before."""
    best = None
    for key, nv in aud.names.items():
        if not _PROB_NAME.fullmatch(key) or not line - LINES <= nv.line <= line:
            continue
        try:
            x = mpmath.mpf(nv.exact)
        except (TypeError, ValueError):
            continue
        if 0 < x < 1 and (best is None or nv.line >= best[2]):
            best = (key, x, nv.line)
    return best


def judge(aud, text: str, offset: int) -> None:
    """ok findings for the impurity claims of one piece of prose (the end of the piece
    before, cut by a formula such as ``Entropy ($H_{root}$) = 1.0``, is read with it)."""
    tail = getattr(aud, "impurity_tail", "")
    aud.impurity_tail = (" " + text[-TAIL:]) if "\n\n" not in text[-TAIL:] else ""
    text, offset = tail + text, offset - len(tail)
    for m in list(_CLAIM.finditer(text))[:MAX_CLAIMS]:
        if m.start("n") < len(tail):
            continue
        at = offset + m.start("n")
        line = aud.line_of(at)
        if _MAX.search(text[max(0, m.start() - 30):m.start("n")]):
            _maximum(aud, m, at)
            continue
        found = _probability(aud, line)
        if found is None:
            continue
        name, p, where = found
        literal = m.group("n")
        decimals = len(literal.partition(".")[2])
        stated = Fraction(literal)
        half = Fraction(1, 2 * 10 ** decimals) if decimals else Fraction(0)
        lo = _mpf(stated - half) - mpmath.mpf(10) ** -30
        hi = _mpf(stated + half) + mpmath.mpf(10) ** -30
        if m.group("what").lower().startswith("gini"):
            candidates = [(2 * p * (1 - p), "Gini impurity 2p(1−p)", "")]
        else:
            base = getattr(aud, "log_base", "unknown")
            bases = [2, None] if base == "unknown" else [base]
            candidates = [(_binary_entropy(p, b), "binary entropy",
                           {2: " bits", None: " nats", 10: " hartleys"}.get(b, ""))
                          for b in bases]
        for value, what, unit in candidates:
            if lo <= value <= hi:
                shown = mpmath.nstr(value, 6)
                aud.add(at, "ok", f"{m.group('what')} of {name} = {literal}", literal, shown,
                        f"the {what} of {name} = {mpmath.nstr(p, 6)} (line {where}) is "
                        f"{shown}{unit}", "prose")
                break


def _maximum(aud, m, at) -> None:
    """"Gini's maximum impurity is 0.5", "the maximum entropy is 1": the maximum over two
    classes (the uniform split): Gini 1 − 1/2, entropy log 2 (bits, or nats)."""
    literal = m.group("n")
    decimals = len(literal.partition(".")[2])
    half = Fraction(1, 2 * 10 ** decimals) if decimals else Fraction(0)
    stated = Fraction(literal)
    slack = mpmath.mpf(10) ** -30
    lo, hi = _mpf(stated - half) - slack, _mpf(stated + half) + slack
    named = re.findall(r"entropy|gini", m.string[m.start():m.start("n")], re.I)
    what = named[-1] if named else m.group("what")   # "Entropy, the maximum … Gini index is"
    if what.lower().startswith("gini"):
        candidates = [(mpmath.mpf(1) / 2, "1 − 1/2")]
    else:
        base = getattr(aud, "log_base", "unknown")
        bases = [2, None] if base == "unknown" else [base]
        candidates = [(mpmath.log(2) if b is None else mpmath.log(2) / mpmath.log(b),
                       "log 2" + {2: " bits", None: " nats"}.get(b, "")) for b in bases]
    for v, shown in candidates:
        if lo <= v <= hi:
            aud.add(at, "ok", f"maximum {what} = {literal}", literal,
                    mpmath.nstr(v, 6), f"the maximum over two classes (a uniform split) is "
                    f"{shown}", "prose")
            return
