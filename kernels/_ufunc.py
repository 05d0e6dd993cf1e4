"""The kernels' NumPy ufuncs, built per dtype on first use, and the callable users see.

``numba.vectorize`` calls the kernel once per element through a generic strided loop (no
SIMD code), ``guvectorize`` a row reduction once per row.  Here each kernel has its own
serial inner loop (a numba ``cfunc`` with NumPy's loop signature, in ``_kernels.py``):

* elementwise kernels: all operands unit-stride → the arrays are viewed in place
  (``carray``) and a plain loop over the branch-free core runs, vectorised by LLVM;
  anything else (broadcast scalars, strided views) → an element loop through the strides;
* row reductions: a loop over the rows inside compiled code; a row whose entries are
  unit-stride is viewed in place (any row stride: C-contiguous, row-strided, broadcast),
  other rows are gathered into a buffer first.

``make_ufunc`` registers one such loop as a genuine ``numpy.ufunc`` (NumPy's ``fromfunc``
path, the one numba uses for ``vectorize``) whose entry point is the shared driver of
``_parallel.py`` (threads past 65 536 entries).  Broadcasting, ``out=``, casting and
``__array_ufunc__`` dispatch (Dask) all come from NumPy.

:class:`Kernel` is the public callable: it picks the dtype NumPy's type resolution would
pick (float32 when every array input casts safely to float32, else float64) and calls that
dtype's ufunc, compiling it — or loading it from numba's on-disk cache — the first time, so
first use compiles one dtype only.  ``Kernel.ufunc(dtype)`` is the ``numpy.ufunc`` itself
(no ``where=``, as numba's ufuncs).  :class:`FirstReach` (the row kernels) first runs light
loops that hand back (``bail``) the rows needing more code, compiled when a call needs it.

Example: ``K.kl_normal(0.0, 1.0, 1.0, 2.0)`` → 0.4431… (float64; only the float64 loop is
compiled); ``K.kl_normal.ufunc("float32")`` → the float32 ``numpy.ufunc``.
"""

import ctypes
import importlib
import math
import re

import llvmlite.binding as ll
import numpy as np
from llvmlite import ir
from numba import cfunc, njit, types
from numba.extending import intrinsic
from numba.np.ufunc import _internal
from numba.np.ufunc.ufuncbuilder import parse_identity

from . import _parallel
from ._parallel import LOOP_SIGNATURE, PARALLEL_MIN  # noqa: F401 - used by the tests
from ._simd import clear_fp_status  # noqa: F401 - re-exported for the generated loops

DTYPES = ("float32", "float64")

#: numba options of functions called only from compiled code: no CPython or C wrapper to
#: compile (~10 % of a first use's compile time); such functions cannot be called from Python
INTERNAL = dict(no_cpython_wrapper=True, no_cfunc_wrapper=True)


def _byte(builder, ptr, offset):
    """``ptr`` advanced by ``offset`` bytes, as an i8*."""
    return builder.gep(builder.bitcast(ptr, ir.IntType(8).as_pointer()), [offset])


def _access(kind, llvm_type):
    @intrinsic
    def load(typingctx, ptr, offset):
        """The ``kind`` value at byte ``offset`` from ``ptr``."""
        def codegen(context, builder, sig, args):
            return builder.load(builder.bitcast(_byte(builder, *args), llvm_type.as_pointer()))
        return kind(types.voidptr, types.intp), codegen

    @intrinsic
    def store(typingctx, ptr, offset, value):
        """Write ``value`` (a ``kind``) at byte ``offset`` from ``ptr``."""
        def codegen(context, builder, sig, args):
            p = builder.bitcast(_byte(builder, args[0], args[1]), llvm_type.as_pointer())
            builder.store(args[2], p)
            return context.get_dummy_value()
        return types.void(types.voidptr, types.intp, kind), codegen
    return load, store


load_f64, store_f64 = _access(types.float64, ir.DoubleType())
load_f32, store_f32 = _access(types.float32, ir.FloatType())


@intrinsic
def at(typingctx, ptr, offset):
    """``ptr`` advanced by ``offset`` bytes (for ``carray`` views of one row)."""
    def codegen(context, builder, sig, args):
        return _byte(builder, *args)
    return types.voidptr(types.voidptr, types.intp), codegen


_DTYPE_NUM = {t: np.dtype(t).num for t in DTYPES}


def make_ufunc(name: str, doc: str, nin: int, nout: int, dtype: str, loop,
               signature: str | None = None, per_row: int = 1, align: int = 1) -> np.ufunc:
    """A one-dtype ``numpy.ufunc`` (gufunc when ``signature`` is given) from the serial
    python loop function ``loop`` (compiled here as a numba cfunc with NumPy's loop
    signature, cached on disk) behind the shared threaded driver of ``_parallel.py``."""
    compiled = cfunc(LOOP_SIGNATURE, cache=True, error_model="numpy")(loop)
    core_ndim = len(set(re.findall(r"\w+", signature))) if signature is not None else 0
    data = _parallel.loop_data(compiled.address, core_ndim, nin + nout, per_row, align)
    types_ = [[_DTYPE_NUM[dtype]] * (nin + nout)]
    args = [name, doc, [_parallel.driver_address()], types_, nin, nout, [int(data.ctypes.data)],
            (compiled, data), parse_identity(None)]  # (kept alive with the ufunc)
    if signature is not None:
        args += [signature, ()]
    return _internal.fromfunc(*args)


def _weak(x) -> bool:
    return type(x) in (bool, int, float)


def _foreign(x) -> bool:
    """An array-like that NumPy reads only through ``__array__`` (a torch tensor): it is
    converted first and the result is a NumPy array.  ndarrays, scalars and types that take
    part in ufunc dispatch (``__array_ufunc__``: Dask, xarray) pass through."""
    return (not isinstance(x, (np.ndarray, np.generic)) and not _weak(x)
            and hasattr(x, "__array__") and not hasattr(x, "__array_ufunc__"))


class Kernel:
    """A kernel: call it like the ``numpy.ufunc`` it wraps (broadcasting, ``out=``, Dask
    arrays); the ufunc of the dtype NumPy would choose is built on first use."""

    def __init__(self, name: str, doc: str, nin: int, nout: int, signature, builders: dict):
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc
        self.nin, self.nout, self.nargs = nin, nout, nin + nout
        self.signature = signature
        self._builders = builders   # dtype name -> zero-argument builder of the ufunc
        self._ufuncs = {}
        self._light = None          # (needs_full, builders): see ``serve_lightly``
        self._light_ufuncs = {}

    def serve_lightly(self, needs_full, builders: dict):
        """Calls whose inputs ``needs_full(inputs)`` rejects (no ``out=``) run on a lighter
        ufunc per dtype, ``builders[dtype]()``, built on first such call: same results, less
        to compile (kl_mvn: the loop without its batch path).  ``ufunc(dtype)`` stays full."""
        self._light = (needs_full, builders)
        return self

    def ufunc(self, dtype) -> np.ufunc:
        """The ``numpy.ufunc`` for ``dtype`` (float32 or float64), built on first request."""
        key = np.dtype(dtype).name
        if key not in self._ufuncs:
            if key not in self._builders:
                raise TypeError(f"{self.__name__}: dtype must be float32 or float64, got {key}")
            self._ufuncs[key] = self._builders[key]()
        return self._ufuncs[key]

    @property
    def __signature__(self):
        """``inspect.signature``: the inputs by name, ``out=None``, the ufunc keywords."""
        from ._signature import kernel_signature
        return kernel_signature(self.__name__, self.__doc__, self.nin, self.signature)

    @property
    def compiled(self) -> tuple:
        """The dtypes whose ufunc has been built in this process."""
        return tuple(sorted(set(self._ufuncs) | set(self._light_ufuncs)))

    def warm(self):
        """Build (or load from numba's cache) every dtype."""
        for t in DTYPES:
            self.ufunc(t)
            if self._light is not None and t in self._light[1]:
                self._light_ufunc(t)
        return self

    def resolve(self, inputs) -> str:
        """float32 if every input that is not a Python scalar casts safely to float32
        (NumPy's choice between the two loops), else float64."""
        strong = [self._dtype_of(i, x) for i, x in enumerate(inputs) if not _weak(x)]
        if strong and all(np.can_cast(dt, np.float32) for dt in strong):
            return "float32"
        return "float64"

    def _dtype_of(self, i: int, x) -> np.dtype:
        """The NumPy dtype of input ``i``: its ``dtype`` when NumPy reads it, else that of
        ``np.asarray(x)`` (a torch tensor's dtype is not a NumPy dtype; its ``__array__``
        gives one); a clear TypeError naming the argument when neither works."""
        try:
            return np.dtype(x.dtype)
        except (AttributeError, TypeError):
            return self._to_array(i, x).dtype

    def _to_array(self, i: int, x) -> np.ndarray:
        try:
            return np.asarray(x)
        except Exception as exc:   # noqa: BLE001 - any failure to convert is reported alike
            raise TypeError(f"{self.__name__}: argument {i + 1} ({type(x).__name__}) cannot be "
                            f"read as an array: {exc}") from None

    def __call__(self, *args, **kwargs):
        if "where" in kwargs:
            raise TypeError(f"{self.__name__}: where= is not supported (ufuncs built from numba "
                            "loops cannot take a mask); compute on the selected entries or use "
                            "np.where on the result")
        if any(_foreign(x) for x in args[:self.nin]):
            args = tuple(self._to_array(i, x) if _foreign(x) else x
                         for i, x in enumerate(args))
        if "dtype" in kwargs:
            dtype = kwargs["dtype"]
        elif "signature" in kwargs:
            dtype = "float64"
        else:
            dtype = self.resolve(args[:self.nin])
        if (self._light is not None and len(args) == self.nin and "out" not in kwargs
                and np.dtype(dtype).name in self._light[1] and not self._light[0](args)):
            return self._light_ufunc(np.dtype(dtype).name)(*args, **kwargs)
        return self.ufunc(dtype)(*args, **kwargs)

    def _light_ufunc(self, key: str) -> np.ufunc:
        if key not in self._light_ufuncs:
            self._light_ufuncs[key] = self._light[1][key]()
        return self._light_ufuncs[key]

    @property
    def types(self) -> list:
        return [f"{'f' * self.nin}->{'f' * self.nout}", f"{'d' * self.nin}->{'d' * self.nout}"]

    def __reduce__(self):
        return (_by_name, (self.__name__,))

    def __repr__(self):
        return f"<klforge kernel {self.__name__}>"


def _by_name(name):
    """The kernel ``name`` of this package (how a pickled kernel is restored)."""
    return getattr(importlib.import_module(__package__), name)


#: rows the light loops handed back in this process (added to through a symbol resolved at
#: link time, so the loops stay cacheable)
BAILS = ctypes.c_int64(0)
_SYMBOL = "klforge_kl_logits_bails"
ll.add_symbol(_SYMBOL, ctypes.addressof(BAILS))


@intrinsic
def _count(typingctx):
    """BAILS += 1 (atomic: the driver's threads may hand rows back together)."""
    def codegen(context, builder, sig, args):
        cell = builder.module.globals.get(_SYMBOL)
        if cell is None:
            cell = ir.GlobalVariable(builder.module, ir.IntType(64), _SYMBOL)
            cell.linkage = "external"
        builder.atomic_rmw("add", cell, ir.Constant(ir.IntType(64), 1), "monotonic")
        return context.get_dummy_value()
    return types.void(), codegen


@njit(cache=True, error_model="numpy", **INTERNAL)
def bail():
    """A row the light loops leave to the full ones: counted in ``BAILS``; NaN meanwhile."""
    _count()
    return math.nan


def _plain(x) -> bool:
    """An input NumPy converts itself (no ``__array_ufunc__`` of its own: not Dask, …)."""
    return type(x) in (np.ndarray, list, tuple, float, int, bool) or isinstance(x, np.generic)


class FirstReach(Kernel):
    """A row kernel as users call it (kl_logits, the categorical ones, kl_dirichlet): a call
    with plain inputs runs the light loops of its dtype (the vectorised pass only) until a
    call hands a row back; that call runs again on the full loops, compiled then, which
    serve every later call of that dtype.  Other calls (``out=``, keywords, Dask arrays)
    and ``ufunc(dtype)`` use the full loops.

    Example: ``FirstReach(kernel, {"float64": build_light_f64, …})`` (``_kernels.py``)."""

    def __init__(self, kernel: Kernel, light: dict):
        super().__init__(kernel.__name__, kernel.__doc__, kernel.nin, kernel.nout,
                         kernel.signature, kernel._builders)
        self._reach = light  # dtype -> builder of the light ufunc
        self._reach_ufuncs = {}

    @property
    def compiled(self) -> tuple:
        return tuple(sorted(set(self._ufuncs) | set(self._reach_ufuncs)))

    def warm(self):
        super().warm()
        for t in self._reach:
            self._reach_ufunc(t)
        return self

    def _reach_ufunc(self, key: str):
        if key not in self._reach_ufuncs:
            self._reach_ufuncs[key] = self._reach[key]()
        return self._reach_ufuncs[key]

    def __call__(self, *args, **kwargs):
        if kwargs or len(args) != self.nin or not all(_plain(x) for x in args):
            return super().__call__(*args, **kwargs)
        key = self.resolve(args)
        if key in self._ufuncs or key not in self._reach:
            return self.ufunc(key)(*args)
        before = BAILS.value
        res = self._reach_ufunc(key)(*args)
        if BAILS.value != before:  # a row needs the scalar code or a gather
            return self.ufunc(key)(*args)
        return res
