"""B_S(x, y) for results rounded to float32: the Bregman divergence of S(a) = lnΓ(a) − a·log a + a
to ~1e-10 relative instead of double precision, in fewer and cheaper steps (numba ``njit``,
computed in float64, branch-free so loops over it vectorise).

A float32 result needs its value to well under half a float32 ULP (2^−24 ≈ 6e-8 relative):
every error below is at most ~1e-10 relative, so the rounded result is the float32 nearest the
exact value, or its neighbour when the exact value lies within 1e-10 of a midpoint (≤ 0.502 ULP).

* Stirling from ``SHIFT32`` = 5 with the first 8 terms of ``_stirling.STIRLING`` (one B_T by
  ``_stirling.tail_sums``): the first omitted term bounds the truncation, 2·|c_9|·17·18·5^−17
  ≈ 1.4e-10 relative to B_S; measured against mpmath at the worst places (x = 5, y → x, y = 2x,
  x = 2y, far): 9.9e-11 (``tests/test_beta_dirichlet.py`` checks 3e-10 at random points).
* Below 1 the first shift piece is ``_stirling.phi_bregman`` (double precision: the inputs may
  be float32 subnormals; with the domain mask, ``_stirling.domain_first``, shared with the
  float64 form); then at most four steps of (y + 1)·F(w), w = h/(x(y + 1)),
  in plain double (x + i rounded: float32 inputs are exact in double, and a rounding of
  x + i moves a piece by ~1e-16 relative), s = w/(2 + w) and w from one division
  (1/(d·(2d + h)), d = x(y + 1)), F(w) = w·s − 2s³P(s²) with 9 terms of the atanh series
  (|s| ≤ 1/3 for x, y ≥ 1: truncation s^19/21 < 4e-11 relative).
* ½F(Y/X) by ``_stirling.rm1mlog_r`` (double precision, branch-free).

Example: ``stirling_bregman32(20.0, 21.0, 1.0)`` ≈ 6.1483e-4 (to ~1e-10 relative).
"""

import math

from numba import njit

from . import _simd as _s
from . import _stirling as _st
from ._stirling import _INLINE, _INLINE_INTERNAL

_CACHE = True
NAN = math.nan
INF = math.inf
#: Stirling's series from this shape up, with ``STIRLING8``
SHIFT32 = 5.0
#: the first 8 Stirling coefficients (``_stirling.STIRLING``: literal, checked against mpmath)
STIRLING8 = _st.STIRLING[:8]
#: 1/(2k + 3), k = 0…8: the atanh series 2·atanh(s) = 2s + 2s³·Σ_k s^2k/(2k + 3)
_ATANH9 = tuple(1.0 / (2 * k + 3) for k in range(9))


@njit(**_INLINE_INTERNAL)
def _atanh9(z):
    """Σ_{k<9} z^k/(2k + 3) by Horner (z = s² ≤ 1/9)."""
    acc = _ATANH9[8]
    acc = _s.fma(acc, z, _ATANH9[7])
    acc = _s.fma(acc, z, _ATANH9[6])
    acc = _s.fma(acc, z, _ATANH9[5])
    acc = _s.fma(acc, z, _ATANH9[4])
    acc = _s.fma(acc, z, _ATANH9[3])
    acc = _s.fma(acc, z, _ATANH9[2])
    acc = _s.fma(acc, z, _ATANH9[1])
    return _s.fma(acc, z, _ATANH9[0])


@njit(**_INLINE_INTERNAL)
def phi_plain(x, y, h):
    """B_φ(x, y) = (y + 1)·F(w), w = h/(x(y + 1)), for x, y ≥ 1 in plain double (module
    docstring).  Example: ``phi_plain(1.0, 2.0, 1.0)`` ≈ 3·F(1/3) = 0.1370."""
    yp1 = y + 1.0
    d = x * yp1
    v = 2.0 * d + h
    inv = 1.0 / (d * v)
    s = (h * d) * inv
    w = (h * v) * inv
    z = s * s
    return yp1 * _s.fma(w, s, -2.0 * s * z * _atanh9(z))


@njit(**_INLINE_INTERNAL)
def _step(total, x, y, h):
    """One shift step, a no-op once x and y are both ≥ SHIFT32 (selects only)."""
    active = (x < SHIFT32) | (y < SHIFT32)
    total = total + (phi_plain(x, y, h) if active else 0.0)
    return total, x + 1.0 if active else x, y + 1.0 if active else y


@njit(**_INLINE)
def stirling_bregman32(x, y, h):
    """B_S(x, y) to ~1e-10 relative (module docstring), h = y − x from the caller; NaN for
    x ≤ 0, y ≤ 0, NaN or x = +inf; +inf for y = +inf; 0 for h = 0.  Branch-free.
    Example: ``stirling_bregman32(20.0, 21.0, 1.0)`` ≈ 6.1483e-4."""
    ok, special, x0, y0, h0, small, total = _st.domain_first(x, y, h)
    xs = x0 + 1.0 if small else x0
    ys = y0 + 1.0 if small else y0
    total, xs, ys = _step(total, xs, ys, h0)  # from ≥ 1, four steps reach SHIFT32 = 5
    total, xs, ys = _step(total, xs, ys, h0)
    total, xs, ys = _step(total, xs, ys, h0)
    total, xs, ys = _step(total, xs, ys, h0)
    t = h0 / xs
    sg, sh, rho = _st.tail_sums(xs, ys, STIRLING8)
    tail = t * ((t * rho) * sg) if xs <= ys else t * (t * sh)
    value = total + (0.5 * _st.rm1mlog_r(t, ys / xs) + tail)
    value = 0.0 if h0 == 0.0 else value
    return value if ok else special
