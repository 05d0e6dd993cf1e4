"""kl_logits' scalar loops (numba): the rows the vectorised pass of :mod:`._logits_pass`
does not cover (NaN/±inf, weights below e^−700, log-ratios beyond ±600), and the q-mass term
of masked entries (a_i = −inf); ``finish_row`` applies them to a row the pass flagged.
Re-exported by :mod:`._logits`.

Example: ``kl_logits_scalar(np.log([.6, .4]), np.log([.5, .5]), np.empty(2))`` = 0.0201355…
"""

import math

import numpy as np
from numba import njit

from . import _logits_range as _lr
from . import _primitives as _p
from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
NAN = math.nan
INF = math.inf


@njit(cache=True, error_model="numpy", inline="always")
def _log_arg(bi, amax, centre_h, centre_l):
    """(b_i − max a) − centre as a normalised double-double (t, tt), |tt| ≤ ulp(t)/2: the
    log of w_i·exp(e_i).  Normalised because the pieces' tails can outweigh the head once
    the logits are huge — (1 − 1e16) + 1e16 leaves head 0 and tail −1 — and exp(t)·(1 + tt)
    assumes a small tail (a −inf KL at a = (1, 1e16, 3), issue 16 F2)."""
    t, tt = _p.two_sum(bi, -amax)
    t, t2 = _p.two_sum(t, -centre_h)
    return _p.two_sum(t, tt + (t2 - centre_l))


@njit(**_JIT)
def kl_logits_scalar(a, b, w):
    """KL(softmax(a) ‖ softmax(b)) for one row by the scalar loops, which own the special
    values and the extreme ranges (weights below e^−700, |e_i| > 600); ``w``: scratch of at
    least n float64 (the weights, kept between passes)."""
    n = a.shape[0]
    amax = -INF
    for i in range(n):
        ai = np.float64(a[i])
        bi = np.float64(b[i])
        if ai != ai or bi != bi or ai == INF or bi == INF:
            return NAN
        if ai > amax:
            amax = ai
    if amax == -INF:
        return NAN
    # Pass 1: weights w_i = exp(a_i − max a) (kept) and their mean of d_i = b_i − a_i.
    # A relative error in w_i moves the result by about that much times the i-th term of
    # the KL, so a_i − max a is taken exactly (two_sum) and its tail applied to first order.
    z, zc, m, mc = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        ai = np.float64(a[i])
        w[i] = 0.0
        if ai == -INF:
            continue  # masked entry: p_i = 0
        if np.float64(b[i]) == -INF:
            return INF  # p_i > 0 = q_i
        th, tl = _p.two_sum(ai, -amax)
        if th < -700.0:
            continue  # p_i below 1e-304: its terms are taken in log space in pass 3
        wi = math.exp(th)
        wi += wi * tl
        w[i] = wi
        z, zc = _add(z, zc, wi)
        m, mc = _add(m, mc, wi * (np.float64(b[i]) - ai))
    z = z + zc
    centre = (m + mc) / z
    # e_i = d_i − centre is carried as a double-double eh + el: the rounding of b_i − a_i
    # would otherwise enter the result at first order (eps·|d_i|).  Errors in the weights
    # and in the centre enter only at second order in e, except through S0² in the final
    # cancellation, so pass 2 measures S0 and pass 3 re-centres on centre + S0.
    s0, c0 = 0.0, 0.0
    for i in range(n):
        if w[i] == 0.0:
            continue
        dh, dl = _p.two_sum(np.float64(b[i]), -np.float64(a[i]))
        eh, el = _p.two_sum(dh, -centre)
        s0, c0 = _add(s0, c0, w[i] * eh)
        s0, c0 = _add(s0, c0, w[i] * (el + dl))
    shift = (s0 + c0) / z
    centre_h, centre_l = _p.two_sum(centre, shift)
    # Pass 3: S0 = E_p[e] (now ≈ 0) and S2 = E_p[expm1mx(e)], expanded to first order in el.
    # Where w_i underflows or expm1mx(e_i) could overflow, the term w_i·expm1mx(e_i) is
    # formed in log space as exp(t), t = (a_i − max a) + log expm1mx(e_i) in double-double;
    # if some t exceeds 700 the KL is ≥ 700 − log n and log-sum-exp takes over (no
    # cancellation there).
    s0, c0, s2, c2 = 0.0, 0.0, 0.0, 0.0
    tmax = -INF
    for i in range(n):
        ai = np.float64(a[i])
        if ai == -INF:
            continue
        dh, dl = _p.two_sum(np.float64(b[i]), -ai)
        eh, el = _p.two_sum(dh, -centre_h)
        eh, el = _p.two_sum(eh, (el + dl) - centre_l)
        wi = w[i]
        if wi != 0.0:
            s0, c0 = _add(s0, c0, wi * eh)
            s0, c0 = _add(s0, c0, wi * el)
        if wi != 0.0 and eh <= 600.0:
            g = _p.expm1mx(eh)
            s2, c2 = _add(s2, c2, wi * g)
            s2, c2 = _add(s2, c2, wi * (el * (g + eh)))
            continue
        if not (eh <= 40.0):  # also e_i beyond the range (∞ or ∞ − ∞ from b_i − a_i)
            # log expm1mx(e) = e + log1p(−(1 + e)e^{−e}) (tail below eps), so t = (a_i − max a)
            # + e_i = (b_i − max a) − centre: no overflow when a_i − max a alone would.
            t, tt = _log_arg(np.float64(b[i]), amax, centre_h, centre_l)
        else:
            g = _p.expm1mx(eh) + el * math.expm1(eh)
            if g == 0.0:
                continue
            th, tl = _p.two_sum(ai, -amax)
            t, tt = _p.two_sum(th, math.log(g))
            t, tt = _p.two_sum(t, tt + tl)
        if t > tmax:
            tmax = t
        if t <= 700.0:
            s2, c2 = _add(s2, c2, math.exp(t) * (1.0 + tt))
    S0 = (s0 + c0) / z
    if tmax > 700.0:
        # KL = log Σ_i exp((a_i − max a) + e_i) − log z − S0, by log-sum-exp.
        # (a_i − max a) + e_i = (b_i − max a) − centre, formed without the overflowing parts.
        # top: the largest of them as a double-double (head, then tail: the tails reach
        # ulp(head)/2, ~1e3 when the logits are ~1e19, so they enter the exponentials too)
        top, topl = -INF, 0.0
        for i in range(n):
            if np.float64(a[i]) != -INF:
                vh, vl = _log_arg(np.float64(b[i]), amax, centre_h, centre_l)
                if vh > top or (vh == top and vl > topl):
                    top, topl = vh, vl
        acc, accc = 0.0, 0.0
        for i in range(n):
            if np.float64(a[i]) == -INF:
                continue
            vh, vl = _log_arg(np.float64(b[i]), amax, centre_h, centre_l)
            acc, accc = _add(acc, accc, math.exp((vh - top) + (vl - topl)))
        return top + (topl + math.log(acc + accc) - math.log(z) - S0)
    S2 = (s2 + c2) / z
    x = S0 + S2
    if x > 1.0:
        return math.log1p(x) - S0
    return _p.log1pmx(x) + S2


@njit(**_JIT)
def masked_mass_term(a, b):
    """−log(1 − M) ≥ 0, M = Σ_{a_i = −inf} softmax(b)_i: the q-mass on the masked entries.

    KL(p ‖ q) = Σ_{p_i > 0} p_i log(p_i/q_i), and q = softmax(b) is normalised over every
    entry, masked or not, so KL = KL(p ‖ q restricted to the live entries, renormalised)
    − log(1 − M) — the value at a_i = −inf is the limit as a_i → −inf (torch's too).
    Formed as softplus(LSE_masked(b) − LSE_live(b)), each sum scaled by its own maximum:
    no cancellation and no overflow.  0 when nothing is masked or every masked b_i = −inf;
    +inf when every live b_i = −inf (then p_i > 0 = q_i anyway).

    Example: a = (0, −inf), b = (0, 5) → log(1 + e⁵) = 5.00671…
    """
    n = a.shape[0]
    mmax = -INF
    lmax = -INF
    for i in range(n):
        bi = np.float64(b[i])
        if np.float64(a[i]) == -INF:
            mmax = max(mmax, bi)
        else:
            lmax = max(lmax, bi)
    if mmax == -INF:
        return 0.0
    if lmax == -INF:
        return INF
    sm, cm, sl, cl = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        bi = np.float64(b[i])
        if np.float64(a[i]) == -INF:
            sm, cm = _add(sm, cm, math.exp(bi - mmax))
        else:
            sl, cl = _add(sl, cl, math.exp(bi - lmax))
    x = (mmax - lmax) + (math.log(sm + cm) - math.log(sl + cl))
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@njit(**_JIT)
def finish_row(a, b, v, work, w):
    """The KL of one row from the vectorised pass's value ``v`` and the work it left
    (``_logits_pass``: 1 the scalar loops, 2 the masked entries' q-mass term, 3 both);
    ``w``: scratch of at least n float64."""
    if work == 1.0 or work == 3.0:
        v = kl_logits_scalar(a, b, w)
        if v == INF and _lr.q_undefined(b):  # every b_i = −inf: q undefined (G10)
            return NAN
        if v != v:  # finite rows whose b_i − a_i overflows (G7); NaN otherwise
            v = _lr.kl_logits_wide(a, b)
    if work >= 2.0 and v == v:
        v += masked_mass_term(a, b)
    return v
