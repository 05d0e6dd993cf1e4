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
sum of non-negative terms directly: Σ kl_div(p̂_i, q̂_i; δ_i) with exact normalised
differences δ_i = (p_i·Q − q_i·P)/(P·Q) (``_near_equal``: rows a few ULP apart keep the bar),
Σ p_i log(Q/q_i) and Σ p_i log(P/p_i).  Rows that sum to 1 (a softmax output, a histogram
divided by its count) take it only when they agree to the last bits.  Nothing returned is
negative.

Special values (the shared table in ``klforge/emit/templates.py``): a NaN, infinite or
negative entry, a zero total (including an empty row) → NaN; p_i > 0 where q_i = 0 → +inf;
0·log 0 = 0; subnormal entries are ordinary positive numbers.  Totals beyond the float64
range (or a term p_i log(p_i/q_i) beyond it) are handled by scaling p and q each by its own
power of two (totals far apart in either direction stay finite: the KL's second pass brings
each total into [½, 1); the cross-entropy scales an overflowing row by 2⁻⁶⁴, and p by 2⁻⁶⁴
from P ≥ 2¹⁰¹² on, where H·P — the sums it is formed from — could overflow) — exact for all
but entries pushed below the normal range, whose share of the result is below 2⁻¹⁰²².
Totals below 2⁻⁶⁴ (subnormal ones included) are scaled up the same way, on the cold path
only: a row of equal entries gives ln n at any scale.  An entropy or cross-entropy below
``_tiny`` is not taken from the one-pass sums (their total is not accurate enough for it)
but from the second pass (``_second_pass.xent_direct``), which forms the largest entry's term
from the others' sum: p̂_k·log1p(R/q_k).

The batch functions ``kl_categorical_rows``, ``cross_entropy_rows`` and ``entropy_rows`` take
flat arrays of rows of n entries one after another and a row range [r0, r1) (the generated
loops call them on C-contiguous blocks of rows, or on one row viewed or gathered).  Each is
its ``…_fast`` function (the one vectorised pass; NaN marks the rows it does not settle)
followed by the scalar code for those rows (``_categorical_cold``).  ``entropy_fast`` is
``cross_entropy_fast`` with q None.  First use compiles the ``…_fast`` functions only: the
kernels' light loops call them and hand such rows back (``_ufunc.bail``), and the full loops
are compiled when a call first needs them (``_ufunc.FirstReach``).

Example (from compiled code: these functions have no Python wrapper): with
``res = np.empty(1)``, ``kl_categorical_rows(np.array([60., 40.]), np.array([50., 50.]), 2,
0, 1, res, np.empty((8, _rowsum.BLK)))`` sets res[0] = 0.0201355… = KL([.6, .4] ‖ [.5, .5]).
"""

import math

from numba import njit

from . import _categorical_cold as _cold
from . import _rowsum as _rs
from . import _simd as _s
from ._categorical_cold import BIG, CANCEL
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf


@njit(inline="always", error_model="numpy")
def _tiny(itemsize, n):
    """Below this H the one-pass formula B/P + log Q is not trusted: the error of Q's sum
    (float64: ≤ 2⁻⁷⁵·Q per chunk of BLK entries; float32 rows, plain sums: ≤ n·2⁻⁵³·Q)
    must stay below 2⁻⁵⁶ (float32: 2⁻³²) of H."""
    if itemsize == 8:
        return 2.0**-19 * ((n + _rs.BLK - 1) // _rs.BLK)
    return n * 2.0**-21


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
        res[r] = _cold.kl_slow(p[a:a + n], q[a:a + n], s1 < INF, s1, ws[2, r], ws[3, r], ws[4, r])


@njit(forceinline=True, error_model="numpy", **INTERNAL)
def _xent_common(res, ws, m, tiny):
    """res[r] = H of row r < m from the sums in ``ws`` in the common case, for every row at
    once (branch-free, vectorises): normal entries (b finite), no negative term (no q_i > 1
    where p_i > 0: b a sum of terms ≥ 0), finite totals, and a correction P·log Q
    cancelling at most CANCEL of b, P < BIG (H·P finite), and H ≥ ``tiny`` (``_tiny``: a
    smaller H needs Q more accurately than the one-pass sum gives it); NaN marks the rows
    that are not."""
    bs, ph, pl, qh, ql, over = ws[1, :m], ws[2, :m], ws[3, :m], ws[4, :m], ws[5, :m], ws[6, :m]
    for r in range(m):
        b = bs[r]
        tp = ph[r] + pl[r]
        corr = tp * (_s.log_ratio_normal(qh[r], 1.0) + ql[r] / qh[r])
        good = (b < INF) & (over[r] == 0.0) & (qh[r] < INF) & (ph[r] < BIG)
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
        res[r] = _cold.xent_finish(p[a:a + n], q[a:a + n], same, b < INF, b, ws[2, r],
                                   ws[3, r], ws[4, r], ws[5, r], qmax, tiny)


@njit(**_JIT)
def cross_entropy_fast(p, q, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂, q̂) of the rows r0 ≤ r < r1 the one vectorised pass settles, NaN
    for the others (``kl_categorical_fast``'s contract); q None: q is p, H(p̂) (the sums add
    P once)."""
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


@njit(inline="always", error_model="numpy")
def entropy_fast(p, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂) of the rows r0 ≤ r < r1 the one vectorised pass settles, NaN for
    the others: ``cross_entropy_fast`` with q None (inlined: nothing more to compile)."""
    cross_entropy_fast(p, None, n, r0, r1, res, ws)


@njit(**_JIT)
def entropy_rows(p, n, r0, r1, res, ws):
    """res[r − r0] = H(p̂) = −Σ p̂_i log p̂_i of rows r0 ≤ r < r1 (as ``kl_categorical_rows``)."""
    entropy_fast(p, n, r0, r1, res, ws)
    if n > 0:
        _xent_rest(p, p, True, n, r0, r1, res, ws)
