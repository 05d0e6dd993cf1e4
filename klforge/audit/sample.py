r"""A data set listed in math, and the sample mean stated from it.

Statistics lessons list a sample and then give its average::

    Our data set contains the values below.
    \[ 7 - \sqrt{2}, 6, 6, 7, 7, 7, 8, 8, 7 + \sqrt{2}\]
    The sample average is \(\bar{x} = 7\).

:func:`record` remembers a piece of math that is a list of at least :data:`MIN_VALUES`
comma-separated values with no names (each evaluated exactly); :func:`judge` checks a later
binding of a mean's name — ``\bar{x}``, ``\overline{x}``, ``\bar{X}``, ``\hat{\mu}`` — within
:data:`LINES` lines against the list's mean (the stated value stands for its rounding
interval).  Only *ok* is reported: the mean may be of another sample.

Example: after ``$1, 2, 3, 6$``, ``$\bar{x} = 3$`` is ok.  Bounds: lists of at most
:data:`MAX_VALUES` values; one evaluation per value.
"""

from __future__ import annotations

import re

import mpmath

from . import evaluate as E
from . import nodes as N
from .state import _contains, _rounded_iv

MIN_VALUES, MAX_VALUES, LINES = 3, 500, 6
_MEAN = re.compile(r"(?:bar|overline)\([a-zA-Z]\)|hat\((?:mu|\\mu)\)")


def _exact(n: N.Num):
    return mpmath.mpf(n.value.numerator) / n.value.denominator


def record(aud, parts: list, offset: int, parse) -> None:
    """``parts``: the clauses of a piece of math ((text, offset) pairs)."""
    if not MIN_VALUES <= len(parts) <= MAX_VALUES:
        return
    values = []
    for text, _ in parts:
        try:
            items = parse(text)
        except Exception:  # Unsupported: not a list of values
            return
        if len(items) != 1 or items[0] is None or isinstance(items[0], N.Relation) or any(
                isinstance(n, (N.Name, N.Var, N.Tuple)) for n in N.walk(items[0])):
            return
        try:
            values.append(E.evaluate(items[0], E.Env(mpmath.mp, _exact, {})))
        except N.NotEvaluable:
            return
    aud.sample_list = (values, aud.line_of(offset))


def judge(aud, name: N.Name, rhs, at: int) -> bool:
    """``\\bar{x} = rhs`` after a listed sample: ok when the mean rounds to ``rhs``."""
    got = getattr(aud, "sample_list", None)
    if got is None or not _MEAN.fullmatch(name.name) or not isinstance(rhs, N.Num):
        return False
    values, line = got
    if not 0 <= aud.line_of(at) - line <= LINES:
        return False
    mean = mpmath.fsum(values) / len(values)
    if not _contains(_rounded_iv(rhs), mean):
        return False
    aud.add(at, "ok", f"{name.name} = {N.to_text(rhs)}", N.to_text(rhs), mpmath.nstr(mean, 8),
            f"the mean of the {len(values)} values listed at line {line}", "step")
    return True
