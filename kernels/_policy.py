"""Exponentiated-gradient step and the KL-regularised policy (numba, float64 rows).

* ``eg_step_row``: p_i ← p_i·exp(−lr·g_i) / Σ_j p_j·exp(−lr·g_j).  Each weight is
  p_i·exp(a_i) with a_i = −lr·g_i − top carried in double-double (TwoProd, TwoSum) and applied
  to first order (exp(a_h + a_l) = exp(a_h)(1 + a_l)): the common shift ``top`` cancels in
  the normalisation, so its own rounding does not matter, and each weight is within a few
  eps of exact.  top = max_i (log p_i − lr·g_i) keeps the largest weight near 1; a weight
  whose exponent would overflow (p_i near the subnormal range) is formed in log space.
* ``policy_row``: π* ∝ π_ref·exp(r/β) with π_ref = softmax(l), i.e. π*_i ∝ exp(l_i + r_i/β),
  the exponent in double-double as above; V = β·log E_ref[exp(r/β)] as β·log1p(S),
  S = E_ref[expm1(r/β)], when every |r_i/β| ≤ 1 (no cancellation between two log-sum-exps
  for small rewards), else β·(m + log E_ref[exp(r/β − m)]), m = max r_i/β.

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


@njit(**_JIT)
def _max_abs_ratio(logits_ref, reward, b):
    m = 0.0
    for i in range(logits_ref.shape[0]):
        if np.float64(logits_ref[i]) != -INF:
            m = max(m, abs(np.float64(reward[i]) / b))
    return m


@njit(**_JIT)
def _tiny_beta(logits_ref, reward, b, lmax, pi_star, value):
    """β so small that r/β overflows: the β → 0 limit, π* = π_ref restricted to the best
    actions, V = max r + β·log π_ref(best actions)."""
    n = logits_ref.shape[0]
    rmax = -INF
    for i in range(n):
        if np.float64(logits_ref[i]) != -INF:
            rmax = max(rmax, np.float64(reward[i]))
    u, best = 0.0, 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        w = 0.0 if li == -INF else math.exp(li - lmax)
        u += w
        if li != -INF and np.float64(reward[i]) == rmax:
            best += w
            pi_star[i] = w
        else:
            pi_star[i] = 0.0
    for i in range(n):
        pi_star[i] = pi_star[i] / best
    value[0] = rmax + b * math.log(best / u)


@njit(**_JIT)
def policy_row(logits_ref, reward, beta, pi_star, value):
    """Write π* (``pi_star``) and V (``value[0]``) for one row of reference logits and
    rewards with temperature ``beta``."""
    n = logits_ref.shape[0]
    b = np.float64(beta)
    lmax = -INF
    bad = not (0.0 < b < INF)
    for i in range(n):
        li = np.float64(logits_ref[i])
        bad |= li != li or li == INF or not (abs(np.float64(reward[i])) < INF)
        lmax = max(lmax, li)
    if bad or lmax == -INF:  # a bad entry, an empty row or every action masked
        _fill_nan(pi_star)
        value[0] = NAN
        return
    if not (_max_abs_ratio(logits_ref, reward, b) < INF):
        _tiny_beta(logits_ref, reward, b, lmax, pi_star, value)
        return
    # y_i = l_i + r_i/β in double-double (yh, yl); π*_i = exp(y_i − top)/Σ.
    top = -INF
    xmax = -INF
    xabs = 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        if li == -INF:
            continue
        x = np.float64(reward[i]) / b
        top = max(top, li + x)
        xmax = max(xmax, x)
        xabs = max(xabs, abs(x))
    w_ = np.empty(n)  # float64 weights: a float32 π* is rounded once, at the end
    z, zc = 0.0, 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        if li == -INF:
            w_[i] = 0.0
            continue
        ri = np.float64(reward[i])
        xh = ri / b
        xl = _s.fma(-xh, b, ri) / b
        yh, yl = _s.two_sum(li, xh)
        yl += xl
        eh, el = _s.two_sum(yh, -top)
        # y − top = eh + (el + yl); el + yl is O(ulp(top)), which is O(1) for |r/β| ≳ 1e15:
        # renormalise before the first-order exp(d)·(1 + δ) (δ ≤ 2^-53 afterwards).
        dh, dl = _s.two_sum(eh, el + yl)
        w = math.exp(dh) * (1.0 + dl)
        w_[i] = w
        z, zc = _add(z, zc, w)
    z = z + zc
    for i in range(n):
        pi_star[i] = w_[i] / z
    # V/β = log E_ref[exp(x)], E_ref with weights u_i = exp(l_i − max l).
    u, uc, s, sc = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        if li == -INF:
            continue
        ui = math.exp(li - lmax)
        u, uc = _add(u, uc, ui)
        ri = np.float64(reward[i])
        xh = ri / b
        if xabs <= 1.0:
            xl = _s.fma(-xh, b, ri) / b
            s, sc = _add(s, sc, ui * (math.expm1(xh) + xl * math.exp(xh)))
        else:
            s, sc = _add(s, sc, ui * math.exp(xh - xmax))
    u = u + uc
    if xabs <= 1.0:
        value[0] = b * math.log1p((s + sc) / u)
    else:
        value[0] = b * (xmax + math.log((s + sc) / u))
