"""Gamma/Beta/Dirichlet pieces at extreme parameter ratios (numba ``njit``, float64, scalar):
the rare-branch fallbacks of ``_lbeta`` for parameters outside its shifted decomposition's
range (a concentration below 1e-300, or a product of a p- and a q-side total past 1e306).

* ``bs_wide(x, y)`` = B_S(x, y) = S(y) − S(x) − (y − x)·S'(x), S(a) = lnΓ(a) − a·log a + a, for
  every positive finite x, y.  ``_stirling_scalar.stirling_bregman_loop`` where its products
  stay in range; when one argument is < 8 and the other ≥ 1e15 (there the loop's first shift
  piece under- or overflows: B_S(1e20, 5e-324) was +inf, B_S(DBL_MAX, 3) NaN) the direct form
  with S(a) = lnΓ(a) − a·log a + a (a < 8) or ½log 2π − ½log a + T(a) (a ≥ 8, T Stirling's
  tail) and −S'(x) = Σ_{k<n} (u_k − log(1 + u_k)) + D(x + n), u_k = 1/(x + k), D(X) =
  log X − ψ(X) = 1/(2X) + Σ_k (2k − 1)c_k X^{−2k} (all terms ≥ 0).  Error bound: there the
  pieces are far apart (ratio ≥ 1e15/8), B_S ≥ ½·log(1e15) − log 8 − 1.5 > 15 while the
  terms are ≤ 2·B_S in size (S(a) ∈ (−0.2, 2] + |log a| for a < 8, (y − x)·(−S') ≤ 2·B_S),
  so the absolute error of a few roundings per term is a few ULP of B_S.
* ``kl_beta_wide(a, b, c, d)`` = KL(Beta(a, b) ‖ Beta(c, d)) = B_S(a, c) + B_S(b, d) −
  B_S(n_p, n_q) + n_q·KL(π_q ‖ π_p), π = (α, β)/n: the categorical term as Σ_i kl_div(β_i,
  γ_i), γ_i = α_i·n_q/n_p, each ≥ 0, with β_i − γ_i = ±(c·b − a·d)/n_p from exact products of
  the sides scaled to [½, 1) by powers of 2 (no overflow; the textbook grouping's
  B_lnΓ(b, d) − B_lnΓ(n_p, n_q) cancelled pieces ~b·log(b/d): kl_beta(1.3, 1e20, 2.1, 1e-300)
  was 0.0, exact 786.43).  The dominant coordinate's difference with the totals
  B_S(x, y) − B_S(x + u, y + v) is taken from S(y) − S(y + v), S(x + u) − S(x) by log1p and
  (y − x)·ΔS', (v − u)·S'(x + u) scaled by x (``delta_r``) where those pieces are smaller than
  the two B_S, and always when a total passes DBL_MAX (kl_beta(1e300, DBL_MAX, 2.1, 1.7) =
  382.287, kl_beta(1.3, 0.8, DBL_MAX, DBL_MAX) = 1.2918e308; both were +inf).  The outside
  tester's grid (each argument and pair 5e-324 … DBL_MAX, others O(1)): ≤ 8 ULP, +inf only
  where the KL overflows.  A concentration shared by p and q (a = c) that is negligible
  against the others (a ≤ 1e-20·min(b, d)) takes the first-order expansion in a:
  KL = a·[ψ(b) + (d − b)·ψ'(b) − ψ(d)] + O(a²) (relative error ≤ 1e-20·O(1)).

Example: ``kl_beta_wide(1.3, 1e20, 2.1, 1e-300)`` ≈ 786.42762932456493.
"""

import math

from numba import njit

from . import _primitives as _p
from . import _stirling as _st
from . import _stirling_scalar as _ss

_CACHE = True
NAN = math.nan
INF = math.inf
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_LN2 = math.log(2.0)
#: the direct form of B_S is used when one argument is below _SMALL and the other above _FAR
_SMALL, _FAR = 8.0, 1e15


@njit(cache=_CACHE, error_model="numpy")
def _tail(a):
    """T(a) = Σ_k c_k a^{1−2k} (Stirling's series after ½log 2π − ½log a) for a ≥ 8."""
    v = 1.0 / a
    w = v * v
    acc = 0.0
    for c in _st.STIRLING[::-1]:
        acc = acc * w + c
    return acc * v


@njit(cache=_CACHE, error_model="numpy")
def _dtail(a):
    """Σ_k (2k − 1)·c_k·a^{1−2k} = a·(D(a) − 1/(2a)), D(a) = log a − ψ(a), for a ≥ 8."""
    v = 1.0 / a
    w = v * v
    acc = 0.0
    n = 2.0 * len(_st.STIRLING) - 1.0
    for c in _st.STIRLING[::-1]:
        acc = acc * w + n * c
        n -= 2.0
    return acc * v


@njit(cache=_CACHE, error_model="numpy")
def _s_value(a):
    """S(a) = lnΓ(a) − a·log a + a (a < 8 by lgamma; from 8 by Stirling)."""
    if a < _SMALL:
        return math.lgamma(a) - a * math.log(a) + a
    return _HALF_LOG_2PI - 0.5 * math.log(a) + _tail(a)


@njit(cache=_CACHE, error_model="numpy")
def _u_mlog1p(u):
    """u − log(1 + u) ≥ 0 for u > 0, to a few roundings (positive terms only)."""
    if u <= 1.0:
        return _st.mlog1pmx(u)
    if u <= 2.0:  # v = (u − 1)/2 ∈ (0, ½]: u − log(1 + u) = v + (1 − ln 2) + (v − log(1 + v))
        v = 0.5 * (u - 1.0)
        return (v + (1.0 - _LN2)) + _st.mlog1pmx(v)
    return u - math.log1p(u)


@njit(cache=_CACHE, error_model="numpy")
def _minus_sprime(x):
    """−S'(x) = log x − ψ(x) > 0 for 0 < x < 8: Σ_{k<n} (u_k − log(1 + u_k)), u_k = 1/(x + k),
    plus D(x + n) at x + n ≥ 8 (every term ≥ 0)."""
    total = 0.0
    k = 0.0
    while x + k < _SMALL:
        total += _u_mlog1p(1.0 / (x + k))
        k += 1.0
    big = x + k
    return total + (0.5 + _dtail(big)) / big


@njit(cache=_CACHE, error_model="numpy")
def bs_wide(x, y):
    """B_S(x, y) for positive finite x, y (module docstring); +inf where it overflows.
    Example: ``bs_wide(1e20, 5e-324)`` ≈ 766.0470."""
    if not ((x > 0.0) & (y > 0.0) & (max(x, y) < INF)):
        return NAN
    if x == y:
        return 0.0
    lo = min(x, y)
    hi = max(x, y)
    if not (lo < _SMALL and hi >= _FAR):
        return _ss.stirling_bregman_loop(x, y, y - x)
    if x >= y:  # x ≥ 1e15, y < 8: −(y − x)·S'(x) = −(1 − y/x)·(½ + Σ(2k − 1)c_k x^{1−2k})
        r = y / x
        lin = (1.0 - r) * (0.5 + _dtail(x))
        return (_s_value(y) + 0.5 * math.log(x)) - ((_HALF_LOG_2PI + _tail(x)) + lin)
    # x < 8, y ≥ 1e15: (y − x)·(−S'(x)) dominates (≥ y/16)
    if x < 2.2250738585072014e-308:
        return INF  # −S'(x) ≥ 1/x − log(1 + 1/x) ≥ 4e307 and y ≥ 1e15
    ms = _minus_sprime(x)
    return (y - x) * ms + ((_HALF_LOG_2PI - 0.5 * math.log(y) + _tail(y)) - _s_value(x))


@njit(cache=_CACHE, error_model="numpy")
def _xdsp_big(x, r):
    """x·(D(x) − D(x + u)) = x·(S'(x + u) − S'(x)) for x ≥ 8, r = u/x ≥ 0, D = log − ψ:
    r/(2(1 + r)) + Σ_k (2k − 1)c_k x^{1−2k}·(1 − (1 + r)^{−2k}), each difference by
    expm1/log1p (scaled by x: at x ≳ 1e154 the unscaled D(x) − D(x + u) underflows, and
    x + u may overflow)."""
    l1 = math.log1p(r)
    v = 1.0 / x
    w = v * v
    wk = v
    acc = 0.0
    k = 1.0
    for c in _st.STIRLING:
        acc += (2.0 * k - 1.0) * c * wk * -math.expm1(-2.0 * k * l1)
        wk *= w
        k += 1.0
    return 0.5 * (r / (1.0 + r)) + acc


@njit(cache=_CACHE, error_model="numpy")
def _dsp_times(x, u, r, f):
    """f·(S'(x + u) − S'(x)) for x > 0, u ≥ 0 (r = u/x; u may be ∞ when x ≥ 8), accurate
    for u ≲ x: from 8 as (f/x)·``_xdsp_big``; below by ψ(x + u) − ψ(x) = Σ_{k<n}
    u/((x + k)(x + u + k)) + log1p(u/X) + (D(X) − D(X + u)), X = x + n ≥ 8, minus
    log1p(u/x)."""
    if x >= _SMALL:
        return (f / x) * _xdsp_big(x, r)
    total = 0.0
    k = 0.0
    while x + k < _SMALL:
        total += u / ((x + k) * (x + u + k))
        k += 1.0
    big = x + k
    d = (total + (math.log1p(u / big) + _xdsp_big(big, u / big) / big)) - math.log1p(r)
    return f * d


@njit(cache=_CACHE, error_model="numpy")
def _s_diff(x, u, r):
    """S(x + u) − S(x) for x > 0, u ≥ 0, r = u/x: from 8 as −½·log1p(r) + (T(x + u) − T(x))
    (no ±½·log x pieces to cancel; x + u may overflow: T(∞) = 0), else directly."""
    if x >= _SMALL:
        return -0.5 * math.log1p(r) + (_tail(x + u) - _tail(x))
    return _s_value(x + u) - _s_value(x)


@njit(cache=_CACHE, error_model="numpy")
def delta_r(x, y, u, v, ru, fx, s1):
    """B_S(x, y) − B_S(x + u, y + v) for the dominant p-coordinate x (u ≲ x: a rest, which
    may overflow when x ≥ 8) as [S(y) − S(y + v)] + [S(x + u) − S(x)] + (y − x)·(S'(x + u) −
    S'(x)) + (v − u)·S'(x + u), given ru = u/x, fx = (v − u)/x and s1 = S(y) − S(y + v):
    no ~y·S' pieces (the direct difference loses u·y·S''(x) against B_S ~ y/x when
    y ≫ x ≫ u), no ±½·log pieces (the S differences by log1p), and every factor scaled by x
    (x + u or y + v may overflow).  Returns (value, sum of the pieces' magnitudes)."""
    s2 = _s_diff(x, u, ru)
    d3 = _dsp_times(x, u, ru, y - x)
    z = x + u
    if z < _SMALL:
        d4 = -(v - u) * _minus_sprime(z)
    else:
        d4 = -(fx / (1.0 + ru)) * (0.5 + _dtail(z))
    return ((s1 + s2) + d3) + d4, abs(s1) + abs(s2) + abs(d3) + abs(d4)


@njit(cache=_CACHE, error_model="numpy")
def _delta(x, y, u, v):
    """B_S(x, y) − B_S(x + u, y + v) for the dominant p-coordinate x ≥ u: directly, or by
    ``delta_r``, whichever has the smaller terms; ``delta_r`` alone when a total x + u or
    y + v overflows (the direct one would be NaN).  Returns the value."""
    decomposed, scale_d = delta_r(x, y, u, v, u / x, (v - u) / x, -_s_diff(y, v, v / y))
    if x + u == INF or y + v == INF:
        return decomposed
    b1 = bs_wide(x, y)
    b2 = bs_wide(x + u, y + v)
    if scale_d < b1 + b2:
        return decomposed
    return b1 - b2


@njit(cache=_CACHE, error_model="numpy")
def bregman_neg_digamma(b, d):
    """B_{−ψ}(b, d) = ψ(b) − ψ(d) + (d − b)·ψ'(b) ≥ 0 for positive finite b, d, as a sum of
    terms ≥ 0 (the direct form cancels: 7 ULP at b = 0.845, d = 1.873): with h = d − b,
    −ψ(x) = −ψ(x + 1) + 1/x gives B_{1/x}(b, d) = h²/(b²·d) per shift until both are ≥ 8,
    then −ψ(X) = −log X + 1/(2X) + Σ_k (2k − 1)c_k X^{−2k}: F(ρ) = ρ − log(1 + ρ), ρ = h/X,
    + h²/(2X²Y) + Σ_k (2k − 1)c_k X^{−2k}·ρ²·β·Σ_{l<2k} (2k − l)·β^l, β = 1/(1 + ρ)
    (``_lbeta._tail_far``'s G).  Example: ``bregman_neg_digamma(1.0, 2.0)`` = π²/6 − 1 ≈
    0.64493."""
    h = d - b
    total = 0.0
    while min(b, d) < _SMALL:
        total += (h * h) / ((b * b) * d)
        b += 1.0
        d += 1.0
    rho = h / b
    if -0.5 <= rho <= 1.0:
        total += _st.mlog1pmx(rho)
    else:  # log(1 + ρ) = log(Y/X): from the ratio (1 + ρ ≪ 1 lost digits in ρ's rounding)
        total += rho - math.log(d / b)
    total += 0.5 * (h * h) / ((b * b) * d)
    beta = b / d  # 1/(1 + ρ)
    w = 1.0 / (b * b)
    wk = w
    # β·Q_n, Q_n = Σ_{l<n} (n − l)·β^l; Σ_{l<n} β^l; β^n — at n = 2
    q, ps, bl = beta * (2.0 + beta), 1.0 + beta, beta * beta
    acc = 0.0
    k = 1.0
    for c in _st.STIRLING:
        acc += (2.0 * k - 1.0) * c * wk * q
        # Q_{n+2} = Q_n + 2·Σ_{l<n} β^l + 2β^n + β^{n+1} (here all times β)
        q += beta * (2.0 * ps + 2.0 * bl + bl * beta)
        ps += bl + bl * beta
        bl *= beta * beta
        wk *= w
        k += 1.0
    return total + rho * rho * acc


@njit(cache=_CACHE, error_model="numpy")
def _kl_term(beta, gamma, dlt, lg):
    """kl_div(β, γ) = β·log(β/γ) − β + γ ≥ 0 given δ = β − γ (accurate) and L = log(β/γ)
    (accurate even where γ underflows)."""
    if beta == 0.0:
        return gamma
    if gamma > 0.0 and abs(dlt) <= 0.5 * gamma:
        t = dlt / gamma
        return beta * _p.log1pmx(t) + dlt * t
    return beta * lg - dlt


@njit(cache=_CACHE, error_model="numpy")
def _log_quot(beta, alpha, beta1, alpha1, de):
    """log(β'/α') for the scaled β' = β·2^−e_q, α' = α·2^−e_p (de = e_p − e_q): from the
    scaled values while both are normal (no cancellation of log(β/α) against de·ln 2), else
    log(β/α) + de·ln 2 (then one of them is far below the other: the log is large)."""
    tiny = 2.2250738585072014e-308
    if beta1 >= tiny and alpha1 >= tiny:
        return _p.log_ratio(beta1, alpha1)
    return _p.log_ratio(beta, alpha) + de * _LN2


@njit(cache=_CACHE, error_model="numpy")
def _categorical(a, b, c, d):
    """n_q·KL(π_q ‖ π_p) for π_p = (a, b)/(a + b), π_q = (c, d)/(c + d), every value positive
    and finite: the sides scaled by powers of 2 (p to max ∈ [½, 1), q likewise; the term is
    homogeneous of degree 1 in q), β_i − γ_i = ±(c·b − a·d)/n_p from exact products."""
    ep = math.frexp(max(a, b))[1]
    eq = math.frexp(max(c, d))[1]
    a1, b1 = math.ldexp(a, -ep), math.ldexp(b, -ep)  # max ∈ [½, 1): exact unless underflow
    c1, d1 = math.ldexp(c, -eq), math.ldexp(d, -eq)
    p1, e1 = _p._two_prod(c1, b1)
    p2, e2 = _p._two_prod(a1, d1)
    cross = (p1 - p2) + (e1 - e2)  # c·b − a·d, scaled
    np1 = a1 + b1
    nq1 = c1 + d1
    ratio = nq1 / np1
    dl = cross / np1  # β_1 − γ_1 (scaled by sq); β_2 − γ_2 = −dl
    lr = _p.log_ratio(np1, nq1)
    t1 = _kl_term(c1, a1 * ratio, dl, _log_quot(c, a, c1, a1, ep - eq) + lr)
    t2 = _kl_term(d1, b1 * ratio, -dl, _log_quot(d, b, d1, b1, ep - eq) + lr)
    return math.ldexp(t1 + t2, eq)


@njit(cache=_CACHE, error_model="numpy")
def _shared_first_order(s, b, d):
    """KL(Beta(s, b) ‖ Beta(s, d)) = s·[ψ(b) + (d − b)·ψ'(b) − ψ(d)] + O(s²) for a shared
    concentration s negligible against b and d (the bracket by ``bregman_neg_digamma``)."""
    return s * bregman_neg_digamma(b, d)


@njit(cache=_CACHE, error_model="numpy")
def kl_beta_wide(a, b, c, d):
    """KL(Beta(a, b) ‖ Beta(c, d)) for positive finite a, b, c, d outside ``_lbeta``'s range
    (module docstring); NaN for any other input (the shift loops need finite positive values).
    Example: ``kl_beta_wide(1.3, 1e20, 2.1, 1e-300)`` ≈ 786.4276."""
    if not ((a > 0.0) & (b > 0.0) & (c > 0.0) & (d > 0.0) & (max(max(a, b), max(c, d)) < INF)):
        return NAN
    if a == c and a <= 1e-20 * min(b, d):
        return _shared_first_order(a, b, d)
    if b == d and b <= 1e-20 * min(a, c):
        return _shared_first_order(b, a, c)
    if a >= b:  # B_S of the smaller p-coordinate + the dominant one's difference with the totals
        value = (bs_wide(b, d) + _delta(a, c, b, d)) + _categorical(a, b, c, d)
    else:
        value = (bs_wide(a, c) + _delta(b, d, a, c)) + _categorical(a, b, c, d)
    return INF if value != value else value  # ∞ − ∞: a subnormal concentration, KL past range
