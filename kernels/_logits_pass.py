"""kl_logits' vectorised pass (numba): one scan of the row, then chunks of ``CH`` entries
through branch-free maps, summed per dtype (see :mod:`._logits` for the forms and their
error bounds).  Re-exported by :mod:`._logits`."""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _simd as _s
from ._primitives import neumaier_add as _add

NAN = math.nan
INF = math.inf
_JIT = dict(cache=True, error_model="numpy")

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
