"""Beta and Dirichlet KL from pieces that vanish smoothly as p → q (numba ``njit``, float64).

KL(Dir(α)‖Dir(β)) is the Bregman divergence of A(α) = Σ_i lnΓ(α_i) − lnΓ(n), n = Σ α_i, from
α to β; Beta(a, b) is the case K = 2.  The textbook grouping Σ_i B_lnΓ(α_i, β_i) −
B_lnΓ(n_p, n_q) subtracts pieces up to ~min(α)·KL large (1.6e4 ULP).  Here j is the largest
α_j, s = n − α_j the rest, and α_j, β_j, n are shifted by m ≥ 0 until α_j + m, β_j + m ≥ 8
(lnΓ(z) = lnΓ(z + 1) − log z), where Stirling's series (14 terms) holds.  With ' marking the shifted
values (y_j = α_j + m, N = n + m; y_i = α_i otherwise), ρ the relative change of a parameter
from p to q, F(ρ) = ρ − log(1 + ρ) = B_{−log} ≥ 0, S(a) = lnΓ(a) − a·log a + a:

  KL = Σ_{i≠j} B_S(α_i, β_i)                                  ≥ 0 each (``stirling_bregman``)
     + Σ_i y_i^q·(r_i − 1 − log r_i),  r_i = (y_i^p/N_p)/(y_i^q/N_q)    ≥ 0 each
     + Σ_{k<m} [F(ρ_{α_j+k}) − F(ρ_{n+k})] + ½·[F(ρ_{y_j}) − F(ρ_N)]
     + Σ_k c_k·[B_{a^{1−2k}}(y_j) − B_{a^{1−2k}}(N)]    (``_stirling.tail_bregman``)

Every difference F(x) − F(y) is formed from x − y = (β_j·s_p − α_j·s_q − k·(s_q − s_p))/
((α_j + k)(n_p + k)), whose cross product comes from exact products (``two_prod``) and
double-double sums, and every r_i − 1 = T_i/(y_i^q N_p) likewise, so each line is accurate
relative to itself.  Far apart, the shift sum itself can cancel; when the pieces add to more
than twice the result, the unshifted grouping B_S(α_j, β_j) − B_S(n_p, n_q) + Σ unshifted
r-terms is computed too and the one with the smaller pieces kept.  No series loop: B_S and
every F come in closed form (``_stirling.py``), the far-apart tail difference from powers and
geometric sums.  Measured against mpmath (``klforge verify``: concentrations 1e-2 … 1e3, p ≈ q
down to 1e-12 relative): kl_beta 5.48 ULP, Dirichlet rows 3.19 ULP; 1 500 further Beta
points (independent, near and log-ratio ±2 pairs, a /tmp check at 50 digits) ≤ 4.8 ULP
(this session: kl_beta 4.53 ULP).  Dirichlet rows: ``_dirichlet.py``.
Concentrations below 1e-100, or above 1e100 with (K·max p + 16)(K·max q + 16) > 1e306 (a
product would overflow) or a ratio max/min > 1e250, leave this decomposition: kl_beta for
``_gbd_range.kl_beta_wide`` (extreme ratios, a shared tiny concentration, totals past
DBL_MAX), Dirichlet rows — which keep it down to 1e-300 while every p·q product stays ≥
1e-300 — for ``_dirichlet_wide`` (the same grouping over K coordinates).
p ≈ q with a small rest s_p: the Stirling tails of y_j and of N differ by ~s_p/N of
themselves, so the near form (two tails subtracted) is off by ~1/(6·s_p·N) ULP of the KL
(1.2e3 at s_p = 1.4e-5, N = 23); a rest with s_p·N < 4 or s_p < 2^-10·|ρ_j|·N takes the
difference form ``_tail_far`` (≤ 4.7 ULP over 600 random near pairs, rests 1e-8 … 10).
Cost, one thread, log-uniform 0.1 … 100 (scalar: the shift loop and B_S of the smaller
coordinate dominate): ~310 ns per pair at load 7, torch's lgamma/digamma formula ~210.
Example: ``kl_beta(2.0, 3.0, 4.0, 1.0)`` ≈ 2.0986.
"""

import math

from numba import njit

from . import _gbd_range as _gr
from . import _primitives as _p
from . import _simd as _s
from . import _stirling as _st
from . import _stirling_scalar as _ss
from . import _ufunc as _u
from ._stirling import _INLINE_INTERNAL
from ._ufunc import INTERNAL

_CACHE = True
#: functions called only from compiled code: no CPython/C wrappers (``_ufunc.INTERNAL``)
_JIT = dict(cache=_CACHE, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf
_SHIFT = _st.SHIFT  # 8: Stirling's series with 14 terms from there (``_stirling.py``)
_LO, _HI = 1e-100, 1e100
#: ... and above _HI while (K·max p + 16)·(K·max q + 16) ≤ _PROD (K = 2 for Beta): every
#: product the decomposition forms is of a p- and a q-side value (a total, shifted by ≤ 8)
_PROD = 1e306
#: the shifted grouping is kept when its pieces sum to at most this multiple of the result
_CANCEL = 2.0
#: the near tail form needs a rest s_p with s_p·N at least this (module docstring)
_NEAR_SN = 4.0


@njit(**_INLINE_INTERNAL)
def _fdiff(num, xa, xb, ni, nqi, w):
    """F(x) − F(y), F(ρ) = ρ − log(1 + ρ), for x = num/(xa·ni) (the relative change of a
    coordinate, num its cross product), y = w/ni (of the total), 1 + y = nqi/ni and
    (1 + x)/(1 + y) = (xb·ni)/(xa·nqi): with z = (x − y)/(1 + y) = num/(xa·nqi),
    y·z − log1pmx(z) when |z| ≤ ½ (two divisions), else x − y − log((1 + x)/(1 + y)), the
    ratio (1 + z ∉ [½, 3/2]: its log is ≥ 0.4 in size) to a few roundings."""
    z = num / (xa * nqi)
    if -0.5 <= z <= 0.5:
        return (w / ni) * z + _st.mlog1pmx(z)
    return num / (xa * ni) - math.log((xb * ni) / (xa * nqi))


@njit(**_INLINE_INTERNAL)
def _bern(yp, yq, t, np_, nq):
    """y^q·(r − 1 − log r) with r − 1 = t (accurate) and r = (y^p·N_q)/(y^q·N_p): F from t,
    or for r < ½ from r = (y^p·N_q)/(y^q·N_p) with its low part (exact products)."""
    if t >= -0.5:
        return yq * _st.rm1mlog_r(t, 1.0 + t)
    p1 = yp * nq
    p2 = yq * np_
    r = p1 / p2
    rl = ((_s.fma(-r, p2, p1) + _s.fma(yp, nq, -p1)) - r * _s.fma(yq, np_, -p2)) / p2
    return yq * (_st.rm1mlog_r(t, r) + rl * (1.0 - 1.0 / r))


@njit(**_INLINE_INTERNAL)
def _bern_lanes(yp, yq, t, np_, nq):
    """``_bern`` branch-free (both forms computed, one selected): for loops over the
    coordinates that vectorise."""
    p1 = yp * nq
    p2 = yq * np_
    r = p1 / p2
    rl = ((_s.fma(-r, p2, p1) + _s.fma(yp, nq, -p1)) - r * _s.fma(yq, np_, -p2)) / p2
    near = t >= -0.5
    return yq * (_st.rm1mlog_r(t, 1.0 + t if near else r)
                 + (0.0 if near else rl * (1.0 - 1.0 / r)))


@njit(**_JIT)
def shifted_part(aj, bj, np_, nq, u, w, n0, s_p, shift, coefs):
    """The lines of the module docstring that involve the shifted coordinate j: the shift
    sum, ½[F(ρ_{y_j}) − F(ρ_N)], the Stirling tail and coordinate j's r-term.  Inputs:
    α_j, β_j, n_p, n_q, u = s_q − s_p, w = n_q − n_p (each to full relative accuracy),
    n0 = β_j·s_p − α_j·s_q and s_p; Stirling's series from ``shift`` with the terms
    ``coefs`` (float64: _SHIFT and all 14; float32 rows: ``_stirling32``'s 5 and 8).
    Returns (value, m, scale), scale the sum of the pieces' magnitudes."""
    total = 0.0
    scale = 0.0
    m = 0.0
    while min(aj, bj) + m < shift:
        piece = _fdiff(n0 - m * u, aj + m, bj + m, np_ + m, nq + m, w)
        total += piece
        scale += abs(piece)
        m += 1.0
    yp, yq, bigp, bigq = aj + m, bj + m, np_ + m, nq + m
    cross = n0 - m * u  # = −T_j
    half = 0.5 * _fdiff(cross, yp, yq, bigp, bigq, w)
    bern = _bern_lanes(yp, yq, -cross / (yq * bigp), bigp, bigq)
    rho_j = (bj - aj) / yp
    rho_n = w / bigp
    # the two tails differ by ~s_p/N of themselves: a small rest (s_p < 2^-10·|ρ_j|·N, e.g. a
    # shared tiny concentration, or s_p·N < 4) takes the difference form (_tail_far), with no
    # cancellation for p ≈ q (the near form cancels ~N/s_p: ~1/(s_p·N) ULP of the KL, 1.2e3
    # at s_p = 1.4e-5, N = 23; not for every s_p < |ρ_j|·N: _tail_far costs ~2× the near form)
    if (max(abs(rho_j), abs(rho_n)) <= 0.5 and s_p >= 0.0009765625 * abs(rho_j) * bigp
            and s_p * bigp >= _NEAR_SN):
        tail = (_ss.tail_bregman_scalar(yp, yq, rho_j, coefs)
                - _ss.tail_bregman_scalar(bigp, bigq, rho_n, coefs))
        tail_scale = abs(tail)
    else:
        tail, tail_scale = _tail_far(yp, bigp, yq, bigq, s_p, rho_j, (cross / yp) / bigp,
                                     coefs)
    return total + half + bern + tail, m, scale + abs(half) + bern + tail_scale


@njit(**_JIT)
def _tail_far(xj, xn, yj, yn, s_p, rho_j, e, coefs):
    """Σ_k c_k·[B_{a^μ}(x_j, y_j) − B_{a^μ}(x_n, y_n)], μ = −n = 1 − 2k, for p and q far
    apart (|ρ| > ½), where the two Bregman divergences are nearly equal and large (x_n = x_j
    + s_p with s_p small, y ≫ x): each term as (x_j^μ − x_n^μ)·G(ρ_j) + x_n^μ·(G(ρ_j) −
    G(ρ_n)), G(ρ) = (1 + ρ)^μ − 1 − μρ, with x_j^μ − x_n^μ = x_j^μ·(s_p/x_n)·Σ_{i<n} a^i
    (a = x_j/x_n) and G(ρ_j) − G(ρ_n) = (1 + ρ_n)^μ·(c^n − 1) + n·e, c = (1 + ρ_n)/(1 + ρ_j),
    c − 1 = −e/(1 + ρ_j), c^n − 1 = (c − 1)·Σ_{i<n} c^i, e = ρ_j − ρ_n from the exact cross
    product: powers and geometric sums of positive terms, no exp/log.  G(ρ_j) =
    ρ_j²·b·G_n(b), b = 1/(1 + ρ_j), G_n(b) = Σ_{i<n} (n − i)·b^i for |ρ_j| ≤ ½ (positive
    terms, by ``_stirling.tail_sums``' recurrence).  When |ρ_n| ≤ ½ too, the form above of
    G(ρ_j) − G(ρ_n) cancels ~1/|ρ| (p ≈ q): instead e·[(ρ_j + ρ_n)·b_j·G_n(b_j) −
    ρ_n²·b_j·b_n·Σ_{l<n} (n − l)·h_l], h_l = Σ_{i≤l} b_j^i·b_n^{l−i} (positive sums; from
    b_j − b_n = −e·b_j·b_n), accurate relative to e·ρ.
    Returns (value, scale)."""
    total = 0.0
    scale = 0.0
    a = xj / xn
    one_m_a = s_p / xn
    bj = xj / yj
    bn = xn / yn
    c = bj / bn
    cm1 = -e * bj
    a2, bj2 = a * a, bj * bj
    pa, sa = a, 1.0  # a^n, Σ_{i<n} a^i at n = 1
    # x^{−n}·(1 + ρ)^{−n} = y^{−n} carried as its own power, and c^n, Σ_{i<n} c^i only
    # times y_n^{−n} (tc, vc): alone, (1 + ρ)^{−n} or c^n overflows (and x^{−n} underflows,
    # 0·inf = NaN) once x/y or y/x ≳ 1e12
    pj = 1.0 / xj
    pn = 1.0 / xn
    qj = 1.0 / yj
    qn = 1.0 / yn
    ij2 = pj * pj
    in2 = pn * pn
    jq2 = qj * qj
    nq2 = qn * qn
    qn1 = qn
    cq = c * qn1  # c/y_n = b_j/x_n
    tc = qn  # y_n^{−n}·Σ_{i<n} c^i
    vc = cq  # y_n^{−n}·c^n
    small = abs(rho_j) <= 0.5
    # both near (b_j, b_n ∈ [⅔, 2]): G(ρ_j) − G(ρ_n) = e·[(ρ_j + ρ_n)·b_j·G_n(b_j) −
    # ρ_n²·b_j·b_n·Q_n], Q_n = Σ_{l<n} (n − l)·h_l, h_l = Σ_{i≤l} b_j^i·b_n^{l−i} (from
    # b_j − b_n = −e·b_j·b_n): no 1/|ρ| cancellation as ρ → 0
    both = small and abs(rho_j - e) <= 0.5
    rho_s = 2.0 * rho_j - e  # ρ_j + ρ_n
    rho_n2 = (rho_j - e) * (rho_j - e) * (bj * bn)
    qsum, psum, hprev, bjp = 1.0, 1.0, 1.0, 1.0  # Q_n, Σ_{l<n} h_l, h_{n−1}, b_j^{n−1}
    g = 1.0  # G_n(b_j), b_j = 1/(1 + ρ_j) (``_stirling.tail_sums``), n = 1
    n = 1.0
    for ck in coefs:
        if small:
            bg = bj * g
            pg_j = pj * (rho_j * rho_j * bg)
            g = _s.fma(bj2, g, _s.fma(n + 1.0, bj, n + 2.0))
        else:
            pg_j = (qj - pj) + n * rho_j * pj  # x^{−n}·G(ρ_j)
        first = one_m_a * sa * pg_j
        if both:
            second = pn * (e * (rho_s * bg - rho_n2 * qsum))
            bjp *= bj
            h1 = bjp + bn * hprev
            bjp *= bj
            hprev = bjp + bn * h1
            qsum += 2.0 * (psum + h1) + hprev
            psum += h1 + hprev
        else:
            second = cm1 * tc + n * e * pn
        total += ck * (first + second)
        scale += abs(ck) * (abs(first) + abs(second))
        n += 2.0
        sa += pa + pa * a
        pa *= a2
        tc = tc * nq2 + (vc * qn1) * qn1 + (vc * cq) * qn1
        vc *= cq * cq
        pj *= ij2
        pn *= in2
        qj *= jq2
        qn *= nq2
    return total, scale


@njit(**_JIT)
def direct_part(aj, bj, np_, nq, u, w, n0):
    """B_S(α_j, β_j) − B_S(n_p, n_q) + coordinate j's unshifted r-term: with the other
    coordinates' unshifted r-terms, the same sum as shifted_part's value with their shifted
    ones; for p and q far apart, where the shift sum cancels instead.  Returns
    (value, scale)."""
    s1 = _ss.stirling_bregman_loop(aj, bj, bj - aj)
    s2 = _ss.stirling_bregman_loop(np_, nq, w)
    bern = _bern(aj, bj, -n0 / (bj * np_), np_, nq)
    return (s1 - s2) + bern, s1 + s2 + bern


@njit(**_JIT)
def _fits(a, b, c, d):
    """Whether the decomposition below serves (a, b, c, d) — positive finite parameters
    within its range; outside (extreme ratios) ``_gbd_range.kl_beta_wide`` does."""
    hp = max(a, b)
    hq = max(c, d)
    lo = min(min(a, b), min(c, d))
    fits = max(hp, hq) <= _HI or ((2.0 * hp + 16.0) * (2.0 * hq + 16.0) <= _PROD
                                  and max(hp, hq) <= 1e250 * lo)
    return _LO <= lo and fits


@njit(**_JIT)
def _valid(a, b, c, d):
    return ((a > 0.0) & (b > 0.0) & (c > 0.0) & (d > 0.0)
            & (max(max(a, b), max(c, d)) < INF))


@njit(**_JIT)
def kl_beta(a, b, c, d):
    """KL(Beta(a, b) ‖ Beta(c, d)) for positive finite a, b, c, d (NaN otherwise, before any
    loop: the emitted core selects NaN for those), by the module docstring's decomposition
    with K = 2 (j the larger of a, b); extreme ratios by ``_gbd_range.kl_beta_wide``.
    Example: ``kl_beta(2.0, 3.0, 4.0, 1.0)`` ≈ 2.0986."""
    if not _valid(a, b, c, d):
        return NAN
    if not _fits(a, b, c, d):
        return _gr.kl_beta_wide(a, b, c, d)
    return _kl_beta_main(a, b, c, d)


@njit(**_JIT)
def kl_beta_light(a, b, c, d):
    """:func:`kl_beta` without the extreme-ratio fallback, which it hands back
    (``_ufunc.bail``: NaN, counted): the light loops a first call compiles
    (``_ufunc.FirstReach``); a call that reaches the fallback runs again on the full ones."""
    if not _valid(a, b, c, d):
        return NAN
    if not _fits(a, b, c, d):
        return _u.bail()
    return _kl_beta_main(a, b, c, d)


@njit(**_JIT)
def _kl_beta_main(a, b, c, d):
    if a > b:  # j = the larger p-parameter, shifted; a is the rest
        a, b, c, d = b, a, d, c
    u = c - a
    p1, e1 = _p._two_prod(a, d)
    p2, e2 = _p._two_prod(b, c)
    n0 = (p1 - p2) + (e1 - e2)  # a·d − b·c
    np_ = a + b
    nq = c + d
    w = u + (d - b)
    value, m, scale = shifted_part(b, d, np_, nq, u, w, n0, a, _SHIFT, _st.STIRLING)
    bern_a = _bern(a, c, (n0 - m * u) / (c * (np_ + m)), np_ + m, nq + m)  # T_a/(c·N_p)
    bs_a = _ss.stirling_bregman_loop(a, c, u)
    result = (value + bern_a) + bs_a
    if m > 0.0 and scale + bern_a + bs_a > _CANCEL * result:
        # the shift sum cancels (p, q far apart): the direct grouping if its pieces are smaller
        value_d, scale_d = direct_part(b, d, np_, nq, u, w, n0)
        bern_d = _bern(a, c, n0 / (c * np_), np_, nq)
        if scale_d + bern_d < scale + bern_a:
            result = (value_d + bern_d) + bs_a
    return result


# the Dirichlet rows (kernels/_dirichlet.py) use the pieces above; the generated kernels
# reach them through this module
from ._dirichlet import kl_dirichlet_row, row_main  # noqa: E402, F401 - re-exported
