"""Exponentiated-gradient step and the KL-regularised policy (numba, float64 rows).

* ``eg_step_row``: p_i ← p_i·exp(−lr·g_i) / Σ_j p_j·exp(−lr·g_j).  Each weight is
  p_i·exp(a_i) with a_i = −lr·g_i − top carried in double-double (TwoProd, TwoSum) and applied
  to first order (exp(a_h + a_l) = exp(a_h)(1 + a_l)): the common shift ``top`` cancels in
  the normalisation, so its own rounding does not matter, and each weight is within a few
  eps of exact.  top = max_i (log p_i − lr·g_i) keeps the largest weight near 1; a weight
  whose exponent would overflow (p_i near the subnormal range) is formed in log space.
* ``policy_row`` (the KL-regularised policy π* ∝ π_ref·exp(r/β) and its value V) lives in
  ``_soft_policy.py`` and is re-exported here for the generated kernels.

Domain and special values (the shared table): p_i ≥ 0 finite with a positive total, g, l, r
finite (l_i = −inf masks an action), lr > 0 and β > 0 finite; anything else gives a row of
NaN (and V = NaN).  Zeros of p stay zero.

Example: ``eg_step_row([.2, .3, .5], [1., -2., .5], .7, out)`` → out ∝ p·exp(−0.7·g).
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._primitives import neumaier_add as _add
from ._soft_policy import policy_row  # noqa: F401 - called by the generated kernels

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf


@njit(**_JIT)
def _fill_nan(out):
    for j in range(out.shape[0]):
        out[j] = NAN


@njit(**_JIT)
def _winner(p, g, step):
    """g_j of the entry j with the largest p_j·exp(−step·g_j), compared as log p_j/step − g_j
    (no overflow: only called when step·|g_i| overflowed, so step > 1)."""
    best = -INF
    G = 0.0
    for i in range(p.shape[0]):
        pi = np.float64(p[i])
        if pi > 0.0:
            u = math.log(pi) / step - np.float64(g[i])
            if u > best:
                best, G = u, np.float64(g[i])
    return G


@njit(**_JIT)
def _top(p, g, step, G):
    """(max_i log p_i − step·(g_i − G) over p_i > 0, its i): −inf when every term overflows
    down."""
    top = -INF
    j = 0
    for i in range(p.shape[0]):
        pi = np.float64(p[i])
        if pi > 0.0:
            u = math.log(pi) - step * (np.float64(g[i]) - G)
            if u > top:
                top, j = u, i
    return top, j


@njit(**_JIT)
def _exponent(gi, G, step):
    """−step·(g_i − G) as a double-double (−inf head when it overflows)."""
    gh, gl = _s.two_sum(gi, -G)  # G = 0 unless shifted: exact
    ph = -step * gh
    if not (ph > -INF):
        return -INF, 0.0
    return ph, _s.fma(-step, gh, -ph) - step * gl


@njit(**_JIT)
def eg_step_row(p, g, lr, out):
    """Write the exponentiated-gradient step of the row (p, g) with step ``lr`` to ``out``.

    When some lr·g_i overflows (lr·|g_i| > 1.8e308, issue 16 F8) g is first shifted by the
    g_j of the winning entry (``_winner``), which the normalisation cancels; the shifted
    g_i − g_j is kept in double-double, and an entry whose exponent is still −inf has
    weight 0."""
    n = p.shape[0]
    step = np.float64(lr)
    bad = not (0.0 < step < INF)
    for i in range(n):
        pi = np.float64(p[i])
        gi = np.float64(g[i])
        bad |= not (0.0 <= pi < INF and abs(gi) < INF)
    if bad:
        _fill_nan(out)
        return
    G = 0.0
    top, j = _top(p, g, step, G)
    if not (abs(top) < INF):  # step·g_i overflowed: shift g by the winner's g_j
        G = _winner(p, g, step)
        top, j = _top(p, g, step, G)
        if not (abs(top) < INF):  # no positive p_i
            _fill_nan(out)
            return
    # the shift: the winner's exponent log p_j − step·(g_j − G) as a double-double (its
    # product's tail reaches ulp/2 ~ 1e283 when step·g_j ~ 1e300: it must cancel too)
    ph, pl = _exponent(np.float64(g[j]), G, step)
    top, top_l = _s.two_sum(math.log(np.float64(p[j])), ph)
    top_l += pl
    w_ = np.empty(n)  # float64 weights: a float32 ``out`` is rounded once, at the end
    z, zc = 0.0, 0.0
    for i in range(n):
        pi = np.float64(p[i])
        w_[i] = 0.0
        if pi == 0.0:
            continue
        ph, pl = _exponent(np.float64(g[i]), G, step)
        ah, al = _s.two_sum(ph, -top)
        if not (ah > -1500.0):  # log w_i = log p_i + a_i < 710 − 1500: w_i = 0 (also when
            continue  # lr·(g_i − G) overflowed; then al would be NaN or ~ulp(ah) ≫ 1)
        ah, al = _s.two_sum(ah, al + (pl - top_l))  # |al| ≤ ulp(ah)/2: first order holds
        if ah > 700.0:  # p_i·exp(a) with exp(a) beyond the range: p_i is near underflow
            w = math.exp(math.log(pi) + ah) * (1.0 + al)
        else:
            w = pi * math.exp(ah) * (1.0 + al)
        w_[i] = w
        z, zc = _add(z, zc, w)
    z = z + zc
    for i in range(n):
        out[i] = w_[i] / z
