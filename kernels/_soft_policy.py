"""The KL-regularised policy of one row (numba, float64 arithmetic for both dtypes).

π*_i = π_ref,i·e^{x_i} / Σ_j π_ref,j·e^{x_j} and V = β·log Σ_i π_ref,i·e^{x_i}, with
x_i = r_i/β and π_ref = softmax(l), formed in log space throughout (issue 16, s12 H2/H3):

* y_i = l_i + x_i as a double-double (x_i = r_i/β with its division remainder); the shift
  is the largest double-double y_j — head and tail: at |x| ≳ 1e17 the tail of r/β is O(1)
  or more, and a shift by the head alone overflowed the weights (π* NaN for β ≲ 1e-19).
  π*_i = w_i/Σw, w_i = exp(y_i − y_j) to first order in the renormalised tail.  When y
  overflows (|l|, |x| ~ DBL_MAX) the same is done with y/2.
* V/β = (y_j − max l) + log(Σ_i w_i / Σ_i e^{l_i − max l}) — log π_ref,i is never
  exponentiated on its own, so an action whose π_ref underflows (a masked logit, finfo.min,
  −1e9, −1e4) still counts with its e^{r_i/β} (it gave V = −inf or a wrong finite value).
  Near V = 0 (|V/β| < 0.75) the two logarithms would cancel: there V/β = log1p(S),
  S = E_ref[expm1(x)], each term u_i·expm1(x_i) (x_i ≤ 1) or e^{l_i − max l + x_i}·
  (−expm1(−x_i)) (x_i > 1, exponent in double-double), so that a common reward offset and
  small rewards keep their accuracy (s11 G3).
* r_i/β beyond the float range: the β → 0 limit (``_tiny_beta``).

Domain: l_i finite or −inf (masked), r_i finite, β > 0 finite; else a row of NaN.
Example: ``policy_row([0., 1.], [1., 1.], 1e-20, pi, v)`` → pi = softmax([0, 1]), v = 1.
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf
#: |V/β| below this: V from log1p(E_ref[expm1(r/β)]) instead of a difference of two logs
NEAR_ZERO = 0.75


@njit(**_JIT)
def _ratio(ri, b):
    """r_i/β as a double-double (the division's remainder, exact by fma, divided by β)."""
    xh = ri / b
    return xh, _s.fma(-xh, b, ri) / b


@njit(**_JIT)
def _argmax_head(logits_ref, reward, b, h):
    """The index of the largest fl(h·l_i + h·r_i/β) — the shift's first guess."""
    j, top = -1, -INF
    for i in range(logits_ref.shape[0]):
        li = np.float64(logits_ref[i])
        if li != -INF:
            y = li * h + (np.float64(reward[i]) / b) * h
            if j < 0 or y > top:
                j, top = i, y
    return j


@njit(**_JIT)
def _exponent(li, ri, lj, rj, b, h):
    """h·(y_i − y_j) = h·(l_i − l_j) + h·(r_i − r_j)/β as a renormalised double-double: the
    differences are taken before the division, so they stay exact whatever |r/β| is."""
    ah, al = _s.two_sum(li * h, -lj * h)
    qh, ql = _s.two_sum(ri * h, -rj * h)
    dh = qh / b
    dl = (_s.fma(-dh, b, qh) + ql) / b
    eh, el = _s.two_sum(ah, dh)
    return _s.two_sum(eh, el + (al + dl))


@njit(**_JIT)
def _weights(logits_ref, reward, b, j, h, w_):
    """w_i = exp(y_i − y_j), first order in the exponent's tail (0 below e^-1500), into w_;
    returns (Σ w_i, the largest exponent, its index)."""
    lj, rj = np.float64(logits_ref[j]), np.float64(reward[j])
    z, zc = 0.0, 0.0
    big, k = -INF, j
    for i in range(w_.shape[0]):
        li = np.float64(logits_ref[i])
        w = 0.0
        if li != -INF:
            eh, el = _exponent(li, np.float64(reward[i]), lj, rj, b, h)
            if eh > -750.0:
                eh, el = eh / h, el / h
                if eh > big:
                    big, k = eh, i
                w = math.exp(eh) * (1.0 + el)
        w_[i] = w
        z, zc = _add(z, zc, w)
    return z + zc, big, k


@njit(**_JIT)
def _exp_diff(a, c):
    """e^{a − c}, the rounding of a − c carried to first order (0 far below the range)."""
    ah, al = _s.two_sum(a, -c)
    return math.exp(ah) * (1.0 + al) if ah > -1500.0 else 0.0


@njit(**_JIT)
def _log_ref_mass(logits_ref, lmax):
    """U = Σ_i e^{l_i − max l} (Neumaier sum)."""
    u, uc = 0.0, 0.0
    for i in range(logits_ref.shape[0]):
        li = np.float64(logits_ref[i])
        if li != -INF:
            u, uc = _add(u, uc, _exp_diff(li, lmax))
    return u + uc


@njit(**_JIT)
def _mean_expm1(logits_ref, reward, b, lmax):
    """Σ_i e^{l_i − max l}·expm1(r_i/β) (called when |V/β| < NEAR_ZERO: every term is
    below (1 + S)·U, no overflow)."""
    s, sc = 0.0, 0.0
    for i in range(logits_ref.shape[0]):
        li = np.float64(logits_ref[i])
        if li == -INF:
            continue
        xh, xl = _ratio(np.float64(reward[i]), b)
        ah, al = _s.two_sum(li, -lmax)
        if xh <= 1.0:
            if not (ah > -1500.0):
                continue
            t = math.exp(ah) * (1.0 + al) * (math.expm1(xh) + xl * math.exp(xh))
        else:  # e^{l_i − max l + x_i}: the exponent in double-double (π_ref,i may underflow)
            ah, a2 = _s.two_sum(ah, xh)
            ah, al = _s.two_sum(ah, a2 + (al + xl))
            if not (ah > -1500.0):
                continue
            t = math.exp(ah) * (1.0 + al) * -math.expm1(-xh)
        s, sc = _add(s, sc, t)
    return s + sc


@njit(**_JIT)
def _tiny_beta(logits_ref, reward, b, lmax, pi_star, value):
    """β so small that some r_i/β overflows: the β → 0 limit, π* = π_ref restricted to the
    actions of largest reward, V = max r + β·log π_ref(those actions); their weights are
    taken relative to their own largest logit, so a masked best action keeps its share."""
    n = logits_ref.shape[0]
    rmax, lb = -INF, -INF
    for i in range(n):
        li, ri = np.float64(logits_ref[i]), np.float64(reward[i])
        if li != -INF and ri >= rmax:
            lb = li if ri > rmax else max(lb, li)
            rmax = ri
    best = 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        if li != -INF and np.float64(reward[i]) == rmax:
            best += _exp_diff(li, lb)
    for i in range(n):
        li = np.float64(logits_ref[i])
        hit = li != -INF and np.float64(reward[i]) == rmax
        pi_star[i] = _exp_diff(li, lb) / best if hit else 0.0
    log_share = (lb - lmax) + math.log(best) - math.log(_log_ref_mass(logits_ref, lmax))
    value[0] = rmax + b * log_share


@njit(**_JIT)
def _largest(logits_ref, reward, b):
    """max over unmasked actions of max(|l_i|, |r_i|, |r_i/β|) (inf when some r_i/β
    overflows)."""
    m = 0.0
    for i in range(logits_ref.shape[0]):
        li = np.float64(logits_ref[i])
        if li != -INF:
            ri = np.float64(reward[i])
            m = max(m, abs(li), abs(ri), abs(ri / b))
    return m


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
        for i in range(n):
            pi_star[i] = NAN
        value[0] = NAN
        return
    big = _largest(logits_ref, reward, b)
    if not (big < INF):  # some r_i/β overflows
        _tiny_beta(logits_ref, reward, b, lmax, pi_star, value)
        return
    h = 0.5 if big > 2.0**1020 else 1.0  # halves: no difference below can overflow
    w_ = np.empty(n)  # float64 weights: a float32 π* is rounded once, at the end
    j = _argmax_head(logits_ref, reward, b, h)
    z, top, k = _weights(logits_ref, reward, b, j, h, w_)
    if top > 1.0:  # the heads' guess was off (large |r/β|, the l_i decide): shift to the top
        j = k
        z, top, k = _weights(logits_ref, reward, b, j, h, w_)
    for i in range(n):
        pi_star[i] = w_[i] / z
    # V/β = log Σ e^{y_i} − log Σ e^{l_i} = (l_j − max l) + r_j/β + log(z/U)
    ah, al = _s.two_sum(np.float64(logits_ref[j]), -lmax)
    xh, xl = _ratio(np.float64(reward[j]), b)
    th, tl = _s.two_sum(ah, xh)
    u = _log_ref_mass(logits_ref, lmax)
    v = th + (tl + (al + xl) + math.log(z / u))
    if abs(v) < NEAR_ZERO:
        v = math.log1p(_mean_expm1(logits_ref, reward, b, lmax) / u)
    value[0] = b * v
