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
* splits the outer loop into ``CHUNKS_PER_THREAD`` contiguous chunks per thread
  (``numba.set_num_threads``) and hands the list of chunks to numba's threading layer
  (``numba_parallel_for``, the routine numba's own ``target='parallel'`` gufuncs use; its
  omp layer calls once per entry of the outer loop, which is why the entries here are
  chunks, not rows); :func:`_chunk` then calls the serial loop on each chunk with the
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
from numba import cfunc, types
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
    """Call the inner loop at address ``fn`` with NumPy's loop arguments, each given as an
    address (int)."""
    def codegen(context, builder, sig, llargs):
        i8p = ir.IntType(8).as_pointer()
        intp = context.get_value_type(types.intp)
        fnty = ir.FunctionType(ir.VoidType(), [i8p.as_pointer(), intp.as_pointer(),
                                               intp.as_pointer(), i8p])
        target = builder.inttoptr(llargs[0], fnty.as_pointer())
        builder.call(target, [builder.inttoptr(llargs[1], i8p.as_pointer()),
                              builder.inttoptr(llargs[2], intp.as_pointer()),
                              builder.inttoptr(llargs[3], intp.as_pointer()),
                              ir.Constant(i8p, None)])
        return context.get_dummy_value()
    return types.void(types.intp, types.intp, types.intp, types.intp), codegen


@intrinsic
def _address(typingctx, ptr):
    """A pointer's address as an int."""
    def codegen(context, builder, sig, llargs):
        return builder.ptrtoint(llargs[0], context.get_value_type(types.intp))
    return types.intp(ptr), codegen


@intrinsic
def _load(typingctx, address, index):
    """The int64 at ``address + 8·index``."""
    def codegen(context, builder, sig, llargs):
        base = builder.inttoptr(llargs[0], ir.IntType(64).as_pointer())
        return builder.load(builder.gep(base, [llargs[1]]))
    return types.int64(types.intp, types.intp), codegen


@intrinsic
def _store(typingctx, address, index, value):
    """Write the int64 ``value`` at ``address + 8·index``."""
    def codegen(context, builder, sig, llargs):
        base = builder.inttoptr(llargs[0], ir.IntType(64).as_pointer())
        builder.store(llargs[2], builder.gep(base, [llargs[1]]))
        return context.get_dummy_value()
    return types.void(types.intp, types.intp, types.int64), codegen


@intrinsic
def _stack(typingctx, n):
    """Address of ``n`` int64 on the calling function's stack (valid until it returns; call
    it outside loops)."""
    def codegen(context, builder, sig, llargs):
        block = builder.alloca(ir.IntType(64), size=llargs[0])
        return builder.ptrtoint(block, context.get_value_type(types.intp))
    return types.intp(types.intp), codegen


@intrinsic
def _parallel_for(typingctx, fn, args, dims, steps, data, nthreads):
    """numba_parallel_for(fn, args, dims, steps, data, 0, 1, nthreads) with addresses as
    ints: the threading layer calls ``fn`` for the entries of the one-operand outer loop
    ``dims[0]`` (the omp layer once per entry, workqueue once per thread)."""
    def codegen(context, builder, sig, llargs):
        i8p = ir.IntType(8).as_pointer()
        intp = context.get_value_type(types.intp)
        fnty = ir.FunctionType(ir.VoidType(), [i8p] * 5 + [intp] * 3)
        pfor = cgutils.get_or_insert_function(builder.module, fnty, "numba_parallel_for")
        ptrs = [builder.inttoptr(v, i8p) for v in llargs[:5]]
        builder.call(pfor, ptrs + [ir.Constant(intp, 0), ir.Constant(intp, 1), llargs[5]])
        return context.get_dummy_value()
    return types.void(*([types.intp] * 6)), codegen


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


#: chunks per thread (some balance when a thread is slowed down by the machine's load)
CHUNKS_PER_THREAD = 4


# The driver and _chunk read and write their int64 records through the intrinsics above
# (no NumPy arrays, carray, np.empty or min/max overloads): they are compiled on every first
# use with an empty cache, so they are kept to what the typing and lowering passes see
# cheaply.

def _chunk(args, dims, steps, data):
    """Run the serial loop on the chunks listed at ``args[0]`` (``dims[0]`` records of
    (start, stop)); ``data`` holds (loop, its args, dims, steps, operands, core dims)."""
    meta = _address(data)
    fn, outer_args, outer_dims = _load(meta, 0), _load(meta, 1), _load(meta, 2)
    outer_steps, nargs, core_ndim = _load(meta, 3), _load(meta, 4), _load(meta, 5)
    ranges = _address(args[0])
    local_args = _stack(nargs + core_ndim + 1)
    local_dims = local_args + 8 * nargs
    for j in range(core_ndim + 1):
        _store(local_dims, j, _load(outer_dims, j))
    for k in range(dims[0]):
        start = _load(ranges, 2 * k)
        for j in range(nargs):
            _store(local_args, j, _load(outer_args, j) + start * _load(outer_steps, j))
        _store(local_dims, 0, _load(ranges, 2 * k + 1) - start)
        _call_loop(fn, local_args, local_dims, outer_steps)


def _driver(args, dims, steps, data):
    info = _address(data)
    fn, core_ndim, nargs = _load(info, 0), _load(info, 1), _load(info, 2)
    per_row, chunk_fn, align = _load(info, 3), _load(info, 4), _load(info, 5)
    work = dims[0] * per_row
    for j in range(1, core_ndim + 1):
        if dims[j] > 1:
            work *= dims[j]
    threads = _num_threads()
    if work < PARALLEL_MIN or threads == 1 or dims[0] < 2 * threads:
        _call_loop(fn, _address(args), _address(dims), _address(steps))
    else:
        n = dims[0]
        chunks = threads * CHUNKS_PER_THREAD
        if n < chunks:  # noqa: PLR1730 - min() would compile numba's overload of it
            chunks = n
        # One block on this function's stack holds everything the threads read: the chunks'
        # (start, stop) records, the loop's description, and parallel_for's one-operand
        # args/dims/steps; it lives until every thread is done (parallel_for returns).
        m = 2 * chunks
        block = _stack(m + 9)
        # Chunk edges fall on multiples of ``align`` rows (the last chunk ends at n), so a
        # kernel that takes rows ``align`` at a time (kl_mvn's batch across SIMD lanes) sees
        # the same groups of rows whatever the number of threads: results do not depend on
        # it.  A chunk may be empty when n is small; the loop then runs zero rows.
        for k in range(chunks):
            lo = n * k // chunks
            hi = n * (k + 1) // chunks
            lo -= lo % align
            if k + 1 < chunks:
                hi -= hi % align
            _store(block, 2 * k, lo)
            _store(block, 2 * k + 1, hi)
        _store(block, m, fn)
        _store(block, m + 1, _address(args))
        _store(block, m + 2, _address(dims))
        _store(block, m + 3, _address(steps))
        _store(block, m + 4, nargs)
        _store(block, m + 5, core_ndim)
        _store(block, m + 6, block)  # args: the one operand, the chunk records
        _store(block, m + 7, chunks)  # dims
        _store(block, m + 8, 16)  # steps: bytes per record
        _parallel_for(chunk_fn, block + 8 * (m + 6), block + 8 * (m + 7), block + 8 * (m + 8),
                      block + 8 * m, threads)
    clear_fp_status()


_DRIVER = []


def _compiled():
    if not _DRIVER:
        numba.get_num_threads()  # starts the threading layer: defines numba_parallel_for
        _DRIVER.append(cfunc(LOOP_SIGNATURE, cache=True, error_model="numpy")(_driver))
        _DRIVER.append(cfunc(LOOP_SIGNATURE, cache=True, error_model="numpy")(_chunk))
    return _DRIVER


def driver_address() -> int:
    """Address of the shared driver cfunc (compiled, or loaded from numba's cache, once)."""
    return _compiled()[0].address


def loop_data(loop_address: int, core_ndim: int, nargs: int, per_row: int = 1,
              align: int = 1) -> np.ndarray:
    """The ``data`` block the driver reads: keep the array alive as long as the ufunc.
    ``align``: chunk edges fall on multiples of this many rows."""
    if align < 1:
        raise ValueError(f"align must be a positive number of rows, got {align}")
    return np.array([loop_address, core_ndim, nargs, per_row, _compiled()[1].address, align],
                    dtype=np.int64)
