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
"""

import math

import numpy as np
from numba import carray, njit

from . import _primitives as _p
from . import _simd as _s
from . import _ufunc as _u
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf


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
            t, tt = _p.two_sum(np.float64(b[i]), -amax)
            t, t2 = _p.two_sum(t, -centre_h)
            tt += t2 - centre_l
        else:
            g = _p.expm1mx(eh) + el * math.expm1(eh)
            if g == 0.0:
                continue
            th, tl = _p.two_sum(ai, -amax)
            t, tt = _p.two_sum(th, math.log(g))
            tt += tl
        if t > tmax:
            tmax = t
        if t <= 700.0:
            s2, c2 = _add(s2, c2, math.exp(t) * (1.0 + tt))
    S0 = (s0 + c0) / z
    if tmax > 700.0:
        # KL = log Σ_i exp((a_i − max a) + e_i) − log z − S0, by log-sum-exp.
        # (a_i − max a) + e_i = (b_i − max a) − centre, formed without the overflowing parts.
        top = -INF
        for i in range(n):
            if np.float64(a[i]) != -INF:
                top = max(top, (np.float64(b[i]) - amax) - centre_h)
        acc, accc = 0.0, 0.0
        for i in range(n):
            if np.float64(a[i]) == -INF:
                continue
            vh, vl = _p.two_sum(np.float64(b[i]), -amax)
            vh, v2 = _p.two_sum(vh, -centre_h)
            vl += v2 - centre_l
            acc, accc = _add(acc, accc, math.exp(vh - top) * (1.0 + vl))
        return top + math.log(acc + accc) - math.log(z) - S0
    S2 = (s2 + c2) / z
    x = S0 + S2
    if x > 1.0:
        return math.log1p(x) - S0
    return _p.log1pmx(x) + S2



# --- the vectorised pass -------------------------------------------------------------
# One scan (max a, max b, NaN/+inf), then chunks of CH entries: a branch-free map
# (``_simd``: exp, expm1mx; TwoSum) writes three terms per entry to rows of ``ws``, which
# are then summed (float64: Neumaier pairs; float32: plain, vectorised).
# float64: the centred form around c = b_k − a_k at the first k with a_k = max a.  c is not
# E_p[b − a], so S0 ≠ 0; the rounding error of the result is about
# eps·(S2 + |x|(|S0| + S2)/(1 + x))/KL for x = S0 + S2 ≤ 1 and eps·(log1p(x) + |S0|)/KL
# above.  A row whose factor exceeds GROWTH_F64 is summed once more around c + S0.
# float32: the same form around c = max b − max a, a_i − max a and e_i in plain float64,
# expm1mx from exp's reduction (``_expm1mx_light``: two exponentials' work an entry) and
# plain sums; the growth limit is 2^19 (float32 results need 2^-25, the pass keeps ~2^-50).
# A row the maps do not cover goes to ``kl_logits_scalar``.

#: entries per chunk: the three term rows of it stay in L1
CH = 512
#: largest accepted error growth of the one-centre pass: float64 results keep a few ULP;
#: float32 results need about 2^-26 relative, float64 arithmetic leaves 2^26 of room
GROWTH_F64 = 2.0
GROWTH_F32 = 2.0**19
_INL = dict(forceinline=True, error_model="numpy", cache=True)
_POS_INF_KEY = 0x7FF0000000000000  # the scan's key of +inf
_NEG_INF_KEY = -9218868437227405313  # the scan's key of −inf


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


@njit(**_INL)
def _scan(a, b):
    """(bad, max a, max b, masked): bad when a NaN or +inf is in the row; masked when some
    a_i = −inf (a masked entry: p_i = 0; its q-mass is added by ``masked_mass_term``).
    The maxima are taken over int64 keys ordered as
    the floats are, k ^ ((k >> 63) & 0x7FF…F) of the bits k (an involution): integer max
    reductions vectorise without fast-math."""
    ka = kb = _NEG_INF_KEY
    bad = False
    masked = False
    for i in range(a.shape[0]):
        x = _s._bits(np.float64(a[i]))
        y = _s._bits(np.float64(b[i]))
        x ^= (x >> 63) & 0x7FFFFFFFFFFFFFFF
        y ^= (y >> 63) & 0x7FFFFFFFFFFFFFFF
        # NaN keys lie above +inf's or below −inf's
        bad |= (x >= _POS_INF_KEY) | (x < _NEG_INF_KEY) | (y >= _POS_INF_KEY) | (y < _NEG_INF_KEY)
        masked |= x == _NEG_INF_KEY
        ka = max(ka, x)
        kb = max(kb, y)
    ka ^= (ka >> 63) & 0x7FFFFFFFFFFFFFFF
    kb ^= (kb >> 63) & 0x7FFFFFFFFFFFFFFF
    return bad, _s._from_bits(ka), _s._from_bits(kb), masked


@njit(forceinline=True, error_model="numpy", cache=True, fastmath={"reassoc"})
def _sum(ws, r, m):
    """Σ ws[r, :m], plain float64 (the float32 path), in the order LLVM picks when allowed
    to reassociate: partial sums in vector lanes, then combined (error ≲ eps·m/32·Σ|x|,
    2^-40 relative for a chunk: 2^-14 of what a float32 result needs)."""
    s = 0.0
    for i in range(m):
        s += ws[r, i]
    return s


@njit(**_INL)
def _finish(z, s0, s2):
    """(S0, KL, error growth) from the sums: KL = log1pmx(x) + S2 for x = S0 + S2 ≤ 1,
    log1p(x) − S0 above (no cancellation in either when S0 ≈ 0)."""
    S0 = s0 / z
    S2 = s2 / z
    x = S0 + S2
    if x > 1.0:
        v = math.log1p(x) - S0
        size = math.log1p(x) + abs(S0)
    else:
        v = _p.log1pmx(x) + S2
        size = S2 + abs(x) * (abs(S0) + S2) / (1.0 + x)
    return S0, v, (size / v if v > 0.0 else (0.0 if size == 0.0 else INF))


@njit(**_JIT)
def _centred_f64(a, b, amax, ch, cl, ws):
    """(bad, Σw, Σw·e, Σw·expm1mx(e)) of a float64 row around the centre ch + cl.

    Per chunk, ws[0..2, :m] = w_i, w_i·e_i, w_i·expm1mx(e_i) with w_i = exp(a_i − max a)
    and e_i = (b_i − a_i) − (ch + cl) in double-double (first order in their low parts);
    masked entries (a_i = −inf) give zeros.  bad: some live entry leaves the map's range
    (b_i = −inf, a_i − max a < −700, |e_i| > 600)."""
    n = a.shape[0]
    z, zc, s0, c0, s2, c2 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, CH):
        m = min(CH, n - start)
        ac = a[start:start + m]
        bc = b[start:start + m]
        bad = False
        for i in range(m):
            ai = np.float64(ac[i])
            bi = np.float64(bc[i])
            live = ai != -INF
            th, tl = _p.two_sum(ai, -amax)
            dh, dl = _p.two_sum(bi, -ai)
            eh, el = _p.two_sum(dh, -ch)
            eh, el = _p.two_sum(eh, (el + dl) - cl)
            bad |= live & ((bi == -INF) | (th < -700.0) | (eh > 600.0) | (eh < -600.0))
            wt = _exp(max(th, -700.0))
            w = _s.fma(wt, tl, wt)
            g = _s.expm1mx_normal(min(max(eh, -600.0), 600.0))
            ws[0, i] = w if live else 0.0
            ws[1, i] = _s.fma(w, eh, w * el) if live else 0.0
            ws[2, i] = _s.fma(w, g, w * (el * (g + eh))) if live else 0.0
        if bad:
            return True, 0.0, 0.0, 0.0
        for i in range(m):
            z, zc = _add(z, zc, ws[0, i])
            s0, c0 = _add(s0, c0, ws[1, i])
            s2, c2 = _add(s2, c2, ws[2, i])
    return False, z + zc, s0 + c0, s2 + c2


@njit(**_JIT)
def _centred_f32(a, b, amax, bmax, shift, ws):
    """``_centred_f64`` for a float32 row around the centre (max b − max a) + shift:
    e_i = ((b_i − max b) − (a_i − max a)) − shift in plain float64 (exact differences of
    float32 values up to a 2^29 ratio of magnitudes; beyond, a rounding of the entries by
    2^-53 relative, which moves KL by a second-order amount), expm1mx by
    ``_expm1mx_light``, plain sums."""
    n = a.shape[0]
    z, s0, s2, zc, c0, c2 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, CH):
        m = min(CH, n - start)
        ac = a[start:start + m]
        bc = b[start:start + m]
        bad = False
        for i in range(m):
            ai = np.float64(ac[i])
            bi = np.float64(bc[i])
            live = ai != -INF
            t = ai - amax
            e = ((bi - bmax) - t) - shift
            bad |= live & ((bi == -INF) | (t < -700.0) | (e > 600.0) | (e < -600.0))
            w = _exp(max(t, -700.0))
            g = _expm1mx_light(min(max(e, -600.0), 600.0))
            ws[0, i] = w if live else 0.0
            ws[1, i] = w * e if live else 0.0
            ws[2, i] = w * g if live else 0.0
        if bad:
            return True, 0.0, 0.0, 0.0
        z, zc = _add(z, zc, _sum(ws, 0, m))
        s0, c0 = _add(s0, c0, _sum(ws, 1, m))
        s2, c2 = _add(s2, c2, _sum(ws, 2, m))
    return False, z + zc, s0 + c0, s2 + c2


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
