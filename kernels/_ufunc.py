"""NumPy ufuncs whose inner loops vectorise: the machinery behind the elementwise kernels.

``numba.vectorize`` calls the kernel once per element through a generic strided loop, which
LLVM does not turn into SIMD code.  Here each elementwise kernel gets its own inner loop
(a numba ``cfunc`` with NumPy's loop signature, generated per kernel in ``_kernels.py``):

* all operands unit-stride → the arrays are viewed in place (``carray``) and a plain loop
  over the branch-free core runs, vectorised by LLVM; long loops are split into chunks
  run on numba's threads (``numba.set_num_threads``);
* anything else (broadcast scalars, strided views) → an element-by-element loop that reads
  and writes through the strides NumPy supplies.

``make_ufunc`` registers the loops (float32 and float64, each computing in float64) as a
genuine ``numpy.ufunc`` with NumPy's own ``fromfunc`` path, the one numba uses for
``vectorize``, so broadcasting, ``out=``, dtype resolution and
``__array_ufunc__`` dispatch (Dask) all come from NumPy.  (``where=`` is not supported by
ufuncs made this way — numba's ``vectorize`` ufuncs share the limitation.)
"""

import numba
import numpy as np
from llvmlite import ir
from numba import cfunc, types
from numba.extending import intrinsic
from numba.np.ufunc import _internal
from numba.np.ufunc.ufuncbuilder import parse_identity

from ._simd import clear_fp_status  # noqa: F401 - re-exported for the generated loops

#: NumPy's inner-loop signature: void(char **args, npy_intp *dims, npy_intp *steps, void *)
LOOP_SIGNATURE = types.void(types.CPointer(types.voidptr), types.CPointer(types.intp),
                            types.CPointer(types.intp), types.voidptr)
#: elements per task on numba's threads, and the length below which one thread runs it all
CHUNK = 16384
PARALLEL_MIN = 65536


def _access(kind, llvm_type):
    @intrinsic
    def load(typingctx, ptr, offset):
        """The ``kind`` value at byte ``offset`` from ``ptr``."""
        def codegen(context, builder, sig, args):
            p = builder.gep(builder.bitcast(args[0], ir.IntType(8).as_pointer()), [args[1]])
            return builder.load(builder.bitcast(p, llvm_type.as_pointer()))
        return kind(types.voidptr, types.intp), codegen

    @intrinsic
    def store(typingctx, ptr, offset, value):
        """Write ``value`` (a ``kind``) at byte ``offset`` from ``ptr``."""
        def codegen(context, builder, sig, args):
            p = builder.gep(builder.bitcast(args[0], ir.IntType(8).as_pointer()), [args[1]])
            builder.store(args[2], builder.bitcast(p, llvm_type.as_pointer()))
            return context.get_dummy_value()
        return types.void(types.voidptr, types.intp, kind), codegen
    return load, store


load_f64, store_f64 = _access(types.float64, ir.DoubleType())
load_f32, store_f32 = _access(types.float32, ir.FloatType())

_DTYPE_NUM = {"float32": np.dtype(np.float32).num, "float64": np.dtype(np.float64).num}


def make_ufunc(name: str, doc: str, nin: int, loops: dict) -> np.ufunc:
    """A ``numpy.ufunc`` from python loop functions ``{"float32": f, "float64": g}``
    (compiled here as numba cfuncs with :data:`LOOP_SIGNATURE`, cached on disk)."""
    numba.get_num_threads()  # starts numba's threading layer, whose symbols the loops link
    compiled = [cfunc(LOOP_SIGNATURE, cache=True, error_model="numpy")(loops[t])
                for t in ("float32", "float64")]
    types_ = [[_DTYPE_NUM[t]] * (nin + 1) for t in ("float32", "float64")]
    return _internal.fromfunc(name, doc, [c.address for c in compiled], types_, nin, 1,
                              [None, None], compiled, parse_identity(None))
