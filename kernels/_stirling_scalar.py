"""The scalar forms of ``_stirling``'s B_S (numba ``njit``, float64): for code that calls it
once per value (the Beta and Dirichlet fallbacks), where an early exit and a branch beat the
branch-free, vectorisable forms.  The same pieces and recurrences, so the same values up to
the order of a few roundings (the tail: identical).

* ``tail_bregman_scalar(x, y, t, coefs)``: ``_stirling.tail_bregman`` computing only the
  polynomial the case needs (G_n for x ≤ y, H_n for x > y).
* ``stirling_bregman_loop(x, y, h)``: ``_stirling.stirling_bregman`` with a loop that stops
  when both are shifted past ``SHIFT``.
* ``lgamma_bregman(x, y, h)`` = lnΓ(y) − lnΓ(x) − h·ψ(x) = B_S + y·F(x/y).

Example: ``stirling_bregman_loop(20.0, 21.0, 1.0)`` ≈ 6.1483e-4.
"""

import math

from numba import njit

from . import _simd as _s
from ._stirling import SHIFT, STIRLING, phi_bregman, phi_bregman_near, rm1mlog_r, tail_setup

_CACHE = True
NAN = math.nan
INF = math.inf
_LN2_64 = 64.0 * math.log(2.0)


@njit(cache=_CACHE, error_model="numpy")
def tail_bregman_scalar(x, y, t, coefs):
    """``tail_bregman`` for scalar code: the one polynomial the case needs (G_n for x ≤ y,
    H_n for x > y; ``tail_sums`` computes both so that a loop over it vectorises).  The
    same recurrences, so the same values.
    Example: ``tail_bregman_scalar(10.0, 10.0, 0.0, STIRLING)`` = 0."""
    fma = _s.fma
    v, rho, r2, w = tail_setup(x, y)
    poly = 1.0
    p = rho
    vn = v
    acc = 0.0
    n = 1.0
    if x <= y:
        for c in coefs:
            acc = fma(c * vn, poly, acc)
            poly = fma(r2, poly, fma(n + 1.0, rho, n + 2.0))
            vn *= w
            n += 2.0
        return t * ((t * rho) * acc)
    for c in coefs:
        acc = fma(c * vn, poly, acc)
        poly = fma(p, fma(n + 2.0, rho, n + 1.0), poly)
        p *= r2
        vn *= w
        n += 2.0
    return t * (t * acc)


@njit(cache=_CACHE, error_model="numpy")
def stirling_bregman_loop(x, y, h):
    """``stirling_bregman`` with a loop that stops when both are shifted past SHIFT and
    branches on the input: faster in scalar code (the Beta and Dirichlet pieces), not
    vectorisable.  The same pieces in the same order; the same values up to rounding.
    Example: ``stirling_bregman_loop(20.0, 21.0, 1.0)`` ≈ 6.1483e-4."""
    if not (x > 0.0 and y > 0.0) or h != h or x == INF:
        return NAN
    if y == INF:
        return INF
    if h == 0.0:
        return 0.0
    total = 0.0
    xh, xl, yh, yl = x, 0.0, y, 0.0
    if min(x, y) < 1.0:
        if min(x, y) < 1e-290:  # x·(y + 1) may underflow: three divisions
            y1 = y + 1.0
            t1 = (h / x) / y1
            r1 = (y / x) * ((x + 1.0) / y1)
            if r1 < 1e-300:  # r ≈ y/x subnormal or 0 (y subnormal): log r from y·2^64
                rs = ((y * 18446744073709551616.0) / x) * ((x + 1.0) / y1)
                total = y1 * (t1 - (math.log(rs) - _LN2_64))
            else:
                total = y1 * rm1mlog_r(t1, r1)
        else:
            total = phi_bregman(x, 0.0, y, 0.0, h, True)
        xh, xl = _s.two_sum(x, 1.0)
        yh, yl = _s.two_sum(y, 1.0)
    # x + i and y + i in double-double: the telescoping sum needs the exact shifts
    while xh < SHIFT or yh < SHIFT:
        total += phi_bregman_near(xh, xl, yh, yl, h)  # both ≥ 1: 1 + w ∈ (½, 2)
        xh, e = _s.two_sum(xh, 1.0)
        xl += e
        yh, e = _s.two_sum(yh, 1.0)
        yl += e
    q = xl / xh
    t = h / xh
    t -= t * q
    r = (yh / xh) * (1.0 + (yl / yh - q))
    return total + (0.5 * rm1mlog_r(t, r) + tail_bregman_scalar(xh, yh, t, STIRLING))


@njit(cache=_CACHE, error_model="numpy")
def lgamma_bregman(x, y, h):
    """lnΓ(y) − lnΓ(x) − h·ψ(x) = B_S(x, y) + B_g(x, y), B_g(x, y) = y·log(y/x) − y + x (both
    ≥ 0), for x, y > 0 and h = y − x from the caller; NaN and inf as stirling_bregman.
    Scalar (the Beta/Dirichlet fallbacks): B_S by ``stirling_bregman_loop``.
    Example: ``lgamma_bregman(1.0, 2.0, 1.0)`` = γ ≈ 0.5772."""
    s = stirling_bregman_loop(x, y, h)
    if s != s or s == INF:
        return s
    if x > 1e300 * y:  # x/y overflows (y subnormal): y·F(x/y) = (x − y) − y·log(x/y), no
        return s + ((x - y) - y * (math.log(x) - math.log(y)))  # cancellation for x ≫ y
    # B_g = x·K(t), K(t) = (1 + t)·log(1 + t) − t = (1 + t)·F(1/(1 + t))... use y·F(x/y)
    return s + y * rm1mlog_r(-h / y, x / y)
