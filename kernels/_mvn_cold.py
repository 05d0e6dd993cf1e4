"""float32 kl_mvn's double-double fallback, compiled when a call first needs it (numba).

float32 pairs take the certified plain solve (``_mvn_plain``); only pairs it cannot certify
(ill-conditioned L_q, extreme scales, a KL below 2^-900) need the double-double solve
(``_mvn_solve.dd_solve``).  That solve is not compiled into float32's loops: it is a
separate ``cfunc`` (:func:`ensure_cold`), which the loops call through its address, read
from a cell the process owns (``ADDRESS``, resolved by symbol at link time, so the loops
stay cacheable).  While the address is 0 a pair that needs it counts a miss (``MISSES``)
and gives NaN; :class:`ColdReach` — kl_mvn as users call it — then compiles the fallback
and runs the call again.  Building float32's full ufunc (``ufunc("float32")``, ``warm``)
compiles it first, so the ufunc is never called without it.

Example: ``ColdReach(kernel)`` (``_kernels.py``); inside a float32 loop,
``dd_solve_cold(mu_p, L_p, mu_q, L_q, wn, n)`` → Σ w² + Σ D², −1 (inputs not finite or
the fallback not compiled yet: NaN for that pair).
"""

import ctypes

import llvmlite.binding as ll
import numpy as np
from llvmlite import ir
from numba import carray, cfunc, njit, types
from numba.extending import intrinsic

from . import _ufunc as _u
from ._mvn_solve import dd_solve

#: pairs handed back because the fallback was not compiled yet (atomic adds from the loops)
MISSES = ctypes.c_int64(0)
#: address of the compiled fallback, 0 until :func:`ensure_cold`
ADDRESS = ctypes.c_int64(0)
_SYMBOLS = {"misses": "klforge_kl_mvn_cold_misses", "address": "klforge_kl_mvn_cold_address"}
ll.add_symbol(_SYMBOLS["misses"], ctypes.addressof(MISSES))
ll.add_symbol(_SYMBOLS["address"], ctypes.addressof(ADDRESS))
_I8P = ir.IntType(8).as_pointer()
_I64 = ir.IntType(64)


def _cell(builder, key):
    cell = builder.module.globals.get(_SYMBOLS[key])
    if cell is None:
        cell = ir.GlobalVariable(builder.module, _I64, _SYMBOLS[key])
        cell.linkage = "external"
    return cell


@intrinsic
def _address(typingctx):
    """ADDRESS, read atomically (another thread may be setting it)."""
    def codegen(context, builder, sig, args):
        return builder.load_atomic(_cell(builder, "address"), "monotonic", 8)
    return types.int64(), codegen


@intrinsic
def _miss(typingctx):
    """MISSES += 1 (atomic: the driver's threads may miss together)."""
    def codegen(context, builder, sig, args):
        builder.atomic_rmw("add", _cell(builder, "misses"), ir.Constant(_I64, 1), "monotonic")
        return context.get_dummy_value()
    return types.void(), codegen


@intrinsic
def _call(typingctx, address, mu_p, L_p, mu_q, L_q, wn, n):
    """The fallback at ``address`` on the arrays' data (C-contiguous, as the loops pass
    them), n and the scratch's shape."""
    def codegen(context, builder, sig, args):
        ptrs = [builder.bitcast(context.make_array(t)(context, builder, v).data, _I8P)
                for t, v in zip(sig.args[1:6], args[1:6], strict=True)]
        shape = context.make_array(sig.args[5])(context, builder, args[5]).shape
        fnty = ir.FunctionType(ir.DoubleType(), [_I8P] * 5 + [_I64] * 3)
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        dims = [context.cast(builder, args[6], sig.args[6], types.int64),
                builder.extract_value(shape, 0), builder.extract_value(shape, 1)]
        return builder.call(fn, ptrs + dims)
    return types.float64(address, mu_p, L_p, mu_q, L_q, wn, n), codegen


@njit(cache=True, error_model="numpy")
def dd_solve_cold(mu_p, L_p, mu_q, L_q, wn, n):
    """float32's fallback: Σ squares of w and the off-diagonal D in double-double, or −1
    (an input not finite, or the fallback not compiled yet: a miss is counted)."""
    address = _address()
    if address == 0:
        _miss()
        return -1.0
    return _call(address, mu_p, L_p, mu_q, L_q, wn, n)


def _fallback(mp, Lp, mq, Lq, w, n, rows, cols):
    wn = carray(w, (rows, cols), np.float64)
    return dd_solve(carray(mp, (n,), np.float32), carray(Lp, (n, n), np.float32),
                    carray(mq, (n,), np.float32), carray(Lq, (n, n), np.float32), wn, n)


_COMPILED = []


def ensure_cold():
    """Compile (or load from numba's cache) the fallback once per process; set ADDRESS."""
    if not _COMPILED:
        sig = types.float64(*([types.voidptr] * 5), types.intp, types.intp, types.intp)
        _COMPILED.append(cfunc(sig, cache=True, error_model="numpy")(_fallback))
        ADDRESS.value = _COMPILED[0].address


class ColdReach(_u.Kernel):
    """kl_mvn as users call it: a call in which some float32 pair needed the fallback before
    it was compiled is run again once it is (:func:`ensure_cold`).  Building the float32
    ufunc — ``ufunc("float32")``, ``warm`` — compiles the fallback first."""

    def __init__(self, kernel: _u.Kernel):
        super().__init__(kernel.__name__, kernel.__doc__, kernel.nin, kernel.nout,
                         kernel.signature, dict(kernel._builders))
        self._light = kernel._light
        full = self._builders["float32"]
        self._builders["float32"] = lambda: (ensure_cold(), full())[1]

    def warm(self):
        ensure_cold()
        return super().warm()

    def __call__(self, *args, **kwargs):
        before = MISSES.value
        res = super().__call__(*args, **kwargs)
        if MISSES.value != before:  # a pair needed the fallback: compile it, run again
            ensure_cold()
            res = super().__call__(*args, **kwargs)
        return res
