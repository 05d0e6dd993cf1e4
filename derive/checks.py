"""Agreement checks between two derivations of the same quantity.

:func:`agree` first asks SymPy whether ``a − b`` simplifies to zero; when it cannot decide,
it evaluates both sides at random points of the parameters' domains with mpmath at 50
significant digits (integrals and sums left unevaluated by SymPy are evaluated by mpmath
quadrature / summation) and requires agreement to 40 digits.
"""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from .core import Check, DerivationError, Param
from .domains import DOMAINS

DIGITS = 50
TOLERANCE_DIGITS = 40

def sample_point(params: tuple[Param, ...], rng: random.Random) -> dict:
    point = {}
    for p in params:
        lo, hi = DOMAINS[p.domain].box  # moderate values: these checks test algebra
        point[p.symbol] = sp.Rational(round(rng.uniform(lo, hi), 6)).limit_denominator(10**6)
    return point


def _numeric(expr: sp.Basic, point: dict) -> mpmath.mpf:
    if not expr.has(sp.Integral, sp.Sum):
        f = sp.lambdify(list(point), expr, "mpmath")
        with mpmath.workdps(DIGITS + 10):
            args = [mpmath.mpf(v.p) / v.q for v in point.values()]
            return mpmath.mpf(mpmath.re(f(*args)))
    with mpmath.workdps(DIGITS + 10):
        value = expr.subs(point).evalf(DIGITS + 5, maxn=400)
    if value.has(sp.Integral, sp.Sum) or not value.is_number:
        raise DerivationError(f"cannot evaluate {expr} numerically at {point}")
    return mpmath.mpf(sp.re(value))


def agree(
    name: str,
    a: sp.Basic,
    b: sp.Basic,
    params: tuple[Param, ...],
    *,
    points: int = 4,
    seed: int = 20261123,
    symbolic: bool = True,
) -> Check:
    """Check ``a == b``; return a :class:`Check` saying how, or raise DerivationError."""
    if symbolic:
        diff = sp.simplify(sp.expand_log(a - b, force=True))
        if diff == 0:
            return Check(name, "symbolic")
    rng = random.Random(seed)
    worst = mpmath.mpf(0)
    for _ in range(points):
        point = sample_point(params, rng)
        va, vb = _numeric(a, point), _numeric(b, point)
        err = abs(va - vb) / max(1, abs(va))
        worst = max(worst, err)
        if err > mpmath.mpf(10) ** (-TOLERANCE_DIGITS):
            raise DerivationError(
                f"{name}: the two derivations disagree at {point}: {va} vs {vb}"
            )
    return Check(
        name,
        f"numeric ({DIGITS} digits, {points} random points)",
        f"max relative difference {mpmath.nstr(worst, 3)}",
    )
