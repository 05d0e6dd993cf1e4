"""The cold path of the categorical rows (numba): rows the one vectorised pass
(``_categorical.py``) does not settle, evaluated again by scalar code.

* ``kl_slow(p, q, ok, S₁, D, P, Q)``: KL(p̂ ‖ q̂) of one row from its one-pass sums, or from
  sums formed again here (``ok`` False: an entry the vectorised map does not cover);
* ``xent_finish(p, q, same, ok, B, P_h, P_l, Q_h, Q_l, max q, tiny)``: H(p̂, q̂) (``same``:
  q is p, the entropy) likewise.

Each re-sums the row when it must (special entries → NaN or +inf), applies the
normalisation to the sums when the totals are finite and the correction cancels at most
CANCEL of the sum, and otherwise takes the second pass: for the KL ``_near_equal.kl_renorm``
(each row scaled by its own power of two into [½, 1), exact normalised differences, a sum of
non-negative terms), for H ``_second_pass.xent_direct`` (each row scaled by its own power of
two: 2⁻⁶⁴ for an overflowing one, up into [½, 1) below 2⁻⁶⁴, subnormal totals included).
The semantics and accuracy are described in ``_categorical.py``.

Domain: one row of finite or special entries, float32 or float64 (computed in float64).

Example: ``kl_slow(np.array([60., 40.]), np.array([50., 50.]), False, 0., 0., 0., 0.)``
= 0.0201355… = KL([.6, .4] ‖ [.5, .5]) (from compiled code: no Python wrapper).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from ._near_equal import kl_renorm
from ._primitives import neumaier_add as _add
from ._second_pass import xent_direct
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf
#: the correction may cancel at most this share of the one-pass sum (error growth ≤ 4/3)
CANCEL = 0.25
DOWN = 2.0**-64  # scale for rows whose total overflows
LOW = 2.0**-64  # totals below this (subnormal ones included) are scaled up on the cold path
#: a p-total from here up is scaled by DOWN for H: H·P ≤ P·log(2¹⁰²⁴/2⁻¹⁰⁷⁴) < P·2¹¹ (the sums
#: B, P·log Q and Σ p_i·log(Q/q_i) are H·P and its pieces) must stay finite (outside tester H4)
BIG = 2.0**1012


@njit(inline="always", error_model="numpy")
def _up(t):
    """The power of two that brings a small total t > 0 into [½, 1) (at most 2¹⁰⁰⁰: a
    subnormal total then lands at ≥ 2⁻⁷⁴, a normal number)."""
    e = -math.frexp(t)[1]
    return math.ldexp(1.0, e if e < 1000 else 1000)


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
def kl_slow(p, q, ok, s1, d, tp, tq):
    """The rows the one vectorised pass does not settle: special entries, totals that
    overflow or lie below 2⁻⁶⁴, and corrections that cancel more than CANCEL of the sum
    (these two by ``kl_renorm``)."""
    status = 0
    if not ok or not (tp < INF and tq < INF):
        status, s1, d, tp, tq = _kl_sums(p, q, 1.0, 1.0)
    if status == 1 or tp == 0.0 or tq == 0.0:  # (an overflowing total may read NaN here)
        return NAN
    if status == 2:
        return INF
    if tp < INF and tq < INF and s1 < INF and tp >= LOW and tq >= LOW:
        k = _p.kl_div(tp, tq, d)
        if k <= CANCEL * s1:
            return (s1 - k) / tp
    # The second pass (``_near_equal``): each row scaled into [½, 1) by its own power of two,
    # exact normalised differences, a sum of non-negative terms (outside tester G6, G8).
    return kl_renorm(p, q)


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
def xent_finish(p, q, same, ok, b, ph, pl, qh, ql, qmax, tiny):
    """H(p̂, q̂) of one row from its one-pass sums (``_rowsum.xent_sums``); rows the sums do
    not settle (``ok`` False, overflowing or small totals, a cancelling correction, H below
    ``tiny``) are evaluated again here.  A p-total ≥ BIG is scaled by DOWN first: B + P·log Q
    = H·P overflows from P ≈ DBL_MAX/H on (``[DBL_MAX, .3, .5]`` vs ``[.4, .5, .2]``)."""
    sp_ = sq = 1.0
    status = 0
    if not ok:
        status, b, ph, pl, qh, ql, qmax = _xent_sums(p, q, sp_, sq, same)
    if status == 0 and not (ph < BIG and qh < INF and abs(b) < INF):  # overflow
        # each row by its own scale: a common one sends a tiny row to 0 (G6)
        sp_ = 1.0 if ph < BIG and abs(b) < INF else DOWN
        sq = 1.0 if qh < INF else DOWN
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
