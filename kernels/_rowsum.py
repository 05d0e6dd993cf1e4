"""Vectorised sums of categorical rows of any length, short rows included (numba).

A row is walked in chunks of up to ``_streams.BLOCK`` entries: the chunk is widened to
float64 into a buffer padded to a multiple of eight (float32 rows are read directly — no
converted copy of the array), a branch-free map (``_simd``) computes every term of the chunk
in SIMD lanes with no scalar remainder, and the terms are then added to Neumaier-compensated
row sums.  This keeps rows of 10 or 100 entries as cheap per entry as long ones (the
pairwise ``_streams`` path pads each row to a power of two and sums it as a tree).

* ``kl_div_sums(p, q, ws)`` → (ok, S₁, D, P, Q): S₁ = Σ kl_div(p_i, q_i), P = Σ p_i,
  Q = Σ q_i and D = P − Q from the compensated pairs (``_categorical.kl_categorical_row``
  turns them into KL(p̂ ‖ q̂));
* ``xent_sums(p, q, same, ws)`` → (ok, B, P, P_lo, Q, Q_lo, over): B = −Σ p_i log q_i over
  p_i > 0, ``over``: some q_i > 1 (``same``: q is p, the entropy: Q = P is not summed
  twice, and rows past 32 entries interleave two accumulators per sum).

No function here clears the floating-point flags its discarded lanes raise (a libc call
per row would cost more than a short row): the kernels' driver (``_parallel.py``) clears
them once per call.  ``ok`` is False when the row holds an entry the branch-free map does
not cover (NaN, inf, negative, subnormal, or q_i = 0): the scalar loops of
``_categorical.py``, which own the
special values, then evaluate that row.  Error: each sum is compensated, so within
≈ 2 eps |Σ| + n eps² Σ|x_i| of the exact sum of the terms; each term is within a few ULP
(``klforge verify`` measures the kernels built on them).

Example: ``kl_div_sums(np.array([.6, .4]), np.array([.5, .5]), np.empty((8, 256)))`` →
(True, 0.0201355…, 0.0, 1.0, 1.0).
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._primitives import neumaier_add as _add
from ._streams import BLOCK

_JIT = dict(cache=True, error_model="numpy")
INF = math.inf


@njit(inline="always", error_model="numpy")
def _widen(x, start, m, ws, k, pad):
    """ws[k, :m] = float64(x[start:start + m]); ws[k, m:] = pad up to a multiple of 8;
    returns that padded length.  (``ws`` is indexed, never sliced: a view would cost two
    atomic reference-count updates per row.)"""
    mm = (m + 7) // 8 * 8
    for i in range(m):
        ws[k, i] = np.float64(x[start + i])
    for i in range(m, mm):
        ws[k, i] = pad
    return mm


@njit(**_JIT)
def kl_div_sums(p, q, ws):
    """(ok, S₁, D, P, Q) of a row of non-negative weights; ``ws``: scratch, 3 × BLOCK."""
    n = p.shape[0]
    s, c, ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        mm = _widen(p, start, m, ws, 0, 1.0)
        _widen(q, start, m, ws, 1, 1.0)
        bad = False
        for i in range(mm):  # vectorises: a multiple of 8 lanes, no branch
            pi = ws[0, i]
            qi = ws[1, i]
            bad |= not (_s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0)))
            t = _s.kl_div_normal(pi, qi)
            ws[2, i] = qi if pi == 0.0 else t
        if bad:
            return False, 0.0, 0.0, 0.0, 0.0
        for i in range(m):
            s, c = _add(s, c, ws[2, i])
            ps, pc = _add(ps, pc, ws[0, i])
            qs, qc = _add(qs, qc, ws[1, i])
    # D = P − Q from the compensated pairs: ps − qs is exact when the totals are within a
    # factor 2 (Sterbenz), so D carries the pairs' error (≈ n·eps²·(P + Q)), no more.
    d = (ps - qs) + (pc - qc)
    return True, s + c, d, ps + pc, qs + qc


@njit(inline="always", error_model="numpy")
def _xent_map(ws, kq, mm, over):
    """ws[2, i] = −p_i log q_i (0 where p_i = 0), p in row 0, q in row ``kq`` (a constant
    at each call, so the loop vectorises); returns (some entry not covered, over)."""
    bad = False
    for i in range(mm):  # vectorises: a multiple of 8 lanes, no branch
        pi = ws[0, i]
        qi = ws[kq, i]
        bad |= not (_s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0)))
        over |= qi > 1.0
        t = -pi * _s.log_ratio_normal(qi, 1.0)
        ws[2, i] = 0.0 if pi == 0.0 else t
    return bad, over


@njit(**_JIT)
def xent_sums(p, q, same, ws):
    """(ok, B, P, P_lo, Q, Q_lo, over) with B = −Σ_{p_i > 0} p_i log q_i, the totals as
    compensated pairs and ``over`` true when some q_i > 1; ``same``: q is p (entropy: q is
    not read, Q = P).  ``ws``: scratch, 3 × BLOCK."""
    n = p.shape[0]
    over = False
    b, bc, ps, pc, qs, qc = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    b2, bc2, ps2, pc2 = 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        mm = _widen(p, start, m, ws, 0, 1.0)
        if not same:
            _widen(q, start, m, ws, 1, 1.0)
        if same:
            bad, over = _xent_map(ws, 0, mm, over)
        else:
            bad, over = _xent_map(ws, 1, mm, over)
        if bad:
            return False, 0.0, 0.0, 0.0, 0.0, 0.0, False
        if not same:  # cross-entropy: one compensated chain per sum
            for i in range(m):
                b, bc = _add(b, bc, ws[2, i])
                ps, pc = _add(ps, pc, ws[0, i])
                qs, qc = _add(qs, qc, ws[1, i])
            continue
        # entropy: two sums only (Q = P); past 32 entries two interleaved accumulators per
        # sum (even and odd entries) double the instruction-level parallelism
        h = m // 2 * 2 if m >= 32 else 0
        for i in range(0, h, 2):
            b, bc = _add(b, bc, ws[2, i])
            b2, bc2 = _add(b2, bc2, ws[2, i + 1])
            ps, pc = _add(ps, pc, ws[0, i])
            ps2, pc2 = _add(ps2, pc2, ws[0, i + 1])
        for i in range(h, m):
            b, bc = _add(b, bc, ws[2, i])
            ps, pc = _add(ps, pc, ws[0, i])
    if not same:
        return True, b + bc, ps, pc, qs, qc, over
    b, bc = _add(b, bc + bc2, b2)
    ps, pc = _add(ps, pc + pc2, ps2)
    return True, b + bc, ps, pc, ps, pc, over
