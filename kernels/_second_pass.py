"""The cross-entropy second pass of ``_categorical.py`` (numba): a direct sum of non-negative
terms for the rows whose one-pass sums cancel or lose a term (the KL rows have their own,
``_near_equal.kl_renorm``).

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
from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)


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
