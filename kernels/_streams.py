"""Vectorised fast path of kl_logits rows (superseded by ``_logits.py``; kept until its
owner removes it — kl_categorical, cross_entropy and entropy sum their rows in ``_rowsum``).

Each walks a row in blocks of ``BLOCK`` elements: a branch-free map (``_simd``) fills
block buffers with the terms and ORs together a flag for any entry outside the fast
path's domain; ``tree_sum`` adds each buffer with TwoSum compensation; the block sums are
carried in Neumaier pairs.  A row is returned as ``(ok, value)``; ``ok`` is False when the
row holds an entry the fast path does not cover (zero where a logarithm needs a positive
number, subnormal, inf, NaN, negative, or a logit spread beyond ±600), and the generated
kernel then evaluates that row with its scalar loop, which owns the special values.  The
fast path never decides a special value, so the two paths agree by construction on every
row the fast path accepts, to within their measured error (``klforge verify``).  The
floating-point flags raised by discarded lanes are cleared once per call by the kernels'
driver (``_parallel.py``), not per row.
"""

import math

import numpy as np
from numba import njit

from . import _simd as _s
from ._primitives import neumaier_add as _add

BLOCK = 256  # a power of two; three buffers of it stay in L1
_JIT = dict(cache=True, error_model="numpy")
#: the per-block maps are inlined into their row function: fewer functions to compile
_BLOCK_JIT = dict(cache=True, error_model="numpy")
INF = math.inf


@njit(inline="always", error_model="numpy")
def block_size(n):
    """The block length for a row of n entries: the power of two ≥ n, between 8 and BLOCK
    (short rows are not padded to BLOCK)."""
    m = 8
    while m < n and m < BLOCK:
        m *= 2
    return m


@njit(inline="always", error_model="numpy")
def _buffer(ws, k, m):
    return _s.as_contiguous(ws[k, :m])


# --- kl_logits -----------------------------------------------------------------------
# KL(softmax(a) ‖ softmax(b)) = log1pmx(S0 + S2) + S2 with weights w_i = exp(a_i − max a),
# e_i = (b_i − a_i) − centre, S0 = E_w[e], S2 = E_w[expm1mx(e)] (see the scalar kernel).

@njit(**_BLOCK_JIT)
def _weights_block(a, b, amax, start, stop, w, wz, wd):
    """w_i = exp(a_i − max a), first-order corrected for the rounding of a_i − max a and
    stored in the row buffer ``w`` and in the block buffer ``wz``; wd_i = w_i·(b_i − a_i);
    masked entries (a_i = −inf) give 0.  True if some entry leaves the fast path
    (b_i = −inf, a_i − max a < −700)."""
    bad = False
    for i in range(stop - start):
        ai = np.float64(a[start + i])
        bi = np.float64(b[start + i])
        masked = ai == -INF
        th, tl = _s.two_sum(ai, -amax)
        bad |= (not masked) & ((bi == -INF) | (th < -700.0))
        wi = _s.exp_normal(max(th, -700.0))
        wi = _s.fma(wi, tl, wi)
        wi = 0.0 if masked else wi
        w[start + i] = wi
        wz[i] = wi
        wd[i] = 0.0 if masked else wi * (bi - ai)
    for i in range(stop - start, wd.shape[0]):
        wz[i] = 0.0
        wd[i] = 0.0
    return bad


@njit(**_BLOCK_JIT)
def _centre_block(a, b, w, centre, start, stop, acc):
    """acc_i = w_i·(e_i + its low part), e = (b − a) − centre in double-double."""
    for i in range(stop - start):
        ai = np.float64(a[start + i])
        bi = np.float64(b[start + i])
        wi = w[start + i]
        dh, dl = _s.two_sum(bi, -ai)
        eh, el = _s.two_sum(dh, -centre)
        acc[i] = 0.0 if wi == 0.0 else _s.fma(wi, eh, wi * (el + dl))
    for i in range(stop - start, acc.shape[0]):
        acc[i] = 0.0


@njit(**_BLOCK_JIT)
def _moments_block(a, b, w, centre_h, centre_l, start, stop, m0, m2):
    """m0_i = w_i·e_i, m2_i = w_i·expm1mx(e_i) (to first order in e's low part).  True if
    some |e_i| > 600 (the scalar kernel takes those terms in log space)."""
    bad = False
    for i in range(stop - start):
        ai = np.float64(a[start + i])
        bi = np.float64(b[start + i])
        wi = w[start + i]
        dh, dl = _s.two_sum(bi, -ai)
        eh, el = _s.two_sum(dh, -centre_h)
        eh, el = _s.two_sum(eh, (el + dl) - centre_l)
        live = wi != 0.0
        bad |= live & ((eh > 600.0) | (eh < -600.0))
        g = _s.expm1mx_normal(min(max(eh, -600.0), 600.0))
        m0[i] = _s.fma(wi, eh, wi * el) if live else 0.0
        m2[i] = _s.fma(wi, g, wi * (el * (g + eh))) if live else 0.0
    for i in range(stop - start, m0.shape[0]):
        m0[i] = 0.0
        m2[i] = 0.0
    return bad


@njit(**_JIT)
def kl_logits_row(a, b):
    """``kl_logits_row_ws`` with its own scratch space."""
    return kl_logits_row_ws(a, b, np.empty((8, BLOCK)), np.empty(a.shape[0]))


@njit(**_JIT)
def kl_logits_row_ws(a, b, ws, w):
    """(ok, KL(softmax(a) ‖ softmax(b))) for a row of finite or −inf logits.  Scratch:
    ``ws`` at least 4 × BLOCK, ``w`` at least n float64 (no allocation per row)."""
    n = a.shape[0]
    ac = _s.contiguous_view(a)
    bc = _s.contiguous_view(b)
    amax = -INF
    bad = False
    for i in range(n):
        ai = np.float64(ac[i])
        bi = np.float64(bc[i])
        bad |= (ai != ai) | (bi != bi) | (ai == INF) | (bi == INF)
        amax = max(amax, ai)
    if bad or amax == -INF:
        return False, 0.0
    blk = block_size(n)
    buf = _buffer(ws, 0, blk)
    buf2 = _buffer(ws, 1, blk)
    scratch = _buffer(ws, 2, blk)
    scratch2 = _buffer(ws, 3, blk)
    z, zc, m, mc = 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, blk):
        stop = min(start + blk, n)
        if _weights_block(ac, bc, amax, start, stop, w, buf2, buf):
            return False, 0.0
        bs, bcomp, ms, mcomp = _s.tree_sum2(buf2, buf, scratch, scratch2)
        z, zc = _add(z, zc, bs)
        zc += bcomp
        m, mc = _add(m, mc, ms)
        mc += mcomp
    z = z + zc
    centre = (m + mc) / z
    s0, c0 = 0.0, 0.0
    for start in range(0, n, blk):
        stop = min(start + blk, n)
        _centre_block(ac, bc, w, centre, start, stop, buf)
        bs, bcomp = _s.tree_sum(buf, scratch)
        s0, c0 = _add(s0, c0, bs)
        c0 += bcomp
    centre_h, centre_l = _s.two_sum(centre, (s0 + c0) / z)
    s0, c0, s2, c2 = 0.0, 0.0, 0.0, 0.0
    for start in range(0, n, blk):
        stop = min(start + blk, n)
        if _moments_block(ac, bc, w, centre_h, centre_l, start, stop, buf, buf2):
            return False, 0.0
        bs, bcomp, ms, mcomp = _s.tree_sum2(buf, buf2, scratch, scratch2)
        s0, c0 = _add(s0, c0, bs)
        c0 += bcomp
        s2, c2 = _add(s2, c2, ms)
        c2 += mcomp
    S0 = (s0 + c0) / z
    S2 = (s2 + c2) / z
    x = S0 + S2
    if x > 1.0:
        return True, math.log1p(x) - S0
    if x < -0.5:
        return False, 0.0
    return True, _s.log1pmx_normal(x) + S2

