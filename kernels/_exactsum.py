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


# σ = 2¹²·2^e from the largest exponent field, +inf from TOP on: spelled out in each
# function below, maxima and minima as selects (every numba function or overload, however
# small, is compiled on its own and again in each caller, so helpers cost first-use time)

@njit(**_LANES)
def split_sums2(x, y):
    """(H_x, L_x, H_y, L_y, number of x_i < 0): Σx = H_x + L_x, H exact, L within
    2⁻⁷²·max|x_i| (≤ MAX_TERMS terms; the same for y; a caller that does not use the count
    does not compute it: LLVM drops it)."""
    ex = ey = np.int64(0)
    for k in range(x.shape[0]):  # vectorises: integer maxima of the exponent fields
        b = _bits(x[k]) & EXP
        ex = b if b > ex else ex
        b = _bits(y[k]) & EXP
        ey = b if b > ey else ey
    sx = _from_bits((ex if ex < TOP else TOP) + SHIFT)
    sy = _from_bits((ey if ey < TOP else TOP) + SHIFT)
    hx = lx = hy = ly = neg = 0.0
    for k in range(x.shape[0]):  # vectorises: the high parts' sums are exact in any order
        h, lo = split(sx, x[k])
        hx += h
        lx += lo
        neg += 1.0 if x[k] < 0.0 else 0.0
        h, lo = split(sy, y[k])
        hy += h
        ly += lo
    return hx, lx, hy, ly, neg


@njit(**_LANES)
def split_sums3(x, y, z):
    """``split_sums2`` for three arrays: (H_x, L_x, H_y, L_y, H_z, L_z, number of x_i < 0)."""
    ex = ey = ez = np.int64(0)
    for k in range(x.shape[0]):
        b = _bits(x[k]) & EXP
        ex = b if b > ex else ex
        b = _bits(y[k]) & EXP
        ey = b if b > ey else ey
        b = _bits(z[k]) & EXP
        ez = b if b > ez else ez
    sx = _from_bits((ex if ex < TOP else TOP) + SHIFT)
    sy = _from_bits((ey if ey < TOP else TOP) + SHIFT)
    sz = _from_bits((ez if ez < TOP else TOP) + SHIFT)
    hx = lx = hy = ly = hz = lz = neg = 0.0
    for k in range(x.shape[0]):
        h, lo = split(sx, x[k])
        hx += h
        lx += lo
        neg += 1.0 if x[k] < 0.0 else 0.0
        h, lo = split(sy, y[k])
        hy += h
        ly += lo
        h, lo = split(sz, z[k])
        hz += h
        lz += lo
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
