"""Bregman divergences of −log and of S(a) = lnΓ(a) − a·log a + a without series loops
(numba ``njit``, float64): the pieces of the Gamma, Beta and Dirichlet KL kernels.

* ``rm1mlog_r(t, r)`` = F(r) = r − 1 − log r = B_{−log}(x, y)/… given both t = r − 1 and r
  (each to full relative accuracy; r > 0).  r = 2^k·(1 + u) with k = 0, u = t on
  r ∈ [½, 2], else u ∈ [0, 1) (r > 2) or u ∈ [−½, 0) (r < ½):
  F = (2^k − 1 − k·ln 2) + (2^k − 1)·u − log1pmx(u), three terms ≥ 0 (no cancellation,
  also for r ∈ (0, ½), where r − 1 − log r cancelled up to ~5×).  Branch-free.
* ``phi_bregman(x, y, h)`` = B_φ(x, y) for φ(a) = S(a) − S(a + 1) = (a + 1)·log(1 + 1/a) − 1:
  since φ = −log a + g(a + 1) − g(a) − 1 (g = a·log a), B_φ = F(y/x) + B_g(x + 1, y + 1) −
  B_g(x, y) = (y + 1)·F(w), w = h/(x·(y + 1)), 1 + w = y(x + 1)/(x(y + 1)): one F, ≥ 0.
* ``tail_bregman(x, y, t, coefs)`` = B_T(x, y), T(a) = Σ_{k≤14} c_k a^{1−2k} (Stirling's series
  tail, c_k = B_2k/(2k(2k − 1)), literal constants) for x, y ≥ 8, t = (y − x)/x.  With
  r = x/y, each term's Bregman divergence c_k·x^{−n}·((1 + t)^{−n} − 1 + n·t), n = 2k − 1,
  is exactly c_k·x^{−n}·t²·r·G_n(r), G_n(r) = Σ_{i<n} (n − i)·r^i: positive terms, for every
  t (not only near p ≈ q).  With a = min(x, y), ρ = a/max(x, y) ≤ 1 and v = 1/a:
  B_T = t·(t·ρ)·Σ_k c_k v^n G_n(ρ) for x ≤ y, and t²·Σ_k c_k v^n H_n(ρ) for x > y
  (r^{n−1}·G_n(r) = H_n(1/r), H_n(ρ) = Σ_{i<n} (i + 1)ρ^i), each polynomial by a
  two-term recurrence in n (``tail_sums``): ~7 flops per term, no branch, no overflow.
  Truncation at k = 14 from 8: < 6e-18 relative to B_S (the first omitted term bounds
  the remainder of Stirling's series; measured against mpmath: 5.4e-18).
* ``stirling_bregman(x, y, h)`` = B_S(x, y), h = y − x from the caller: shift both up to
  ≥ 8 by S(a) = S(a + 1) + φ(a) — B_S(x, y) = Σ_i B_φ(x + i, y + i) + B_S(X, Y) — then
  B_S(X, Y) = ½·F(Y/X) + B_T(X, Y) by Stirling.  Every piece ≥ 0 and accurate relative to
  itself, so the sum is; at most 8 pieces (``phi_bregman_near`` once x, y ≥ 1: one division
  and an Estrin polynomial on the dependency chain).  Branch-free (seven shift steps, each a
  no-op once both are ≥ 8), so loops over elements vectorise; ``_stirling_scalar`` holds the
  early-exit loop for scalar code.  Measured against mpmath (3 000 points, shapes 1e-3 …
  1e4, near and far): ≤ 2.95 ULP, mean 0.66 (session start: 3.9 / 0.73).  One thread,
  log-uniform 0.1 … 100, load ~5: 26 ns per element in a vectorised loop, 125 ns scalar.
  Example: ``stirling_bregman(20.0, 21.0, 1.0)`` ≈ 6.1483e-4.
* ``domain_first(x, y, h)`` and ``tail_setup(x, y)``: the domain mask with the first shift
  piece, and the tail's (v, ρ), written once for both B_S forms (``_stirling32``) and the
  scalar tail (``_stirling_scalar``).

First use: every helper here is inlined by LLVM (``forceinline``) into a vectorised loop, yet
numba compiles each as a function of its own first; they are not cached on their own and,
unless tests call them from Python, carry no CPython/C wrapper (``_ufunc.INTERNAL``).
"""

import math

from numba import njit

from . import _simd as _s
from ._ufunc import INTERNAL

_CACHE = True
#: helpers inlined into their callers (LLVM ``alwaysinline``): not cached on their own — a
#: first use compiles each once, its callers' cached code holds them — and, when nothing
#: calls them from Python, without the CPython/C wrappers (``_ufunc.INTERNAL``)
_INLINE = dict(forceinline=True, error_model="numpy")
_INLINE_INTERNAL = dict(_INLINE, **INTERNAL)
NAN = math.nan
INF = math.inf
#: Stirling's series is used from this shape up (14 terms: see the module docstring)
SHIFT = 8.0

#: c_k = B_2k/(2k(2k − 1)) for k = 1…14, B_2k the Bernoulli numbers, as literal doubles
#: (each the double nearest the exact rational; tests/test_primitives.py recomputes them
#: from mpmath's Bernoulli numbers at 50 digits).  float64 uses all 14 from SHIFT = 8
#: (truncation < 6e-18 relative to B_S); ``_stirling32`` the first 8 from 5.
STIRLING = (0.08333333333333333, -0.002777777777777778, 0.0007936507936507937,
            -0.0005952380952380953, 0.0008417508417508417, -0.0019175269175269176,
            0.00641025641025641, -0.029550653594771242, 0.17964437236883057,
            -1.3924322169059011, 13.402864044168393, -156.84828462600203,
            2193.1033333333335, -36108.77125372499)
_LN2_HI, _LN2_LO = _s.LN2_HI, _s.LN2_LO
_LN2_64 = 64.0 * math.log(2.0)


@njit(**_INLINE_INTERNAL)
def tail_setup(x, y):
    """(v, ρ, ρ², v²) for the Stirling tail's Bregman divergence at x, y > 0: a = min(x, y),
    v = 1/a, ρ = a/max(x, y) ∈ (0, 1] (``tail_sums``, ``_stirling_scalar.tail_bregman_scalar``).
    Example: ``tail_setup(2.0, 4.0)`` = (0.5, 0.5, 0.25, 0.25)."""
    a = y if y < x else x  # min(x, y), max(x, y) as selects: no min/max overloads to compile
    v = 1.0 / a
    rho = a / (y if y > x else x)
    return v, rho, rho * rho, v * v


@njit(**_INLINE)
def tail_sums(x, y, coefs):
    """(Σ_k c_k·v^n·G_n(ρ), Σ_k c_k·v^n·H_n(ρ)) over ``coefs`` (c_1, c_2, …), n = 2k − 1,
    a = min(x, y), v = 1/a, ρ = a/max(x, y) ∈ (0, 1]; G_n(ρ) = Σ_{i<n} (n − i)·ρ^i and
    H_n(ρ) = Σ_{i<n} (i + 1)·ρ^i by their recurrences G_{n+2} = ρ²G_n + (n + 2) + (n + 1)ρ,
    H_{n+2} = H_n + ρ^n·((n + 1) + (n + 2)ρ) (positive terms only), and ρ.  B_T = t·(tρ)·(first)
    for x ≤ y, t²·(second) for x > y (module docstring)."""
    fma = _s.fma
    v, rho, r2, w = tail_setup(x, y)
    g = 1.0
    hh = 1.0
    p = rho
    vn = v
    sg = 0.0
    sh = 0.0
    n = 1.0
    for c in coefs:
        cv = c * vn
        sg = fma(cv, g, sg)
        sh = fma(cv, hh, sh)
        g = fma(r2, g, fma(n + 1.0, rho, n + 2.0))
        hh = fma(p, fma(n + 2.0, rho, n + 1.0), hh)
        p *= r2
        vn *= w
        n += 2.0
    return sg, sh, rho


@njit(**_INLINE_INTERNAL)
def mlog1pmx(u):
    """u − log(1 + u) for u ∈ [−½, 1]: with s = u/(2 + u) (|s| ≤ ⅓) carried to twice the
    precision (s + s_l), u·s − 2s³P(s²) (``_simd.atanh_p``'s coefficients by Estrin), both
    terms ≥ 0: ~½ ULP."""
    v, vl = _s.two_sum(2.0, u)
    s = u / v
    sl = (_s.fma(-s, v, u) - s * vl) / v
    z = s * s
    return _s.fma(u, s, _s.fma(u, sl, -2.0 * s * z * _atanh_p_estrin(z)))


@njit(**_INLINE)
def rm1mlog_r(t, r):
    """F = r − 1 − log r ≥ 0 given t = r − 1 and r (r > 0, each accurate); +inf for
    r = +inf or r = 0, NaN for NaN or r < 0.  Example: ``rm1mlog_r(1.0, 2.0)`` = 1 − ln 2."""
    near = (r >= 0.5) & (r <= 2.0)
    ok = (r > 0.0) & (r <= _s.BIG)
    sub = r < _s.TINY  # subnormal: scaled by 2^64 (exactly) first
    e, m = _s.exponent_mantissa((r * 18446744073709551616.0 if sub else r) if ok else 1.0)
    e = e - 64.0 if sub else e
    below = e < 0.0
    k = 0.0 if near else (e + 1.0 if below else e)
    u = t if near else (0.5 * m - 1.0 if below else m - 1.0)
    # 2^k from its exponent bits (|k| ≤ 1023): k + 1.5·2^52 holds k in its low bits
    kk = k if k > -1022.0 else -1022.0  # 2^k − 1 = −1 to double precision below
    two_k = _s._from_bits((_s._bits(kk + _s.ROUND_MAGIC) - _s._bits(_s.ROUND_MAGIC) + 1023) << 52)
    c = _s.fma(-k, _LN2_LO, _s.fma(-k, _LN2_HI, two_k - 1.0))
    v = c + ((two_k - 1.0) * u + mlog1pmx(u))
    special = INF if (r == INF) | (r == 0.0) else NAN
    return v if ok else special


@njit(**_INLINE)
def phi_bregman(xh, xl, yh, yl, h, far):
    """B_φ(x, y) = (y + 1)·F(w), w = h/(x(y + 1)), 1 + w = y(x + 1)/(x(y + 1)), for
    φ(a) = (a + 1)·log(1 + 1/a) − 1, x = xh + xl and y = yh + yl > 0 normal (double-double)
    and h = y − x.  x(y + 1) is formed in double-double and w to twice the precision (F'(w)
    = w/(1 + w) takes the low part), so the piece carries ~1 rounding of its own; with
    ``far`` (needed only when min(x, y) < 1: 1 + w may leave [½, 2]) also 1 + w from
    y(x + 1) in double-double.  Example: ``phi_bregman(1.0, 0.0, 2.0, 0.0, 1.0, False)`` =
    3·F(1/3)."""
    y1, e = _s.two_sum(yh, 1.0)
    y1l = e + yl
    d = xh * y1
    dl = _s.fma(xh, y1, -d) + (xh * y1l + xl * y1)
    inv = 1.0 / d
    w = h * inv
    wl = (_s.fma(-w, d, h) - w * dl) * inv
    r = 1.0 + w
    rl = 0.0
    if far:
        x1, e = _s.two_sum(xh, 1.0)
        n = yh * x1
        nl = _s.fma(yh, x1, -n) + (yh * (e + xl) + yl * x1)
        r = n * inv
        rl = r * ((nl - _s.fma(r, d, -n)) / n - dl * inv)
    # rm1mlog_r reads w on [½, 2], else r: add F'·(low part), F'(w) = w/(1 + w) = 1 − 1/r
    near = (r >= 0.5) & (r <= 2.0)
    f = rm1mlog_r(w, r) + (wl * (w / r) if near else rl * (1.0 - 1.0 / r))
    return _s.fma(y1, f, y1l * f)


_A = tuple(reversed(_s.ATANH_P))  # lowest power first


@njit(**_INLINE_INTERNAL)
def _atanh_p_estrin(z):
    """``_simd.atanh_p`` (the same coefficients) by Estrin's scheme: 5 fma levels, not 10."""
    fma = _s.fma
    z2 = z * z
    z4 = z2 * z2
    q0 = fma(fma(_A[3], z, _A[2]), z2, fma(_A[1], z, _A[0]))
    q1 = fma(fma(_A[7], z, _A[6]), z2, fma(_A[5], z, _A[4]))
    q2 = fma(_A[10], z2, fma(_A[9], z, _A[8]))
    return fma(q2, z4 * z4, fma(q1, z4, q0))


@njit(**_INLINE)
def phi_bregman_near(xh, xl, yh, yl, h):
    """B_φ(x, y) as ``phi_bregman`` for x, y ≥ 1 (double-double), where 1 + w ∈ (½, 2):
    F(w) = w·s − 2s³P(s²) with s = w/(2 + w) = h/(2·x(y + 1) + h) taken straight from h and
    the double-double x(y + 1) (one division on the dependency chain, not three), w and s
    each with a low part.  Example: ``phi_bregman_near(1.0, 0.0, 2.0, 0.0, 1.0)`` = 3·F(1/3)."""
    y1, e = _s.two_sum(yh, 1.0)
    y1l = e + yl
    d = xh * y1
    dl = _s.fma(xh, y1, -d) + (xh * y1l + xl * y1)
    v, vl = _s.two_sum(2.0 * d, h)
    vl += 2.0 * dl
    iv = 1.0 / v
    s = h * iv
    sl = (_s.fma(-s, v, h) - s * vl) * iv
    inv = 1.0 / d
    w = h * inv
    wl = (_s.fma(-w, d, h) - w * dl) * inv
    z = s * s
    f = _s.fma(w, s, _s.fma(w, sl, wl * s) - 2.0 * s * z * _atanh_p_estrin(z))
    return _s.fma(y1, f, y1l * f)


@njit(**_INLINE)
def tail_bregman(x, y, t, coefs):
    """B_T(x, y) for the Stirling tail T(a) = Σ_k c_k a^{1−2k} (the terms ``coefs``: the 14
    of ``STIRLING`` in float64), x, y > 0 and t = (y − x)/x (accurate): t·(t·ρ)·Σ c_k v^n
    G_n(ρ) for x ≤ y, else t²·Σ c_k v^n H_n(ρ) (``tail_sums``; no cancellation, no
    overflow: t·ρ = h/y ≤ 1 and |t| < 1 for x > y).
    Example: ``tail_bregman(10.0, 10.0, 0.0, STIRLING)`` = 0."""
    sg, sh, rho = tail_sums(x, y, coefs)
    return t * ((t * rho) * sg) if x <= y else t * (t * sh)


@njit(**_INLINE_INTERNAL)
def _shift_step(total, xh, xl, yh, yl, h):
    """One step of the shift sum, a no-op once x and y are both ≥ SHIFT (selects only)."""
    active = (xh < SHIFT) | (yh < SHIFT)
    piece = phi_bregman_near(xh, xl, yh, yl, h)  # both ≥ 1: 1 + w ∈ (½, 2)
    total = total + (piece if active else 0.0)
    x1, ex = _s.two_sum(xh, 1.0)
    y1, ey = _s.two_sum(yh, 1.0)
    return (total, x1 if active else xh, xl + ex if active else xl,
            y1 if active else yh, yl + ey if active else yl)


@njit(**_INLINE_INTERNAL)
def domain_first(x, y, h):
    """The start both B_S forms share (``stirling_bregman``, ``_stirling32.stirling_bregman32``),
    for x, y and h = y − x as given: (ok, special, x0, y0, h0, small, first).  ok: x, y
    positive finite and h not NaN; special: the result where not ok (+inf for y = +inf with x
    positive finite, else NaN); x0, y0, h0: the arguments, or benign values (1, 2, 1) in the
    lanes that return ``special`` (branch-free loops compute them too); small: min(x0, y0) < 1;
    first: then B_φ(x0, y0) (``phi_bregman`` with 1 + w from exact products; below 1e-290
    x·(y + 1) may underflow: three divisions, and r below 1e-300 — y subnormal — by
    F(r) = F(r·2^64) + (t + 1) − r·2^64 + 64 ln 2), else 0.
    Example: ``domain_first(0.5, 2.0, 1.5)[6]`` = ``phi_bregman(0.5, 0.0, 2.0, 0.0, 1.5, True)``."""
    ok = (x > 0.0) & (y > 0.0) & (h == h) & (x < INF) & (y < INF)
    special = INF if (x > 0.0) & (x < INF) & (y == INF) & (h == h) else NAN
    x0 = x if ok else 1.0
    y0 = y if ok else 2.0
    h0 = h if ok else 1.0
    lo = y0 if y0 < x0 else x0
    yp1 = y0 + 1.0
    t1 = (h0 / x0) / yp1
    r1 = (y0 / x0) * ((x0 + 1.0) / yp1)
    under = r1 < 1e-300
    rs = (((y0 if under else 0.0) * 18446744073709551616.0) / x0) * ((x0 + 1.0) / yp1)
    f1 = rm1mlog_r(t1, rs if under else r1)
    tiny = yp1 * (f1 + (((t1 + 1.0) - rs) + _LN2_64 if under else 0.0))
    first = tiny if lo < 1e-290 else phi_bregman(x0, 0.0, y0, 0.0, h0, True)
    small = lo < 1.0
    return ok, special, x0, y0, h0, small, first if small else 0.0


@njit(**_INLINE)
def stirling_bregman(x, y, h):
    """B_S(x, y) = S(y) − S(x) − h·S'(x), S(a) = lnΓ(a) − a·log a + a (S' = ψ − log), with
    h = y − x from the caller; ≥ 0, accurate relative to itself (module docstring).  NaN for
    x ≤ 0, y ≤ 0, NaN or x = +inf; +inf for y = +inf.  Branch-free: the first piece (min <
    1) and seven shift steps are always computed and selected (a step is a no-op once both
    are ≥ SHIFT), so a loop over elements vectorises (AVX2: 4 lanes).
    Example: ``stirling_bregman(20.0, 21.0, 1.0)`` ≈ 6.1483e-4."""
    ok, special, x0, y0, h0, small, total = domain_first(x, y, h)
    xs, xe = _s.two_sum(x0, 1.0)
    ys, ye = _s.two_sum(y0, 1.0)
    xh = xs if small else x0
    xl = xe if small else 0.0
    yh = ys if small else y0
    yl = ye if small else 0.0
    # x + i and y + i in double-double: the telescoping sum needs the exact shifts; from
    # ≥ 1, seven steps reach SHIFT = 8
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    total, xh, xl, yh, yl = _shift_step(total, xh, xl, yh, yl, h0)
    q = xl / xh
    t = h0 / xh
    t -= t * q
    r = (yh / xh) * (1.0 + (yl / yh - q))
    value = total + (0.5 * rm1mlog_r(t, r) + tail_bregman(xh, yh, t, STIRLING))
    value = 0.0 if h0 == 0.0 else value
    return value if ok else special
