"""kl_mvn's arithmetic pieces: double-double steps (scalar and over eight lanes) and the
diagonal terms M_ii² − 1 − 2 log M_ii (numba).

Double-double values are unevaluated pairs (hi, lo).  The solve's update is Dot2's
(Ogita–Rump–Oishi): (sh + sl) − a·(xh + xl) with TwoProd by ``fma`` and TwoSum making the
high part's rounding errors exact, summed into the low part (11 operations, renormalised
once per row, at the division).  ``v*`` are the same steps on :data:`_mvn_vec.vec8`
values, lane for lane the scalar ones (the blocked solves of ``_mvn_solve``).

Example: ``diagonal_term(1e-16, 1.0)`` = 1e-32 − 1 − 2·log(1e-16) = 72.68…
"""


from numba import njit

from . import _primitives as _p
from . import _simd as _s
from ._mvn_vec import vfma
from ._primitives import neumaier_add as _add

_JIT = dict(cache=True, error_model="numpy")
_IR_INLINE = dict(inline="always", error_model="numpy")


@njit(**_IR_INLINE)
def two_prod(a, b):
    """(p, e) with p = fl(a·b), a·b = p + e exactly (fma)."""
    p = a * b
    return p, _s.fma(a, b, -p)


@njit(**_IR_INLINE)
def dot2_sub(sh, sl, a, xh, xl):
    """(sh + sl) − a·(xh + xl) as an unnormalised pair: sh's rounding error (TwoSum) and
    the product's (TwoProd, and a·xl) go to the low part (Dot2's accumulation)."""
    ph = a * xh
    pl = _s.fma(a, xl, _s.fma(a, xh, -ph))
    th, e = _s.two_sum(sh, -ph)
    return th, sl + (e - pl)


@njit(**_IR_INLINE)
def dd_div(sh, sl, d):
    """(sh + sl)/d in double-double (one Newton correction from the exact remainder)."""
    qh = sh / d
    r = _s.fma(-qh, d, sh)
    ql = (r + sl) / d
    return _s.two_sum(qh, ql)


@njit(**_IR_INLINE)
def vtwo_sum(a, b):
    """TwoSum lane by lane (``_simd.two_sum``)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(**_IR_INLINE)
def vdot2_sub(sh, sl, a, xh, xl, m1):
    """``dot2_sub`` lane by lane (``a`` a splat of L_q,ik), three of its subtractions done as
    fma(y, m1, x) = x − y (``m1``: −1.0 in every lane, read from memory so that LLVM keeps
    the fma): the same roundings, on the multiply-add units instead of the adds' (AMD Zen 4
    runs adds on two of its four vector units: they were the limit, 8 adds per update)."""
    ph = a * xh
    pl = vfma(a, xl, vfma(a, xh, -ph))
    s = sh - ph
    bb = vfma(sh, m1, s)
    e = (sh - (s - bb)) + vfma(bb, m1, -ph)
    return s, sl + vfma(pl, m1, e)


#: a divisor below this has a reciprocal near or past the float range (a subnormal L_q,ii):
#: numerator and divisor are then both scaled by ``RECIP_SCALE`` (exact powers of two)
RECIP_SAFE = 2.0**-1000
RECIP_SCALE = 2.0**64


@njit(cache=True, forceinline=True, error_model="numpy")
def recip_scale(d):
    """1 for an ordinary divisor d, 2^64 when 1/d would overflow (d < 2^-1000): dividing
    (s·x)/(s·d) gives x/d exactly as scaled, and 1/(s·d) ≤ 2^1010 is finite.  A numerator
    that s pushes past the range is one whose quotient overflows anyway."""
    return 1.0 if d >= RECIP_SAFE else RECIP_SCALE


@njit(**_IR_INLINE)
def vdd_div_by(sh, sl, d, r):
    """(sh + sl)/d lane by lane given r ≈ 1/d: q = sh·r, its exact remainder sh − q·d
    (fma) and the low part (remainder + sl)·r, renormalised — multiplies where division
    would cost ten times more; the quotient's error stays of order u² (the low part's own
    error is u relative to it, and it is u of the high part)."""
    qh = sh * r
    rem = vfma(-qh, d, sh)
    ql = (rem + sl) * r
    return vtwo_sum(qh, ql)


@njit(**_IR_INLINE)
def vsquares(sh, sl, x, xl):
    """Add (x + xl)² to the per-column double-double sums (sh, sl), lane by lane: x² by
    TwoProd, its high part by TwoSum, 2·x·xl (xl ≤ u|x|) into the low part."""
    ph = x * x
    pl = vfma(x, x, -ph)
    t, e = vtwo_sum(sh, ph)
    return t, sl + (e + (pl + (x + x) * xl))


@njit(**_IR_INLINE)
def diagonal_term(lp, lq):
    """M² − 1 − 2 log M for M = lp/lq > 0, accurate relative to itself for every ratio
    (branch-free, so a loop over the diagonal vectorises).

    D = (lp − lq)/lq in double-double; for D ∈ [−½, 1], D² − 2·log1pmx(D) (two
    non-negative terms; log1pmx'(D) = −D/(1 + D) carries D's low part); elsewhere
    (M² − 1) − 2·log_ratio(lp, lq) (``_primitives.log_ratio``: branch-free, so the batch
    path's loop over diagonals vectorises), accurate for every ratio.
    """
    dh, dl = _s.two_sum(lp, -lq)
    Dh, Dl = dd_div(dh, dl, lq)
    near = (Dh >= -0.5) & (Dh <= 1.0)
    x = Dh if near else 0.0
    xl = Dl if near else 0.0
    ph, pl = two_prod(x, x)
    near_value = ph + (pl + 2.0 * x * xl + 2.0 * xl * x / (1.0 + x)) - 2.0 * _s.log1pmx_normal(x)
    m = lp / lq
    far_value = _s.fma(m, m, -1.0) - 2.0 * _p.log_ratio(lp, lq)
    return near_value if near else far_value


@njit(**_JIT)
def diagonal_terms(lp, lq, out, m):
    """out[i] = diagonal_term(lp[i], lq[i]) for i < m (one vectorised loop, shared by the
    row and the batch paths so that its code is compiled once)."""
    for i in range(m):
        out[i] = diagonal_term(lp[i], lq[i])


@njit(**_IR_INLINE)
def diagonal_sum(lp, lq, t, n):
    """Σ_i (M_ii² − 1 − 2 log M_ii) over the diagonals ``lp``, ``lq`` (compensated; every
    term ≥ 0), ``t`` scratch of n entries."""
    diagonal_terms(lp, lq, t, n)
    s, c = 0.0, 0.0
    for i in range(n):
        s, c = _add(s, c, t[i])
    return s + c


@njit(**_IR_INLINE)
def column_sums(sh, sl, m):
    """Σ_j (sh_j + sl_j) over the first m per-column double-double sums (compensated)."""
    s, c = 0.0, 0.0
    for j in range(m):
        s, c = _add(s, c, sh[j])
        c += sl[j]
    return s + c


@njit(**_IR_INLINE)
def block_end(i):
    """One past the last column of row i's last block of eight (row i of the right-hand
    sides holds columns 0 … i + 1: μ and the factor's row)."""
    return 8 * ((i + 1) // 8 + 1)


__all__ = ["block_end", "column_sums", "dd_div", "diagonal_sum", "diagonal_term",
           "diagonal_terms", "dot2_sub", "two_prod", "vdd_div_by", "vdot2_sub",
           "vsquares", "vtwo_sum"]
