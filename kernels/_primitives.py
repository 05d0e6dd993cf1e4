"""Scalar float64 primitives the generated kernels call (numba ``njit``, no fastmath).

Each mirrors a SymPy primitive in ``derive/primitives.py`` and is verified against its
mpmath textbook form by ``klforge verify`` (table "primitives" in ``manifest.json``).

* ``log1pmx(x)``  = log(1 + x) − x        (x ≥ −1; −inf at −1, NaN below)
* ``expm1mx(x)``  = exp(x) − 1 − x        (all real x; +inf for x > ~709.78)
* ``kl_div(p, q, d)`` = p·log(p/q) − p + q, given d = p − q computed by the caller (so that
  complements such as (1 − p) − (1 − q) = q − p stay exact); 0·log 0 = 0, +inf for q = 0 < p.
* ``rm1mlog(t, l)`` = r − 1 − log r given t = r − 1 and l = log r, each accurate (r > 0)
* ``crm1mlog(c, a, b, l)`` = c·rm1mlog(a·b, l) and ``cexpm1mx(c, x)`` = c·expm1mx(x): a
  constant factor taken inside, so that c·(r − 1) and c·e^x are formed where r − 1 or e^x
  alone overflows
* ``log_ratio(a, b)`` = log(a/b) for a, b > 0, accurate near a = b and for any magnitudes
* ``lgamma_bregman(x, y, h)`` = lnΓ(y) − lnΓ(x) − h·ψ(x) and ``stirling_bregman(x, y, h)``,
  the Bregman divergence of S(a) = lnΓ(a) − a·log a + a (h = y − x from the caller): in
  ``_stirling.py`` / ``_stirling_scalar.py`` (closed-form shift pieces, no series loop),
  re-exported here
* ``scaled_expm1mx(a, s, e)`` = a·(e^{−s} − 1 + s), with e = a·e^{−s} from the caller
* ``perspective_expm1mx(b, d, c)`` = (b/c)·(e^{−d/b} − 1 + d/b) for b, c > 0, d ≥ 0: finite
  where d/b or b/c leaves the float range but the value does not (Laplace's KL)
* ``log_ratio2(a, b, c, d)`` = log((a·b)/(c·d)), accurate near a·b = c·d
* ``digamma(x)``  = ψ(x) for x > 0 (NaN for x ≤ 0 and NaN; +inf → +inf), and ``lgamma(x)``:
  in ``_digamma.py``, re-exported here
* ``two_sum`` (Knuth) and ``neumaier_add``: compensated summation for the reductions.
"""

import math

from numba import njit

from . import _simd as _s
from ._digamma import _N_ROOT, _ROOT_C, _X0_HI, _X0_LO, digamma, lgamma  # noqa: F401 - re-exported
from ._stirling import stirling_bregman  # noqa: F401 - re-exported
from ._stirling_scalar import lgamma_bregman  # noqa: F401 - re-exported

_CACHE = True
NAN = math.nan
INF = math.inf


# Series coefficients as compile-time constants (no division in the loops): 1/(2k + 3)
# for log1pmx's atanh series in s² (18 terms: (1/9)^18/39 < 2^-60), and 1/(k + 2)! for
# expm1mx's Taylor series (20 terms on |x| ≤ 1: 1/22! < 2^-70).
_LOG1PMX_C = tuple(1.0 / (2 * k + 3) for k in range(17, -1, -1))
_EXPM1MX_C = tuple(1.0 / math.factorial(k + 2) for k in range(19, -1, -1))


@njit(cache=_CACHE, error_model="numpy")
def log1pmx(x):
    """log(1 + x) − x.  Series in s = x/(2 + x) on [−0.5, 1]; log1p(x) − x outside.

    log(1 + x) = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) and 2s − x = −x·s, hence
    log1p(x) − x = −x·s + 2s³(1/3 + s²/5 + s⁴/7 + …): no cancellation (|s| ≤ 1/3).
    """
    if -0.5 <= x <= 1.0:
        s = x / (2.0 + x)
        s2 = s * s
        acc = 0.0
        for c in _LOG1PMX_C:  # Horner, highest power first
            acc = acc * s2 + c
        return -x * s + 2.0 * s * s2 * acc
    if x < -1.0 or x != x:
        return NAN
    if x == -1.0:
        return -INF
    if x == INF:
        return -INF
    return math.log1p(x) - x


@njit(cache=_CACHE, error_model="numpy")
def expm1mx(x):
    """exp(x) − 1 − x.  Taylor series x²·Σ_{k≥0} x^k/(k + 2)! on |x| ≤ 1; expm1(x) − x
    outside."""
    if -1.0 <= x <= 1.0:
        acc = 0.0
        for c in _EXPM1MX_C:  # Horner, highest power first
            acc = acc * x + c
        return x * x * acc
    if x == -INF:
        return INF
    return math.expm1(x) - x


@njit(cache=_CACHE, error_model="numpy")
def kl_div(p, q, d):
    """p·log(p/q) − p + q with d = p − q supplied exactly by the caller.

    Near p = q (t = d/q ∈ [−0.5, 2]) evaluated as p·log1pmx(t) + d·t (one division and a
    polynomial; the two terms cancel by at most a factor ≈ 3 at t = 2); elsewhere as
    p·log(p/q) − d.
    """
    if p != p or q != q:
        return NAN
    if p < 0.0 or q < 0.0:
        return NAN
    if p == 0.0:
        return q
    if q == 0.0 or p == INF:
        return INF
    t = d / q
    if -0.5 <= t <= 2.0:
        # q·((1 + t)·log1pmx(t) + t²) = p·log1pmx(t) + d·t; first-order insensitive to
        # the rounding of t (d/dt of the right side vanishes at t = d/q).
        return p * log1pmx(t) + d * t
    return p * log_ratio(p, q) - d  # p/q may overflow (q subnormal): log_ratio does not


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def rm1mlog(t, l):
    """r − 1 − log r from t = r − 1 and l = log r (both supplied accurately).

    −log1pmx(t) on t ∈ [−0.5, 1], where the textbook difference cancels; elsewhere t − l,
    whose two terms cancel by at most a factor 1/(1 − log 2 − 0.5) ≈ 5.2.  Using l instead
    of log1p(t) keeps r → 0 (t → −1, where 1 + t is lost) and r → ∞ accurate.  Branch-free
    (both sides are computed and one selected), so loops over it vectorise; NaN in t or l
    gives NaN.
    """
    near = (t >= -0.5) & (t <= 1.0)
    near_value = 0.0 * l - _s.log1pmx_normal(t if near else 0.0)
    return near_value if near else t - l


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def crm1mlog(c, a, b, l):
    """c·(r − 1 − log r) given r − 1 = a·b and l = log r, c > 0: ``rm1mlog(a·b, l)`` times c
    with c taken inside — the far side is (c·a)·b − c·l, finite where a·b overflows but the
    value does not (kl_normal: ½·u·(u + 2), u = σ_p/σ_q − 1 up to 1.9e154).  For c a power of
    two the bits are those of c·rm1mlog(a·b, l) (scaling commutes with rounding).
    Branch-free; NaN in a, b or l gives NaN.  Example: crm1mlog(0.5, 1e154, 1e154, 0.0)
    = 5e307."""
    t = a * b
    near = (t >= -0.5) & (t <= 1.0)
    near_value = 0.0 * l - c * _s.log1pmx_normal(t if near else 0.0)
    return near_value if near else (c * a) * b - c * l


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def cexpm1mx(c, x):
    """c·(e^x − 1 − x), c > 0: ``c·expm1mx(x)``, but beyond x = 709 (e^x near or past the
    float range) c·e^x is formed as (c·h)·h with h = e^{x/2} (x/2 exact; ≤ 2.5 ULP), finite up
    to x = 709.78 − log c (kl_normal_std: ½·e^ℓ up to ℓ = 710.47).  Example:
    cexpm1mx(0.5, 710.0) ≈ 1.1169973830808555e308."""
    if x > 709.0:
        h = math.exp(0.5 * x)
        return h * (c * h) - c * (1.0 + x)
    return c * expm1mx(x)


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def log_ratio(a, b):
    """log(a/b) for a, b > 0, accurate near a = b and for any magnitudes (no overflow of
    a/b); NaN for a or b ≤ 0 or NaN; +inf for a = inf > b, −inf for b = inf > a, NaN for
    both infinite.

    Branch-free (``_simd``: (e_a − e_b)·ln 2 + 2·atanh(s)): a subnormal argument is scaled
    by 2^64 first (exactly) and the 64 is taken off the exponent difference, so one formula
    covers every positive pair; only a subnormal against a normal number within a factor 2
    of it loses the near-equality accuracy (the exponent terms then cancel).
    """
    sa = a < _s.TINY
    sb = b < _s.TINY
    finite = (a > 0.0) & (b > 0.0) & (a <= _s.BIG) & (b <= _s.BIG)
    a1 = (a * 18446744073709551616.0 if sa else a) if finite else 1.0
    b1 = (b * 18446744073709551616.0 if sb else b) if finite else 1.0
    k, s, tail, near = _s.log_ratio_parts(a1, b1)
    k = k + ((-64.0 if sa else 0.0) + (64.0 if sb else 0.0))
    v = _s.fma(k, _s.LN2_HI, _s.fma(k, _s.LN2_LO, 2.0 * s + tail))
    special = INF if (a == INF) & (b < INF) else (-INF if (b == INF) & (a < INF) else NAN)
    return v if finite else (special if (a > 0.0) & (b > 0.0) else NAN)


@njit(cache=_CACHE, error_model="numpy")
def _log_ratio_d(a, b, d):
    """log(a/b) given d = a − b exactly (a, b > 0; the callers check)."""
    if abs(d) <= 0.5 * b:
        return math.log1p(d / b)
    r = a / b
    if 2.2250738585072014e-308 <= r < INF:
        return math.log(r)
    return math.log(a) - math.log(b)


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def scaled_expm1mx(a, s, e):
    """a·(e^{−s} − 1 + s) given also e = a·e^{−s} formed by the caller from exact inputs
    (Gamma: α_p·β_q/β_p).  For s < −1 the exponential would carry s's absolute error
    times |s|; there e − a·(1 − s) cancels at most ×2.  Elsewhere a·expm1mx(−s) by
    ``_simd.expm1mx_normal`` (−s ∈ [−700, 1]; below, e^{−s} − 1 + s = s − 1 to double
    precision).  Branch-free (selects), so a loop over it vectorises; NaN s gives NaN.
    Example: scaled_expm1mx(1, 0, 1) = 0."""
    x = -s
    inner = (x >= -700.0) & (x <= 1.0)
    em = _s.expm1mx_normal(x if inner else 0.0)
    em = em if inner else -1.0 - x
    value = (e - a * (1.0 - s)) if s < -1.0 else a * em
    return value if s == s else NAN


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def perspective_expm1mx(b, d, c):
    """(b/c)·(e^{−d/b} − 1 + d/b) = b·expm1mx(−d/b)/c for b, c > 0, d ≥ 0 (the perspective
    of x ↦ e^{−x} − 1 + x, scaled by 1/c).  For z = d/b ≤ 700, (b/c)·expm1mx(−z) with
    ``_simd.expm1mx_normal``; beyond, e^{−z} < 1e-304 is dropped and the value is
    (d − b)/c, which stays finite where z overflows (b subnormal).  Where b/c is not a normal
    number, b·expm1mx(−z)/c: b/c below the normal range means the KL's log term dominates,
    above it the KL overflows anyway.  Branch-free (selects); NaN in, NaN out.
    Example: perspective_expm1mx(5e-324, 1.0, 2.0) = 0.5; perspective_expm1mx(1, 0, 1) = 0."""
    z = d / b
    inner = z <= 700.0
    em = _s.expm1mx_normal(-z if inner else 0.0)
    r = b / c
    normal = (r >= 2.2250738585072014e-308) & (r < INF)
    scaled = r * em if normal else (b * em) / c
    value = scaled if inner else (d - b) / c
    return value if (z == z) & (c == c) else NAN


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def _two_prod(a, b):
    """(p, e) with p = fl(a·b) and a·b = p + e exactly (one fma; exact whenever a·b is
    neither past the float range nor below 2^−969 — the callers keep to that range)."""
    p = a * b
    return p, _s.fma(a, b, -p)


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def log_ratio2(a, b, c, d):
    """log((a·b)/(c·d)) for a, b, c, d > 0, accurate relative to itself near a·b = c·d: the two
    products are formed exactly (two_prod) and their difference over c·d gives t, then
    log1p(t) = t + log1pmx(t) for |t| < ¼; further, log(n/m) + (ne/n − me/m).  When a
    product leaves [1e-290, 1e290], log_ratio(a, c) + log_ratio(b, d).  Branch-free (every
    form computed, one selected: ``_simd``'s logs), so a loop over it vectorises; NaN for a
    non-positive or NaN argument.
    Example: ``log_ratio2(3.0, 1.0, 1.0, 3.0 + 3e-16)`` ≈ −1e-16 (to a few ULP)."""
    ok = (a > 0.0) & (b > 0.0) & (c > 0.0) & (d > 0.0)
    n, ne = _two_prod(a, b)
    m, me = _two_prod(c, d)
    inside = (n > 1e-290) & (n < 1e290) & (m > 1e-290) & (m < 1e290)
    n = n if inside else 1.0
    ne = ne if inside else 0.0
    m = m if inside else 1.0
    me = me if inside else 0.0
    t = ((n - m) + (ne - me)) / m  # n − m exact when they are close (Sterbenz)
    t -= t * (me / m)  # divide by m + me, not m
    near = (t > -0.25) & (t < 0.25)
    tn = t if near else 0.0
    value = (tn + _s.log1pmx_normal(tn)) if near else (
        _s.log_ratio_normal(n, m) + (ne / n - me / m))
    outside = log_ratio(a, c) + log_ratio(b, d)
    return (value if inside else outside) if ok else NAN


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def neumaier_add(s, c, x):
    """Neumaier-compensated s + x: returns the new (sum, compensation); the value is s + c."""
    t = s + x
    if abs(s) >= abs(x):
        c += (s - t) + x
    else:
        c += (x - t) + s
    return t, c


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def two_sum(a, b):
    """(s, e) with s = fl(a + b) and a + b = s + e exactly (Knuth)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


# kl_gamma's pieces at every positive finite parameter, each with the light twin its
# generated core starts on (``derive/primitives.py``: ``kernel_call``); imported last
# (``_gamma_range`` reads this module)
from ._gamma_range import (  # noqa: E402, F401 - re-exported
    scaled_expm1mx_full,
    scaled_expm1mx_light,
    stirling_bregman_full,
    stirling_bregman_light,
)
