"""LLVM intrinsics the vectorised kernels are built from (numba ``@intrinsic``).

Bit access to float64 (``_bits``, ``_from_bits``, ``_exponent_field``), the fused
multiply-add ``fma`` (one rounding: the FMA instruction, or libm's ``fma`` without one),
``as_contiguous`` (a 1-d view retyped as layout 'C' after the caller checked the stride)
and ``clear_fp_status`` (``feclearexcept``: the kernels' driver forgets the floating-point
flags raised by lanes a branch-free loop computed and discarded).  ``_simd`` re-exports
them, so ``_simd.fma`` etc. keep working.

Example: inside a numba function, ``fma(a, b, c)`` = a·b + c rounded once;
``_from_bits(_bits(x)) == x`` for every float64 x.
"""

import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic


@intrinsic
def _bits(typingctx, x):
    """The IEEE-754 bits of a float64, as int64."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, b):
    """The float64 whose IEEE-754 bits are the int64 ``b``."""
    if b != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _exponent_field(typingctx, x):
    """2^52 + (the biased exponent field of x), as a float64: bits (x >>> 52) | 2^52's.
    A logical shift (the sign bit of a positive x is 0): AVX2 has no 64-bit arithmetic
    shift, so ``>>`` on int64 would keep the loop from vectorising."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        b = builder.lshr(builder.bitcast(args[0], i64), ir.Constant(i64, 52))
        b = builder.or_(b, ir.Constant(i64, 0x4330000000000000))
        return builder.bitcast(b, ir.DoubleType())
    return types.float64(types.float64), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """a·b + c rounded once (llvm.fma: the FMA instruction, or libm's fma without one)."""
    if not all(t == types.float64 for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)
    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def as_contiguous(typingctx, arr):
    """A 1-d array view retyped as layout 'C'.  Only for arrays whose stride the caller
    has checked equals the item size (``contiguous_view`` does)."""
    if not isinstance(arr, types.Array) or arr.ndim != 1:
        return None
    ret = arr.copy(layout="C")

    def codegen(context, builder, signature, args):
        return impl_ret_borrowed(context, builder, ret, args[0])
    return ret(arr), codegen


#: FE_ALL_EXCEPT of <fenv.h> (x86: 0x3d; ARM: 0x1f)
FE_ALL_EXCEPT = 0x1F if platform.machine().lower() in ("aarch64", "arm64") else 0x3D


@intrinsic
def clear_fp_status(typingctx):
    """feclearexcept(FE_ALL_EXCEPT): forget the floating-point flags raised by the lanes
    a branch-free loop computed and then discarded (NumPy would report them as
    "invalid value encountered" although no returned value is affected)."""
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i32, [i32]),
                                            "feclearexcept")
        builder.call(fn, [ir.Constant(i32, FE_ALL_EXCEPT)])
        return context.get_dummy_value()
    return types.void(), codegen
