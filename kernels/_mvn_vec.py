"""Eight float64 lanes as one numba value, for kl_mvn's blocked solves (numba extension).

numba's loop vectoriser turns the solve's row updates (loops of k + 2 entries, 20 on
average at n = 64) into 8-lane code whose scalar remainder runs most of the work, and its
SLP vectoriser is off by default — so a block of eight columns kept in registers across
the whole k loop cannot be had from scalar code.  :data:`vec8` is an LLVM
``<8 x double>`` as a numba type: ``vload``/``vstore`` move eight consecutive entries of a
C-contiguous float64 array, ``splat`` broadcasts a scalar, ``+``, ``−``, ``*``, ``/`` and
unary ``−`` act lane by lane with IEEE rounding (no fast-math), ``vfma`` rounds once
(``llvm.fma``: the FMA instruction, or libm's ``fma`` without one), ``vhead(v, m)`` zeroes
the lanes from ``m`` on, ``vabs`` clears the signs, ``vsum`` adds the lanes in order and
``lane(v, k)`` reads one; ``prefetch`` hints a cache line of an input array.  Every lane computes
exactly what the scalar code would, so a blocked loop gives the scalar loop's results bit
for bit.  On AVX-512 one value is one zmm register, on AVX2 two ymm, on SSE2 four xmm.

Only typing templates and lowering functions (no numba functions) are defined here:
typing a call costs no compilation.

Example (inside a numba function, ``a`` C-contiguous float64 with ≥ 8 columns)::

    v = vload(a, 0, 0)            # a[0, 0:8]
    vstore(a, 1, 0, vfma(v, v, splat(1.0)))   # a[1, 0:8] = a[0, 0:8]² + 1, one rounding
"""

import operator

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.datamodel import models
from numba.core.imputils import lower_builtin
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.extending import intrinsic, register_model

LANES = 8
_VEC = ir.VectorType(ir.DoubleType(), LANES)


class Vec8(types.Type):
    """Eight float64 lanes (an LLVM ``<8 x double>``)."""

    def __init__(self):
        super().__init__(name="float64x8")


vec8 = Vec8()


@register_model(Vec8)
class _Vec8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VEC)


def _lane_pointer(context, builder, aryty, ary, row, col):
    """Address of ``ary[row, col]`` (2-d) or ``ary[col]`` (1-d, row ignored) as <8 x double>*;
    C-contiguous arrays only (checked at typing), no wraparound or bounds check."""
    a = context.make_array(aryty)(context, builder, ary)
    if aryty.ndim == 2:
        width = builder.extract_value(a.shape, 1)
        col = builder.add(builder.mul(row, width), col)
    ptr = builder.gep(a.data, [col], inbounds=True)
    return builder.bitcast(ptr, _VEC.as_pointer())


def _check_array(arr):
    return (isinstance(arr, types.Array) and arr.dtype == types.float64
            and arr.layout == "C" and arr.ndim in (1, 2))


@intrinsic
def vload(typingctx, arr, row, col):
    """``arr[row, col:col + 8]`` (or ``arr[col:col + 8]`` for 1-d ``arr``) as a vec8."""
    if not (_check_array(arr) and isinstance(row, types.Integer)
            and isinstance(col, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        row_, col_ = (context.cast(builder, v, t, types.intp)
                      for v, t in zip(args[1:], sig.args[1:], strict=True))
        ptr = _lane_pointer(context, builder, sig.args[0], args[0], row_, col_)
        return builder.load(ptr, align=8)
    return vec8(arr, row, col), codegen


@intrinsic
def vstore(typingctx, arr, row, col, value):
    """``arr[row, col:col + 8] = value`` (or ``arr[col:col + 8]`` for 1-d ``arr``)."""
    if not (_check_array(arr) and isinstance(row, types.Integer)
            and isinstance(col, types.Integer) and value == vec8):
        return None

    def codegen(context, builder, sig, args):
        row_, col_ = (context.cast(builder, v, t, types.intp)
                      for v, t in zip(args[1:3], sig.args[1:3], strict=True))
        ptr = _lane_pointer(context, builder, sig.args[0], args[0], row_, col_)
        builder.store(args[3], ptr, align=8)
        return context.get_dummy_value()
    return types.void(arr, row, col, value), codegen


@intrinsic
def splat(typingctx, x):
    """A vec8 with every lane ``x`` (a float)."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[0], sig.args[0], types.float64)
        undef = ir.Constant(_VEC, ir.Undefined)
        one = builder.insert_element(undef, v, ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(one, undef, ir.Constant(ir.VectorType(
            ir.IntType(32), LANES), [0] * LANES))
    return vec8(x), codegen


@intrinsic
def vfma(typingctx, a, b, c):
    """a·b + c lane by lane, rounded once."""
    if not (a == b == c == vec8):
        return None

    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VEC, [_VEC] * 3),
                                            f"llvm.fma.v{LANES}f64")
        return builder.call(fn, args)
    return vec8(vec8, vec8, vec8), codegen


@intrinsic
def prefetch(typingctx, arr, row, col):
    """Hint the cache line holding ``arr[row, col]`` (a C-contiguous 2-d array of any
    float dtype) into the cache (``llvm.prefetch``: never faults, no effect on results)."""
    if not (isinstance(arr, types.Array) and arr.layout == "C" and arr.ndim == 2
            and isinstance(row, types.Integer) and isinstance(col, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        row_, col_ = (context.cast(builder, v, t, types.intp)
                      for v, t in zip(args[1:], sig.args[1:], strict=True))
        width = builder.extract_value(a.shape, 1)
        ptr = builder.gep(a.data, [builder.add(builder.mul(row_, width), col_)])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
            "llvm.prefetch.p0")
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return types.void(arr, row, col), codegen


@intrinsic
def vabs(typingctx, v):
    """|v| lane by lane (``llvm.fabs``: the sign bit cleared)."""
    if v != vec8:
        return None

    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VEC, [_VEC]),
                                            f"llvm.fabs.v{LANES}f64")
        return builder.call(fn, args)
    return vec8(vec8), codegen


@intrinsic
def vsum(typingctx, v):
    """The lanes' sum, added in lane order (((v0 + v1) + v2) + …: IEEE, no reassociation)."""
    if v != vec8:
        return None

    def codegen(context, builder, sig, args):
        total = builder.extract_element(args[0], ir.Constant(ir.IntType(32), 0))
        for k in range(1, LANES):
            total = builder.fadd(total, builder.extract_element(
                args[0], ir.Constant(ir.IntType(32), k)))
        return total
    return types.float64(vec8), codegen


@intrinsic
def lane(typingctx, v, k):
    """Lane ``k`` of ``v`` as a float64."""
    if not (v == vec8 and isinstance(k, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        idx = context.cast(builder, args[1], sig.args[1], types.int32)
        return builder.extract_element(args[0], idx)
    return types.float64(v, k), codegen


@intrinsic
def vhead(typingctx, v, m):
    """``v`` with lanes m, m + 1, … set to 0.0 (lanes below ``m`` kept; m ≤ 0: all zero)."""
    if not (v == vec8 and isinstance(m, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        m_ = context.cast(builder, args[1], sig.args[1], types.int64)
        limit = builder.insert_element(ir.Constant(ir.VectorType(i64, LANES), ir.Undefined),
                                       m_, ir.Constant(ir.IntType(32), 0))
        limit = builder.shuffle_vector(limit, limit, ir.Constant(
            ir.VectorType(ir.IntType(32), LANES), [0] * LANES))
        index = ir.Constant(ir.VectorType(i64, LANES), list(range(LANES)))
        keep = builder.icmp_signed("<", index, limit)
        return builder.select(keep, args[0], ir.Constant(_VEC, [0.0] * LANES))
    return vec8(v, m), codegen


def _binary(op, method):
    @infer_global(op)
    class _Typing(AbstractTemplate):
        def generic(self, args, kws):
            if len(args) == 2 and args[0] == args[1] == vec8:
                return signature(vec8, vec8, vec8)

    @lower_builtin(op, vec8, vec8)
    def _lower(context, builder, sig, args):
        return getattr(builder, method)(*args)


for _op, _method in ((operator.add, "fadd"), (operator.sub, "fsub"),
                     (operator.mul, "fmul"), (operator.truediv, "fdiv")):
    _binary(_op, _method)


@infer_global(operator.neg)
class _NegTyping(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 1 and args[0] == vec8:
            return signature(vec8, vec8)


@lower_builtin(operator.neg, vec8)
def _neg(context, builder, sig, args):
    return builder.fneg(args[0])


__all__ = ["LANES", "lane", "prefetch", "splat", "vabs", "vec8", "vfma", "vhead", "vload", "vstore",
           "vsum"]
