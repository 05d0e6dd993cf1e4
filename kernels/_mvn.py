"""KL between two multivariate normals from their lower Cholesky factors (numba, float64).

    KL(N(μ_p, L_p L_pᵀ) ‖ N(μ_q, L_q L_qᵀ))
        = ½[ Σ_{i≠j} D_ij² + Σ_i (M_ii² − 1 − 2 log M_ii) + |w|² ],

with M = L_q⁻¹ L_p = I + D, D = L_q⁻¹ (L_p − L_q) and w = L_q⁻¹ (μ_p − μ_q).  Every term is
non-negative, so the compensated sum of them loses nothing to cancellation; the error of
the result is the error of the terms:

* D and w come from forward substitution carried in double-double (TwoProd by ``fma``,
  TwoSum, Dot2's accumulation): the right-hand sides L_p − L_q and μ_p − μ_q enter
  exactly, and the solve is as accurate as one in twice the working precision (error ≈
  eps + cond(L_q)·eps²), so ill-conditioned factors and p ≈ q (D → 0) both keep full
  relative accuracy.  The solve is left-looking (row i reduced by the solved rows k < i),
  so every update runs along a row of the scratch at unit stride and vectorises.  For
  float32 inputs a plain float64 solve runs first and is kept when a normwise bound of its
  error (backward stability of substitution, with the comparison matrix's inverse) is
  below 2^-34 of the KL;
* the diagonal terms use M_ii = L_p,ii / L_q,ii exactly: near M_ii = 1 (D_ii ∈ [−½, 1])
  D_ii² − 2·log1pmx(D_ii) with D_ii in double-double; elsewhere (M_ii² − 1) − 2 log M_ii
  with log M_ii = log_ratio(L_p,ii, L_q,ii), which stays accurate for scale ratios
  10⁻³⁰⁰ … 10³⁰⁰ (no 1 + D with D ≈ −1, which lost p's scale below 10⁻¹⁶).

Domain: only the lower triangles of L_p and L_q are read (the upper triangle is ignored,
as numpy.linalg and scipy.linalg.cho_solve(lower=True) do); the diagonals must be > 0.
A non-positive diagonal entry, a NaN or an infinite entry in the lower triangles or in
μ_p, μ_q, or n = 0 gives NaN.  A result beyond the float64 range is +inf.

Stacks of ≥ 32 small pairs (n ≤ 16, C-contiguous) go 32 at a time across SIMD lanes
(``_mvn_batch.py``, re-exported at the end of this module).

Example: ``kl_mvn_row(np.zeros(3), 1e-16*np.eye(3), np.zeros(3), np.eye(3),
np.empty((11, 4)))`` = 109.0936… (3·(½·1e-32 − ½ − log 1e-16)).
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _primitives as _p
from . import _simd as _s
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf


U = 2.0**-53  # unit roundoff of float64
#: float32 inputs: the plain solve is kept when its error bound is at most this share of
#: the KL (far below a float32 ULP, 2^-24)
TOL32 = 2.0**-34
TINY_KL = 2.0**-900  # below this, products in the bound may underflow: exact path


@njit(cache=True, forceinline=True, error_model="numpy")
def _two_prod(a, b):
    """(p, e) with p = fl(a·b), a·b = p + e exactly (fma)."""
    p = a * b
    return p, _s.fma(a, b, -p)


@njit(cache=True, forceinline=True, error_model="numpy")
def _dot2_sub(sh, sl, a, xh, xl):
    """(sh + sl) − a·(xh + xl) as an unnormalised pair: sh's rounding error (TwoSum) and
    the product's (TwoProd, and a·xl) go to the low part (Dot2's accumulation)."""
    ph = a * xh
    pl = _s.fma(a, xl, _s.fma(a, xh, -ph))
    th, e = _s.two_sum(sh, -ph)
    return th, sl + (e - pl)


@njit(cache=True, forceinline=True, error_model="numpy")
def _dd_div(sh, sl, d):
    """(sh + sl)/d in double-double (one Newton correction from the exact remainder)."""
    qh = sh / d
    r = _s.fma(-qh, d, sh)
    ql = (r + sl) / d
    return _s.two_sum(qh, ql)


@njit(cache=True, forceinline=True, error_model="numpy")
def diagonal_term(lp, lq):
    """M² − 1 − 2 log M for M = lp/lq > 0, accurate relative to itself for every ratio
    (branch-free, so a loop over the diagonal vectorises).

    D = (lp − lq)/lq in double-double; for D ∈ [−½, 1], D² − 2·log1pmx(D) (two
    non-negative terms; log1pmx'(D) = −D/(1 + D) carries D's low part); elsewhere
    (M² − 1) − 2·log_ratio(lp, lq), which stays accurate for ratios 10⁻³⁰⁰ … 10³⁰⁰.
    """
    dh, dl = _s.two_sum(lp, -lq)
    Dh, Dl = _dd_div(dh, dl, lq)
    near = (Dh >= -0.5) & (Dh <= 1.0)
    x = Dh if near else 0.0
    xl = Dl if near else 0.0
    ph, pl = _two_prod(x, x)
    near_value = ph + (pl + 2.0 * x * xl + 2.0 * xl * x / (1.0 + x)) - 2.0 * _s.log1pmx_normal(x)
    m = lp / lq
    far_value = _s.fma(m, m, -1.0) - 2.0 * _p.log_ratio(lp, lq)
    return near_value if near else far_value


@njit(**_JIT)
def _fill(mu_p, L_p, mu_q, L_q, wn, n):
    """Right-hand sides into the scratch, validity of the inputs (True if every read entry
    is finite and the diagonals are positive).  Row i of ``wn[:n]`` / ``wn[n:2n]``: high /
    low parts of [μ_p,i − μ_q,i, L_p,i0 − L_q,i0, …, L_p,ii − L_q,ii] (exact, TwoSum);
    ``wn[2n + 3]`` / ``wn[2n + 4]``: the diagonals of L_p / L_q."""
    ok = True
    dp = wn[2 * n + 3]
    dq = wn[2 * n + 4]
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
        dp[i] = np.float64(L_p[i, i])
        dq[i] = np.float64(L_q[i, i])
    for i in range(n):
        ok &= (dp[i] > 0.0) & (dq[i] > 0.0)
    return ok


@njit(**_JIT)
def diagonal_terms(lp, lq, out, m):
    """out[i] = diagonal_term(lp[i], lq[i]) for i < m (one vectorised loop, shared by the
    row and the batch paths so that its code is compiled once)."""
    for i in range(m):
        out[i] = diagonal_term(lp[i], lq[i])


@njit(**_JIT)
def _diagonal_sum(wn, n):
    """Σ_i (M_ii² − 1 − 2 log M_ii) (compensated; every term ≥ 0)."""
    t = wn[2 * n + 2]
    diagonal_terms(wn[2 * n + 3], wn[2 * n + 4], t, n)
    s, c = 0.0, 0.0
    for i in range(n):
        s, c = _add(s, c, t[i])
    return s + c


@njit(**_JIT)
def _column_sums(wn, n, s, c):
    """Add the per-column double-double sums of squares (``wn[2n]``, ``wn[2n + 1]``)."""
    sh = wn[2 * n]
    sl = wn[2 * n + 1]
    for j in range(n + 1):
        s, c = _add(s, c, sh[j])
        c += sl[j]
    return s, c


@njit(**_JIT)
def _inverse_comparison_norm(L_q, wn, n):
    """An upper bound of ‖|L_q⁻¹|‖₂: √(‖M⁻¹‖₁·‖M⁻¹‖∞) for the comparison matrix M of L_q
    (diagonal |L_q,ii|, off-diagonal −|L_q,ik|), whose inverse is ≥ |L_q⁻¹| entrywise;
    ‖M⁻¹‖∞ = max(M⁻¹·1) by forward, ‖M⁻¹‖₁ = max(M⁻ᵀ·1) by back substitution."""
    y = wn[2 * n + 1]
    z = wn[2 * n + 2]
    for i in range(n):
        z[i] = 1.0
    inf_norm = 0.0
    for i in range(n):
        acc0, acc1, acc2, acc3 = 1.0, 0.0, 0.0, 0.0  # four chains: not latency-bound
        m = i - i % 4
        for k in range(0, m, 4):
            acc0 += abs(np.float64(L_q[i, k])) * y[k]
            acc1 += abs(np.float64(L_q[i, k + 1])) * y[k + 1]
            acc2 += abs(np.float64(L_q[i, k + 2])) * y[k + 2]
            acc3 += abs(np.float64(L_q[i, k + 3])) * y[k + 3]
        for k in range(m, i):
            acc0 += abs(np.float64(L_q[i, k])) * y[k]
        y[i] = ((acc0 + acc1) + (acc2 + acc3)) / np.float64(L_q[i, i]) * (1.0 + 2.0 * n * U)
        inf_norm = max(inf_norm, y[i])
    one_norm = 0.0
    for j in range(n - 1, -1, -1):
        zj = z[j] / np.float64(L_q[j, j]) * (1.0 + 2.0 * n * U)
        one_norm = max(one_norm, zj)
        for k in range(j):
            z[k] += abs(np.float64(L_q[j, k])) * zj
    return math.sqrt(one_norm * inf_norm)


@njit(**_JIT)
def _plain_solve_normwise(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    """Σ squares of w and the off-diagonal D by forward substitution in plain float64, or
    −1 when a normwise error bound exceeds ``tol`` times the KL (the float32 path: a
    bound this loose, and cheap, is far below a float32 ULP for any L_q not very badly
    conditioned).  The inputs are not validated here: a NaN, an infinity or a
    non-positive diagonal makes the sum or ``diag`` non-finite, which the caller rejects.

    Forward substitution with fused multiply-adds is backward stable: the computed X̂
    solves (L_q + ΔL)X̂ = B̂ with |ΔL| ≤ γ_{n+1}|L_q|, and B̂ = fl(B) is within u|B̂| of B,
    so ‖X − X̂‖_F ≤ ‖|L_q⁻¹|‖₂·(γ_{n+1}‖L_q‖_F‖X̂‖_F + u‖B̂‖_F) =: η, and the KL, which is
    at least ½‖X̂‖_F², is off by at most ‖X̂‖_F·η + η²/2."""
    sh = wn[2 * n]
    sl = wn[2 * n + 1]
    bsq = wn[2 * n + 2]  # per column: Σ B̂², Σ L_q² (the diagonals were read already)
    lsq = wn[2 * n + 3]
    for j in range(n + 1):
        sh[j] = 0.0
        sl[j] = 0.0
        bsq[j] = 0.0
        lsq[j] = 0.0
    d2 = 0.0
    for i in range(n):
        p = wn[i]
        p[0] = np.float64(mu_p[i]) - np.float64(mu_q[i])
        for c in range(i + 1):
            a = np.float64(L_q[i, c])
            p[c + 1] = np.float64(L_p[i, c]) - a
            lsq[c] += a * a
        for c in range(i + 2):
            bsq[c] += p[c] * p[c]
        k = 0
        while k + 4 <= i:  # four solved rows at a time (rows are zero past their end)
            a0 = np.float64(L_q[i, k])
            a1 = np.float64(L_q[i, k + 1])
            a2 = np.float64(L_q[i, k + 2])
            a3 = np.float64(L_q[i, k + 3])
            x0 = wn[k]
            x1 = wn[k + 1]
            x2 = wn[k + 2]
            x3 = wn[k + 3]
            for c in range(k + 5):
                p[c] = _s.fma(-a3, x3[c], _s.fma(-a2, x2[c], _s.fma(
                    -a1, x1[c], _s.fma(-a0, x0[c], p[c]))))
            k += 4
        while k < i:
            a = np.float64(L_q[i, k])
            xk = wn[k]
            for c in range(k + 2):
                p[c] = _s.fma(-a, xk[c], p[c])
            k += 1
        d = np.float64(L_q[i, i])
        for c in range(i + 2):
            p[c] = p[c] / d
        for c in range(i + 2, min(i + 5, n + 1)):
            p[c] = 0.0
        d2 += p[i + 1] * p[i + 1]
        for c in range(i + 1):  # w_i and D_i0 … D_i,i−1 (the diagonal is exact, apart)
            x = p[c]
            ph, pl = _two_prod(x, x)
            t, r = _s.two_sum(sh[c], ph)
            sh[c] = t
            sl[c] += r + pl
    s, c = _column_sums(wn, n, 0.0, 0.0)
    sq = s + c
    lq2 = 0.0
    b2 = 0.0
    for j in range(n + 1):
        lq2 += lsq[j]
        b2 += bsq[j]
    lq2 *= 1.0 + 2.0 * n * U  # rounding of these sums of squares, bounded
    b2 *= 1.0 + 2.0 * n * U
    if not (2.0**-900 < lq2 < 2.0**900 and b2 < 2.0**900):
        return -1.0
    x_norm = math.sqrt((sq + d2) * (1.0 + 4.0 * n * U))
    gamma = (n + 2) * U / (1.0 - (n + 2) * U)
    eta = _inverse_comparison_norm(L_q, wn, n) * (
        gamma * math.sqrt(lq2) * x_norm + U * math.sqrt(b2)) * (1.0 + 8.0 * n * U)
    if not x_norm * eta + 0.5 * eta * eta <= tol * 0.5 * (sq + diag):
        return -1.0
    return sq


@njit(**_JIT)
def _dd_solve(L_q, wn, n):
    """Σ squares of w and the off-diagonal D with the solve in double-double.

    Row i of the right-hand sides is reduced by the solved rows k < i (left-looking forward
    substitution), two rows k at a time: each update runs along a row of the scratch (unit
    stride, no dependence between entries), so it vectorises.  The update is Dot2's
    (Ogita–Rump–Oishi): TwoProd and TwoSum make the high part's rounding errors exact and
    they are summed into the low part, which is renormalised once, at the division — as
    accurate as double-double substitution with 11 operations per update instead of 17.
    Rows are zero one entry past their end, so the pair of rows shares one loop."""
    sh = wn[2 * n]
    sl = wn[2 * n + 1]
    for j in range(n + 1):
        sh[j] = 0.0
        sl[j] = 0.0
    for i in range(n):
        k = 0
        while k + 2 <= i:
            a0 = np.float64(L_q[i, k])
            a1 = np.float64(L_q[i, k + 1])
            for c in range(k + 3):
                h, lo = _dot2_sub(wn[i, c], wn[n + i, c], a0, wn[k, c], wn[n + k, c])
                wn[i, c], wn[n + i, c] = _dot2_sub(h, lo, a1, wn[k + 1, c], wn[n + k + 1, c])
            k += 2
        if k < i:
            a = np.float64(L_q[i, k])
            for c in range(k + 2):
                wn[i, c], wn[n + i, c] = _dot2_sub(wn[i, c], wn[n + i, c], a, wn[k, c],
                                                   wn[n + k, c])
        d = np.float64(L_q[i, i])
        for c in range(i + 2):
            wn[i, c], wn[n + i, c] = _dd_div(wn[i, c], wn[n + i, c], d)
        if i + 2 <= n:
            wn[i, i + 2] = 0.0
            wn[n + i, i + 2] = 0.0
        for c in range(i + 1):  # w_i and D_i0 … D_i,i−1 (the diagonal term apart)
            x = wn[i, c]
            ph, pl = _two_prod(x, x)
            t, e = _s.two_sum(sh[c], ph)
            sh[c] = t
            sl[c] += e + (pl + 2.0 * x * wn[n + i, c])
    s, c = _column_sums(wn, n, 0.0, 0.0)
    return s + c


def _plain_attempt(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    """The plain solve for the inputs' dtype, or −1 (only that dtype's path is compiled)."""


def _no_plain_solve(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    # float64: a plain solve could be certified at 16 ULP only for small, well conditioned
    # n (a running error bound grows with n), and those pairs take the batch path when they
    # come in stacks; not worth its compile time
    return -1.0


@overload(_plain_attempt, jit_options=dict(error_model="numpy"))
def _plain_attempt_for(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    # float32: the normwise solve's own Python function, so that it is compiled here as
    # one function (a wrapper calling the dispatcher would be one more level of LLVM
    # module optimisation over all of its code)
    if mu_p.dtype == types.float32:
        return _plain_solve_normwise.py_func
    return _no_plain_solve


# inline="always" (numba IR; the function is small, its callees are not inlined): one
# level fewer of LLVM module optimisation over everything it calls (~0.7 s of first use)
@njit(inline="always", **_JIT)
def kl_mvn_row(mu_p, L_p, mu_q, L_q, wn):
    """The KL above for one pair of distributions (n = mu_p.shape[0]); ``wn``: float64
    scratch of shape (≥ 2n + 5, ≥ n + 1), allocated once per call (no allocation per row).

    float32 inputs: the plain float64 solve runs first and is kept when its normwise error
    bound is within ``TOL32`` of the KL; otherwise (and for float64 inputs) the solve is
    done in double-double (ill-conditioned L_q, extreme scales, overflow)."""
    n = mu_p.shape[0]
    if n == 0:
        return NAN
    dp = wn[2 * n + 3]
    dq = wn[2 * n + 4]
    for i in range(n):
        dp[i] = np.float64(L_p[i, i])
        dq[i] = np.float64(L_q[i, i])
    diag = _diagonal_sum(wn, n)
    if diag < INF:  # not NaN or +inf
        sq = _plain_attempt(mu_p, L_p, mu_q, L_q, wn, n, TOL32, diag)
        kl = 0.5 * (sq + diag)
        if sq >= 0.0 and TINY_KL < kl < INF:
            return kl
    if not _fill(mu_p, L_p, mu_q, L_q, wn, n):
        return NAN
    kl = 0.5 * (_dd_solve(L_q, wn, n) + _diagonal_sum(wn, n))
    # The inputs are finite, so a NaN here is ∞ − ∞ from an overflowing term: KL = +inf.
    return INF if kl != kl else kl


# Many small pairs at once (kernels/_mvn_batch.py, which builds on the functions above).
from ._mvn_batch import (  # noqa: E402, F401, I001
    BATCH_MAX, W, batch_may_apply, kl_mvn_batch, scratch_rows)
