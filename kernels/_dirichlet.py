"""Dirichlet rows: KL(Dir(α_p) ‖ Dir(α_q)) by ``_lbeta``'s decomposition over K coordinates
(numba ``njit``; float32 or float64 rows, computed in float64).

Every coordinate's B_S and r-term is computed in loops over the coordinates that vectorise
(branch-free ``_stirling.stirling_bregman``, ``_lbeta._bern_lanes``), then summed in order
(Neumaier; the totals in double-double).  ``row_main`` is the common path — all the light
loops a first call compiles run (``klforge/emit/reductions.py``); ``kl_dirichlet_row`` adds
the fallback ``_dirichlet_wide`` (concentrations outside ``_lbeta``'s range, or a row whose
shifted pieces give ∞ − ∞) and the direct grouping (p and q far apart).  Float32 rows,
whose result is rounded to float32, take B_S and the
shifted coordinate's series to ~1e-10 relative (``_stirling32``), picked by overloads on
the row's dtype so that each dtype compiles its own.  ``_lbeta`` re-exports the two row
functions (the generated code calls ``_lb.row_main``, ``_lb.kl_dirichlet_row``).

Measured against mpmath (``klforge verify --select kl_dirichlet``): 3.12 ULP float64,
0.5 float32.  Example: ``kl_dirichlet_row(np.array([1.0, 2.0]), np.array([2.0, 2.0]),
np.empty((2, 2)))`` ≈ 0.40139.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _dirichlet_wide as _dw
from . import _primitives as _p
from . import _stirling as _st
from . import _stirling32 as _st32
from ._lbeta import _CANCEL, _HI, _JIT, _LO, _PROD, _SHIFT, _bern_lanes, direct_part, shifted_part
from ._stirling import _INLINE_INTERNAL

_CACHE = True
NAN = math.nan
INF = math.inf


@njit(**_INLINE_INTERNAL)
def _dd_add(hi, lo, x):
    s, e = _p.two_sum(hi, x)
    return s, lo + e


def _row_bs(x, y, h, ap):
    """B_S(x, y) for a coordinate of the row ``ap``: ``_stirling32.stirling_bregman32`` for
    float32 rows (their result is rounded to float32), else ``_stirling.stirling_bregman``;
    picked at compile time by an overload, so each dtype compiles only its own."""
    raise NotImplementedError("numba only")


@overload(_row_bs, inline="always")
def _row_bs_typed(x, y, h, ap):
    if ap.dtype == types.float32:
        return lambda x, y, h, ap: _st32.stirling_bregman32(x, y, h)
    return lambda x, y, h, ap: _st.stirling_bregman(x, y, h)


def _row_series(ap):
    """(shift, Stirling terms) of the shifted coordinate for the row ``ap``'s dtype:
    float32 rows (5, 8 terms: ``_stirling32``), else (8, 14 terms)."""
    raise NotImplementedError("numba only")


@overload(_row_series, inline="always")
def _row_series_typed(ap):
    if ap.dtype == types.float32:
        return lambda ap: (_st32.SHIFT32, _st32.STIRLING8)
    return lambda ap: (_SHIFT, _st.STIRLING)


@njit(**_JIT)
def row_main(ap, aq, wn):
    """The common path of ``kl_dirichlet_row`` (value, kind, the direct grouping's inputs), and
    all the light loops a first call compiles run (``klforge/emit/reductions.py``: a row of
    kind ≠ 0 is handed back, ``_logits.bail``, and the call runs again on the full loops):
    kind 0 — value is the KL; 1 — concentrations outside the shifted range or a NaN from
    ∞ − ∞ (``_dirichlet_wide``); 2 — p and q far apart, the direct grouping may have
    smaller pieces (``direct_part``).  NaN with kind 0 for an empty row or an invalid entry."""
    n = ap.shape[0]
    z = (NAN, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if n == 0:
        return z
    j = 0
    lo, hp, hq = INF, 0.0, 0.0
    for i in range(n):
        x = np.float64(ap[i])
        y = np.float64(aq[i])
        if not (0.0 < x < INF and 0.0 < y < INF):
            return z
        lo = min(lo, min(x, y))
        hp = max(hp, x)
        hq = max(hq, y)
        if x > np.float64(ap[j]):
            j = i
    # below _LO too while every p·q product the decomposition forms stays ≥ 1e-300 (a shared
    # tiny concentration, issue 16 G4)
    small_ok = _LO <= lo or (1e-300 <= lo and lo * min(hp, hq) >= 1e-300)
    if not (small_ok and (max(hp, hq) <= _HI or (hp * n + 16.0) * (hq * n + 16.0) <= _PROD)):
        return (NAN, 1, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    for i in range(n):  # B_S of every coordinate (j's is not used): vectorised
        x = np.float64(ap[i])
        y = np.float64(aq[i])
        wn[0, i] = _row_bs(x, y, y - x, ap)
    aj = np.float64(ap[j])
    bj = np.float64(aq[j])
    sp_h, sp_l, sq_h, sq_l, u_h, u_l = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    others, oc = 0.0, 0.0
    for i in range(n):
        if i != j:
            x = np.float64(ap[i])
            y = np.float64(aq[i])
            sp_h, sp_l = _dd_add(sp_h, sp_l, x)
            sq_h, sq_l = _dd_add(sq_h, sq_l, y)
            u_h, u_l = _dd_add(u_h, u_l, y - x)
            others, oc = _p.neumaier_add(others, oc, wn[0, i])
    np_h, np_l = _dd_add(sp_h, sp_l, aj)
    nq_h, nq_l = _dd_add(sq_h, sq_l, bj)
    u = u_h + u_l
    p1, e1 = _p._two_prod(bj, sp_h)
    p2, e2 = _p._two_prod(aj, sq_h)
    n0 = ((p1 - p2) + (e1 - e2)) + (bj * sp_l - aj * sq_l)  # β_j·s_p − α_j·s_q
    np_ = np_h + np_l
    nq = nq_h + nq_l
    w = u + (bj - aj)
    shift, coefs = _row_series(ap)
    value, m, scale = shifted_part(aj, bj, np_, nq, u, w, n0, sp_h + sp_l, shift, coefs)
    big_p = np_ + m
    big_q = nq + m
    # the other coordinates' r-terms at the shifted totals: vectorised, then summed
    for i in range(n):
        x = np.float64(ap[i])
        y = np.float64(aq[i])
        # T_i = α_i·N_q − β_i·N_p = α_i·n_q − β_i·n_p + m·(α_i − β_i)
        q1, f1 = _p._two_prod(x, nq_h)
        q2, f2 = _p._two_prod(y, np_h)
        t = ((q1 - q2) + (f1 - f2)) + (x * nq_l - y * np_l)
        wn[0, i] = _bern_lanes(x, y, (t + m * (x - y)) / (y * big_p), big_p, big_q)
    s1, c1 = 0.0, 0.0
    for i in range(n):
        if i != j:
            s1, c1 = _p.neumaier_add(s1, c1, wn[0, i])
    rest = s1 + c1
    result = (value + rest) + (others + oc)
    kind = 2 if m > 0.0 and scale + rest + (others + oc) > _CANCEL * result else 0
    if result != result:  # ∞ − ∞ (B_S(1e-300, 1e20) ≈ 1e320): the KL overflows or is out of range
        kind = 1
    return (result, kind, j, aj, bj, np_h, np_l, nq_h, nq_l, u, w, n0, scale + rest,
            others + oc)


@njit(cache=_CACHE, error_model="numpy")
def kl_dirichlet_row(ap, aq, wn):
    """KL(Dir(α_p) ‖ Dir(α_q)) for two rows of equal length (float32 or float64 entries):
    NaN for an empty row or an entry that is not positive and finite; otherwise the module
    docstring's decomposition (sums in double-double).  ``wn``: scratch of shape (2, ≥ n).
    The per-coordinate pieces (B_S of each coordinate, the r-terms) are computed in loops
    over the coordinates that vectorise (branch-free ``stirling_bregman``, ``_bern_lanes``)
    and summed after.  Float32 rows, whose result is rounded to float32, take B_S and the
    shifted coordinate's series to ~1e-10 relative (``_stirling32``: Stirling from 5 with 8
    terms, plain-double shift steps).
    Example: ``kl_dirichlet_row(np.array([1.0, 2.0]), np.array([2.0, 2.0]), np.empty((2, 2)))``
    ≈ 0.40139."""
    result, kind, j, aj, bj, np_h, np_l, nq_h, nq_l, u, w, n0, scale, others = row_main(
        ap, aq, wn)
    if kind == 1:
        return _dw.kl_dirichlet_wide(ap, aq)
    if kind == 2:  # the other coordinates' r-terms at the unshifted totals, vectorised
        np_ = np_h + np_l
        nq = nq_h + nq_l
        for i in range(ap.shape[0]):
            x = np.float64(ap[i])
            y = np.float64(aq[i])
            q1, f1 = _p._two_prod(x, nq_h)
            q2, f2 = _p._two_prod(y, np_h)
            t = ((q1 - q2) + (f1 - f2)) + (x * nq_l - y * np_l)  # T_i
            wn[1, i] = _bern_lanes(x, y, t / (y * np_), np_, nq)
        s2, c2 = 0.0, 0.0
        for i in range(ap.shape[0]):
            if i != j:
                s2, c2 = _p.neumaier_add(s2, c2, wn[1, i])
        value_d, scale_d = direct_part(aj, bj, np_, nq, u, w, n0)
        if scale_d + (s2 + c2) < scale:
            result = (value_d + (s2 + c2)) + others
    return result
