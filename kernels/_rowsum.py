"""Per-row sums of categorical rows over a batch of rows walked as one flat array (numba).

Rows of ``n`` entries stored one after another (a C-contiguous (rows, n) block, or one row)
are read in chunks of ``BLK`` entries — a whole number of rows per chunk, or a long row
chunk by chunk.  A branch-free map (``_simd``) computes every entry's term in SIMD lanes
whatever the row length (no padding, no call per row), then each row's sums are added in
row order (a row gives the same bits alone or inside a batch):

* ``kl_sums(p, q, n, r0, r1, ws)``: S₁ = Σ kl_div(p_i, q_i), D = Σ (p_i − q_i), P = Σ p_i,
  Q = Σ q_i of row r in ``ws[1..4, r − r0]``;
* ``xent_sums(p, q, n, r0, r1, ws)``: B = −Σ_{p_i > 0} p_i log q_i, P, Q (compensated pairs)
  and the number of q_i > 1 in ``ws[1..6, r − r0]``; ``entropy_sums(p, n, r0, r1, ws)``
  the same with q = p (Q = P summed once).

A row with an entry the map does not cover (NaN, inf, negative, subnormal, q_i = 0) gets
S₁ = NaN (B = NaN) and ``_categorical.py``, which owns the special values, evaluates it
again.  Accuracy: float64 rows take Neumaier-compensated sums (branch-free for non-negative
summands, max/min ordering the pair; each within ≈ 2 eps |Σ| + n eps² Σ|x_i|; D from the
compensated P and Q pairs); float32 rows (exactly widened) plain float64 sums in any order —
the non-negative ones within (n − 1)·2⁻⁵³ relative, D within n·2⁻⁵³·Σ|p_i − q_i| — far
below float32's half ULP.  Flags raised by discarded lanes are cleared once per call by the
kernels' driver (``_parallel.py``).

Example: with ``ws = np.empty((8, BLK))``, ``kl_sums(np.array([.6, .4]), np.array([.5, .5]),
2, 0, 1, ws)`` leaves ws[1:5, 0] = (0.0201355…, 0.0, 1.0, 1.0).
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _simd as _s
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
#: sums and maps picked per dtype (q None: entropy) by overloads: one variant compiled each
_OVERLOAD = dict(error_model="numpy", forceinline=True)
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


@njit(forceinline=True, error_model="numpy")
def _add_pos(s, c, x):
    """Neumaier-compensated s + x for s, x ≥ 0, branch-free: the larger of the two is
    max(s, x), so the rounding error of s + x is (max − t) + min, exactly."""
    t = s + x
    return t, c + ((max(s, x) - t) + min(s, x))


#: float32 rows' plain float64 sums in any order (LLVM vectorises them); never compensated
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


def _kl_acc(t, p, q, acc):
    """Add the segment (views indexed from 0: non-negative indices) into the row's sums
    (S₁, c, D, P, P_lo, Q, Q_lo); the overload below picks the sums for the dtype."""
    raise NotImplementedError("numba only")


def _kl_acc_exact(t, p, q, acc):
    s, c, d, ps, pc, qs, qc = acc  # float64: compensated (every summand ≥ 0 here)
    for k in range(t.shape[0]):
        s, c = _add_pos(s, c, t[k])
        ps, pc = _add_pos(ps, pc, p[k])
        qs, qc = _add_pos(qs, qc, q[k])
    return s, c, d, ps, pc, qs, qc


def _kl_acc_plain(t, p, q, acc):
    s, c, d, ps, pc, qs, qc = acc  # float32: plain float64 sums, D summed directly
    s1, d1, ps1, qs1 = _kl_plain(t, p, q)
    return s + s1, c, d + d1, ps + ps1, pc, qs + qs1, qc


@overload(_kl_acc, jit_options=_OVERLOAD)
def _kl_acc_typed(t, p, q, acc):
    return _kl_acc_plain if p.dtype == types.float32 else _kl_acc_exact


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
                acc = _kl_acc(t[k:k + n], pb[k:k + n], qb[k:k + n], zero)
                _kl_store(ws, c0 - r0 + r, exact, acc)
        return
    for r in range(r0, r1):  # long rows: chunk by chunk
        acc = zero
        for b in range(r * n, r * n + n, BLK):
            m = min(BLK, r * n + n - b)
            pb = p[b:b + m]
            qb = q[b:b + m]
            _kl_map(pb, qb, m, t)
            acc = _kl_acc(t[:m], pb, qb, acc)
        _kl_store(ws, r - r0, exact, acc)


@njit(**_PLAIN)
def _xent_plain(t, p, q):
    """(B, P, Q, number of q_i > 1): plain float64 sums over the segment (q None: q is p)."""
    s = ps = qs = over = 0.0
    for k in range(t.shape[0]):
        pk = np.float64(p[k])
        qk = pk if q is None else np.float64(q[k])
        s += t[k]
        ps += pk
        qs += qk
        over += 1.0 if qk > 1.0 else 0.0
    return s, ps, qs, over


def _xent_acc(t, p, q, acc):
    """``_kl_acc`` for (B, c, P, P_lo, Q, Q_lo, number of q_i > 1); q None: q is p."""
    raise NotImplementedError("numba only")


def _xent_acc_exact(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc
    for k in range(t.shape[0]):
        qk = q[k]
        s, c = _add(s, c, t[k])  # (signed: q_i > 1 gives a negative term)
        ps, pc = _add_pos(ps, pc, p[k])
        qs, qc = _add_pos(qs, qc, qk)
        over += 1.0 if qk > 1.0 else 0.0
    return s, c, ps, pc, qs, qc, over


def _entropy_acc_exact(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc
    for k in range(t.shape[0]):
        pk = p[k]
        s, c = _add(s, c, t[k])
        ps, pc = _add_pos(ps, pc, pk)
        over += 1.0 if pk > 1.0 else 0.0
    return s, c, ps, pc, ps, pc, over


def _xent_acc_plain(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc
    s1, ps1, qs1, over1 = _xent_plain(t, p, q)
    return s + s1, c, ps + ps1, pc, qs + qs1, qc, over + over1


@overload(_xent_acc, jit_options=_OVERLOAD)
def _xent_acc_typed(t, p, q, acc):
    if p.dtype == types.float32:
        return _xent_acc_plain
    return _entropy_acc_exact if q is types.none else _xent_acc_exact


def _xent_map(p, q, m, t):
    """t[k] = −p[k] log q[k], k < m (0 where p = 0, NaN where not covered; q None: q is p);
    float32 rows take the shorter logarithm (2⁻⁴⁴ relative; the overload picks)."""
    raise NotImplementedError("numba only")


def _xent_map_variant(log, same):
    def impl(p, q, m, t):
        for k in range(m):  # vectorises: no branch
            pi = np.float64(p[k])
            qi = pi if same else np.float64(q[k])
            good = _s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0))
            v = -pi * log(qi)
            v = 0.0 if pi == 0.0 else v
            t[k] = v if good else NAN
    return impl


@njit(forceinline=True, error_model="numpy")
def _log(x):
    return _s.log_ratio_normal(x, 1.0)


_XENT_MAPS = {(short, same): _xent_map_variant(_s.log_normal_short if short else _log, same)
              for short in (False, True) for same in (False, True)}


@overload(_xent_map, jit_options=_OVERLOAD)
def _xent_map_typed(p, q, m, t):
    return _XENT_MAPS[p.dtype == types.float32, q is types.none]


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
def xent_sums(p, q, n, r0, r1, ws):
    """ws[1..6, r − r0] = (B, P, P_lo, Q, Q_lo, number of q_i > 1) of rows r0 ≤ r < r1
    (float32 rows: P_lo = Q_lo = 0)."""
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
                _xent_store(ws, c0 - r0 + r, _xent_acc(t[k:k + n], pb[k:k + n], qb[k:k + n],
                                                       zero))
        return
    for r in range(r0, r1):  # long rows: chunk by chunk
        acc = zero
        for b in range(r * n, r * n + n, BLK):
            m = min(BLK, r * n + n - b)
            pb = p[b:b + m]
            qb = q[b:b + m]
            _xent_map(pb, qb, m, t)
            acc = _xent_acc(t[:m], pb, qb, acc)
        _xent_store(ws, r - r0, acc)


@njit(**_JIT)
def entropy_sums(p, n, r0, r1, ws):
    """``xent_sums`` with q = p (Q = P, summed once)."""
    t = ws[0]
    zero = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if n <= BLK:
        per = BLK // n
        for c0 in range(r0, r1, per):
            c1 = min(r1, c0 + per)
            a, m = c0 * n, (c1 - c0) * n
            pb = p[a:a + m]
            _xent_map(pb, None, m, t)
            for r in range(c1 - c0):
                k = r * n
                _xent_store(ws, c0 - r0 + r, _xent_acc(t[k:k + n], pb[k:k + n], None, zero))
        return
    for r in range(r0, r1):
        acc = zero
        for b in range(r * n, r * n + n, BLK):
            m = min(BLK, r * n + n - b)
            pb = p[b:b + m]
            _xent_map(pb, None, m, t)
            acc = _xent_acc(t[:m], pb, None, acc)
        _xent_store(ws, r - r0, acc)
