"""Branch-free, vectorisable float64 building blocks for the streaming kernels (numba).

The scalar primitives in ``_primitives.py`` call libm and branch on the input; LLVM cannot
turn such loops into SIMD code.  The functions here compute the same quantities with only
arithmetic, bit operations on the float's exponent and mantissa, ``fma`` and selects, so
a loop of them vectorises (AVX2: four doubles per instruction).  They are exact
re-statements of the same mathematics, not approximations of the scalar code, and
``klforge verify`` measures them against mpmath in ULPs like every other primitive.

Each covers the *normal* range only (finite, ≥ the smallest normal double); callers test
the inputs in the same loop (a vectorisable OR of comparisons) and send a row holding
anything else — zero, subnormal, inf, NaN, negative — to the scalar kernel, which owns
the special-value semantics.

* ``kl_div_normal(p, q)`` = p·log(p/q) − p + q for normal p, q > 0 (``kl_div_normal_d``:
  with d = p − q from the caller)
* ``log_ratio_normal(a, b)`` = log(a/b) for normal a, b > 0
* ``log_normal_short(x)`` = log(x) for normal x > 0, a shorter polynomial (float32 rows)
* ``log1pmx_normal(x)`` = log(1 + x) − x for x ∈ [−0.5, 1]
* ``exp_normal(x)`` = exp(x) for x ∈ [−708, 709]
* ``expm1mx_normal(x)`` = exp(x) − 1 − x for |x| ≤ 700
* ``two_sum(a, b)`` (Knuth, branch-free).

log: with x = 2^e·m (m ∈ [1, 2)), log(a/b) = (e_a − e_b)·ln 2 + 2·atanh(s),
s = (m_a − m_b)/(m_a + m_b), |s| < 1/3; near a = b (a/b ∈ [½, 2]) s = (a − b)/(a + b)
instead (a − b exact by Sterbenz), which keeps full relative accuracy as a → b.
2·atanh(s) = 2s + 2s³·P(s²) with P a Chebyshev fit on [0, 1/9].

exp: x = k·ln 2 + r (Cody–Waite, |r| ≤ ln2/2), exp(r) − 1 = r + r²·Q(r), Q a Chebyshev
fit of (exp(r) − 1 − r)/r² on [−1, 1]; 2^k is assembled from its exponent bits.
The coefficients were produced by ``mpmath.chebyfit`` (see ``POLY_RECIPES``);
``tests/test_simd.py`` recomputes them and compares.  The LLVM intrinsics (``fma``, bit
access, ``clear_fp_status``) live in ``_intrinsics.py`` and are re-exported here.
"""

import math

import numpy as np
from numba import njit

# the intrinsics live in _intrinsics.py; re-exported here (callers use _simd.fma etc.)
from ._intrinsics import (  # noqa: F401
    FE_ALL_EXCEPT,
    _bits,
    _exponent_field,
    _from_bits,
    as_contiguous,
    clear_fp_status,
    fma,
)

NAN = math.nan
TINY = 2.2250738585072014e-308  # smallest normal double
BIG = 1.7976931348623157e308
LN2_HI = 6.93147180369123816490e-01  # 32 trailing zero bits: k·LN2_HI is exact
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.4426950408889634
ROUND_MAGIC = 6755399441055744.0  # 1.5·2^52: x + M − M rounds x to an integer
BIAS_MAGIC = 4503599627370496.0  # 2^52

#: (function, interval, number of coefficients) given to mpmath.chebyfit at 40 digits
POLY_RECIPES = {
    "ATANH_P": ("(atanh(sqrt(z))/sqrt(z) - 1)/z", (0, "1/9"), 11),
    "EXPM1_Q": ("(exp(x) - 1 - x)/x**2", (-1, 1), 15),
    "EXP_Q": ("(exp(x) - 1 - x)/x**2", ("-log(2)/2", "log(2)/2"), 11),
}
# highest power first; max relative error of the fits: 2^-58 (P), 2^-60 (EXPM1_Q on
# [-1, 1]) and 2^-58 (EXP_Q, the same function on the reduced range of exp)
ATANH_P = (0.07815288900461426, 0.03746071897775383, 0.05422589197440007,
           0.05867139530651599, 0.06667589315724629, 0.07692271982430275,
           0.09090909948981357, 0.11111111099118386, 0.1428571428580005,
           0.19999999999999762, 0.3333333333333333)
EXPM1_Q = (4.838397490830109e-14, 7.753289909061301e-13, 1.1469860083749003e-11,
           1.6057448519013338e-10, 2.0876763758519634e-09, 2.505212058452295e-08,
           2.755731919627328e-07, 2.7557319174051555e-06, 2.4801587301645516e-05,
           0.0001984126984137474, 0.0013888888888888835, 0.008333333333333236,
           0.041666666666666664, 0.16666666666666666, 0.5)
EXP_Q = (2.0914679376583935e-09, 2.510520637395701e-08, 2.7557273661348637e-07,
         2.7557255425746435e-06, 2.4801587325533363e-05, 0.00019841269874800493,
         0.0013888888888883752, 0.008333333333326141, 0.04166666666666667,
         0.1666666666666667, 0.5)

#: 2·atanh(s) = 2s + 2s³·(1/3 + s²/5 + … + s¹²/15) (Taylor), highest power first: for
#: |s| ≤ 0.1716 the truncation is below 2⁻⁴⁴ of the result (measured: 2⁻⁴⁴·⁷⁵ at worst)
ATANH_SHORT = (1 / 15, 1 / 13, 1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3)
_SQRT2 = 1.4142135623730951

_JIT = dict(cache=True, error_model="numpy")
#: LLVM inlines these (alwaysinline); numba's own IR inlining of them was slower to compile
_INLINE = dict(forceinline=True, error_model="numpy")


def _horner_source(name, coeffs, var):
    expr = repr(coeffs[0])
    for c in coeffs[1:]:
        expr = f"fma({expr}, {var}, {c!r})"
    return f"def {name}({var}):\n    return {expr}\n"


# The polynomials are spelled out (no loop over a tuple), so LLVM sees straight-line FMAs.
_ns = {"fma": fma}
exec(_horner_source("_atanh_p", ATANH_P, "z"), _ns)  # noqa: S102 - generated from constants
exec(_horner_source("_expm1_q", EXPM1_Q, "x"), _ns)  # noqa: S102
exec(_horner_source("_exp_q", EXP_Q, "x"), _ns)  # noqa: S102
exec(_horner_source("_atanh_short", ATANH_SHORT, "z"), _ns)  # noqa: S102
atanh_p = njit(**_INLINE)(_ns["_atanh_p"])
expm1_q = njit(**_INLINE)(_ns["_expm1_q"])
exp_q = njit(**_INLINE)(_ns["_exp_q"])
atanh_short = njit(**_INLINE)(_ns["_atanh_short"])


@njit(**_INLINE)
def exponent_mantissa(x):
    """(e, m), x = 2^e·m with m ∈ [1, 2) and e a float (exact); x normal and positive."""
    e = _exponent_field(x) - (BIAS_MAGIC + 1023.0)
    m = _from_bits((_bits(x) & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    return e, m


@njit(**_INLINE)
def is_normal(x):
    """x finite, positive and not subnormal (False for NaN)."""
    return (x >= TINY) & (x <= BIG)


@njit(**_INLINE)
def log_ratio_parts(a, b):
    """(k, s, 2s³P(s²)) with log(a/b) = k·ln 2 + 2s + 2s³P(s²) and k = 0 for a/b ∈ [½, 2]."""
    near = (a >= 0.5 * b) & (a <= 2.0 * b)
    ea, ma = exponent_mantissa(a)
    eb, mb = exponent_mantissa(b)
    h = 0.5 if a > 1e300 else 1.0  # a + b must not overflow; halving is exact up there
    num = (a * h - b * h) if near else (ma - mb)
    den = (a * h + b * h) if near else (ma + mb)
    s = num / den
    z = s * s
    k = 0.0 if near else ea - eb
    return k, s, 2.0 * s * z * atanh_p(z), near


@njit(**_INLINE)
def log_ratio_normal(a, b):
    """log(a/b) for normal a, b > 0 (branch-free)."""
    k, s, tail, near = log_ratio_parts(a, b)
    return fma(k, LN2_HI, fma(k, LN2_LO, 2.0 * s + tail))


@njit(**_INLINE)
def kl_div_normal(p, q):
    """p·log(p/q) − p + q for normal p, q > 0 (branch-free).

    Near p = q: with s = (p − q)/(p + q), p·log(p/q) = 2p·atanh(s) and 2ps − (p − q) =
    (p − q)·s, so kl_div = (p − q)·s + 2p·s³·P(s²): two non-negative-dominated terms, no
    cancellation.  Elsewhere p·log(p/q) − (p − q) with one rounding (fma); the two cancel
    by at most a factor ≈ 5 at the switch (p/q = ½ or 2).
    """
    k, s, tail, near = log_ratio_parts(p, q)
    d = p - q
    near_value = fma(d, s, p * tail)
    log_r = fma(k, LN2_HI, fma(k, LN2_LO, 2.0 * s + tail))
    far_value = fma(p, log_r, -d)
    return near_value if near else far_value


@njit(**_INLINE)
def kl_div_normal_d(p, q, d):
    """p·log(p/q) − p + q for normal p, q > 0 given d = p − q from the caller (more
    accurate than p − q: the categorical rows' totals, whose difference comes from their
    compensated sums).  Branch-free: near p = q (p/q ∈ [½, 2]) s = d/(p + q) and
    d·s + 2p·s³P(s²) (``kl_div_normal``'s form, with d); elsewhere p·log(p/q) − d."""
    near = (p >= 0.5 * q) & (p <= 2.0 * q)
    h = 0.5 if (p > 1e300) | (q > 1e300) else 1.0  # p + q must not overflow
    s = (d * h) / (p * h + q * h)
    z = s * s
    near_value = fma(d, s, p * (2.0 * s * z * atanh_p(z)))
    far_value = fma(p, log_ratio_normal(p, q), -d)
    return near_value if near else far_value


@njit(**_INLINE)
def log_normal_short(x):
    """log(x) for normal x > 0 within 2⁻⁴⁴ relative (branch-free; for float32 rows, whose
    results need far less): x = 2^e·m with m ∈ [√½, √2), s = (m − 1)/(m + 1) (m − 1 exact),
    log x = e·ln 2 + 2s + 2s³·Σ s^(2k)/(2k + 3), seven terms (``ATANH_SHORT``)."""
    e, m = exponent_mantissa(x)
    big = m > _SQRT2
    m = 0.5 * m if big else m
    e = e + 1.0 if big else e
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    return fma(e, LN2_HI, fma(e, LN2_LO, fma(2.0 * s * z, atanh_short(z), 2.0 * s)))


@njit(**_INLINE)
def log1pmx_normal(x):
    """log(1 + x) − x for x ∈ [−0.5, 1]: s = x/(2 + x), −x·s + 2s³P(s²) (branch-free)."""
    s = x / (2.0 + x)
    z = s * s
    return fma(-x, s, 2.0 * s * z * atanh_p(z))


@njit(**_INLINE)
def _reduce_exp(x):
    """(2^k, r) with x = k·ln 2 + r, |r| ≤ ln2/2 (+ rounding); |x| ≤ 708."""
    t = fma(x, INV_LN2, ROUND_MAGIC)
    k = t - ROUND_MAGIC
    two_k = _from_bits((_bits(t) - _bits(ROUND_MAGIC) + 1023) << 52)
    r = fma(-k, LN2_HI, x)
    r = fma(-k, LN2_LO, r)
    return two_k, r


@njit(**_INLINE)
def exp_normal(x):
    """exp(x) for x ∈ [−708, 709] (branch-free): 2^k·(1 + r + r²Q(r))."""
    two_k, r = _reduce_exp(x)
    e = fma(r * r, exp_q(r), r)
    return fma(two_k, e, two_k)


@njit(**_INLINE)
def expm1mx_normal(x):
    """exp(x) − 1 − x for |x| ≤ 700 (branch-free).

    |x| ≤ 1: x²·Q(x).  Elsewhere 2^k·(exp(r) − 1) + ((2^k − 1) − x), whose two parts
    cancel by at most a factor ≈ 2 for |x| ≥ 1.
    """
    near = (x >= -1.0) & (x <= 1.0)
    two_k, r = _reduce_exp(x)
    y = x if near else r
    qy = expm1_q(y)
    near_value = (y * y) * qy
    far_value = fma(two_k, fma(y * y, qy, y), (two_k - 1.0) - x)
    return near_value if near else far_value


@njit(**_INLINE)
def two_sum(a, b):
    """(s, e), s = fl(a + b), a + b = s + e exactly (Knuth; no branch)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(**_JIT)
def contiguous_view(x):
    """``x`` itself, typed as contiguous, when its stride is the item size; else a copy."""
    if x.strides[0] == x.itemsize:
        return as_contiguous(x)
    return np.ascontiguousarray(x)
