"""The second pass of ``_categorical.py`` (numba): direct sums of non-negative terms for the
rows whose one-pass sums cancel or lose a term.

``kl_rescaled``: Σ kl_div(p_i, c·q_i) with c = P/Q in double-double (the KL rows).

``xent_direct``: the cross-entropy (or entropy) of a row, times P,

    Σ_{p_i > 0} p_i·log(Q/q_i),  Q = Σ q_i,

every term ≥ 0.  The largest entry q_k may carry nearly all of Q: its term
p_k·log(Q/q_k) = p_k·log1p(R/q_k) is formed from R = Σ_{j≠k} q_j (compensated), not from
log Q − log q_k — when Q rounds to q_k (a confident softmax row, ``[1e-16, 1, 1e-16]``, or
``[.2, 1e300, .5]``) the latter loses the term entirely.  Every other entry has
q_i ≤ Q − q_k, so q_i ≤ Q/2 and log(Q/q_i) ≥ log 2 is well conditioned; Q is used as the
pair q_k + R.  Rows are scaled by the powers of two sp (p) and sq (q) on the way in (exact;
the caller picks them so that the totals are normal and finite).

Domain: finite non-negative entries, q_i > 0 wherever p_i > 0, Q > 0 (the caller checks).

Example: ``xent_direct(np.array([1e-16, 1., 1e-16]), np.array([1e-16, 1., 1e-16]), 1., 1.)``
= 2·1e-16·log(1e16) + log1p(2e-16) ≈ 7.5683e-15 (the entropy of that row, times its total).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _simd as _s
from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)


@njit(**_JIT)
def kl_rescaled(p, q, sp_, sq, ph, pl, qh, ql):
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


@njit(**_JIT)
def xent_direct(p, q, sp, sq):
    """Σ_{p_i > 0} p_i·log(Q/q_i) of the rows p·sp, q·sq (see the module docstring; q is p
    for the entropy)."""
    n = p.shape[0]
    k = 0
    qk = -1.0
    for i in range(n):
        qi = np.float64(q[i])
        if qi > qk:
            qk = qi
            k = i
    qk *= sq
    r, rc = 0.0, 0.0
    for i in range(n):
        if i != k:
            r, rc = _add(r, rc, np.float64(q[i]) * sq)
    rh, rl = _p.two_sum(r, rc)
    qh, ql = _p.two_sum(qk, rh)
    ql += rl
    corr = ql / qh
    s, c = 0.0, 0.0
    for i in range(n):
        pi = np.float64(p[i]) * sp
        if pi == 0.0:
            continue
        if i == k:
            t = pi * math.log1p((rh + rl) / qk)
        else:
            t = pi * (_p.log_ratio(qh, np.float64(q[i]) * sq) + corr)
        s, c = _add(s, c, t)
    return s + c
