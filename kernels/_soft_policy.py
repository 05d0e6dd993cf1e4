"""The KL-regularised policy of one row (numba, float64 arithmetic for both dtypes).

π*_i = π_ref,i·e^{x_i} / Σ_j π_ref,j·e^{x_j} and V = β·log Σ_i π_ref,i·e^{x_i}, with
x_i = r_i/β and π_ref = softmax(l), formed in log space throughout (issue 16, s12 H2/H3):

* the exponent of each weight relative to the largest, y_i − y_j with y = l + x, is
  (l_i − l_j) + (r_i − r_j)/β in double-double, the differences taken before the division:
  exact at any |r/β| (at β ≲ 1e-19 the tail of r/β alone is O(1) or more, and a shift by
  the rounded l_j + x_j overflowed the weights: π* NaN).  π*_i = w_i/Σw, w_i = e^{y_i − y_j}
  to first order in the tail; j is first the argmax of fl(l_i + x_i), moved to the largest
  exponent when that guess was off.  Beyond 2^1020 (|l|, |r|, |x| ~ DBL_MAX) the same is done
  in halves.
* V/β = (y_j − max l) + log(Σ_i w_i / Σ_i e^{l_i − max l}) — log π_ref,i is never
  exponentiated on its own, so an action whose π_ref underflows (a masked logit, finfo.min,
  −1e9, −1e4) still counts with its e^{r_i/β} (it gave V = −inf or a wrong finite value).
  Near V = 0 (|V/β| < 0.75) the two logarithms would cancel: there V/β = log1p(S),
  S = E_ref[expm1(x)], each term u_i·expm1(x_i) (x_i ≤ 1) or e^{l_i − max l + x_i}·
  (−expm1(−x_i)) (x_i > 1, exponent in double-double), so that a common reward offset and
  small rewards keep their accuracy (s11 G3).
* some r_i/β beyond the float range (β < 1): the same exponents scaled by β,
  (r_i − r_j + β·(l_i − l_j))/β, −inf past the range; V = r_j + β·(l_j − max l + log(z/U)).

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
def _argmax_head(logits_ref, reward, b, h, wide):
    """The index of the largest fl(h·l_i + h·r_i/β), or of fl(h·r_i + h·β·l_i) = β·h·y_i when
    some r_i/β overflows (``wide``; then β < 1) — the shift's first guess."""
    j, top = -1, -INF
    for i in range(logits_ref.shape[0]):
        li = np.float64(logits_ref[i])
        if li != -INF:
            ri = np.float64(reward[i])
            y = ri * h + (b * li) * h if wide else li * h + (ri / b) * h
            if j < 0 or y > top:
                j, top = i, y
    return j


@njit(**_JIT)
def _exponent(li, ri, lj, rj, b, h, wide):
    """h·(y_i − y_j) = h·(l_i − l_j) + h·(r_i − r_j)/β as a renormalised double-double: the
    differences are taken before the division, so they stay exact whatever |r/β| is.  When
    some r/β overflows (``wide``): (h·(r_i − r_j) + β·h·(l_i − l_j))/β, −inf past the range
    (h·(l_i − l_j) alone for equal rewards)."""
    ah, al = _s.two_sum(li * h, -lj * h)
    qh, ql = _s.two_sum(ri * h, -rj * h)
    if wide:
        if qh == 0.0:
            return ah, al
        ph = b * ah
        qh, q2 = _s.two_sum(qh, ph)
        ql += q2 + (_s.fma(b, ah, -ph) + b * al)
        eh = qh / b
        if not (abs(eh) < INF):
            return eh, 0.0
        return _s.two_sum(eh, (_s.fma(-eh, b, qh) + ql) / b)
    dh = qh / b
    dl = (_s.fma(-dh, b, qh) + ql) / b
    eh, el = _s.two_sum(ah, dh)
    return _s.two_sum(eh, el + (al + dl))


@njit(**_JIT)
def _weights(logits_ref, reward, b, j, h, wide, lmax, w_):
    """w_i = exp(y_i − y_j), first order in the exponent's tail (0 below e^-750), into
    w_[i], and u_i = e^{l_i − max l} into w_[n + i]; returns (Σ w_i, Σ u_i, the largest
    exponent, its index)."""
    n = logits_ref.shape[0]
    lj, rj = np.float64(logits_ref[j]), np.float64(reward[j])
    z, zc, u, uc = 0.0, 0.0, 0.0, 0.0
    big, k = -INF, j
    g = 1.0 / h  # exact
    for i in range(n):
        li = np.float64(logits_ref[i])
        w, ui = 0.0, 0.0
        if li != -INF:
            eh, el = _exponent(li, np.float64(reward[i]), lj, rj, b, h, wide)
            e = eh * g
            if e > big:  # the largest exponent, +inf included (a wrong first guess)
                big, k = e, i
            if -750.0 < e < 709.0:  # (NaN tails of −inf exponents never reach here)
                w = math.exp(e) * (1.0 + el * g)
            ah, al = _s.two_sum(li * h, -lmax * h)
            ah, al = ah * g, al * g
            if ah > -750.0:
                ui = math.exp(ah) * (1.0 + al)
        w_[i], w_[n + i] = w, ui
        z, zc = _add(z, zc, w)
        u, uc = _add(u, uc, ui)
    return z + zc, u + uc, big, k


@njit(**_JIT)
def _mean_expm1(logits_ref, reward, b, lmax, w_):
    """Σ_i u_i·expm1(r_i/β), u_i = e^{l_i − max l} from w_[n + i] (called when |V/β| <
    NEAR_ZERO: every term is below (1 + S)·U, no overflow)."""
    n = logits_ref.shape[0]
    s, sc = 0.0, 0.0
    for i in range(n):
        li = np.float64(logits_ref[i])
        if li == -INF:
            continue
        xh, xl = _ratio(np.float64(reward[i]), b)
        if xh <= 1.0:
            em = math.expm1(xh)
            t = w_[n + i] * (em + xl * (1.0 + em))
        else:  # e^{l_i − max l + x_i}: the exponent in double-double (π_ref,i may underflow)
            ah, al = _s.two_sum(li, -lmax)
            ah, a2 = _s.two_sum(ah, xh)
            ah, al = _s.two_sum(ah, a2 + (al + xl))
            if not (ah > -750.0):
                continue
            t = math.exp(ah) * (1.0 + al) * -math.expm1(-xh)
        s, sc = _add(s, sc, t)
    return s + sc


@njit(**_JIT)
def policy_row(logits_ref, reward, beta, pi_star, value):
    """Write π* (``pi_star``) and V (``value[0]``) for one row of reference logits and
    rewards with temperature ``beta``."""
    n = logits_ref.shape[0]
    b = np.float64(beta)
    lmax, big, xabs, j, top = -INF, 0.0, 0.0, -1, -INF
    bad = not (0.0 < b < INF)
    for i in range(n):  # the domain, max l, the largest magnitude and the argmax of l + r/β
        li, ri = np.float64(logits_ref[i]), np.float64(reward[i])
        bad |= li != li or li == INF or not (abs(ri) < INF)
        lmax = max(lmax, li)
        if li != -INF:
            x = ri / b
            xabs = max(xabs, abs(x))
            big = max(big, abs(li), abs(ri))
            if j < 0 or li + x > top:
                j, top = i, li + x
    if bad or lmax == -INF:  # a bad entry, an empty row or every action masked
        for i in range(n):
            pi_star[i] = NAN
        value[0] = NAN
        return
    wide = not (xabs < INF)  # some r_i/β overflows (β < 1): exponents formed scaled by β
    h = 1.0
    if wide or max(big, xabs) > 2.0**1020:  # halves: no difference below can overflow
        h = 0.5
        j = _argmax_head(logits_ref, reward, b, h, wide)
    w_ = np.empty(2 * n)  # float64 weights (a float32 π* is rounded once, at the end), u_i
    z, u, top, k = _weights(logits_ref, reward, b, j, h, wide, lmax, w_)
    if top > 1.0:  # the heads' guess was off (large |r/β|, the l_i decide): shift to the top
        j = k
        z, u, top, k = _weights(logits_ref, reward, b, j, h, wide, lmax, w_)
    for i in range(n):
        pi_star[i] = w_[i] / z
    # V/β = log Σ e^{y_i} − log Σ e^{l_i} = (l_j − max l) + r_j/β + log(z/U)
    lj, rj = np.float64(logits_ref[j]), np.float64(reward[j])
    if wide:  # V = r_j + β·(l_j − max l + log(z/U)); β < 1, the halves cannot overflow
        value[0] = rj + 2.0 * (b * (0.5 * lj - 0.5 * lmax) + 0.5 * b * math.log(z / u))
        return
    v = 0.0  # |V/β| ≤ max |r_i/β|: small rewards go straight to the near-zero form
    if xabs >= NEAR_ZERO:
        ah, al = _s.two_sum(lj * h, -lmax * h)
        xh, xl = _ratio(rj, b)
        th, tl = _s.two_sum(ah, xh * h)
        v = (th + (tl + (al + xl * h) + h * math.log(z / u))) / h  # h, 1/h: exact scalings
    if abs(v) < NEAR_ZERO:
        v = math.log1p(_mean_expm1(logits_ref, reward, b, lmax, w_) / u)
    value[0] = b * v
