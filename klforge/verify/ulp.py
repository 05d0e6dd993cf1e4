"""The one ULP measure of klforge: the error of a result y against an mpmath reference r is
|y − r| / spacing(|r|), the spacing taken at r rounded to the output dtype (so the floor is
that dtype's subnormal spacing).  NaN against a NaN reference, and an infinity of the right
sign against an infinite (or dtype-overflowing) reference, are exact (0); anything else
against a non-finite reference, or a non-finite y against a finite one, is +inf.

Used by ``klforge verify``, the kernel tests and ``tests/test_simd.py``.
Example: ``ulp_error(1.0 + 2**-52, mpmath.mpf(1))`` = 1.0.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np


def ulp_error(y, ref, dtype=np.float64) -> float:
    """|y − ref| in units of the last place of ``ref`` rounded to ``dtype``."""
    y = float(y)
    ref = ref if isinstance(ref, mpmath.mpc | mpmath.mpf) else mpmath.mpf(ref)
    if mpmath.isnan(ref):
        return 0.0 if math.isnan(y) else math.inf
    if mpmath.isinf(ref):
        return 0.0 if y == float(ref) else math.inf
    if isinstance(ref, mpmath.mpc):
        ref = mpmath.re(ref) if mpmath.im(ref) == 0 else mpmath.nan
        if mpmath.isnan(ref):
            return 0.0 if math.isnan(y) else math.inf
    r = float(ref)  # rounds to nearest double
    with np.errstate(over="ignore"):
        r_typed = dtype(r)
    if np.isinf(r_typed):
        return 0.0 if np.isinf(y) and np.sign(y) == np.sign(r) else math.inf
    if math.isnan(y) or math.isinf(y):
        return math.inf
    spacing = float(np.spacing(np.abs(r_typed)))
    return float(abs(mpmath.mpf(y) - ref) / spacing)
