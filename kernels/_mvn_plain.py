"""kl_mvn for float32 inputs: forward substitution in plain float64, kept when a normwise
bound of its error is far below a float32 ULP of the KL (numba).

A float32 result needs the KL to 2^-25 relative, not 2^-52: the plain solve (one ``fma``
per update, eight columns at a time as in ``_mvn_solve``, two blocks per pass so that two
chains of ``fma`` overlap) is accepted when

    ‖X − X̂‖_F ≤ η := ‖|L_q⁻¹|‖₂·(γ_{n+2}‖L_q‖_F‖X̂‖_F + u‖B̂‖_F),   ‖X̂‖_F·η + η²/2 ≤ TOL32·KL,

which holds because substitution with fused multiply-adds is backward stable (the computed
X̂ solves (L_q + ΔL)X̂ = B̂ with |ΔL| ≤ γ_{n+1}|L_q|; B̂ = fl(B) is within u|B̂| of B) and
the KL is at least ½‖X̂‖_F².  ‖|L_q⁻¹|‖₂ is bounded by the comparison matrix (diagonal
|L_q,ii|, off-diagonal −|L_q,ik|), whose inverse is ≥ |L_q⁻¹| entrywise: √n·‖M⁻¹‖∞, one
substitution with a vector of ones.  Otherwise the caller runs the
double-double solve.

Row i of B̂ and of L_q are read into the scratch once (:func:`_fill_row`); everything
after runs on blocks of eight lanes: the solve, Σ B̂² and Σ L_q², and the forward
substitution for the bound (y_i = (1 + Σ_k |L_q,ik| y_k)/L_q,ii, its row's dot product).

Scratch rows (``_mvn.row_scratch``): 0 … n − 1 the solution, 2n / 2n + 1 the column sums
of squares, 2n + 5 the bound's y, 2n + 6 row i of L_q.

Example: ``plain_solve_normwise(mp, Lp, mq, Lq, wn, n, 2.0**-34, diag)`` → Σ w_i² +
Σ_{i>k} D_ik², or −1 when the bound is too loose.
"""

import math

import numpy as np
from numba import njit

from ._mvn_solve import AHEAD, _prefetch_rows
from ._mvn_terms import column_sums, vsquares
from ._mvn_vec import splat, vabs, vfma, vhead, vload, vstore, vsum

_JIT = dict(cache=True, error_model="numpy")
U = 2.0**-53  # unit roundoff of float64


@njit(inline="always", error_model="numpy")
def _fill_row(mu_p, L_p, mu_q, L_q, wn, n, i):
    """Row i of B̂ = fl([μ_p − μ_q | L_p − L_q]) into ``wn[i]`` and row i of L_q into
    ``wn[2n + 6]`` (as float64), zeros after each to the end of row i's last block."""
    p = wn[i]
    lq = wn[2 * n + 6]
    p[0] = np.float64(mu_p[i]) - np.float64(mu_q[i])
    for c in range(i + 1):
        a = np.float64(L_q[i, c])
        p[c + 1] = np.float64(L_p[i, c]) - a
        lq[c] = a
    lq[i + 1] = 0.0
    for c in range(i + 2, 8 * ((i + 1) // 8 + 1)):  # to the end of the row's block
        p[c] = 0.0
        lq[c] = 0.0


@njit(**_JIT)
def plain_solve_normwise(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    """Σ squares of w and the off-diagonal D by forward substitution in plain float64, or
    −1 when the bound above exceeds ``tol`` times the KL (``diag``: the diagonal terms'
    sum).  The inputs are not validated here: a NaN, an infinity or a non-positive
    diagonal makes the sum or ``diag`` non-finite, which the caller rejects."""
    SH, SL, Y, LQ = 2 * n, 2 * n + 1, 2 * n + 5, 2 * n + 6
    zero = splat(0.0)
    for cb in range(0, wn.shape[1], 8):
        for row in (SH, SL, Y):
            vstore(wn, row, cb, zero)
    d2 = 0.0
    b2v = zero
    lq2v = zero
    inf_norm = 0.0  # ‖M⁻¹‖∞ so far: max y_i
    for i in range(n):
        _prefetch_rows(L_p, L_q, i + AHEAD, n)
        _fill_row(mu_p, L_p, mu_q, L_q, wn, n, i)
        dq = np.float64(L_q[i, i])
        yacc = zero
        for cb in range(0, i + 2, 8):  # Σ B̂², Σ L_q², Σ_k<i |L_q,ik| y_k
            v = vload(wn, i, cb)
            b2v = vfma(v, v, b2v)
            v = vload(wn, LQ, cb)
            lq2v = vfma(v, v, lq2v)
            yacc = vfma(vabs(vhead(v, i - cb)), vload(wn, Y, cb), yacc)
        wn[Y, i] = (1.0 + vsum(yacc)) / dq * (1.0 + 2.0 * n * U)
        if wn[Y, i] > inf_norm:
            inf_norm = wn[Y, i]
        d = splat(dq)
        cb = 0
        while cb + 8 <= i + 1:  # blocks cb and cb + 8 both hold entries of row i
            h0 = vload(wn, i, cb)
            h1 = vload(wn, i, cb + 8)
            for k in range(cb - 1 if cb > 0 else 0, cb + 7 if cb + 7 < i else i):  # rows
                # ending before cb + 8
                h0 = vfma(splat(-np.float64(L_q[i, k])), vload(wn, k, cb), h0)
            for k in range(cb + 7, i):
                a = splat(-np.float64(L_q[i, k]))
                h0 = vfma(a, vload(wn, k, cb), h0)
                h1 = vfma(a, vload(wn, k, cb + 8), h1)
            vstore(wn, i, cb, h0 / d)
            vstore(wn, i, cb + 8, h1 / d)
            cb += 16
        if cb <= i + 1:
            h0 = vload(wn, i, cb)
            for k in range(cb - 1 if cb > 0 else 0, i):
                h0 = vfma(splat(-np.float64(L_q[i, k])), vload(wn, k, cb), h0)
            vstore(wn, i, cb, h0 / d)
        for cb in range(0, i + 1, 8):  # w_i and D_i0 … D_i,i−1 (the diagonal is exact, apart)
            sh, sl = vsquares(vload(wn, SH, cb), vload(wn, SL, cb),
                              vhead(vload(wn, i, cb), i + 1 - cb), zero)
            vstore(wn, SH, cb, sh)
            vstore(wn, SL, cb, sl)
        d2 += wn[i, i + 1] * wn[i, i + 1]
    sq = column_sums(wn[SH], wn[SL], n + 1)
    b2 = vsum(b2v)
    lq2 = vsum(lq2v)
    if b2 == 0.0:  # B̂ = 0 exactly: p = q (as read), X = 0
        return sq
    # rounding of these sums of squares, bounded: a lane adds at most n·(n//8 + 1) squares
    # (one per block of each row), then the eight lanes are added
    depth = n * (n // 8 + 2) + 9
    lq2 *= 1.0 + 2.0 * depth * U
    b2 *= 1.0 + 2.0 * depth * U
    if not (2.0**-900 < lq2 < 2.0**900 and b2 < 2.0**900):
        return -1.0
    x_norm = math.sqrt((sq + d2) * (1.0 + 4.0 * n * U))
    gamma = (n + 2) * U / (1.0 - (n + 2) * U)
    # ‖|L_q⁻¹|‖₂ ≤ √n·‖M⁻¹‖∞ (‖A‖₂ ≤ √n‖A‖∞; M⁻¹ ≥ |L_q⁻¹| entrywise)
    eta = math.sqrt(n * (1.0 + 2.0 * U)) * inf_norm * (
        gamma * math.sqrt(lq2) * x_norm + U * math.sqrt(b2)) * (1.0 + 8.0 * n * U)
    if not x_norm * eta + 0.5 * eta * eta <= tol * 0.5 * (sq + diag):
        return -1.0
    return sq
