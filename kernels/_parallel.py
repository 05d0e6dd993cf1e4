"""One shared multi-threaded driver for every kernel's NumPy inner loop (numba).

Each kernel has a *serial* inner loop with NumPy's signature
``void loop(char **args, npy_intp *dims, npy_intp *steps, void *data)`` (a numba ``cfunc``
generated in ``_kernels.py``): elementwise kernels loop over elements, row reductions
loop over rows inside compiled code (``dims[0]`` rows of ``dims[1]`` entries), with no
call per row.  The ufunc NumPy sees does not call that loop directly: it calls
:func:`driver`, one ``cfunc`` compiled once for all kernels, whose ``data`` pointer holds
``(address of the serial loop, core dimensions, operands, minimum work)``.  The driver

* runs the serial loop itself when the call is small (fewer than ``PARALLEL_MIN`` entries
  in all: no thread wake-up for a few rows), otherwise
* hands it to numba's threading layer (``numba_parallel_for``, the routine numba's own
  ``target='parallel'`` gufuncs use), which splits the outer loop into one contiguous
  chunk per thread (``numba.set_num_threads``) and calls the serial loop on each, with the
  operand pointers and ``dims[0]`` adjusted;

and then clears the floating-point status flags the discarded SIMD lanes raised, so NumPy
reports none.  A kernel therefore compiles only its serial loop (and what it calls) per
dtype; the parallel machinery is shared.

Example (what ``_ufunc.make_ufunc`` does)::

    data = loop_data(serial_cfunc.address, core_ndim=1, nargs=3)
    ufunc = fromfunc(name, doc, [driver_address()], [types], 2, 1, [data.ctypes.data], …)
"""

import numba
import numpy as np
from llvmlite import ir
from numba import carray, cfunc, types
from numba.core import cgutils
from numba.extending import intrinsic

from ._simd import clear_fp_status

#: entries (rows × (1 + core size), or elements) below which one thread runs the call
PARALLEL_MIN = 65536

#: NumPy's inner-loop signature: void(char **args, npy_intp *dims, npy_intp *steps, void *)
LOOP_SIGNATURE = types.void(types.CPointer(types.voidptr), types.CPointer(types.intp),
                            types.CPointer(types.intp), types.voidptr)


@intrinsic
def _call_loop(typingctx, fn, args, dims, steps):
    """Call the inner loop at address ``fn`` (an int) with NumPy's loop arguments."""
    def codegen(context, builder, sig, llargs):
        i8p = ir.IntType(8).as_pointer()
        intp = context.get_value_type(types.intp)
        fnty = ir.FunctionType(ir.VoidType(), [i8p.as_pointer(), intp.as_pointer(),
                                               intp.as_pointer(), i8p])
        target = builder.inttoptr(llargs[0], fnty.as_pointer())
        builder.call(target, [builder.bitcast(llargs[1], i8p.as_pointer()),
                              llargs[2], llargs[3], ir.Constant(i8p, None)])
        return context.get_dummy_value()
    return types.void(types.intp, args, dims, steps), codegen


@intrinsic
def _parallel_for(typingctx, fn, args, dims, steps, core_ndim, nargs, nthreads):
    """numba_parallel_for(fn, args, dims, steps, NULL, core_ndim, nargs, nthreads): numba's
    threading layer splits dims[0] over the threads and calls ``fn`` on each chunk."""
    def codegen(context, builder, sig, llargs):
        i8p = ir.IntType(8).as_pointer()
        intp = context.get_value_type(types.intp)
        fnty = ir.FunctionType(ir.VoidType(), [i8p] * 5 + [intp] * 3)
        pfor = cgutils.get_or_insert_function(builder.module, fnty, "numba_parallel_for")
        ptrs = [builder.inttoptr(llargs[0], i8p)]
        ptrs += [builder.bitcast(a, i8p) for a in llargs[1:4]]
        ptrs.append(ir.Constant(i8p, None))
        builder.call(pfor, ptrs + list(llargs[4:7]))
        return context.get_dummy_value()
    return (types.void(types.intp, args, dims, steps, types.intp, types.intp, types.intp),
            codegen)


@intrinsic
def _num_threads(typingctx):
    """The calling thread's number of numba threads (``numba.set_num_threads``), read from
    the threading layer's ``get_num_threads`` symbol (so the driver can be cached)."""
    def codegen(context, builder, sig, llargs):
        intp = context.get_value_type(types.intp)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(intp, []),
                                            "get_num_threads")
        return builder.call(fn, [])
    return types.intp(), codegen


def _driver(args, dims, steps, data):
    info = carray(data, 4, np.int64)
    fn, core_ndim, nargs, per_row = info[0], info[1], info[2], info[3]
    work = dims[0] * per_row
    for j in range(1, core_ndim + 1):
        work *= max(dims[j], 1)
    threads = _num_threads()
    if work < PARALLEL_MIN or threads == 1 or dims[0] < 2 * threads:
        _call_loop(fn, args, dims, steps)
    else:
        _parallel_for(fn, args, dims, steps, core_ndim, nargs, threads)
    clear_fp_status()


_DRIVER = []


def driver_address() -> int:
    """Address of the shared driver cfunc (compiled, or loaded from numba's cache, once)."""
    if not _DRIVER:
        numba.get_num_threads()  # starts the threading layer: defines numba_parallel_for
        _DRIVER.append(cfunc(LOOP_SIGNATURE, cache=True, error_model="numpy")(_driver))
    return _DRIVER[0].address


def loop_data(loop_address: int, core_ndim: int, nargs: int, per_row: int = 1) -> np.ndarray:
    """The ``data`` block the driver reads: keep the array alive as long as the ufunc."""
    return np.array([loop_address, core_ndim, nargs, per_row], dtype=np.int64)
