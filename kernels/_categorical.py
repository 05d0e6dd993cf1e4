"""Categorical rows, renormalised: KL, cross-entropy and entropy of p/Σp and q/Σq (numba).

Rows are non-negative weights, read as scipy.stats.entropy and torch.distributions.Categorical
read them: p̂ = p/P, q̂ = q/Q with P = Σ p_i, Q = Σ q_i.  One pass over the row gathers
compensated sums, and the normalisation is applied to the sums, not to the entries:

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
range are handled by scaling the row by 2⁻⁶⁴, and the second pass scales each row by a power
of two that brings its total into [½, 1) (exact for all but entries pushed below the normal
range, whose share of the result is below 2⁻¹⁰²²).

Example: ``kl_categorical_row([60., 40.], [50., 50.], np.empty((8, 256)))`` = 0.0201355…
= KL([.6, .4] ‖ [.5, .5]).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _rowsum as _rs
from . import _simd as _s
from . import _streams as _st
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf
#: the correction may cancel at most this share of the one-pass sum (error growth ≤ 4/3)
CANCEL = 0.25
DOWN = 2.0**-64  # scale for rows whose total overflows
#: rows longer than this take the pairwise-summed stream (``_streams``); shorter ones the
#: chunked map with sequential compensated sums (``_rowsum``), which does not pad them
LONG = 4096


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


@njit(**_JIT)
def _kl_rescaled(p, q, sp_, sq, ph, pl, qh, ql):
    """Σ kl_div(p_i, c·q_i), c = P/Q in double-double: with c·q_i = h + lo,
    kl_div(p, h + lo) = kl_div(p, h) + lo·(h − p)/h + p·(lo/h)²/2 (the second-order term
    matters once (p − h)/h is below ~1e-9)."""
    ch = ph / qh
    cl = (_s.fma(-ch, qh, ph) + pl - ch * ql) / qh
    s, c = 0.0, 0.0
    for i in range(p.shape[0]):
        pi = np.float64(p[i]) * sp_
        qi = np.float64(q[i]) * sq
        h = ch * qi
        lo = _s.fma(ch, qi, -h) + cl * qi
        if pi == 0.0:
            s, c = _add(s, c, h)
            c += lo
            continue
        s, c = _add(s, c, _p.kl_div(pi, h, pi - h))
        r = lo / h
        c += lo * ((h - pi) / h) + 0.5 * pi * r * r
    return s + c


@njit(inline="always", error_model="numpy")
def _kl_div_totals(tp, tq, d):
    """kl_div(P, Q) with D = P − Q.  Rows that sum to nearly the same total (|D/Q| < 2⁻¹⁰,
    e.g. both normalised) take the series Q·[(1 + t)log(1 + t) − t] = Q·Σ_{k≥2}
    (−t)^k/(k(k − 1)), t = D/Q, to t⁷ (truncation below 2⁻⁶⁰ relative); others kl_div."""
    t = d / tq
    if abs(t) < 0.0009765625:
        return tq * t * t * (0.5 + t * (-1.0 / 6.0 + t * (1.0 / 12.0 + t * (
            -1.0 / 20.0 + t * (1.0 / 30.0 + t * (-1.0 / 42.0))))))
    return _p.kl_div(tp, tq, d)


@njit(**_JIT)
def _kl_slow(p, q, ws, ok, s1, d, tp, tq):
    """The rows the one vectorised pass does not settle: special entries, overflowing
    totals (rescaled by 2⁻⁶⁴), and corrections that cancel more than CANCEL of the sum."""
    status = 0
    sp_ = sq = 1.0
    if not ok or not (tp < INF and tq < INF):
        status, s1, d, tp, tq = _kl_sums(p, q, sp_, sq)
    if status == 0 and not (tp < INF and tq < INF):  # a total overflows
        sp_ = sq = DOWN
        status, s1, d, tp, tq = _kl_sums(p, q, sp_, sq)
    if status == 1 or not (tp > 0.0 and tq > 0.0):
        return NAN
    if status == 2:
        return INF
    k = _p.kl_div(tp, tq, d)
    if k <= CANCEL * s1:  # every piece is homogeneous of degree 1: the scale cancels
        return (s1 - k) / tp
    # Power-of-two scales (exact) bring both totals into [½, 1), then P and Q again as
    # compensated pairs and the direct sum of non-negative terms.
    sp_ *= math.ldexp(1.0, -math.frexp(tp)[1])
    sq *= math.ldexp(1.0, -math.frexp(tq)[1])
    ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0
    for i in range(p.shape[0]):
        ps, pc = _add(ps, pc, np.float64(p[i]) * sp_)
        qs, qc = _add(qs, qc, np.float64(q[i]) * sq)
    v = _kl_rescaled(p, q, sp_, sq, ps, pc, qs, qc) / (ps + pc)
    return v if v >= 0.0 else (0.0 if v < 0.0 else v)


@njit(**_JIT)
def kl_categorical_row(p, q, ws):
    """KL(p/Σp ‖ q/Σq) for one row of non-negative weights (see the module docstring);
    ``ws``: scratch for the vectorised pass (``_rowsum.kl_div_sums``, 3 × BLOCK)."""
    n = p.shape[0]
    if n == 0:
        return NAN
    if n > LONG:  # (called directly: a wrapper would be one more function to compile)
        ok, s1, d, tp, tq = _st.kl_div_row_ws(p, q, ws)
        return _kl_slow(p, q, ws, ok, s1, d, tp, tq)
    ok, s1, d, tp, tq = _rs.kl_div_sums(p, q, ws)
    # the common case first: finite positive totals, a correction below CANCEL of the sum
    if ok and 0.0 < tp < INF and 0.0 < tq < INF:
        k = _kl_div_totals(tp, tq, d)
        if k <= CANCEL * s1:
            return (s1 - k) / tp
    return _kl_slow(p, q, ws, ok, s1, d, tp, tq)


@njit(**_JIT)
def _xent_sums(p, q, scale, same):
    """(status, B, Ph, Pl, Qh, Ql, max q_i): B = −Σ p_i log q_i over p_i > 0, the totals
    as compensated pairs.  ``same``: q is p (entropy).  status as in ``_kl_sums``."""
    b, bc, ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    qmax = 0.0
    infinite = False
    for i in range(p.shape[0]):
        pi = np.float64(p[i])
        qi = pi if same else np.float64(q[i])
        if not (0.0 <= pi < INF and 0.0 <= qi < INF):
            return 1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        pi *= scale
        qi *= scale
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
def _xent_direct(p, q, scale, same, qh, ql):
    """Σ p_i log(Q/q_i) over p_i > 0: every term ≥ 0 (q_i ≤ Q)."""
    s, c = 0.0, 0.0
    corr = ql / qh
    for i in range(p.shape[0]):
        pi = np.float64(p[i]) * scale
        if pi == 0.0:
            continue
        qi = pi if same else np.float64(q[i]) * scale
        s, c = _add(s, c, pi * (_p.log_ratio(qh, qi) + corr))
    return s + c


@njit(**_JIT)
def _xent_row(p, q, same, ws):
    if p.shape[0] == 0:
        return NAN
    scale = 1.0
    ok, b, ph, pl, qh, ql, over = _rs.xent_sums(p, q, same, ws)
    qmax = 2.0 if over else 1.0  # only qmax ≤ 1 is read below
    status = 0
    if not ok:
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, scale, same)
    if status == 0 and not (ph < INF and qh < INF):
        scale = DOWN
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, scale, same)
    if status == 1 or not (ph > 0.0 and qh > 0.0):
        return NAN
    if status == 2:
        return INF
    tp = ph + pl
    corr = tp * _log_pair(qh, ql)
    if qmax <= 1.0 and (corr >= 0.0 or -corr <= CANCEL * b):
        v = (b + corr) / tp
    else:
        v = _xent_direct(p, q, scale, same, qh, ql) / tp
    return v if v >= 0.0 else (0.0 if v < 0.0 else v)


@njit(**_JIT)
def cross_entropy_row(p, q, ws):
    """H(p/Σp, q/Σq) = −Σ p̂_i log q̂_i for one row of non-negative weights (``ws``:
    scratch for the vectorised pass, 3 × BLOCK)."""
    return _xent_row(p, q, False, ws)


@njit(**_JIT)
def entropy_row(p, ws):
    """H(p/Σp) = −Σ p̂_i log p̂_i for one row of non-negative weights (``ws`` as above)."""
    return _xent_row(p, p, True, ws)
