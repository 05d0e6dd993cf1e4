"""Settled mpmath values: a reference evaluated until its digits stop moving.

``reference_value(f, *args)`` evaluates ``f`` at DPS = 50 digits, or at 10 more than the
decimal span of its arguments (``span_digits``) where that is more, then doubles the working
precision until two evaluations agree to 25 significant digits (textbook forms cancel near
p = q, so a fixed 50 digits is not always enough); it gives up at ``MAX_DPS`` digits.  The
span comes first because doubling alone cannot see a term that both precisions drop alike:
lnΓ(1e300 + 1.3) − lnΓ(1e300) at 50 and at 100 digits both read 1e300 + 1.3 as 1e300 and
agree on 0 (exact: 1.3·log 1e300 ≈ 898).
``reference_vector`` does the same per element for references returning a list.
Domain: any mpmath callable; ValueError/ZeroDivisionError/OverflowError and a complex value
with an imaginary part read as NaN.
Example: ``reference_value(lambda x: mpmath.log1p(x) - x, 1e-20)`` = −5.0e−41 (settled).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .measure import DPS

MAX_DPS = 1600
#: the span of a point's arguments counts up to this many decimal digits (5e-324 … DBL_MAX
#: spans 632: every sum of two doubles is then exact at the first precision)
MAX_SPAN = 700


def span_digits(args) -> int:
    """Decimal digits between the largest and the smallest non-zero finite magnitude among
    ``args`` (numbers, arrays, nested lists; others ignored), + 17, capped at MAX_SPAN: the
    precision at which any sum of two of them is exact.  0 for fewer than one such value.
    Example: ``span_digits((1e300, 1.3))`` = 317."""
    mags = []

    def walk(a):
        if isinstance(a, (list, tuple)):
            for x in a:
                walk(x)
            return
        try:
            flat = np.abs(np.asarray(a, dtype=np.float64)).ravel()
        except (TypeError, ValueError):
            return
        flat = flat[np.isfinite(flat) & (flat > 0)]
        if flat.size:
            mags.extend((float(flat.min()), float(flat.max())))

    walk(args)
    if not mags:
        return 0
    lo, hi = min(mags), max(mags)
    return min(MAX_SPAN, math.ceil(math.log10(hi) - math.log10(lo)) + 17)


def reference_value(f, *args):
    """f(*args) in mpmath at max(DPS, ``span_digits(args)`` + 10) digits, doubled until two
    precisions agree to 25 digits.

    Textbook forms cancel catastrophically near p = q (that is why the kernels exist), so a
    fixed 50 digits is not always enough for the *reference*: e.g. the second Bernoulli term
    at p ≈ q ≈ 5e-12 keeps only 13 of 50 digits.  Raises if MAX_DPS digits do not settle.
    """
    def at(dps):
        with mpmath.workdps(dps):
            try:
                v = f(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                return mpmath.nan
            if isinstance(v, mpmath.mpc):
                v = mpmath.re(v) if mpmath.im(v) == 0 else mpmath.nan
            return +v

    # sums of the arguments exact from the first precision; what cancels after that changes
    # with the precision, which the doubling sees
    dps = max(DPS, span_digits(args) + 10)
    prev = at(dps)
    while True:
        cur = at(2 * dps)
        if not mpmath.isfinite(cur) or not mpmath.isfinite(prev):
            return cur
        if abs(cur - prev) <= abs(cur) * mpmath.mpf(10) ** -25 or cur == prev:
            return cur
        tiny = abs(cur) < mpmath.mpf(10) ** -(3 * dps // 2)
        if tiny and abs(prev) < mpmath.mpf(10) ** -(dps // 2):
            return mpmath.mpf(0)  # rounding noise of an exact zero (e.g. KL(p, p))
        dps *= 2
        if dps > MAX_DPS:
            raise ArithmeticError(f"reference did not settle at {MAX_DPS} digits for {args}")
        prev = cur


def reference_vector(f, *args):
    """Like :func:`reference_value` for a reference returning a list (one mpf per output
    element): each element's precision is doubled until it settles."""
    with mpmath.workdps(DPS):
        count = len(f(*args))
    return [reference_value(lambda *a, k=k: f(*a)[k], *args) for k in range(count)]

