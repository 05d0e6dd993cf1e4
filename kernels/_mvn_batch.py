"""kl_mvn for many small pairs at once: W = 32 pairs side by side, one per SIMD lane (numba).

For small n one pair's forward substitution is a chain of short loops whose latency, not
its arithmetic, sets the time.  Here the pairs are transposed into structure-of-arrays
scratch — entry e of pair b at ``[e, b % W]`` — and every operation of ``_mvn``'s
double-double solve runs over the W lanes at once (a loop over the lanes, which LLVM turns
into vector instructions), so W independent pairs fill the pipeline.  The scratch is indexed
directly (a row view in a loop costs reference counting), and each quotient is one
reciprocal per row and multiplies (division throughput was the limit).

The arithmetic per lane is that of ``_mvn_solve.dd_solve`` (one row k per update, a
reciprocal for the quotients) and ``_mvn_terms.diagonal_term``, so the result for one pair
does not depend on the pairs beside it.  Invalid pairs (an entry not finite, a diagonal
≤ 0) give NaN as in ``_mvn.kl_mvn_row``; an overflowing result gives +inf.

Entry layout per pair: row i holds [μ_p,i − μ_q,i, L_p,i0 − L_q,i0, …, L_p,ii − L_q,ii] at
e = i(i + 3)/2 + c; L_q,ik is at i(i + 1)/2 + k.

Example: ``kl_mvn_batch(mp, Lp, mq, Lq, out, wb)`` with wb = np.empty((scratch_rows(n) + 1,
W)) fills out[:W·(N // W)] for
C-contiguous mp (N, n), Lp (N, n, n), mq, Lq and returns how many pairs it did.
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._mvn_terms import diagonal_terms, recip_scale
from ._mvn_terms import dot2_sub as _dot2_sub
from ._mvn_terms import two_prod as _two_prod

_JIT = dict(cache=True, error_model="numpy")
W = 32  # pairs per block (lanes: four AVX-512 vectors, eight AVX2 ones)
#: largest n sent here (above it one pair already has loops long enough to vectorise)
BATCH_MAX = 16
NAN = math.nan
INF = math.inf


def batch_may_apply(inputs) -> bool:
    """False only when no part of a call with these inputs (mu_p, L_p, mu_q, L_q) can take
    the batch path — n outside 1…BATCH_MAX, or fewer than W pairs after broadcasting (a
    loop never sees more) — so that the row loop alone, which gives the same results for
    them, serves the call (``_ufunc.Kernel.serve_lightly``).  Shapes it cannot read: True
    (the full ufunc then reports the problem)."""
    try:
        shapes = [np.shape(x) for x in inputs]
        n = shapes[0][-1]
        loop = np.broadcast_shapes(shapes[0][:-1], shapes[1][:-2], shapes[2][:-1],
                                   shapes[3][:-2])
    except (IndexError, ValueError, TypeError):
        return True
    return 1 <= n <= BATCH_MAX and math.prod(loop) >= W


@njit(**_JIT)
def scratch_rows(n):
    """Rows of W lanes one block needs: hi/lo right-hand sides, L_q, L_p's diagonal, and
    six rows of per-lane flags, sums and terms."""
    return n * (n + 3) + n * (n + 1) // 2 + n + 6


@njit(cache=True, forceinline=True, error_model="numpy")
def _dd_div_by(sh, sl, d, r):
    """(sh + sl)/d in double-double given r ≈ 1/d: q = sh·r, its exact remainder
    sh − q·d (fma) and the low part (remainder + sl)·r, renormalised — a multiply where
    ``_mvn_terms.dd_div`` divides twice; the quotient's error stays of order u² (the low part's
    own error is u relative to it, and it is u of the high part)."""
    qh = sh * r
    rem = _s.fma(-qh, d, sh)
    ql = (rem + sl) * r
    return _s.two_sum(qh, ql)


@njit(inline="always", error_model="numpy")
def _load(mp, Lp, mq, Lq, b0, n, wb):
    w = W
    """Transpose pairs b0 … b0 + 7 into the scratch (as float64): μ_p and L_p into the
    high rows, μ_q into the low rows (for the moment), L_q into its rows, diag(L_p)."""
    t = n * (n + 3) // 2
    tq = n * (n + 1) // 2
    for lane in range(w):
        b = b0 + lane
        for i in range(n):
            e = i * (i + 3) // 2
            q = i * (i + 1) // 2
            wb[e, lane] = np.float64(mp[b, i])
            wb[t + e, lane] = np.float64(mq[b, i])
            for c in range(i + 1):
                wb[e + 1 + c, lane] = np.float64(Lp[b, i, c])
                wb[2 * t + q + c, lane] = np.float64(Lq[b, i, c])
            wb[2 * t + tq + i, lane] = np.float64(Lp[b, i, i])


@njit(inline="always", error_model="numpy")
def _block(n, wb, res):
    """The KLs of the block in the scratch into ``res`` (W lanes).  The scratch is indexed
    directly (no row views in the loops: a view costs reference counting)."""
    w = W
    t = n * (n + 3) // 2
    Q = 2 * t  # first row of L_q
    DP = Q + n * (n + 1) // 2  # diag(L_p)
    OK = DP + n  # then the validity flags and four sums
    SH, SL, DS, DC, TT = OK + 1, OK + 2, OK + 3, OK + 4, OK + 5
    for lane in range(w):
        wb[OK, lane] = 1.0
        wb[SH, lane] = 0.0
        wb[SL, lane] = 0.0
        wb[DS, lane] = 0.0
        wb[DC, lane] = 0.0
    # right-hand sides (exact differences, TwoSum), validity, the diagonal terms
    for i in range(n):
        e = i * (i + 3) // 2
        q = Q + i * (i + 1) // 2
        for lane in range(w):
            a = wb[e, lane]
            b = wb[t + e, lane]
            fin = (abs(a) < INF) & (abs(b) < INF)
            wb[OK, lane] = wb[OK, lane] if fin else 0.0
            wb[e, lane], wb[t + e, lane] = _s.two_sum(a, -b)
        for c in range(i + 1):
            for lane in range(w):
                a = wb[e + 1 + c, lane]
                b = wb[q + c, lane]
                fin = (abs(a) < INF) & (abs(b) < INF)
                wb[OK, lane] = wb[OK, lane] if fin else 0.0
                wb[e + 1 + c, lane], wb[t + e + 1 + c, lane] = _s.two_sum(a, -b)
        diagonal_terms(wb[DP + i], wb[q + i], wb[TT], w)
        for lane in range(w):
            lp = wb[DP + i, lane]
            lq = wb[q + i, lane]
            pos = (lq > 0.0) & (lp > 0.0)
            wb[OK, lane] = wb[OK, lane] if pos else 0.0
            s, r = _s.two_sum(wb[DS, lane], wb[TT, lane])
            wb[DS, lane] = s
            wb[DC, lane] += r
    # forward substitution in double-double, row by row, all lanes at once
    for i in range(n):
        e = i * (i + 3) // 2
        q = Q + i * (i + 1) // 2
        for k in range(i):
            ek = k * (k + 3) // 2
            for c in range(k + 2):
                for lane in range(w):
                    wb[e + c, lane], wb[t + e + c, lane] = _dot2_sub(
                        wb[e + c, lane], wb[t + e + c, lane], wb[q + k, lane],
                        wb[ek + c, lane], wb[t + ek + c, lane])
        for lane in range(w):  # scaled by 2^64 where L_q,ii is subnormal (recip_scale)
            d = wb[q + i, lane]
            wb[TT, lane] = 1.0 / (d * recip_scale(d))
        for c in range(i + 2):
            for lane in range(w):
                d = wb[q + i, lane]
                sc = recip_scale(d)
                wb[e + c, lane], wb[t + e + c, lane] = _dd_div_by(
                    wb[e + c, lane] * sc, wb[t + e + c, lane] * sc, d * sc, wb[TT, lane])
        for c in range(i + 1):  # squares of w_i and D_i0 … D_i,i−1
            for lane in range(w):
                x = wb[e + c, lane]
                ph, pl = _two_prod(x, x)
                s, r = _s.two_sum(wb[SH, lane], ph)
                wb[SH, lane] = s
                wb[SL, lane] += r + (pl + 2.0 * x * wb[t + e + c, lane])
    for lane in range(w):
        kl = 0.5 * ((wb[SH, lane] + wb[DS, lane]) + (wb[SL, lane] + wb[DC, lane]))
        kl = INF if kl != kl else kl  # finite inputs: NaN is ∞ − ∞ of an overflow
        res[lane] = kl if wb[OK, lane] != 0.0 else NAN


@njit(**_JIT)
def kl_mvn_batch(mp, Lp, mq, Lq, out, wb):
    """KLs of the first 8·(N // 8) pairs into ``out`` (float32 or float64, N entries);
    returns how many were done.  ``wb``: float64 scratch (scratch_rows(n) + 1, W)."""
    N = mp.shape[0]
    n = mp.shape[1]
    w = W
    res = wb[wb.shape[0] - 1]
    done = N - N % w
    for b0 in range(0, done, w):
        _load(mp, Lp, mq, Lq, b0, n, wb)
        _block(n, wb, res)
        for lane in range(w):
            out[b0 + lane] = res[lane]
    return done
