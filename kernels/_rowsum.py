"""Per-row sums of categorical rows over a batch of rows walked as one flat array (numba).

Rows of ``n`` entries stored one after another — a C-contiguous (rows, n) block, or a single
row — are read as one flat array in chunks of ``BLK`` entries.  A branch-free map
(``_simd``) computes the term of every entry of the chunk in SIMD lanes, whatever the row
length (rows of 10 entries vectorise like rows of 10 000; no padding per row, no call per
row), and the terms are then added into each row's sums, entry after entry in row order (a
row gives the same bits alone or inside a batch).

* ``kl_sums(p, q, n, r0, r1, ws)``: for each row r of [r0, r1), S₁ = Σ kl_div(p_i, q_i),
  D = Σ (p_i − q_i), P = Σ p_i, Q = Σ q_i in ``ws[1..4, r − r0]``;
* ``xent_sums(p, q, same, n, r0, r1, ws)``: B = −Σ_{p_i > 0} p_i log q_i, P, Q (as
  compensated pairs) and the number of q_i > 1 in ``ws[1..6, r − r0]`` (``same``: q is p,
  the entropy).

Rows of up to BLK entries are mapped a whole number of rows per chunk; longer rows chunk by
chunk, their sums carried across chunks.

A row holding an entry the map does not cover (NaN, inf, negative, subnormal, q_i = 0) gets
S₁ = NaN (B = NaN): ``_categorical.py``, which owns the special values, evaluates it again
with its scalar loops.  Accuracy: float64 rows are summed with Neumaier compensation
(branch-free for sums of non-negative summands, where max/min order the pair; each sum
within ≈ 2 eps |Σ| + n eps² Σ|x_i|; D from the compensated P and Q pairs); float32
rows (exactly widened) with plain float64 sums — the non-negative sums within (n − 1)·2⁻⁵³
relative, D = Σ (p_i − q_i) within n·2⁻⁵³·Σ|p_i − q_i| — far below float32's half ULP
(the result is only rounded to float32).  The floating-point flags raised by discarded
lanes are cleared once per call by the kernels' driver (``_parallel.py``).

Example: with ``ws = np.empty((8, BLK))``, ``kl_sums(np.array([.6, .4]), np.array([.5, .5]),
2, 0, 1, ws)`` leaves ws[1:5, 0] = (0.0201355…, 0.0, 1.0, 1.0).
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
#: entries per chunk of the flat walk (the terms' buffer, ``ws[0]``, stays in L1)
BLK = 1024
#: rows per batch: the per-row sums live in ``ws[1:, :ROWS]``
ROWS = 256


@njit(**_JIT)
def _kl_map(p, q, m, t):
    """t[k] = kl_div(p[k], q[k]) for k < m (q where p = 0; NaN where not covered)."""
    for k in range(m):  # vectorises: no branch
        pi = np.float64(p[k])
        qi = np.float64(q[k])
        good = _s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0))
        v = _s.kl_div_normal(pi, qi)
        v = qi if pi == 0.0 else v
        t[k] = v if good else NAN


@njit(**_JIT)
def _xent_map(p, q, m, t):
    """t[k] = −p[k] log q[k] for k < m (0 where p = 0; NaN where not covered)."""
    for k in range(m):  # vectorises: no branch
        pi = np.float64(p[k])
        qi = np.float64(q[k])
        good = _s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0))
        v = -pi * _s.log_ratio_normal(qi, 1.0)
        v = 0.0 if pi == 0.0 else v
        t[k] = v if good else NAN


@njit(forceinline=True, error_model="numpy")
def _add_pos(s, c, x):
    """Neumaier-compensated s + x for s, x ≥ 0, branch-free: the larger of the two is
    max(s, x), so the rounding error of s + x is (max − t) + min, exactly."""
    t = s + x
    return t, c + ((max(s, x) - t) + min(s, x))


#: the plain float64 sums of float32 rows may be added in any order (their error stays far
#: below float32's resolution): LLVM vectorises them; never used on compensated sums
_PLAIN = dict(fastmath={"reassoc"}, forceinline=True, error_model="numpy")


@njit(**_PLAIN)
def _kl_plain(t, p, q):
    s = d = ps = qs = 0.0
    for k in range(t.shape[0]):
        pk = np.float64(p[k])
        qk = np.float64(q[k])
        s += t[k]
        d += pk - qk
        ps += pk
        qs += qk
    return s, d, ps, qs


@njit(forceinline=True, error_model="numpy")
def _kl_acc(t, p, q, exact, acc):
    """Add the entries of the segment (t, p, q: views of equal length, indexed from 0, so
    the loops see non-negative indices) into the row's sums acc = (S₁, c, D, P, P_lo, Q,
    Q_lo)."""
    s, c, d, ps, pc, qs, qc = acc
    if exact:  # float64: compensated (every summand ≥ 0 on a row the map covers)
        for k in range(t.shape[0]):
            s, c = _add_pos(s, c, t[k])
            ps, pc = _add_pos(ps, pc, np.float64(p[k]))
            qs, qc = _add_pos(qs, qc, np.float64(q[k]))
        return s, c, d, ps, pc, qs, qc
    # float32: plain float64 sums, D summed directly
    s1, d1, ps1, qs1 = _kl_plain(t, p, q)
    return s + s1, c, d + d1, ps + ps1, pc, qs + qs1, qc


@njit(forceinline=True, error_model="numpy")
def _kl_store(ws, r, exact, acc):
    s, c, d, ps, pc, qs, qc = acc
    ws[1, r] = s + c
    # float64: D from the compensated pairs — ps − qs is exact when the totals are within a
    # factor 2 (Sterbenz), so D carries only the pairs' error
    ws[2, r] = ((ps - qs) + (pc - qc)) if exact else d
    ws[3, r] = ps + pc
    ws[4, r] = qs + qc


@njit(**_JIT)
def kl_sums(p, q, n, r0, r1, ws):
    """ws[1..4, r − r0] = (S₁, D, P, Q) of rows r0 ≤ r < r1 of the flat arrays p, q."""
    exact = p.itemsize == 8
    t = ws[0]
    zero = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if n <= BLK:  # whole rows per chunk
        per = BLK // n
        for c0 in range(r0, r1, per):
            c1 = min(r1, c0 + per)
            a, m = c0 * n, (c1 - c0) * n
            pb = p[a:a + m]  # (views indexed from 0: the map sees non-negative indices)
            qb = q[a:a + m]
            _kl_map(pb, qb, m, t)
            for r in range(c1 - c0):
                k = r * n
                acc = _kl_acc(t[k:k + n], pb[k:k + n], qb[k:k + n], exact, zero)
                _kl_store(ws, c0 - r0 + r, exact, acc)
        return
    for r in range(r0, r1):  # long rows: chunk by chunk
        acc = zero
        for b in range(r * n, r * n + n, BLK):
            m = min(BLK, r * n + n - b)
            pb = p[b:b + m]
            qb = q[b:b + m]
            _kl_map(pb, qb, m, t)
            acc = _kl_acc(t[:m], pb, qb, exact, acc)
        _kl_store(ws, r - r0, exact, acc)


@njit(**_PLAIN)
def _xent_plain(t, p, q, same):
    """(B, P, Q, number of q_i > 1): plain float64 sums over the segment."""
    s = ps = qs = over = 0.0
    if same:
        for k in range(t.shape[0]):
            pk = np.float64(p[k])
            s += t[k]
            ps += pk
            over += 1.0 if pk > 1.0 else 0.0
        return s, ps, ps, over
    for k in range(t.shape[0]):
        qk = np.float64(q[k])
        s += t[k]
        ps += np.float64(p[k])
        qs += qk
        over += 1.0 if qk > 1.0 else 0.0
    return s, ps, qs, over


@njit(forceinline=True, error_model="numpy")
def _xent_acc(t, p, q, exact, same, acc):
    """Add the segment (views, as ``_kl_acc``) into acc = (B, c, P, P_lo, Q, Q_lo, number of
    q_i > 1)."""
    s, c, ps, pc, qs, qc, over = acc
    if not exact:
        s1, ps1, qs1, over1 = _xent_plain(t, p, q, same)
        return s + s1, c, ps + ps1, pc, qs + qs1, qc, over + over1
    if same:
        for k in range(t.shape[0]):
            pk = np.float64(p[k])
            s, c = _add(s, c, t[k])  # (signed: p_i > 1 gives a negative term)
            ps, pc = _add_pos(ps, pc, pk)
            over += 1.0 if pk > 1.0 else 0.0
        return s, c, ps, pc, ps, pc, over
    for k in range(t.shape[0]):
        qk = np.float64(q[k])
        s, c = _add(s, c, t[k])
        ps, pc = _add_pos(ps, pc, np.float64(p[k]))
        qs, qc = _add_pos(qs, qc, qk)
        over += 1.0 if qk > 1.0 else 0.0
    return s, c, ps, pc, qs, qc, over


@njit(forceinline=True, error_model="numpy")
def _xent_store(ws, r, acc):
    s, c, ps, pc, qs, qc, qm = acc
    ws[1, r] = s + c
    ws[2, r] = ps
    ws[3, r] = pc
    ws[4, r] = qs
    ws[5, r] = qc
    ws[6, r] = qm


@njit(**_JIT)
def xent_sums(p, q, same, n, r0, r1, ws):
    """ws[1..6, r − r0] = (B, P, P_lo, Q, Q_lo, number of q_i > 1) of rows r0 ≤ r < r1
    (float32 rows: P_lo = Q_lo = 0); ``same``: q is p (entropy: Q = P, summed once)."""
    exact = p.itemsize == 8
    t = ws[0]
    zero = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if n <= BLK:  # whole rows per chunk
        per = BLK // n
        for c0 in range(r0, r1, per):
            c1 = min(r1, c0 + per)
            a, m = c0 * n, (c1 - c0) * n
            pb = p[a:a + m]
            qb = q[a:a + m]
            _xent_map(pb, qb, m, t)
            for r in range(c1 - c0):
                k = r * n
                acc = _xent_acc(t[k:k + n], pb[k:k + n], qb[k:k + n], exact, same, zero)
                _xent_store(ws, c0 - r0 + r, acc)
        return
    for r in range(r0, r1):
        acc = zero
        for b in range(r * n, r * n + n, BLK):
            m = min(BLK, r * n + n - b)
            pb = p[b:b + m]
            qb = q[b:b + m]
            _xent_map(pb, qb, m, t)
            acc = _xent_acc(t[:m], pb, qb, exact, same, acc)
        _xent_store(ws, r - r0, acc)
