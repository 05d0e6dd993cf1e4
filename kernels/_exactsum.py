"""Sums of a chunk of at most 1 024 float64 terms, exact but for one final rounding, in SIMD
lanes (numba): the compensated sums of the categorical rows (``_rowsum.py``).

A Neumaier-compensated loop adds one term after the other (each step waits for the last);
here every term is split against one power of two σ per chunk — Rump, Ogita and Oishi's
extraction (*Accurate floating-point summation, part I*, SIAM J. Sci. Comput. 31 (2008),
Lemma 3.3): with σ = 2^k ≥ 2¹¹·max|x_i| and m ≤ 2¹¹ − 2 terms,

    h_i = (σ + x_i) − σ,  l_i = x_i − h_i

give h_i + l_i = x_i exactly, |l_i| ≤ 2⁻⁵²σ, and every h_i a multiple of 2⁻⁵³σ with
Σ|h_i| < σ, so Σ h_i is exact in floating point *in any order*: LLVM may reassociate that
sum into SIMD lanes (``fastmath={"reassoc"}`` on the sums; the splitting itself is emitted
by an intrinsic whose instructions carry a flag of their own, which numba's fastmath pass
leaves alone).  The low parts are summed plainly: error
≤ m·2⁻⁵³·Σ|l_i| ≤ m²·2⁻¹⁰⁵·σ ≤ 2⁻⁷²·max|x_i|.  σ is read from the exponent bits (an
integer maximum, vectorised): 2¹² times the largest power of two ≤ max|x_i|.

A row adds its chunks' (H, L), renormalised, into a Neumaier pair (``fold``): the row's
sum is within ≈ 2·2⁻⁵³·|Σ x_i| + (chunks)·2⁻¹⁰⁶·Σ|x_i| of the exact one — the bound of the
compensated loop this replaces.  A NaN or infinite term, or max|x_i| ≥ 2¹⁰¹² (σ would overflow: σ is
then +inf), makes H NaN: callers treat a non-finite sum as "evaluate this row again".

Example: ``split_sums2(np.array([1e16, 1.0, -1e16]), np.ones(3))`` → (H, L, 3.0, 0.0, 1.0)
with H + L = 1.0 exactly.
"""

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from ._intrinsics import _bits, _from_bits
from ._ufunc import INTERNAL

#: the exponent field of a float64 (sign dropped: |x|)
EXP = 0x7FF0000000000000
#: 2¹² in the exponent field: σ = 2^(e + 12) ≥ 2¹¹·2^(e + 1) > 2¹¹·max|x_i|
SHIFT = 12 << 52
#: exponent fields from here on give σ = +inf (2^(1012 + 12) would overflow)
TOP = EXP - SHIFT
#: most terms per chunk the bound holds for (m + 2 ≤ 2¹¹)
MAX_TERMS = 2046

_INLINE = dict(forceinline=True, error_model="numpy", **INTERNAL)
#: only the adds of the sums carry reassoc (the splits are emitted by ``split`` unflagged)
_LANES = dict(forceinline=True, error_model="numpy", fastmath={"reassoc"}, **INTERNAL)
_KEEP = ("arcp",)  # a flag add/sub ignore: numba's fastmath pass leaves flagged ops alone


@intrinsic
def split(typingctx, sigma, x):
    """(h, l) with h = (σ + x) − σ and l = x − h, emitted with the ``arcp`` flag only (it
    means nothing to an add): numba's fastmath pass adds its flags only to instructions that
    have none, so inside a ``fastmath={"reassoc"}`` function these are not folded to h = x."""
    if sigma != types.float64 or x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        s, v = args
        h = builder.fsub(builder.fadd(s, v, flags=_KEEP), s, flags=_KEEP)
        lo = builder.fsub(v, h, flags=_KEEP)
        return context.make_tuple(builder, sig.return_type, (h, lo))
    return types.UniTuple(types.float64, 2)(types.float64, types.float64), codegen


# Helpers inlined as numba IR into the two sums (no function of their own to compile: every
# numba function, however small, is compiled on its own and again in each caller); once
# inlined, their adds carry the caller's reassoc flag, which is what lets the sums vectorise.

@njit(inline="always", error_model="numpy")
def _top(e, v):
    """The larger of the exponent field e and that of v (an integer maximum: vectorises)."""
    b = _bits(v) & EXP
    return b if b > e else e


@njit(inline="always", error_model="numpy")
def _sigma(e):
    """σ = 2¹²·2^e for the largest exponent field e; +inf from TOP on."""
    return _from_bits((e if e < TOP else TOP) + SHIFT)


@njit(inline="always", error_model="numpy")
def _split_add(sigma, v, h, lo):
    """(h + h_v, lo + l_v): v split against σ (``split``) and added to the running sums."""
    hv, lv = split(sigma, v)
    return h + hv, lo + lv


@njit(**_LANES)
def split_sums2(x, y):
    """(H_x, L_x, H_y, L_y, number of x_i < 0): Σx = H_x + L_x, H exact, L within
    2⁻⁷²·max|x_i| (≤ MAX_TERMS terms; the same for y; a caller that does not use the count
    does not compute it: LLVM drops it)."""
    ex = ey = np.int64(0)
    for k in range(x.shape[0]):  # vectorises: integer maxima of the exponent fields
        ex = _top(ex, x[k])
        ey = _top(ey, y[k])
    sx, sy = _sigma(ex), _sigma(ey)
    hx = lx = hy = ly = neg = 0.0
    for k in range(x.shape[0]):  # vectorises: the high parts' sums are exact in any order
        hx, lx = _split_add(sx, x[k], hx, lx)
        neg += 1.0 if x[k] < 0.0 else 0.0
        hy, ly = _split_add(sy, y[k], hy, ly)
    return hx, lx, hy, ly, neg


@njit(**_LANES)
def split_sums3(x, y, z):
    """``split_sums2`` for three arrays: (H_x, L_x, H_y, L_y, H_z, L_z, number of x_i < 0)."""
    ex = ey = ez = np.int64(0)
    for k in range(x.shape[0]):
        ex = _top(ex, x[k])
        ey = _top(ey, y[k])
        ez = _top(ez, z[k])
    sx, sy, sz = _sigma(ex), _sigma(ey), _sigma(ez)
    hx = lx = hy = ly = hz = lz = neg = 0.0
    for k in range(x.shape[0]):
        hx, lx = _split_add(sx, x[k], hx, lx)
        neg += 1.0 if x[k] < 0.0 else 0.0
        hy, ly = _split_add(sy, y[k], hy, ly)
        hz, lz = _split_add(sz, z[k], hz, lz)
    return hx, lx, hy, ly, hz, lz, neg


@njit(**_INLINE)
def fold(s, c, h, lo):
    """Add a chunk's (H, L) to the row's Neumaier pair (s, c); H + L is first renormalised
    (Knuth's two_sum: the pair's low part then stays within half an ULP of its high part,
    as the consumers' first-order log(h + l) = log h + l/h expects)."""
    t = h + lo
    bb = t - h
    lo = (h - (t - bb)) + (lo - bb)
    u = s + t
    if abs(s) >= abs(t):
        c += (s - u) + t
    else:
        c += (t - u) + s
    return u, c + lo
