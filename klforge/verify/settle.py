"""Settled mpmath values: a reference evaluated until its digits stop moving.

``reference_value(f, *args)`` evaluates ``f`` at DPS = 50 digits, then doubles the working
precision until two evaluations agree to 25 significant digits (textbook forms cancel near
p = q, so a fixed 50 digits is not always enough); it gives up at ``MAX_DPS`` digits.
``reference_vector`` does the same per element for references returning a list.
Domain: any mpmath callable; ValueError/ZeroDivisionError/OverflowError and a complex value
with an imaginary part read as NaN.
Example: ``reference_value(lambda x: mpmath.log1p(x) - x, 1e-20)`` = −5.0e−41 (settled).
"""

from __future__ import annotations

import mpmath

from .measure import DPS

MAX_DPS = 1600


def reference_value(f, *args):
    """f(*args) in mpmath at DPS digits, doubled until two precisions agree to 25 digits.

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

    dps, prev = DPS, at(DPS)
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

