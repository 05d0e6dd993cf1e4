"""Rates the prose states, restated as probabilities in math.

Problem statements give rates in words — "the false positive rate is 2.3 %", "1 in 10,000
people have the disease", "3 out of 8" — and the solution writes them as probabilities:
``\\pr(D|\\overline{H}) = 0.023``, ``\\pr(H) = 10^{-4}``.  :func:`collect` remembers the
rates of a piece of prose (a percentage as its fraction, "N in M" / "N out of M" as N/M);
:func:`judge` checks a binding ``P(…) = value`` (a probability's name, a value with no
names in it) against them: *ok* when a rate stated earlier under the same heading lies in
the value's rounding interval (an exact value must equal it).  A value matching no rate gets
no verdict (the probability may come from elsewhere), never an error.

Example: after "The false positive rate is 2.3%.", ``$P(D|\\bar H) = 0.023$`` is ok.
Bounds: at most :data:`MAX_RATES` rates are kept (the most recent); each piece of prose is
scanned by two regular expressions of bounded repetition.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath

from . import nodes as N
from .state import _contains, _rounded_iv

MAX_RATES = 200
_PCT = re.compile(r"(?<![\w.])(?P<n>\d{1,3}(?:\.\d{1,8})?)\s*(?:%|\\%|percent\b)")
_IN = re.compile(r"(?<![\w.,])(?P<a>\d{1,3}(?:,\d{3})*|\d+)\s+(?:in|out of)\s+(?:every\s+)?"
                 r"(?P<b>\d{1,3}(?:,\d{3})+|\d+)(?![\w.,]\d)")
_PROB = re.compile(r"(?:P|p|Pr|pr|mathbbP)\(.{1,60}\)")


def collect(aud, text: str, offset: int) -> None:
    """Remember the rates stated in a piece of prose."""
    rates = aud.__dict__.setdefault("prose_rates", {})
    for m in _PCT.finditer(text):
        rates[Fraction(m.group("n")) / 100] = (m.group().strip(), offset + m.start())
    for m in _IN.finditer(text):
        a, b = int(m.group("a").replace(",", "")), int(m.group("b").replace(",", ""))
        if 0 < a <= b:
            rates[Fraction(a, b)] = (m.group().strip(), offset + m.start())
    while len(rates) > MAX_RATES:
        rates.pop(next(iter(rates)))


def judge(aud, name: N.Name, rhs, at: int) -> bool:
    """``name = rhs``: ok when a stated rate is the value; True when a finding was added."""
    rates = aud.__dict__.get("prose_rates")
    if not rates or not _PROB.fullmatch(name.name) or any(
            isinstance(n, (N.Name, N.Var)) for n in N.walk(rhs)):
        return False
    if isinstance(rhs, N.Num):
        interval = _rounded_iv(rhs)

        def holds(r):
            return _contains(interval, mpmath.mpf(r.numerator) / r.denominator)
    else:
        try:
            value = aud.point(rhs)
        except N.NotEvaluable:
            return False

        def holds(r):
            return abs(value - mpmath.mpf(r.numerator) / r.denominator) <= abs(value) * 1e-30
    section = getattr(aud.__dict__.get("joint_tracker"), "section", 0)
    for r, (written, where) in reversed(list(rates.items())):
        if where >= section and holds(r):  # stated under the same heading
            line = aud.line_of(where)
            aud.add(at, "ok", f"{name.name} = {N.to_text(rhs)}", N.to_text(rhs), str(r),
                    f"the rate the text gives as {written} (line {line})", "step")
            return True
    return False
