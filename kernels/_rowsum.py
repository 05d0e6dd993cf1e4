"""Per-row sums of categorical rows over a batch of rows walked as one flat array (numba).

Rows of ``n`` entries stored one after another (a C-contiguous (rows, n) block, or one row)
are read in chunks of ``BLK`` entries — a whole number of rows per chunk, or a long row
chunk by chunk — by one loop, ``row_sums(map, acc, store, …)``, which each kernel calls
with its own functions (numba compiles one variant per kernel × dtype).  A branch-free map
(``_simd``) computes every entry's term in SIMD lanes whatever the row length (no padding,
no call per row), then each row's sums are added in row order (a row gives the same bits
alone or inside a batch):

* ``kl_sums(p, q, n, r0, r1, ws)``: S₁ = Σ kl_div(p_i, q_i), D = Σ (p_i − q_i), P = Σ p_i,
  Q = Σ q_i of row r in ``ws[1..4, r − r0]``;
* ``xent_sums(p, q, n, r0, r1, ws)``: B = −Σ_{p_i > 0} p_i log q_i, P, Q (compensated pairs)
  and the number of negative terms (p_i > 0 where q_i > 1) in ``ws[1..6, r − r0]``;
  ``entropy_sums(p, n, r0, r1, ws)`` the same with q = p (Q = P summed once).

A row with an entry the map does not cover (NaN, inf, negative, subnormal, q_i = 0) gets
S₁ = NaN (B = NaN) and ``_categorical.py``, which owns the special values, evaluates it
again.  Accuracy: float64 rows are summed exactly but for one rounding per row segment of at
most BLK entries and a Neumaier-compensated fold of the segments (``_exactsum``: σ-splitting,
in SIMD lanes; each sum within ≈ 2 eps |Σ| + (segments)·eps² Σ|x_i|; D from the compensated
P and Q pairs); float32 rows (exactly widened) plain float64 sums in any order — the
non-negative ones within (n − 1)·2⁻⁵³ relative, D within n·2⁻⁵³·Σ|p_i − q_i| — far below
float32's half ULP.  Flags raised by discarded lanes are cleared once per call by the
kernels' driver (``_parallel.py``).

Example: with ``ws = np.empty((8, BLK))``, ``kl_sums(np.array([.6, .4]), np.array([.5, .5]),
2, 0, 1, ws)`` leaves ws[1:5, 0] = (0.0201355…, 0.0, 1.0, 1.0).
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _exactsum as _x
from . import _simd as _s
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy")
_MAP = dict(_JIT, **INTERNAL)  # the maps: called from the kernels only
#: sums and maps picked per dtype (q None: entropy) by overloads: one variant compiled each
_OVERLOAD = dict(error_model="numpy", forceinline=True, **INTERNAL)
_INLINE = dict(forceinline=True, error_model="numpy", **INTERNAL)
NAN = math.nan
#: entries per chunk of the flat walk (the terms' buffer, ``ws[0]``, stays in L1;
#: at most ``_exactsum.MAX_TERMS``)
BLK = 1024
#: rows per batch: the per-row sums live in ``ws[1:, :ROWS]``
ROWS = 256
_ZERO = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _seg(x, a, b):
    """x[a:b], or None for None (entropy's q)."""
    raise NotImplementedError("numba only")


@overload(_seg, jit_options=_OVERLOAD)
def _seg_typed(x, a, b):
    if x is types.none:
        return lambda x, a, b: None
    return lambda x, a, b: x[a:b]


@njit(inline="always", error_model="numpy")
def row_sums(mapf, accf, storef, p, q, n, r0, r1, ws):
    """The one chunk loop: rows r0 ≤ r < r1 of the flat arrays p, q (q None: entropy).

    ``mapf(p, q, m, t)`` writes the m terms of a chunk into t = ws[0]; ``accf(t, p, q,
    acc)`` adds a segment of one row (views indexed from 0) into the row's 7-tuple of sums;
    ``storef(ws, r, exact, acc)`` writes row r's sums into ws[1:, r] (exact: float64 rows).
    Rows of n ≤ BLK entries go a whole number of rows per chunk, longer rows chunk by chunk.
    Inlined as numba IR into its one caller per kernel (no function of its own to compile:
    as a separate function its code went through LLVM once more, ~0.5 s of a first use).
    """
    exact = p.itemsize == 8
    t = ws[0]
    if n <= BLK:  # whole rows per chunk
        per = BLK // n
        for c0 in range(r0, r1, per):
            c1 = c0 + per if c0 + per < r1 else r1  # (no min(): one overload fewer)
            a, m = c0 * n, (c1 - c0) * n
            pb = p[a:a + m]  # (views indexed from 0: the map sees non-negative indices)
            qb = _seg(q, a, a + m)
            mapf(pb, qb, m, t)
            for r in range(c1 - c0):
                k = r * n
                acc = accf(t[k:k + n], pb[k:k + n], _seg(qb, k, k + n), _ZERO)
                storef(ws, c0 - r0 + r, exact, acc)
        return
    for r in range(r0, r1):  # long rows: chunk by chunk
        acc = _ZERO
        for b in range(r * n, r * n + n, BLK):
            m = r * n + n - b if r * n + n - b < BLK else BLK
            pb = p[b:b + m]
            qb = _seg(q, b, b + m)
            mapf(pb, qb, m, t)
            acc = accf(t[:m], pb, qb, acc)
        storef(ws, r - r0, exact, acc)


# --- KL: S₁ = Σ kl_div(p_i, q_i), D, P, Q ---

@njit(**_MAP)
def kl_map(p, q, m, t):
    """t[k] = kl_div(p[k], q[k]) for k < m (q where p = 0; NaN where not covered)."""
    for k in range(m):  # vectorises: no branch
        pi = np.float64(p[k])
        qi = np.float64(q[k])
        good = _s.is_normal(qi) & (_s.is_normal(pi) | (pi == 0.0))
        v = _s.kl_div_normal(pi, qi)
        v = qi if pi == 0.0 else v
        t[k] = v if good else NAN


#: float32 rows' plain float64 sums in any order (LLVM vectorises them); never compensated
_PLAIN = dict(fastmath={"reassoc"}, forceinline=True, error_model="numpy", **INTERNAL)


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


def _kl_acc_for(t, p, q, acc):
    """Add the segment into the row's sums (S₁, c, D, P, P_lo, Q, Q_lo); the overload picks
    the sums for the dtype."""
    raise NotImplementedError("numba only")


def _kl_acc_exact(t, p, q, acc):
    s, c, d, ps, pc, qs, qc = acc  # float64: exact segment sums, compensated across them
    th, tl, ph, pl, qh, ql, _ = _x.split_sums3(t, p, q)
    s, c = _x.fold(s, c, th, tl)
    ps, pc = _x.fold(ps, pc, ph, pl)
    qs, qc = _x.fold(qs, qc, qh, ql)
    return s, c, d, ps, pc, qs, qc


def _kl_acc_plain(t, p, q, acc):
    s, c, d, ps, pc, qs, qc = acc  # float32: plain float64 sums, D summed directly
    s1, d1, ps1, qs1 = _kl_plain(t, p, q)
    return s + s1, c, d + d1, ps + ps1, pc, qs + qs1, qc


@overload(_kl_acc_for, jit_options=_OVERLOAD)
def _kl_acc_typed(t, p, q, acc):
    return _kl_acc_plain if p.dtype == types.float32 else _kl_acc_exact


@njit(**_INLINE)
def kl_acc(t, p, q, acc):
    return _kl_acc_for(t, p, q, acc)


@njit(**_INLINE)
def kl_store(ws, r, exact, acc):
    s, c, d, ps, pc, qs, qc = acc
    ws[1, r] = s + c
    # float64: D from the compensated pairs — ps − qs is exact when the totals are within a
    # factor 2 (Sterbenz), so D carries only the pairs' error
    ws[2, r] = ((ps - qs) + (pc - qc)) if exact else d
    ws[3, r] = ps + pc
    ws[4, r] = qs + qc


@njit(**_JIT)
def kl_sums(p, q, n, r0, r1, ws):
    """ws[1..4, r − r0] = (S₁, D, P, Q) of rows r0 ≤ r < r1 of the flat arrays p, q.  (The
    kernels call ``row_sums`` with these functions themselves: a level fewer to compile.)"""
    row_sums(kl_map, kl_acc, kl_store, p, q, n, r0, r1, ws)


# --- cross-entropy and entropy: B = −Σ p_i log q_i, P, Q, number of negative terms ---

@njit(**_PLAIN)
def _xent_plain(t, p, q):
    """(B, P, Q, number of negative terms): plain float64 sums over the segment (q None: q
    is p)."""
    s = ps = qs = over = 0.0
    for k in range(t.shape[0]):
        pk = np.float64(p[k])
        qk = pk if q is None else np.float64(q[k])
        s += t[k]
        ps += pk
        qs += qk
        over += 1.0 if t[k] < 0.0 else 0.0
    return s, ps, qs, over


def _xent_acc_for(t, p, q, acc):
    """``_kl_acc_for`` for (B, c, P, P_lo, Q, Q_lo, number of negative terms); q None: q is
    p."""
    raise NotImplementedError("numba only")


def _xent_acc_exact(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc  # (B signed: q_i > 1 gives a negative term, counted)
    th, tl, ph, pl, qh, ql, neg = _x.split_sums3(t, p, q)
    s, c = _x.fold(s, c, th, tl)
    ps, pc = _x.fold(ps, pc, ph, pl)
    qs, qc = _x.fold(qs, qc, qh, ql)
    return s, c, ps, pc, qs, qc, over + neg


def _entropy_acc_exact(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc
    th, tl, ph, pl, neg = _x.split_sums2(t, p)
    s, c = _x.fold(s, c, th, tl)
    ps, pc = _x.fold(ps, pc, ph, pl)
    return s, c, ps, pc, ps, pc, over + neg


def _xent_acc_plain(t, p, q, acc):
    s, c, ps, pc, qs, qc, over = acc
    s1, ps1, qs1, over1 = _xent_plain(t, p, q)
    return s + s1, c, ps + ps1, pc, qs + qs1, qc, over + over1


@overload(_xent_acc_for, jit_options=_OVERLOAD)
def _xent_acc_typed(t, p, q, acc):
    if p.dtype == types.float32:
        return _xent_acc_plain
    return _entropy_acc_exact if q is types.none else _xent_acc_exact


@njit(**_INLINE)
def xent_acc(t, p, q, acc):
    return _xent_acc_for(t, p, q, acc)


def _xent_map_for(p, q, m, t):
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


@njit(**_INLINE)
def _log(x):
    return _s.log_ratio_normal(x, 1.0)


_XENT_MAPS = {(short, same): _xent_map_variant(_s.log_normal_short if short else _log, same)
              for short in (False, True) for same in (False, True)}


@overload(_xent_map_for, jit_options=_OVERLOAD)
def _xent_map_typed(p, q, m, t):
    return _XENT_MAPS[p.dtype == types.float32, q is types.none]


@njit(**_MAP)
def xent_map(p, q, m, t):
    _xent_map_for(p, q, m, t)


@njit(**_INLINE)
def xent_store(ws, r, exact, acc):
    s, c, ps, pc, qs, qc, qm = acc
    ws[1, r] = s + c
    ws[2, r] = ps
    ws[3, r] = pc
    ws[4, r] = qs
    ws[5, r] = qc
    ws[6, r] = qm


@njit(**_JIT)
def xent_sums(p, q, n, r0, r1, ws):
    """ws[1..6, r − r0] = (B, P, P_lo, Q, Q_lo, number of negative terms) of rows r0 ≤ r < r1
    (float32 rows: P_lo = Q_lo = 0)."""
    row_sums(xent_map, xent_acc, xent_store, p, q, n, r0, r1, ws)


@njit(**_JIT)
def entropy_sums(p, n, r0, r1, ws):
    """``xent_sums`` with q = p (Q = P, summed once)."""
    row_sums(xent_map, xent_acc, xent_store, p, None, n, r0, r1, ws)
