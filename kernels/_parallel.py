"""One shared multi-threaded driver for every kernel's NumPy inner loop (numba).

Each kernel has a *serial* inner loop with NumPy's signature
``void loop(char **args, npy_intp *dims, npy_intp *steps, void *data)`` (a numba ``cfunc``
generated in ``_kernels.py``): elementwise kernels loop over elements, row reductions
loop over rows inside compiled code (``dims[0]`` rows of ``dims[1]`` entries), with no
call per row.  The ufunc NumPy sees does not call that loop directly: it calls
the driver, one function for all kernels, whose ``data`` pointer holds
``(address of the serial loop, core dimensions, operands, minimum work)``.  The driver

* runs the serial loop itself when the call is small (fewer than ``PARALLEL_MIN`` entries
  in all: no thread wake-up for a few rows), otherwise
* splits the outer loop into ``CHUNKS_PER_THREAD`` contiguous chunks per thread
  (``numba.set_num_threads``) and hands the list of chunks to numba's threading layer
  (``numba_parallel_for``, the routine numba's own ``target='parallel'`` gufuncs use; its
  omp layer calls once per entry of the outer loop, which is why the entries here are
  chunks, not rows); the chunk function then calls the serial loop on each chunk with the
  operand pointers and ``dims[0]`` adjusted;

and then clears the floating-point status flags the discarded SIMD lanes raised, so NumPy
reports none.  A kernel therefore compiles only its serial loop (and what it calls) per
dtype; the parallel machinery is shared.  The driver and the chunk function are written
directly as LLVM IR (llvmlite) and compiled once per process in milliseconds: as numba
cfuncs they were typed, lowered and compiled on every first use with an empty cache
(~0.4 s CPU of each kernel's first call).

Example (what ``_ufunc.make_ufunc`` does)::

    data = loop_data(serial_cfunc.address, core_ndim=1, nargs=3)
    ufunc = fromfunc(name, doc, [driver_address()], [types], 2, 1, [data.ctypes.data], …)
"""

import ctypes

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils

from ._intrinsics import FE_ALL_EXCEPT

#: entries (rows × (1 + core size), or elements) below which one thread runs the call
PARALLEL_MIN = 65536

#: NumPy's inner-loop signature: void(char **args, npy_intp *dims, npy_intp *steps, void *)
LOOP_SIGNATURE = types.void(types.CPointer(types.voidptr), types.CPointer(types.intp),
                            types.CPointer(types.intp), types.voidptr)

#: chunks per thread (some balance when a thread is slowed down by the machine's load)
CHUNKS_PER_THREAD = 4

_DRIVER, _CHUNK = "klforge_parallel_driver", "klforge_parallel_chunk"
_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)  # npy_intp and the int64 records (64-bit platforms: numba's own)
_I64P = _I64.as_pointer()
_LOOP = ir.FunctionType(ir.VoidType(), [_I8P.as_pointer(), _I64P, _I64P, _I8P])


def _c(v):
    return ir.Constant(_I64, v)


def _at(b, ptr, k):
    """ptr[k] (an i64*; k an int or an i64 value)."""
    return b.load(b.gep(ptr, [k if isinstance(k, ir.Value) else _c(k)]))


def _put(b, ptr, k, v):
    b.store(v, b.gep(ptr, [k if isinstance(k, ir.Value) else _c(k)]))


def _chunk_ir(f):
    """``_CHUNK(args, dims, steps, data)``: run the serial loop on the chunks listed at
    ``args[0]`` (``dims[0]`` records of (start, stop)); ``data`` holds (loop, its args,
    dims, steps, operands, core dims)."""
    b = ir.IRBuilder(f.append_basic_block("entry"))
    args, dims, _, data = f.args
    meta = b.bitcast(data, _I64P)
    fn = b.inttoptr(_at(b, meta, 0), _LOOP.as_pointer())
    outer_args, outer_dims, outer_steps = (b.inttoptr(_at(b, meta, k), _I64P) for k in (1, 2, 3))
    nargs, core_ndim = _at(b, meta, 4), _at(b, meta, 5)
    ranges = b.bitcast(b.load(args), _I64P)
    local = b.alloca(_I64, size=b.add(b.add(nargs, core_ndim), _c(1)))
    local_dims = b.gep(local, [nargs])
    with cgutils.for_range(b, b.add(core_ndim, _c(1))) as loop:
        _put(b, local_dims, loop.index, _at(b, outer_dims, loop.index))
    with cgutils.for_range(b, b.load(dims)) as chunk:
        k2 = b.mul(chunk.index, _c(2))
        start = _at(b, ranges, k2)
        with cgutils.for_range(b, nargs) as loop:
            j = loop.index
            _put(b, local, j, b.add(_at(b, outer_args, j), b.mul(start, _at(b, outer_steps, j))))
        _put(b, local_dims, 0, b.sub(_at(b, ranges, b.add(k2, _c(1))), start))
        b.call(fn, [b.bitcast(local, _I8P.as_pointer()), local_dims, outer_steps,
                    ir.Constant(_I8P, None)])
    b.ret_void()


def _driver_ir(f, get_threads, parallel_for, clear_flags):
    """``_DRIVER(args, dims, steps, data)``, the inner loop of every kernel's ufunc: the
    serial loop itself for a small call, else the chunks handed to the threading layer
    (see the module docstring); then the floating-point flags are cleared."""
    b = ir.IRBuilder(f.append_basic_block("entry"))
    args, dims, steps, data = f.args
    info = b.bitcast(data, _I64P)
    fn, core_ndim, nargs, per_row, chunk_fn, align = (_at(b, info, k) for k in range(6))
    n = b.load(dims)
    work = b.alloca(_I64)
    b.store(b.mul(n, per_row), work)
    with cgutils.for_range(b, core_ndim) as loop:
        d = _at(b, dims, b.add(loop.index, _c(1)))
        with b.if_then(b.icmp_signed(">", d, _c(1))):
            b.store(b.mul(b.load(work), d), work)
    threads = b.call(get_threads, [])
    serial = b.or_(b.or_(b.icmp_signed("<", b.load(work), _c(PARALLEL_MIN)),
                         b.icmp_signed("==", threads, _c(1))),
                   b.icmp_signed("<", n, b.mul(threads, _c(2))))
    with b.if_else(serial) as (one, many):
        with one:
            b.call(b.inttoptr(fn, _LOOP.as_pointer()), [args, dims, steps, ir.Constant(_I8P, None)])
        with many:
            chunks = b.mul(threads, _c(CHUNKS_PER_THREAD))
            chunks = b.select(b.icmp_signed("<", n, chunks), n, chunks)
            # One block on this function's stack holds everything the threads read: the
            # chunks' (start, stop) records, the loop's description, and parallel_for's
            # one-operand args/dims/steps; it lives until every thread is done.
            m = b.mul(chunks, _c(2))
            block = b.alloca(_I64, size=b.add(m, _c(9)))
            # Chunk edges fall on multiples of ``align`` rows (the last chunk ends at n), so
            # a kernel that takes rows ``align`` at a time (kl_mvn's batch across SIMD lanes)
            # sees the same groups of rows whatever the number of threads.  A chunk may be
            # empty when n is small; the loop then runs zero rows.
            with cgutils.for_range(b, chunks) as loop:
                k = loop.index
                lo = b.sdiv(b.mul(n, k), chunks)
                hi = b.sdiv(b.mul(n, b.add(k, _c(1))), chunks)
                lo = b.sub(lo, b.srem(lo, align))
                last = b.icmp_signed(">=", b.add(k, _c(1)), chunks)
                hi = b.select(last, hi, b.sub(hi, b.srem(hi, align)))
                _put(b, block, b.mul(k, _c(2)), lo)
                _put(b, block, b.add(b.mul(k, _c(2)), _c(1)), hi)
            fields = (fn, b.ptrtoint(args, _I64), b.ptrtoint(dims, _I64), b.ptrtoint(steps, _I64),
                      nargs, core_ndim, b.ptrtoint(block, _I64), chunks, _c(16))
            for j, v in enumerate(fields):  # args: the one operand (the records); dims; steps
                _put(b, block, b.add(m, _c(j)), v)

            def slot(j):
                return b.bitcast(b.gep(block, [b.add(m, _c(j))]), _I8P)
            b.call(parallel_for, [b.inttoptr(chunk_fn, _I8P), slot(6), slot(7), slot(8), slot(0),
                                  _c(0), _c(1), threads])
    b.call(clear_flags, [ir.Constant(_I32, FE_ALL_EXCEPT)])
    b.ret_void()


_COMPILED = []


def _compiled():
    """(driver address, chunk address, the code library keeping them alive): written as
    LLVM IR and compiled once per process, in ~10 ms — as numba cfuncs they took ~0.4 s of
    every first use with an empty cache."""
    if not _COMPILED:
        assert ctypes.sizeof(ctypes.c_void_p) == 8, "the driver assumes a 64-bit npy_intp"
        numba.get_num_threads()  # starts the threading layer: defines numba_parallel_for
        from numba.core.registry import cpu_target
        mod = ir.Module(name="klforge_parallel")
        get_threads = ir.Function(mod, ir.FunctionType(_I64, []), "get_num_threads")
        parallel_for = ir.Function(mod, ir.FunctionType(ir.VoidType(), [_I8P] * 5 + [_I64] * 3),
                                   "numba_parallel_for")
        clear_flags = ir.Function(mod, ir.FunctionType(_I32, [_I32]), "feclearexcept")
        _chunk_ir(ir.Function(mod, _LOOP, _CHUNK))
        _driver_ir(ir.Function(mod, _LOOP, _DRIVER), get_threads, parallel_for, clear_flags)
        from numba.core.compiler_lock import global_compiler_lock
        with global_compiler_lock:
            library = cpu_target.target_context.codegen().create_library("klforge_parallel")
            library.add_ir_module(mod)
            library.finalize()
        _COMPILED.extend([library.get_pointer_to_function(_DRIVER),
                          library.get_pointer_to_function(_CHUNK), library])
    return _COMPILED


def driver_address() -> int:
    """Address of the shared driver (compiled once per process)."""
    return _compiled()[0]


def loop_data(loop_address: int, core_ndim: int, nargs: int, per_row: int = 1,
              align: int = 1) -> np.ndarray:
    """The ``data`` block the driver reads: keep the array alive as long as the ufunc.
    ``align``: chunk edges fall on multiples of this many rows."""
    if align < 1:
        raise ValueError(f"align must be a positive number of rows, got {align}")
    return np.array([loop_address, core_ndim, nargs, per_row, _compiled()[1], align],
                    dtype=np.int64)
