"""Dirichlet rows outside ``_lbeta``'s shifted range (numba ``njit``, float64, scalar): the
rare-branch fallback of ``_dirichlet.kl_dirichlet_row`` for a concentration below 1e-300 or a
product of a p- and a q-side total past 1e306 (a total may even pass DBL_MAX).

With j the largest p-coordinate, u = Σ_{i≠j} α_i and v = Σ_{i≠j} β_i (the rests), and
S(a) = lnΓ(a) − a·log a + a (B_lnΓ = B_S + kl_div, as ``_gbd_range.kl_beta_wide``):

  KL(Dir(α) ‖ Dir(β)) = Σ_{i≠j} B_S(α_i, β_i) + [B_S(α_j, β_j) − B_S(n_p, n_q)]
                        + n_q·KL(π_q ‖ π_p),                        π = α/n, n = Σ α

* B_S(α_i, β_i) ≥ 0 by ``_gbd_range.bs_wide`` (every positive finite pair);
* the bracket by ``_gbd_range._delta`` — or, when a rest or a total overflows, by
  ``_gbd_range.delta_r`` from the ratios u/α_j = Σ α_i/α_j, (v − u)/α_j = Σ (β_i − α_i)/α_j
  and S(β_j) − S(n_q) with log n_q = log max β + log Σ β_i/max β (no total is formed);
* n_q·KL(π_q ‖ π_p) = Σ_i kl_div(β_i, γ_i), γ_i = α_i·n_q/n_p, each ≥ 0, from the rows
  scaled by powers of 2 where a total would overflow (the term is homogeneous of degree 1 in β)
  and β_i − γ_i = (β_i·n_p − α_i·n_q)/n_p from exact products with double-double totals.
* Coordinates shared by p and q (α_i = β_i = s_i) and negligible (s_i ≤ 1e-20·min(α_j, β_j))
  are left out, and their first-order effect added: KL = KL(rest) + (Σ s_i)·g + O(s²),
  g = ψ(n'_p) − ψ(n'_q) + (n'_q − n'_p)·ψ'(n'_p) ≥ 0 (n' the totals without them; with one
  coordinate left, KL(rest) = 0 — ``kl_beta_wide``'s first-order form).

Error: every piece is accurate relative to itself (``_gbd_range``'s arguments) and the
pieces other than the bracket are ≥ 0; measured against mpmath (textbook lnΓ/ψ, ≥ 80
digits) on 1 455 rows of 3, 5 and 10 coordinates (each coordinate or pair of coordinates at
5e-324 … DBL_MAX against O(1) others, shared tiny coordinates, totals past DBL_MAX, p ≈ q
with a shared small rest; a /tmp check, its hard cases in ``tests/test_gbd_ranges.py``):
max 3.4 ULP (g by ``_gbd_range.bregman_neg_digamma``, a sum of terms ≥ 0: subtracted
directly, it cost 7.1 ULP at [1e-300]·4 + [0.845] vs [1e-300]·4 + [1.873]).  The
textbook grouping this replaces had 234 of those rows over 8 ULP (NaN or +inf where the KL
is finite, e.g. ([DBL_MAX, 1.748, 2.004], [0.572, 0.87, 2.821]) +inf, exact 2614.94).
A NaN from ∞ − ∞ (a subnormal concentration whose KL passes the float range) is +inf.

Example: ``kl_dirichlet_wide(np.array([1e300, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))`` ≈
2753.54.
"""

import math

import numpy as np
from numba import njit

from . import _gbd_range as _gr
from . import _primitives as _p

_CACHE = True
NAN = math.nan
INF = math.inf
#: a shared coordinate at most this times min(α_j, β_j) enters at first order
_NEGLIGIBLE = 1e-20


@njit(cache=_CACHE, error_model="numpy")
def _categorical_row(ap, aq, keep):
    """n_q·KL(π_q ‖ π_p) over the coordinates with keep[i] (module docstring), as (t, e):
    the value is t·2^e."""
    hp, hq = 0.0, 0.0
    for i in range(ap.shape[0]):
        if keep[i]:
            hp = max(hp, np.float64(ap[i]))
            hq = max(hq, np.float64(aq[i]))
    # scaled to max ≤ 2^500 only (the cross products stay finite; scaled to [½, 1), a
    # coordinate far below the largest one turned subnormal: kl_dirichlet([M, M, .845],
    # [M, M, 1.014]) lost 95 ULP)
    ep = max(0, math.frexp(hp)[1] - 500)
    eq = max(0, math.frexp(hq)[1] - 500)
    np_h, np_l, nq_h, nq_l = 0.0, 0.0, 0.0, 0.0
    for i in range(ap.shape[0]):
        if keep[i]:
            np_h, e = _p.two_sum(np_h, math.ldexp(np.float64(ap[i]), -ep))
            np_l += e
            nq_h, e = _p.two_sum(nq_h, math.ldexp(np.float64(aq[i]), -eq))
            nq_l += e
    np1 = np_h + np_l
    nq1 = nq_h + nq_l
    ratio = nq1 / np1
    lr = _p.log_ratio(np1, nq1)
    total, comp = 0.0, 0.0
    for i in range(ap.shape[0]):
        if keep[i]:
            x = np.float64(ap[i])
            y = np.float64(aq[i])
            x1 = math.ldexp(x, -ep)
            y1 = math.ldexp(y, -eq)
            q1, f1 = _p._two_prod(y1, np_h)
            q2, f2 = _p._two_prod(x1, nq_h)
            dl = (((q1 - q2) + (f1 - f2)) + (y1 * np_l - x1 * nq_l)) / np1  # β_i − γ_i
            # log(β_i/γ_i) from the one ratio while it is normal (the two logs of the sides,
            # scaled differently, cancelled: 345 − 343.5, 5e-14 relative), else their sum
            r = (y1 / x1) * (np1 / nq1) if x1 > 0.0 else INF
            if 1e-300 < r < 1e300:
                lg = math.log(r)
            else:
                lg = _gr._log_quot(y, x, y1, x1, ep - eq) + lr
            term = _gr._kl_term(y1, x1 * ratio, dl, lg)
            total, comp = _p.neumaier_add(total, comp, term)
    return total + comp, eq


@njit(cache=_CACHE, error_model="numpy")
def _bracket(ap, aq, keep, j):
    """B_S(α_j, β_j) − B_S(n_p, n_q) over the kept coordinates (module docstring)."""
    x = np.float64(ap[j])
    y = np.float64(aq[j])
    u, v, ru, fx, rv, hq = 0.0, 0.0, 0.0, 0.0, 0.0, y
    for i in range(ap.shape[0]):
        if keep[i] and i != j:
            xi = np.float64(ap[i])
            yi = np.float64(aq[i])
            u += xi
            v += yi
            ru += xi / x
            fx += (yi - xi) / x
            hq = max(hq, yi)
    if u < INF and v < INF and x + u < INF and y + v < INF:
        return _gr._delta(x, y, u, v)
    for i in range(ap.shape[0]):
        if keep[i] and i != j:
            rv += np.float64(aq[i]) / y  # v/β_j
    if y + v < INF:
        s1 = -_gr._s_diff(y, v, v / y)
    elif y >= _gr._SMALL and rv < INF:  # S(β_j) − S(n_q) = ½·log1p(v/β_j) − T(β_j) (T(n_q) = 0)
        s1 = 0.5 * math.log1p(rv) - _gr._tail(y)
    else:  # n_q past the float range, β_j ≪ n_q: S(n_q) = ½log 2π − ½log n_q
        rv = 0.0
        for i in range(ap.shape[0]):
            if keep[i] and i != j:
                rv += np.float64(aq[i]) / hq
        log_nq = math.log(hq) + math.log(rv + y / hq)
        s1 = _gr._s_value(y) - (_gr._HALF_LOG_2PI - 0.5 * log_nq)
    return _gr.delta_r(x, y, u, v, ru, fx, s1)[0]


@njit(cache=_CACHE, error_model="numpy")
def _ms(z):
    """−S'(z) = log z − ψ(z) > 0 for z > 0."""
    if z < _gr._SMALL:
        return _gr._minus_sprime(z)
    return (0.5 + _gr._dtail(z)) / z


@njit(cache=_CACHE, error_model="numpy")
def _q_total_overflows(ap, aq, keep, j):
    """Whether n_q passes the float range while n_p does not."""
    sp_, sq = 0.0, 0.0
    for i in range(ap.shape[0]):
        if keep[i]:
            sp_ += np.float64(ap[i])
            sq += np.float64(aq[i])
    return sq == INF and sp_ < INF


@njit(cache=_CACHE, error_model="numpy")
def _q_huge(ap, aq, keep, j):
    """KL over the kept coordinates when n_q overflows and n_p does not: with
    B_S(x, y) = y·(−S'(x)) + c(x, y), c(x, y) = S(y) − S(x) + x·S'(x),
    KL = Σ_i β_i·(S'(n_p) − S'(α_i)) + n_q·KL(π_q ‖ π_p) + Σ_i c(α_i, β_i) − c(n_p, n_q):
    the first two (each term ≥ 0; S'(n_p) − S'(α_j) of the largest α_j by ``_dsp_times``)
    homogeneous of degree 1 in β, so computed with β·2^−e, the rest O(log) (S(n_q) from
    log n_q = log max β + log Σ β_i/max β); the result is (that sum)·2^e."""
    n = ap.shape[0]
    np_, hq = 0.0, 0.0
    for i in range(n):
        if keep[i]:
            np_ += np.float64(ap[i])
            hq = max(hq, np.float64(aq[i]))
    cat, e = _categorical_row(ap, aq, keep)
    ms_n = _ms(np_)
    lin, lc = 0.0, 0.0
    rest, rc = 0.0, 0.0
    rq = 0.0
    for i in range(n):
        if keep[i]:
            x = np.float64(ap[i])
            y = np.float64(aq[i])
            u = np_ - x
            if u <= x:  # the largest coordinate: no cancellation of ms(α_j) − ms(n_p)
                d = _gr._dsp_times(x, u, u / x, 1.0)
            else:
                d = _ms(x) - ms_n
            lin, lc = _p.neumaier_add(lin, lc, math.ldexp(y, -e) * d)
            # c(α_i, β_i) = S(β_i) − S(α_i) − α_i·ms(α_i)
            rest, rc = _p.neumaier_add(rest, rc, _gr._s_value(y) - _gr._s_value(x) - x * _ms(x))
            rq += y / hq
    s_nq = _gr._HALF_LOG_2PI - 0.5 * (math.log(hq) + math.log(rq))
    rest, rc = _p.neumaier_add(rest, rc, -(s_nq - _gr._s_value(np_) - np_ * ms_n))
    return math.ldexp((lin + lc) + cat + math.ldexp(rest + rc, -e), e)


@njit(cache=_CACHE, error_model="numpy")
def kl_dirichlet_wide(ap, aq):
    """KL(Dir(α_p) ‖ Dir(α_q)) for rows of positive finite entries (float32 or float64),
    outside ``_lbeta``'s range (module docstring); NaN for an empty row or an entry that is
    not positive and finite.
    Example: ``kl_dirichlet_wide(np.array([1e300, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))``
    ≈ 2753.54."""
    n = ap.shape[0]
    if n == 0:
        return NAN
    j = 0
    for i in range(n):
        x = np.float64(ap[i])
        y = np.float64(aq[i])
        if not (0.0 < x < INF and 0.0 < y < INF):
            return NAN
        if x > np.float64(ap[j]):
            j = i
    cut = _NEGLIGIBLE * min(np.float64(ap[j]), np.float64(aq[j]))
    keep = np.ones(n, dtype=np.bool_)
    shared, kept, np_r, nq_r = 0.0, 0, 0.0, 0.0
    for i in range(n):
        x = np.float64(ap[i])
        y = np.float64(aq[i])
        if i != j and x == np.float64(aq[i]) and x <= cut:
            keep[i] = False
            shared += x
        else:
            kept += 1
            np_r += x
            nq_r += y
    value = 0.0
    if kept > 1:
        comp = 0.0
        for i in range(n):
            if keep[i] and i != j:
                value, comp = _p.neumaier_add(
                    value, comp, _gr.bs_wide(np.float64(ap[i]), np.float64(aq[i])))
        if _q_total_overflows(ap, aq, keep, j):
            value = _q_huge(ap, aq, keep, j)
        else:
            value, comp = _p.neumaier_add(value, comp, _bracket(ap, aq, keep, j))
            cat, e = _categorical_row(ap, aq, keep)
            value, comp = _p.neumaier_add(value, comp, math.ldexp(cat, e))
            value += comp
    if shared > 0.0 and np_r < INF and nq_r < INF:
        value += shared * _gr.bregman_neg_digamma(np_r, nq_r)
    return INF if value != value else value
