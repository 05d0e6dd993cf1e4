"""Claims made in prose about values the text has computed.

Three kinds, each tied to values the document itself printed or computed:

* **≈ N after a relation** — ``$\\ln 2$ ≈ 0.693``, ``… $= 0.0776$, i.e. about 7.8 %``: the
  prose right after a piece of math continues its chain with ``≈``;
* **a restated result** — "the probability is just 7.7 %" after a chain computed 0.07764:
  a percentage (or a decimal with two or more digits) equal to a value computed in the last
  few chains, within one unit of its last digit, is judged against it (ok when it rounds to
  it, a warning when its last digit is off); a number far from every recent result is not a
  restatement and gets no verdict;
* **a percentage change or ratio** — "1.78, 21 % higher than 1.47", "a 25 % reduction",
  "3.2 times larger", "by a factor of roughly eight": judged against the pairs of values of
  the same paragraph (prose numbers and computed results): ok when a pair gives the stated
  change; an error only when the paragraph holds exactly two candidate values and they give
  another change; otherwise unchecked.

* **a difference** — "the difference is only about $.03$ bits" after two results (1.5613 and
  log₂ 3 = 1.58496): judged against the exact differences of the last few results: ok when
  one rounds to it, a warning when one is within a unit of its last digit (0.0237 is not
  0.03: the author subtracted the rounded 1.59 − 1.56); otherwise no verdict (never an error:
  the text may compare other values).

The claims are read by :mod:`.proseclaims` (re-exported here); this module judges them
(:func:`judge`, called by ``check.Auditor.prose``; :func:`difference` and :func:`repeated`
for a stated difference or a repeated wrong value in math).

Example: ``claims("21 % higher")`` → ``[Claim("change", 21 %, …)]``.
"""

from __future__ import annotations

import bisect
import re
from fractions import Fraction

from .proseclaims import (  # noqa: F401  (re-exported: callers import them from here)
    APPROX,
    DIFF,
    DIFF_LEAD,
    LEAD,
    NUM,
    SAME,
    WHICH,
    WHICH_NOT,
    Claim,
    approx_after_math,
    claims,
    frac,
    paragraph_breaks,
    relations,
)

RECENT = 6          # how many recent results a restatement may refer to
PARAGRAPH = 2000    # characters of a paragraph around a claim that its values come from
MAX_CLAIMS = 200    # claims judged in one piece of prose (a table of numbers is not prose)
CLAIM_TEXT = 20000  # characters of one piece of prose searched for claims
MAX_VALUES = 40     # values of a paragraph a change or ratio is compared with (pairs: 1600)
_VALUE = re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)(?P<pct>\s*(?:%|\\%|percent\b))?"
                    r"(?![\w]|\.\d)")


def judge(aud, text: str, offset: int) -> None:
    """Judge the claims of one piece of prose against the values the document computed."""
    import mpmath

    from . import nodes as N
    from .latex import number, parse_chain
    from .nodes import Relation

    last = getattr(aud, "last_math", None)
    aud.pending_approx = None
    if last is not None and last[0] is not None and LEAD.search(text):
        aud.pending_approx = (last[0], offset + len(text.rstrip()))  # "this is about $1.56$"
    elif last is not None and last[0] is not None and 0 <= offset - last[1] <= 3 and SAME.match(
            text):  # "$30/40$ or $3/4$"; a bare "or" may join alternatives: only if they agree
        op = "or" if text.strip(" \t\n,;:") == "or" else "="
        aud.pending_approx = (last[0], offset + len(text.rstrip()), op)
    elif last is not None and last[0] is not None and 0 <= offset - last[1] <= 3 and WHICH.match(
            text):  # "$A$, which equals $B$": A = B, a claim
        aud.pending_approx = (last[0], offset + len(text.rstrip()), "which")
    if last is not None and 0 <= offset - last[1] <= 3:
        c = approx_after_math(text)
        chain = last[0]
        if c is not None and chain is not None and chain.exact is not None:
            m = APPROX.match(text)
            node = number(m.group("n"), m.start("n"))
            if m.group("neg"):
                node = N.Neg(node)
            if m.group("pct"):
                node = N.Percent(node)
            spans_approx = (m.start("n"), m.end())
            saved, aud.chain = aud.chain, chain
            try:
                aud.step(Relation("≈", m.start("n"), m.start("n")), node, offset)
            finally:
                aud.chain = saved
    spans = [spans_approx] if "spans_approx" in locals() else []
    aud.pending_difference = offset + len(text.rstrip()) if DIFF_LEAD.search(text) else None
    for m in DIFF.finditer(text[:CLAIM_TEXT]):  # "the difference is about 0.03"
        value, decimals = frac(m.group("n"))
        difference(aud, value, decimals, offset + m.start("n"), m.group().strip())
        spans.append((m.start("n"), m.end()))
    for start, tex, end in relations(text):  # 0.80 x 0.01 = 0.008 written without math
        aud.segment(tex, offset + start, False, parse_chain)
        spans.append((start, end))
    breaks = paragraph_breaks(text)
    if breaks:  # a new paragraph: the values of the old one no longer count
        aud.paragraph = []
    spans.sort()
    starts = [a for a, _ in spans]
    for claim in claims(text[:CLAIM_TEXT])[:MAX_CLAIMS]:
        k = bisect.bisect_right(starts, claim.start) - 1
        if k >= 0 and claim.start < spans[k][1]:
            continue  # part of arithmetic judged as math
        at = offset + claim.start
        if claim.kind == "restate":
            _restate(aud, claim, at, mpmath)
            continue
        j = bisect.bisect_right(breaks, claim.start)
        start = breaks[j - 1] if j else 0
        end = breaks[j] if j < len(breaks) else len(text)
        window = text[max(start, claim.start - PARAGRAPH):min(end, claim.start + PARAGRAPH)]
        base = max(start, claim.start - PARAGRAPH)
        here = [_value(m) for m in _VALUE.finditer(window) if base + m.start() != claim.start]
        earlier = list(aud.paragraph) if start == 0 else []
        _change(aud, claim, at, earlier[-MAX_VALUES:] + here[:MAX_VALUES], mpmath)
    tail = text[breaks[-1]:] if breaks else text
    aud.paragraph = (aud.paragraph + [_value(m) for m in _VALUE.finditer(tail[-PARAGRAPH:])]
                     )[-MAX_VALUES:]


def _value(m) -> Fraction:
    v, _ = frac(m.group("n"))
    return v / 100 if m.group("pct") else v


def _interval(claim):
    half = Fraction(1, 2) / Fraction(10) ** claim.decimals  # decimals < 0 for 0.51e5
    return claim.value - half, claim.value + half


def _restate(aud, claim, at, mpmath) -> None:
    lo, hi = _interval(claim)
    unit = 1 / Fraction(10) ** claim.decimals
    recent = list(reversed(getattr(aud, "recent", [])))
    if _repeats_wrong(aud, claim, at, mpmath):
        return
    data = getattr(aud, "data_values", set())
    if claim.value in data or claim.value * 100 in data:
        aud.add(at, "ok", claim.text, claim.text, None,
                "repeats a value the text gives as data", "prose")
        return
    for exact, line, _ in recent:
        x = Fraction(mpmath.nstr(exact, 40, strip_zeros=False)) if exact == exact else None
        if x is not None and lo <= x <= hi:
            aud.add(at, "ok", claim.text, claim.text, mpmath.nstr(exact, 8),
                    f"restates the value computed at line {line}", "prose")
            return
    if claim.decimals < 2 and "%" not in claim.text and "percent" not in claim.text:
        return
    for exact, line, _ in recent:
        x = Fraction(mpmath.nstr(exact, 40, strip_zeros=False))
        if abs(x - claim.value) < unit:
            shown = round(x * 10 ** claim.decimals) / Fraction(10 ** claim.decimals)
            aud.add(at, "warning", claim.text, claim.text, mpmath.nstr(exact, 8),
                    f"restates the value computed at line {line} ({mpmath.nstr(exact, 6)}), "
                    f"which rounds to {float(shown * (100 if '%' in claim.text else 1)):g}"
                    f"{' %' if '%' in claim.text else ''}: the last digit is off", "prose")
            return


def _repeats_wrong(aud, claim, at, mpmath) -> bool:
    """A value stated wrongly earlier and repeated here (in prose, a table, or math)."""
    lo, hi = _interval(claim)
    for exact, line, printed in reversed(getattr(aud, "recent", [])):
        if printed is not None and lo <= Fraction(mpmath.nstr(printed, 40)) <= hi:
            aud.add(at, "warning", claim.text, claim.text, mpmath.nstr(exact, 8),
                    f"repeats the value stated at line {line}, which was wrong (the exact "
                    f"value is {mpmath.nstr(exact, 6)})", "prose")
            return True
    return False


def repeated(aud, node, offset: int) -> None:
    """A lone number in math (``0.01 \\rightarrow 0.077``) that repeats a wrong result."""
    import mpmath

    from . import nodes as N
    sign = -1 if isinstance(node, N.Neg) else 1
    node = node.arg if isinstance(node, N.Neg) else node
    num = node.arg if isinstance(node, N.Percent) else node
    if not isinstance(num, N.Num):
        return
    value = sign * (num.value / 100 if isinstance(node, N.Percent) else num.value)
    decimals = num.decimals + (2 if isinstance(node, N.Percent) else 0)
    claim = Claim("restate", value, decimals, num.pos, N.to_text(node))
    _repeats_wrong(aud, claim, offset + num.pos, mpmath)


def _change(aud, claim, at, values, mpmath) -> None:
    lo, hi = _interval(claim)
    values = [Fraction(mpmath.nstr(v, 40, strip_zeros=False)) if not isinstance(v, Fraction)
              else v for v in values]
    values = list(dict.fromkeys(v for v in values if v != 0))

    def measure(a, b):
        return (a - b) / b * claim.sign if claim.kind == "change" else a / b

    def readings(a, b):
        """The stated change as relative (21 % higher) or in percentage points (80 % → 90 %
        "a 10 % increase"); a ratio as a/b or as "times larger" a/b − 1."""
        m = measure(a, b)
        if claim.kind == "change":
            return (m, (a - b) * claim.sign)
        return (m, m - 1)

    pairs = [(a, b) for a in values for b in values if a != b]
    if any(lo <= r <= hi for a, b in pairs for r in readings(a, b)):
        aud.add(at, "ok", claim.text, claim.text, None,
                "agrees with two values of the same paragraph", "prose")
        return
    if len(values) == 2:
        a, b = max(values), min(values)
        if claim.kind == "change" and claim.sign < 0:
            a, b = b, a
        got = measure(a, b)
        shown = f"{float(got * 100):.3g} %" if claim.kind == "change" else f"{float(got):.4g}"
        aud.add(at, "error", claim.text, claim.text, shown,
                f"the paragraph's values {float(a):g} and {float(b):g} give {shown}", "prose")
        return
    aud.add(at, "unchecked", claim.text, claim.text, None,
            "cannot tell which values of the paragraph it compares", "prose")


def difference(aud, value: Fraction, decimals: int, at: int, text: str) -> None:
    """A stated difference against the exact differences of the last few results."""
    import mpmath

    recent = list(getattr(aud, "recent", []))[-4:]
    half, unit = Fraction(1, 2 * 10 ** decimals), Fraction(1, 10 ** decimals)
    pairs = []
    for i, (a, la, _) in enumerate(recent):
        for b, lb, _ in recent[i + 1:]:
            if a == a and b == b:  # not NaN
                d = abs(Fraction(mpmath.nstr(a - b, 40, strip_zeros=False)))
                pairs.append((abs(d - value), d, min(la, lb), max(la, lb)))
    if not pairs:
        return
    off, d, la, lb = min(pairs)
    lines = f"line {la}" if la == lb else f"lines {la} and {lb}"
    if off <= half:
        aud.add(at, "ok", text, text, f"{float(d):.6g}",
                f"the difference of the values computed at {lines}", "prose")
    elif off < unit:
        shown = round(d * 10 ** decimals) / Fraction(10 ** decimals)
        aud.add(at, "warning", text, text, f"{float(d):.6g}",
                f"the values computed at {lines} differ by {float(d):.6g}, which rounds to "
                f"{float(shown):g}: the last digit is off (a difference of rounded values?)",
                "prose")
