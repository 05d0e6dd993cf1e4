"""kl_logits' per-entry map and per-row sums, per dtype (numba), for :mod:`._logits_pass`.

* ``_map(a, b, ws, m)``: ws[0..2, k] = w_k, w_k·e_k, w_k·expm1mx(e_k) for k < m, with
  w_k = exp(a_k − max a) and e_k = (b_k − a_k) − c, max a and the centre c (high, low) read
  per entry from ws[3..5, k] (so one loop covers many short rows); masked entries
  (a_k = −inf) give zeros, an entry the map does not cover (b_k = −inf against a live a_k,
  a_k − max a < −700, |e_k| > 600) a NaN weight.  float64: a_k − max a, b_k − a_k and e_k in
  double-double, ``_simd.expm1mx_normal``; float32: plain float64 and ``_expm1mx_light``.
* ``_acc(a, ws, k0, k1, acc)``: the row's sums (z, zc, s0, c0, s2, c2) plus entries
  k0 ≤ k < k1: float64 Neumaier-compensated in entry order; float32 plain sums in any order.
* ``_centre(a, b, max a, max b)``: the row's first centre: float64 b_k − a_k at the first k
  with a_k = max a; float32 max b (the float32 map takes e = ((b − max b) − (a − max a)) − low).

Each is an overload picking the called dtype's variant, so only that one is typed and
compiled (a branch for the other dtype, even dead, cost ~1 s of first use).

Example (inside numba): with ws[3:6, :2] = (max a, c, 0), ``_map(a, b, ws, 2)`` fills
ws[0:3, :2]; see ``_logits_pass.kl_logits_rows``.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _primitives as _p
from . import _simd as _s
from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

NAN = math.nan
INF = math.inf
_INL = dict(forceinline=True, error_model="numpy", cache=True, **INTERNAL)
_IR = dict(inline="always", error_model="numpy", cache=True)
#: the per-dtype variants are picked by overloads: only the called dtype's is compiled
_PER_DTYPE = dict(error_model="numpy", **INTERNAL)


@njit(**_INL)
def _exp(x):
    """``_simd.exp_normal`` behind one function LLVM inlines (numba's IR inlining of it at
    every call site is what costs compile time)."""
    return _s.exp_normal(x)


@njit(**_INL)
def _expm1mx_light(x):
    """exp(x) − 1 − x for |x| ≤ 700 from exp's own reduction x = k·ln 2 + r (``_simd``):
    2^k·r²Q(r) + (2^k·r + 2^k − 1 − x), which is r²Q(r) exactly when k = 0 (|x| ≤ ln2/2,
    full relative accuracy) and cancels by at most ≈ 10× beyond: within ~10 eps, for the
    float32 rows only (the float64 ones use ``_simd.expm1mx_normal``, a few eps).  Costs
    what exp does."""
    two_k, r = _s._reduce_exp(x)
    return _s.fma(two_k, (r * r) * _s.exp_q(r), _s.fma(two_k, r, (two_k - 1.0) - x))


def _f64(a) -> bool:
    """Whether the numba array type ``a`` holds float64 (else float32)."""
    return a.dtype != types.float32


@njit(**_IR)
def _clamp(x, lo, hi):
    """min(max(x, lo), hi), NaN → lo (no min/max overloads to compile)."""
    x = x if x > lo else lo
    return x if x < hi else hi


def _centre(a, b, amax, bmax):
    """The row's first centre (high, low): float64 b_k − a_k at the first k where a_k =
    max a; float32 max b (the map takes e = ((b − max b) − (a − max a)) − low)."""
    raise NotImplementedError("numba only")


def _centre_f64(a, b, amax, bmax):
    for i in range(a.shape[0]):
        if np.float64(a[i]) == amax:
            return np.float64(b[i]) - amax, 0.0
    return 0.0, 0.0


def _centre_f32(a, b, amax, bmax):
    return bmax, 0.0


@overload(_centre, jit_options=_PER_DTYPE)
def _centre_typed(a, b, amax, bmax):
    return _centre_f64 if _f64(a) else _centre_f32


def _map_f64(a, b, ws, m):
    for i in range(m):  # vectorises: no branch
        ai = np.float64(a[i])
        bi = np.float64(b[i])
        live = ai != -INF
        th, tl = _p.two_sum(ai, -ws[3, i])
        dh, dl = _p.two_sum(bi, -ai)
        eh, el = _p.two_sum(dh, -ws[4, i])
        eh, el = _p.two_sum(eh, (el + dl) - ws[5, i])
        bad = (bi == -INF) | (th < -700.0) | (eh > 600.0) | (eh < -600.0)
        wt = _exp(th if th > -700.0 else -700.0)
        w = _s.fma(wt, tl, wt)
        g = _s.expm1mx_normal(_clamp(eh, -600.0, 600.0))
        ws[0, i] = (NAN if bad else w) if live else 0.0
        ws[1, i] = _s.fma(w, eh, w * el) if live else 0.0
        ws[2, i] = _s.fma(w, g, w * (el * (g + eh))) if live else 0.0


def _map_f32(a, b, ws, m):
    for i in range(m):
        ai = np.float64(a[i])
        bi = np.float64(b[i])
        live = ai != -INF
        t = ai - ws[3, i]
        e = ((bi - ws[4, i]) - t) - ws[5, i]
        bad = (bi == -INF) | (t < -700.0) | (e > 600.0) | (e < -600.0)
        w = _exp(t if t > -700.0 else -700.0)
        g = _expm1mx_light(_clamp(e, -600.0, 600.0))
        ws[0, i] = (NAN if bad else w) if live else 0.0
        ws[1, i] = w * e if live else 0.0
        ws[2, i] = w * g if live else 0.0


def _map(a, b, ws, m):
    """ws[0..2, k] = the terms of entry k < m (masked entries: 0; an entry the map does not
    cover: NaN weight), from max a and the centre in ws[3..5, k]."""
    raise NotImplementedError("numba only")


@overload(_map, jit_options=_PER_DTYPE)
def _map_typed(a, b, ws, m):
    return _map_f64 if _f64(a) else _map_f32


@njit(forceinline=True, error_model="numpy", cache=True, fastmath={"reassoc"}, **INTERNAL)
def _sum(t):
    """Σ t, plain float64, in the order LLVM picks when allowed to reassociate (partial
    sums in vector lanes; error ≲ eps·m/32·Σ|t|, far below what a float32 result needs).
    The order depends on len(t) only, so a row sums alike alone or in a batch."""
    s = 0.0
    for i in range(t.shape[0]):
        s += t[i]
    return s


def _acc(a, ws, k0, k1, acc):
    """Add the terms ws[0..2, k0:k1] into the row's sums (z, zc, s0, c0, s2, c2)."""
    raise NotImplementedError("numba only")


def _acc_f64(a, ws, k0, k1, acc):
    z, zc, s0, c0, s2, c2 = acc  # Neumaier-compensated, in entry order
    for i in range(k0, k1):
        z, zc = _add(z, zc, ws[0, i])
        s0, c0 = _add(s0, c0, ws[1, i])
        s2, c2 = _add(s2, c2, ws[2, i])
    return z, zc, s0, c0, s2, c2


def _acc_f32(a, ws, k0, k1, acc):
    z, zc, s0, c0, s2, c2 = acc  # plain sums per segment, compensated across segments
    z, zc = _add(z, zc, _sum(ws[0, k0:k1]))
    s0, c0 = _add(s0, c0, _sum(ws[1, k0:k1]))
    s2, c2 = _add(s2, c2, _sum(ws[2, k0:k1]))
    return z, zc, s0, c0, s2, c2


@overload(_acc, jit_options=_PER_DTYPE)
def _acc_typed(a, ws, k0, k1, acc):
    return _acc_f64 if _f64(a) else _acc_f32
