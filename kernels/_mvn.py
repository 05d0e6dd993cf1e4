"""KL between two multivariate normals from their lower Cholesky factors (numba, float64).

    KL(N(μ_p, L_p L_pᵀ) ‖ N(μ_q, L_q L_qᵀ))
        = ½[ Σ_{i≠j} D_ij² + Σ_i (M_ii² − 1 − 2 log M_ii) + |w|² ],

with M = L_q⁻¹ L_p = I + D, D = L_q⁻¹ (L_p − L_q) and w = L_q⁻¹ (μ_p − μ_q).  Every term is
non-negative, so the compensated sum of them loses nothing to cancellation; the error of
the result is the error of the terms:

* D and w come from forward substitution carried in double-double (TwoProd by ``fma``,
  TwoSum): the right-hand sides L_p − L_q and μ_p − μ_q enter exactly, and the solve is as
  accurate as one in twice the working precision (error ≈ eps + cond(L_q)·eps²), so
  ill-conditioned factors and p ≈ q (D → 0) both keep full relative accuracy;
* the diagonal terms use M_ii = L_p,ii / L_q,ii exactly: near M_ii = 1 (D_ii ∈ [−½, 1])
  D_ii² − 2·log1pmx(D_ii) with D_ii in double-double; elsewhere (M_ii² − 1) − 2 log M_ii
  with log M_ii = log_ratio(L_p,ii, L_q,ii), which stays accurate for scale ratios
  10⁻³⁰⁰ … 10³⁰⁰ (no 1 + D with D ≈ −1, which lost p's scale below 10⁻¹⁶).

Domain: only the lower triangles of L_p and L_q are read (the upper triangle is ignored,
as numpy.linalg and scipy.linalg.cho_solve(lower=True) do); the diagonals must be > 0.
A non-positive diagonal entry, a NaN or an infinite entry in the lower triangles or in
μ_p, μ_q, or n = 0 gives NaN.  A result beyond the float64 range is +inf.

Example: ``kl_mvn_row(np.zeros(3), 1e-16*np.eye(3), np.zeros(3), np.eye(3),
np.empty((2, 3)))`` = 109.0936…
(3·(½·1e-32 − ½ − log 1e-16)).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _simd as _s
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf


@njit(inline="always", error_model="numpy")
def _two_prod(a, b):
    """(p, e) with p = fl(a·b), a·b = p + e exactly (fma)."""
    p = a * b
    return p, _s.fma(a, b, -p)


@njit(inline="always", error_model="numpy")
def _dd_sub_prod(sh, sl, a, bh, bl):
    """(sh + sl) − a·(bh + bl) in double-double."""
    ph, pl = _two_prod(a, bh)
    pl = _s.fma(a, bl, pl)
    th, tl = _s.two_sum(sh, -ph)
    tl += sl - pl
    return _s.two_sum(th, tl)


@njit(inline="always", error_model="numpy")
def _dd_div(sh, sl, d):
    """(sh + sl)/d in double-double (one Newton correction from the exact remainder)."""
    qh = sh / d
    r = _s.fma(-qh, d, sh)
    ql = (r + sl) / d
    return _s.two_sum(qh, ql)


@njit(inline="always", error_model="numpy")
def _square_terms(s, c, xh, xl):
    """Add (xh + xl)² to the compensated sum (s, c)."""
    ph, pl = _two_prod(xh, xh)
    s, c = _add(s, c, ph)
    c += pl + 2.0 * xh * xl
    return s, c


@njit(**_JIT)
def valid(mu_p, L_p, mu_q, L_q):
    """True if n > 0, every read entry is finite and the diagonals are positive."""
    n = mu_p.shape[0]
    if n == 0:
        return False
    ok = True
    for i in range(n):
        ok &= (np.float64(L_p[i, i]) > 0.0) & (np.float64(L_q[i, i]) > 0.0)
        ok &= abs(np.float64(mu_p[i])) < INF
        ok &= abs(np.float64(mu_q[i])) < INF
        for j in range(i + 1):
            ok &= abs(np.float64(L_p[i, j])) < INF
            ok &= abs(np.float64(L_q[i, j])) < INF
    return ok


@njit(**_JIT)
def diagonal_term(lp, lq):
    """M² − 1 − 2 log M for M = lp/lq > 0, accurate relative to itself for every ratio."""
    dh, dl = _s.two_sum(lp, -lq)
    Dh, Dl = _dd_div(dh, dl, lq)
    if -0.5 <= Dh <= 1.0:
        # D² − 2·log1pmx(D), and log1pmx'(D) = −D/(1 + D) for the low part of D.
        ph, pl = _two_prod(Dh, Dh)
        g = _p.log1pmx(Dh)
        return ph + (pl + 2.0 * Dh * Dl + 2.0 * Dl * Dh / (1.0 + Dh)) - 2.0 * g
    m = lp / lq
    return _s.fma(m, m, -1.0) - 2.0 * _p.log_ratio(lp, lq)


@njit(**_JIT)
def kl_mvn_row(mu_p, L_p, mu_q, L_q, wn):
    """The KL above for one pair of distributions (n = mu_p.shape[0]); ``wn``: float64
    scratch of shape (≥ 2n + 2, ≥ n + 1), allocated once per call (no allocation per row).

    Rows i of ``wn[:n]`` / ``wn[n:2n]`` hold the high / low parts of the right-hand sides
    [μ_p,i − μ_q,i, L_p,i0 − L_q,i0, …, L_p,ii − L_q,ii] and, once row i is solved, of
    [w_i, D_i0, …, D_ii].  Row i is reduced by the solved rows k < i (left-looking forward
    substitution): each update runs along a row of the scratch (unit stride, no dependence
    between entries), so the double-double multiply-subtracts vectorise; every entry sees
    the same operations in the same order as column-by-column substitution.  Squares are
    summed per column in double-double (``wn[2n]``, ``wn[2n + 1]``), also vectorised.
    """
    n = mu_p.shape[0]
    if n == 0:
        return NAN
    ok = True
    for i in range(n):
        bh = wn[i]
        bl = wn[n + i]
        a = np.float64(mu_p[i])
        b = np.float64(mu_q[i])
        ok &= (abs(a) < INF) & (abs(b) < INF)
        bh[0], bl[0] = _s.two_sum(a, -b)
        for c in range(i + 1):
            a = np.float64(L_p[i, c])
            b = np.float64(L_q[i, c])
            ok &= (abs(a) < INF) & (abs(b) < INF)
            bh[c + 1], bl[c + 1] = _s.two_sum(a, -b)
        ok &= (np.float64(L_p[i, i]) > 0.0) & (np.float64(L_q[i, i]) > 0.0)
    if not ok:
        return NAN
    sh = wn[2 * n]
    sl = wn[2 * n + 1]
    for c in range(n + 1):
        sh[c] = 0.0
        sl[c] = 0.0
    s, c_ = 0.0, 0.0
    for i in range(n):
        bh = wn[i]
        bl = wn[n + i]
        for k in range(i):
            a = np.float64(L_q[i, k])
            xh = wn[k]
            xl = wn[n + k]
            for c in range(k + 2):
                bh[c], bl[c] = _dd_sub_prod(bh[c], bl[c], a, xh[c], xl[c])
        d = np.float64(L_q[i, i])
        for c in range(i + 2):
            bh[c], bl[c] = _dd_div(bh[c], bl[c], d)
        # squares of w_i and D_i0 … D_i,i−1; the diagonal term of M_ii apart
        for c in range(i + 1):
            x = bh[c]
            ph, pl = _two_prod(x, x)
            t, e = _s.two_sum(sh[c], ph)
            sh[c] = t
            sl[c] += e + (pl + 2.0 * x * bl[c])
        s, c_ = _add(s, c_, diagonal_term(np.float64(L_p[i, i]), d))
    for c in range(n + 1):
        s, c_ = _add(s, c_, sh[c])
        c_ += sl[c]
    kl = 0.5 * (s + c_)
    # The inputs are finite, so a NaN here is ∞ − ∞ from an overflowing term: KL = +inf.
    return INF if kl != kl else kl
