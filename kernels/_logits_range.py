"""kl_logits' rows at the edges of the float range (numba): the undefined q of a row whose
logits b are all −inf, and rows where a difference of two finite logits leaves the float
range (``finish_row`` in ``_logits_scalar`` calls these on the rows the scalar loops return
+inf or NaN for).

* ``q_undefined(b)``: every b_i = −inf — softmax(b) does not exist, the KL is NaN (the
  published table's "all logits −inf → NaN", as for a; the categorical twin gives NaN for a
  zero total).  Outside tester G10: ``kl_logits([0, −inf], [−inf, −inf])`` was +inf.
* ``kl_logits_wide(a, b)``: KL(softmax(a) ‖ softmax(b)) for finite rows where some
  b_i − a_i overflows (|b_i − a_i| > DBL_MAX; outside tester G7: ``kl_logits([−M, M],
  [M, −M])`` was NaN, exact 2M → +inf).  With A_i = a_i − max a, B_i = b_i − max b
  (softmax is shift-invariant) and p = softmax(A),

      KL = E_p[A − B] + LSE(B) − LSE(A),  LSE(X) = log Σ exp(X_i) ∈ [0, log n],

  every piece formed in halves (x/2 − y/2 is exact for the magnitudes that overflow and never
  overflows itself) and doubled at the end: a result beyond the float range is +inf, a finite
  one keeps a few ULP relative to the largest term.  Only such rows come here (every
  overflowing difference has a logit ≥ 2¹⁰²³ in magnitude: the KL is either dominated by
  terms of that size or exactly 0 from equal shifted logits).

Domain: one row of float32/float64 logits, finite or masked (a_i = −inf), computed in
float64; NaN/+inf → NaN, as in the scalar loops.

Example (from compiled code: no Python wrapper): ``kl_logits_wide(np.array([-M, M]),
np.array([M, -M]))`` = +inf (M = DBL_MAX); ``kl_logits_wide(np.array([M, 0.]),
np.array([0., M]))`` = M.
"""

import math

import numpy as np
from numba import njit

from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf


@njit(**_JIT)
def q_undefined(b):
    """True when every b_i is −inf (or the row is empty): softmax(b) does not exist."""
    for i in range(b.shape[0]):
        if np.float64(b[i]) != -INF:
            return False
    return True


@njit(**_JIT)
def _lse_half(a, b, hmax):
    """LSE(B) over the live entries (a_i > −inf), B_i = 2·(b_i/2 − hmax), hmax = max of their
    b_i/2: log Σ exp(B_i) ≥ 0."""
    s, c = 0.0, 0.0
    for i in range(b.shape[0]):
        h = np.float64(b[i]) * 0.5 - hmax
        if np.float64(a[i]) != -INF and h >= -400.0:
            s, c = _add(s, c, math.exp(2.0 * h))
    return math.log(s + c)


@njit(**_JIT)
def kl_logits_wide(a, b):
    """KL(softmax(a) ‖ softmax(b)) of a row of finite (or masked, a_i = −inf) logits by the
    shifted halves (module docstring).  Like ``kl_logits_scalar``, q is taken over the live
    entries: the caller adds the masked entries' q-mass term."""
    n = a.shape[0]
    ha = -INF
    hb = -INF
    for i in range(n):
        ai = np.float64(a[i]) * 0.5
        bi = np.float64(b[i]) * 0.5
        if ai != ai or bi != bi or ai == INF or bi == INF:
            return NAN
        if ai != -INF:
            if bi == -INF:
                return INF  # p_i > 0 = q_i
            ha = max(ha, ai)
            hb = max(hb, bi)
    if ha == -INF:
        return NAN  # every a_i = −inf (or n = 0)
    # p_i ∝ exp(2·(a_i/2 − ha)); entries below e^−800 carry nothing at double precision
    z, zc, e, ec = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        xa = np.float64(a[i]) * 0.5 - ha
        if xa < -400.0:
            continue
        w = math.exp(2.0 * xa)
        z, zc = _add(z, zc, w)
        e, ec = _add(e, ec, w * (xa - (np.float64(b[i]) * 0.5 - hb)))  # w·(A_i − B_i)/2
    half = (e + ec) / (z + zc) + 0.5 * (_lse_half(a, b, hb) - math.log(z + zc))
    v = 2.0 * half
    return v if v >= 0.0 else 0.0
