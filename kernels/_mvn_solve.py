"""kl_mvn's forward substitution in double-double, eight columns at a time (numba).

X = L_q⁻¹ [μ_p − μ_q | L_p − L_q] (lower trapezoidal: row i holds w_i = X_i0 and
D_i0 … D_ii in columns 0 … i + 1).  The right-hand sides enter exactly (TwoSum of the
inputs, :func:`fill_row`); the solve is left-looking — row i is reduced by the solved rows
k < i — with the columns cut in blocks of eight: a block of row i stays in registers
(``_mvn_vec.vec8``, high and low parts) while every row k reaching it is subtracted
(Dot2's update, ``_mvn_terms.vdot2_sub``), then it is divided by L_q,ii and stored.  Every
entry sees the same operations in the same order as a scalar left-looking solve, so the
result is that of double-double substitution (error ≈ u + cond(L_q)·u²); blocks only
decide which entries are computed together.  Entries past a row's end are kept zero up to
its block's end, so a block reads zeros there.

The squares of w_i and of the off-diagonal D_ik go into per-column double-double sums as
each row is finished (the diagonal D_ii apart: its term is exact, ``_mvn_terms``).

Scratch ``wn`` (see ``_mvn.row_scratch``): rows 0 … n − 1 the high parts, n … 2n − 1 the
low parts, SH = 2n and SL = 2n + 1 the column sums, 2n + 7 the constant −1.0.

Example: ``dd_solve(mp, Lp, mq, Lq, wn, n)`` = Σ_i w_i² + Σ_{i>k} D_ik² for finite inputs
(−1 otherwise).
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._mvn_terms import column_sums, recip_scale, vdd_div_by, vdot2_sub, vsquares
from ._mvn_vec import prefetch, splat, vhead, vload, vstore

_JIT = dict(cache=True, error_model="numpy")
INF = math.inf


@njit(**_JIT)
def fill_row(mu_p, L_p, mu_q, L_q, wn, n, i):
    """Row i of the right-hand sides into the scratch: high / low parts (``wn[i]`` /
    ``wn[n + i]``) of [μ_p,i − μ_q,i, L_p,i0 − L_q,i0, …, L_p,ii − L_q,ii] (exact, TwoSum),
    zeros after them to the end of the row's last block of eight.  Returns True if every
    entry read is finite."""
    bh = wn[i]
    bl = wn[n + i]
    a = np.float64(mu_p[i])
    b = np.float64(mu_q[i])
    ok = (abs(a) < INF) & (abs(b) < INF)
    bh[0], bl[0] = _s.two_sum(a, -b)
    for c in range(i + 1):
        a = np.float64(L_p[i, c])
        b = np.float64(L_q[i, c])
        ok &= (abs(a) < INF) & (abs(b) < INF)
        bh[c + 1], bl[c + 1] = _s.two_sum(a, -b)
    for c in range(i + 2, 8 * ((i + 1) // 8 + 1)):  # to the end of the row's block
        bh[c] = 0.0
        bl[c] = 0.0
    return ok


#: rows of the factors hinted into the cache ahead of the row being solved
AHEAD = 6


@njit(inline="always", error_model="numpy")
def _prefetch_rows(L_p, L_q, r, n):
    """Hint row r of L_p and L_q (its lower part) into the cache: the inputs come from
    memory a pair at a time, and a row's lines are read only when its turn comes."""
    if r < n:
        step = 64 // L_p.itemsize
        for c in range(0, r + 1, step):
            prefetch(L_p, r, c)
            prefetch(L_q, r, c)


@njit(**_JIT)
def dd_solve(mu_p, L_p, mu_q, L_q, wn, n):
    """Σ squares of w and the off-diagonal D, the solve in double-double; −1 if an input
    entry read is not finite.
    Row i's right-hand side is filled (:func:`fill_row`) just before it is solved, so the
    inputs are read while the solve runs.  Per block of columns cb ≤ i + 1 of row i, the
    rows k ≥ cb − 1 reach it (a row k ends at column k + 1), then the block is divided by
    L_q,ii (one reciprocal per row; numerator and L_q,ii scaled by 2^64 when L_q,ii is
    subnormal, ``recip_scale``).  The diagonals' signs are the caller's to check."""
    SH, SL = 2 * n, 2 * n + 1
    for cb in range(0, wn.shape[1], 8):
        vstore(wn, SH, cb, splat(0.0))
        vstore(wn, SL, cb, splat(0.0))
    ok = True
    m1 = vload(wn, 2 * n + 7, 0)  # −1.0 in every lane (row_scratch): opaque to LLVM
    for i in range(n):
        _prefetch_rows(L_p, L_q, i + AHEAD, n)
        ok &= fill_row(mu_p, L_p, mu_q, L_q, wn, n, i)
        d = np.float64(L_q[i, i])
        sc = recip_scale(d)  # 1, or 2^64 for a subnormal L_q,ii (1/d would overflow)
        scv = splat(sc)
        dv = splat(d * sc)
        r = splat(1.0 / (d * sc))
        for cb in range(0, i + 2, 8):
            h = vload(wn, i, cb)
            lo = vload(wn, n + i, cb)
            for k in range(cb - 1 if cb > 0 else 0, i):
                h, lo = vdot2_sub(h, lo, splat(np.float64(L_q[i, k])), vload(wn, k, cb),
                                  vload(wn, n + k, cb), m1)
            h, lo = vdd_div_by(h * scv, lo * scv, dv, r)
            vstore(wn, i, cb, h)
            vstore(wn, n + i, cb, lo)
            # w_i and D_i0 … D_i,i−1: the lanes below column i + 1
            m = i + 1 - cb
            sh, sl = vsquares(vload(wn, SH, cb), vload(wn, SL, cb), vhead(h, m),
                              vhead(lo, m))
            vstore(wn, SH, cb, sh)
            vstore(wn, SL, cb, sl)
    return column_sums(wn[SH], wn[SL], n + 1) if ok else -1.0
