"""Categorical rows, renormalised: KL, cross-entropy and entropy of p/Σp and q/Σq (numba).

Rows are non-negative weights, read as scipy.stats.entropy and torch.distributions.Categorical
read them: p̂ = p/P, q̂ = q/Q with P = Σ p_i, Q = Σ q_i.  One pass over the rows gathers
each row's sums (``_rowsum``: a batch of rows walked as one flat array, compensated sums in
float64), and the normalisation is applied to the sums, not to the entries:

* KL(p̂ ‖ q̂) = (S₁ − kl_div(P, Q)) / P with S₁ = Σ kl_div(p_i, q_i) ≥ 0 and
  kl_div(P, Q) = P log(P/Q) − P + Q ≥ 0 formed from D = Σ (p_i − q_i);
* H(p̂, q̂) = (B + P log Q) / P with B = −Σ p_i log q_i;
* H(p̂) = (A + P log P) / P with A = −Σ p_i log p_i.

When the correction cancels more than a quarter of the sum (totals far from each other, or
from 1, relative to the result) a second pass over the row (already in cache) evaluates the
sum of non-negative terms directly: Σ kl_div(p_i, (P/Q)·q_i) with P/Q in double-double,
Σ p_i log(Q/q_i) and Σ p_i log(P/p_i).  Rows that sum to 1 (a softmax output, a histogram
divided by its count) never take it.  Nothing returned is negative.

Special values (the shared table in ``klforge/emit/templates.py``): a NaN, infinite or
negative entry, a zero total (including an empty row) → NaN; p_i > 0 where q_i = 0 → +inf;
0·log 0 = 0; subnormal entries are ordinary positive numbers.  Totals beyond the float64
range (or a term p_i log(p_i/q_i) beyond it) are handled by scaling the row by 2⁻⁶⁴, and the
second pass scales each row by a power
of two that brings its total into [½, 1) (exact for all but entries pushed below the normal
range, whose share of the result is below 2⁻¹⁰²²).  Totals below 2⁻⁶⁴ (subnormal ones
included) are scaled up the same way before the sums are formed, on the cold path only: a row
of equal entries gives ln n at any scale.  An entropy or cross-entropy below ``_tiny`` is not
taken from the one-pass sums (their total is not accurate enough for it) but from the second
pass (``_second_pass.xent_direct``), which forms the largest entry's term from the others'
sum: p̂_k·log1p(R/q_k).

The batch functions ``kl_categorical_rows``, ``cross_entropy_rows`` and ``entropy_rows`` take
flat arrays of rows of n entries one after another and a row range [r0, r1) (the generated
loops call them on C-contiguous blocks of rows, or on one row viewed or gathered).  Each is
its ``…_fast`` function (the one vectorised pass; NaN marks the rows it does not settle)
followed by the scalar code for those rows.  First use compiles the ``…_fast`` functions only:
the kernels' light loops call them and hand such rows back (``_logits.bail``), and the full
loops are compiled when a call first needs them (``_logits.FirstReach``).

Example: with ``res = np.empty(1)``, ``kl_categorical_rows(np.array([60., 40.]),
np.array([50., 50.]), 2, 0, 1, res, np.empty((8, _rowsum.BLK)))`` sets res[0] = 0.0201355…
= KL([.6, .4] ‖ [.5, .5]).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _rowsum as _rs
from . import _simd as _s
from ._primitives import neumaier_add as _add
from ._second_pass import kl_rescaled, xent_direct
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf
#: the correction may cancel at most this share of the one-pass sum (error growth ≤ 4/3)
CANCEL = 0.25
DOWN = 2.0**-64  # scale for rows whose total overflows
LOW = 2.0**-64  # totals below this (subnormal ones included) are scaled up on the cold path


@njit(inline="always", error_model="numpy")
def _up(t):
    """The power of two that brings a small total t > 0 into [½, 1) (at most 2¹⁰⁰⁰: a
    subnormal total then lands at ≥ 2⁻⁷⁴, a normal number)."""
    e = -math.frexp(t)[1]
    return math.ldexp(1.0, e if e < 1000 else 1000)


@njit(inline="always", error_model="numpy")
def _rescale(s, t):
    """s·2^−e (t = m·2^e, ½ ≤ m < 1) for a power of two s, at most 2¹⁰²³."""
    e = math.frexp(s)[1] - 1 - math.frexp(t)[1]
    return math.ldexp(1.0, e if e < 1023 else 1023)


@njit(inline="always", error_model="numpy")
def _tiny(itemsize, n):
    """Below this H the one-pass formula B/P + log Q is not trusted: the error of Q's sum
    (float64: ≤ 2⁻⁷⁵·Q per chunk of BLK entries; float32 rows, plain sums: ≤ n·2⁻⁵³·Q)
    must stay below 2⁻⁵⁶ (float32: 2⁻³²) of H."""
    if itemsize == 8:
        return 2.0**-19 * ((n + _rs.BLK - 1) // _rs.BLK)
    return n * 2.0**-21


@njit(inline="always", error_model="numpy")
def _log_pair(h, l):
    """log(h + l) for a compensated sum h + l > 0 (first order in l)."""
    return math.log(h) + l / h


@njit(**_JIT)
def _kl_sums(p, q, sp_, sq):
    """(status, S₁, D, P, Q) of the rows scaled by sp_ and sq: status 0 ok, 1 NaN (bad
    entry), 2 +inf (p_i > 0 = q_i)."""
    s, c, d, dc, ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    infinite = False
    for i in range(p.shape[0]):
        pi = np.float64(p[i])
        qi = np.float64(q[i])
        if not (0.0 <= pi < INF and 0.0 <= qi < INF):
            return 1, 0.0, 0.0, 0.0, 0.0
        pi *= sp_
        qi *= sq
        ps, pc = _add(ps, pc, pi)
        qs, qc = _add(qs, qc, qi)
        if pi == 0.0:
            s, c = _add(s, c, qi)
            d, dc = _add(d, dc, -qi)
            continue
        if qi == 0.0:
            infinite = True
            continue
        s, c = _add(s, c, _p.kl_div(pi, qi, pi - qi))
        d, dc = _add(d, dc, pi - qi)
    return (2 if infinite else 0), s + c, d + dc, ps + pc, qs + qc


@njit(inline="always", error_model="numpy")
def _kl_div_totals(tp, tq, d):
    """kl_div(P, Q) with D = P − Q.  Rows that sum to nearly the same total (|D/Q| < 2⁻¹⁰,
    e.g. both normalised) take the series Q·[(1 + t)log(1 + t) − t] = Q·Σ_{k≥2}
    (−t)^k/(k(k − 1)), t = D/Q, to t⁷ (truncation below 2⁻⁶⁰ relative); others
    ``_simd.kl_div_normal_d`` (P, Q normal here: the fast path's rows have normal entries;
    the scalar kl_div, with its special cases, is left to the second pass)."""
    t = d / tq
    if abs(t) < 0.0009765625:
        return tq * t * t * (0.5 + t * (-1.0 / 6.0 + t * (1.0 / 12.0 + t * (
            -1.0 / 20.0 + t * (1.0 / 30.0 + t * (-1.0 / 42.0))))))
    return _s.kl_div_normal_d(tp, tq, d)


@njit(**_JIT)
def _kl_slow(p, q, ok, s1, d, tp, tq):
    """The rows the one vectorised pass does not settle: special entries, overflowing
    totals (rescaled by 2⁻⁶⁴), and corrections that cancel more than CANCEL of the sum."""
    status = 0
    sp_ = sq = 1.0
    if not ok or not (tp < INF and tq < INF):
        status, s1, d, tp, tq = _kl_sums(p, q, sp_, sq)
    if status == 0 and not (tp < INF and tq < INF and s1 < INF):  # a total or a term overflows
        sp_ = sq = DOWN
        status, s1, d, tp, tq = _kl_sums(p, q, sp_, sq)
    if status == 1 or not (tp > 0.0 and tq > 0.0):
        return NAN
    if status == 2:
        return INF
    if tp < LOW or tq < LOW:  # small (or subnormal) totals: scale up exactly, sum again
        sp_ = _up(tp) if tp < LOW else sp_
        sq = _up(tq) if tq < LOW else sq
        status, s1, d, tp, tq = _kl_sums(p, q, sp_, sq)
    k = _p.kl_div(tp, tq, d)
    if k <= CANCEL * s1:  # every piece is homogeneous of degree 1: the scale cancels
        return (s1 - k) / tp
    # Power-of-two scales (exact) bring both totals into [½, 1) (a scale capped at 2¹⁰²³:
    # a subnormal total then lands at ≥ 2⁻⁵¹), then P and Q again as compensated pairs
    # and the direct sum of non-negative terms.
    sp_ = _rescale(sp_, tp)
    sq = _rescale(sq, tq)
    ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0
    for i in range(p.shape[0]):
        ps, pc = _add(ps, pc, np.float64(p[i]) * sp_)
        qs, qc = _add(qs, qc, np.float64(q[i]) * sq)
    v = kl_rescaled(p, q, sp_, sq, ps, pc, qs, qc) / (ps + pc)
    return v if v >= 0.0 else (0.0 if v < 0.0 else v)


@njit(**_JIT)
def kl_categorical_fast(p, q, n, r0, r1, res, ws):
    """res[r − r0] = KL(p̂ ‖ q̂) of the rows r0 ≤ r < r1 the one vectorised pass settles
    (finite positive totals, a correction below CANCEL of the sum); NaN for the others (and
    for every row when n = 0), their sums left in ``ws`` for ``kl_categorical_rows``."""
    if n == 0:
        for r in range(r1 - r0):
            res[r] = NAN
        return
    _rs.row_sums(_rs.kl_map, _rs.kl_acc, _rs.kl_store, p, q, n, r0, r1, ws)  # = kl_sums
    for r in range(r1 - r0):
        s1, d, tp, tq = ws[1, r], ws[2, r], ws[3, r], ws[4, r]
        v = NAN
        # s1 NaN: an entry the vectorised map does not cover
        if s1 < INF and 0.0 < tp < INF and 0.0 < tq < INF:
            k = _kl_div_totals(tp, tq, d)
            if k <= CANCEL * s1:
                v = (s1 - k) / tp
        res[r] = v


@njit(**_JIT)
def kl_categorical_rows(p, q, n, r0, r1, res, ws):
    """res[r − r0] = KL(p̂ ‖ q̂) of rows r0 ≤ r < r1 of the flat arrays p, q (rows of n
    entries one after another; see the module docstring).  ``ws``: scratch, 8 × BLK."""
    kl_categorical_fast(p, q, n, r0, r1, res, ws)
    if n == 0:
        return
    for r in range(r1 - r0):
        if res[r] == res[r]:
            continue
        a = (r0 + r) * n
        s1 = ws[1, r]
        res[r] = _kl_slow(p[a:a + n], q[a:a + n], s1 < INF, s1, ws[2, r], ws[3, r], ws[4, r])


@njit(**_JIT)
def _xent_sums(p, q, sp_, sq, same):
    """(status, B, Ph, Pl, Qh, Ql, max q_i): B = −Σ p_i log q_i over p_i > 0, the totals
    as compensated pairs, of the rows scaled by sp_ and sq.  ``same``: q is p (entropy).
    status as in ``_kl_sums``."""
    b, bc, ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    qmax = 0.0
    infinite = False
    for i in range(p.shape[0]):
        pi = np.float64(p[i])
        qi = pi if same else np.float64(q[i])
        if not (0.0 <= pi < INF and 0.0 <= qi < INF):
            return 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        pi *= sp_
        qi *= sq
        ps, pc = _add(ps, pc, pi)
        qs, qc = _add(qs, qc, qi)
        qmax = max(qmax, qi)
        if pi == 0.0:
            continue
        if qi == 0.0:
            infinite = True
            continue
        b, bc = _add(b, bc, -pi * math.log(qi))
    return (2 if infinite else 0), b + bc, ps, pc, qs, qc, qmax


@njit(**_JIT)
def _xent_finish(p, q, same, ok, b, ph, pl, qh, ql, qmax, tiny):
    """H(p̂, q̂) of one row from its one-pass sums (``_rowsum.xent_sums``); rows the sums do
    not settle (``ok`` False, overflowing or small totals, a cancelling correction, H below
    ``tiny``) are evaluated again here."""
    sp_ = sq = 1.0
    status = 0
    if not ok:
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, sp_, sq, same)
    if status == 0 and not (ph < INF and qh < INF and abs(b) < INF):  # overflow
        sp_ = sq = DOWN
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, sp_, sq, same)
    if status == 1 or not (ph > 0.0 and qh > 0.0):
        return NAN
    if status == 2:
        return INF
    if ph < LOW or qh < LOW:  # small (or subnormal) totals: scale up exactly, sum again
        sp_ = _up(ph) if ph < LOW else sp_
        sq = _up(qh) if qh < LOW else sq
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, sp_, sq, same)
    tp = ph + pl
    corr = tp * _log_pair(qh, ql)
    v = (b + corr) / tp
    if not (qmax <= 1.0 and (corr >= 0.0 or -corr <= CANCEL * b) and v >= tiny):
        v = xent_direct(p, q, sp_, sq) / tp
    return v if v >= 0.0 else (0.0 if v < 0.0 else v)


@njit(forceinline=True, error_model="numpy", **INTERNAL)
def _xent_common(res, ws, m, tiny):
    """res[r] = H of row r < m from the sums in ``ws`` in the common case, for every row at
    once (branch-free, vectorises): normal entries (b finite), no negative term (no q_i > 1
    where p_i > 0: b a sum of terms ≥ 0), finite totals, and a correction P·log Q
    cancelling at most CANCEL of b, and H ≥ ``tiny`` (``_tiny``: a smaller H needs Q
    more accurately than the one-pass sum gives it); NaN marks the rows that are not."""
    bs, ph, pl, qh, ql, over = ws[1, :m], ws[2, :m], ws[3, :m], ws[4, :m], ws[5, :m], ws[6, :m]
    for r in range(m):
        b = bs[r]
        tp = ph[r] + pl[r]
        corr = tp * (_s.log_ratio_normal(qh[r], 1.0) + ql[r] / qh[r])
        good = (b < INF) & (over[r] == 0.0) & (qh[r] < INF) & (ph[r] < INF)
        good &= (corr >= 0.0) | (-corr <= CANCEL * b)
        v = (b + corr) / tp
        good &= v >= tiny
        res[r] = v if good else NAN


@njit(**_JIT)
def _xent_rest(p, q, same, n, r0, r1, res, ws):
    """The rows ``_xent_common`` left NaN, by the scalar finish (``same``: q is p)."""
    tiny = _tiny(p.itemsize, n)
    for r in range(r1 - r0):
        if res[r] == res[r]:
            continue
        a = (r0 + r) * n
        qmax = 2.0 if ws[6, r] > 0.0 else 1.0  # (negative terms; only qmax ≤ 1 is read)
        b = ws[1, r]
        res[r] = _xent_finish(p[a:a + n], q[a:a + n], same, b < INF, b, ws[2, r], ws[3, r],
                              ws[4, r], ws[5, r], qmax, tiny)


@njit(**_JIT)
def cross_entropy_fast(p, q, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂, q̂) of the rows r0 ≤ r < r1 the one vectorised pass settles, NaN
    for the others (``kl_categorical_fast``'s contract)."""
    if n == 0:
        for r in range(r1 - r0):
            res[r] = NAN
        return
    _rs.row_sums(_rs.xent_map, _rs.xent_acc, _rs.xent_store, p, q, n, r0, r1, ws)
    _xent_common(res, ws, r1 - r0, _tiny(p.itemsize, n))


@njit(**_JIT)
def cross_entropy_rows(p, q, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂, q̂) = −Σ p̂_i log q̂_i of rows r0 ≤ r < r1 (as
    ``kl_categorical_rows``)."""
    cross_entropy_fast(p, q, n, r0, r1, res, ws)
    if n > 0:
        _xent_rest(p, q, False, n, r0, r1, res, ws)


@njit(**_JIT)
def entropy_fast(p, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂) of the rows r0 ≤ r < r1 the one vectorised pass settles, NaN for
    the others."""
    if n == 0:
        for r in range(r1 - r0):
            res[r] = NAN
        return
    _rs.row_sums(_rs.xent_map, _rs.xent_acc, _rs.xent_store, p, None, n, r0, r1, ws)
    _xent_common(res, ws, r1 - r0, _tiny(p.itemsize, n))


@njit(**_JIT)
def entropy_rows(p, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂) = −Σ p̂_i log p̂_i of rows r0 ≤ r < r1 (as ``kl_categorical_rows``)."""
    entropy_fast(p, n, r0, r1, res, ws)
    if n > 0:
        _xent_rest(p, p, True, n, r0, r1, res, ws)
