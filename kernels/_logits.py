"""KL(softmax(a) ‖ softmax(b)) for rows of logits (numba), softmax never materialised.

Formula: with weights w_i = exp(a_i − max a), z = Σ w_i, p_i = w_i/z, d_i = b_i − a_i and
e_i = d_i − E_p[d] (so E_p[e] = 0 up to rounding),

    KL(p ‖ q) = log E_p[exp(e)] − E_p[e] = log1pmx(S0 + S2) + S2,
    S0 = E_p[e],  S2 = E_p[expm1mx(e)] ≥ 0,

with log1pmx(x) = log(1 + x) − x and expm1mx(x) = exp(x) − 1 − x: every term of S2 is
non-negative and the final cancellation is second order, so the result keeps full relative
accuracy as b → a (KL → 0), where log-sum-exp differences lose it.  The identity holds for
any centre of e; the cost of an off centre is measured per row (see "the vectorised pass").

Three paths, one answer per row whatever the batch (the row function decides alone):

* float64 rows (``row_f64``): one vectorised scan, then the centred form in chunks of CH
  entries through branch-free maps (``_simd``), b_i − a_i and a_i − max a exact
  (double-double), compensated sums; re-centred once when the centre was poor;
* float32 rows (``row_f32``): the same form in float64 on the exactly converted entries
  with lighter arithmetic (a float32 result needs 2^-25 relative, not 2^-52): two
  exponentials' work an entry, plain sums;
* rows with NaN/±inf or beyond the maps' ranges (a weight below e^−700, |e_i| > 600):
  ``kl_logits_scalar``, which forms such terms in log space and switches to log-sum-exp
  when some log p_i + e_i > 700 (KL ≥ 700 − log n there, no cancellation).

Domain: rows of real logits of any length n ≥ 1, float32 or float64 (float32 entries are
converted exactly and computed in float64; the kernel rounds once).

Special values (the shared table in ``klforge/emit/templates.py``): a −inf logit a_i is a
masked entry (p_i = 0): no term of its own, but q = softmax(b) keeps its mass on it
(``masked_mass_term``: the limit a_i → −inf, as torch computes it); a finite a_i against
b_i = −inf → +inf (p_i > 0 = q_i); NaN or +inf anywhere → NaN; every a_i = −inf (or n = 0)
→ NaN.

Example: ``row_f64(np.log([.6, .4]), np.log([.5, .5]), np.empty((3, CH)), np.empty(2))``
= 0.0201355… = KL([.6, .4] ‖ [.5, .5]); the kernel: ``klforge.kernels.kl_logits(a, b)``.

Modules: this one holds the rows and the loops; the vectorised pass is in
``_logits_pass.py``, the scalar loops and the masked-entry term in ``_logits_scalar.py``.
"""

import math

import numpy as np
from numba import carray, njit

from . import _primitives as _p
from . import _ufunc as _u
from ._logits_pass import CH, GROWTH_F32, GROWTH_F64, _centred_f32, _centred_f64, _finish, _scan
from ._logits_scalar import kl_logits_scalar, masked_mass_term

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf

__all__ = ["CH", "kl_logits_scalar", "loop_f32", "loop_f64", "masked_mass_term", "row_f32",
           "row_f64"]


@njit(**_JIT)
def row_f64(a, b, ws, w):
    """KL(softmax(a) ‖ softmax(b)) for one float64 row; ``ws``: scratch ≥ 3 × CH, ``w``:
    scratch ≥ n (for ``kl_logits_scalar``)."""
    bad, amax, bmax, masked = _scan(a, b)
    v = _live_f64(a, b, ws, w, bad, amax, bmax)
    if masked and v == v:
        v += masked_mass_term(a, b)
    return v


@njit(**_JIT)
def row_f32(a, b, ws, w):
    """KL for one float32 row (computed in float64): the live entries' KL plus the masked
    entries' q-mass term."""
    bad, amax, bmax, masked = _scan(a, b)
    v = _live_f32(a, b, ws, w, bad, amax, bmax)
    if masked and v == v:
        v += masked_mass_term(a, b)
    return v


@njit(**_JIT)
def _live_f64(a, b, ws, w, bad, amax, bmax):
    """KL over the live entries (a_i > −inf) for one float64 row, after ``_scan``."""
    if bad or amax == -INF:
        return kl_logits_scalar(a, b, w)
    ch = 0.0  # b_k − a_k at the first k where a_k = max a
    for i in range(a.shape[0]):
        if np.float64(a[i]) == amax:
            ch = np.float64(b[i]) - amax
            break
    bad, z, s0, s2 = _centred_f64(a, b, amax, ch, 0.0, ws)
    if bad:
        return kl_logits_scalar(a, b, w)
    S0, v, growth = _finish(z, s0, s2)
    if growth <= GROWTH_F64:
        return v
    ch, cl = _p.two_sum(ch, S0)  # re-centre on c + S0 (= E_p[b − a])
    bad, z, s0, s2 = _centred_f64(a, b, amax, ch, cl, ws)
    return _finish(z, s0, s2)[1]


@njit(**_JIT)
def _live_f32(a, b, ws, w, bad, amax, bmax):
    """KL over the live entries for one float32 row, after ``_scan``: the centred form
    around c = max b − max a, kept when its error growth is below GROWTH_F32, else once
    more around c + S0 = E_p[b − a]."""
    if bad or amax == -INF:
        return kl_logits_scalar(a, b, w)
    bad, z, s0, s2 = _centred_f32(a, b, amax, bmax, 0.0, ws)
    if bad:
        return kl_logits_scalar(a, b, w)
    S0, v, growth = _finish(z, s0, s2)
    if growth <= GROWTH_F32:
        return v
    bad, z, s0, s2 = _centred_f32(a, b, amax, bmax, S0, ws)
    return _finish(z, s0, s2)[1]


# --- the kernel's NumPy inner loops ----------------------------------------------------
# dims = (rows, n), steps = (row steps of a, b, out; entry steps of a, b).  A row whose
# entries are unit-stride is viewed in place at any row stride; otherwise it is gathered.

@njit(**_JIT)
def loop_f64(args, dims, steps):
    """The float64 loop over rows: out[i] = KL(softmax(a[i]) ‖ softmax(b[i]))."""
    N = dims[0]
    n = dims[1]
    ws = np.empty((3, CH))
    w = np.empty(n)
    unit0 = n <= 1 or steps[3] == 8
    unit1 = n <= 1 or steps[4] == 8
    buf0 = np.empty(n)
    buf1 = np.empty(n)
    for i in range(N):
        if unit0:
            a = carray(_u.at(args[0], i * steps[0]), (n,), np.float64)
        else:
            for j in range(n):
                buf0[j] = _u.load_f64(args[0], i * steps[0] + j * steps[3])
            a = buf0
        if unit1:
            b = carray(_u.at(args[1], i * steps[1]), (n,), np.float64)
        else:
            for j in range(n):
                buf1[j] = _u.load_f64(args[1], i * steps[1] + j * steps[4])
            b = buf1
        v = row_f64(a, b, ws, w) if n > 0 else NAN
        _u.store_f64(args[2], i * steps[2], v)


@njit(**_JIT)
def loop_f32(args, dims, steps):
    """The float32 loop over rows (computed in float64, rounded once)."""
    N = dims[0]
    n = dims[1]
    ws = np.empty((3, CH))
    w = np.empty(n)
    unit0 = n <= 1 or steps[3] == 4
    unit1 = n <= 1 or steps[4] == 4
    buf0 = np.empty(n, np.float32)
    buf1 = np.empty(n, np.float32)
    for i in range(N):
        if unit0:
            a = carray(_u.at(args[0], i * steps[0]), (n,), np.float32)
        else:
            for j in range(n):
                buf0[j] = _u.load_f32(args[0], i * steps[0] + j * steps[3])
            a = buf0
        if unit1:
            b = carray(_u.at(args[1], i * steps[1]), (n,), np.float32)
        else:
            for j in range(n):
                buf1[j] = _u.load_f32(args[1], i * steps[1] + j * steps[4])
            b = buf1
        v = row_f32(a, b, ws, w) if n > 0 else NAN
        _u.store_f32(args[2], i * steps[2], np.float32(v))
