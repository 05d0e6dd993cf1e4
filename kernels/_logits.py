"""KL(softmax(a) ‖ softmax(b)) for rows of logits (numba), softmax never materialised.

Formula: with weights w_i = exp(a_i − max a), z = Σ w_i, p_i = w_i/z, d_i = b_i − a_i and
e_i = d_i − E_p[d] (so E_p[e] = 0 up to rounding),

    KL(p ‖ q) = log E_p[exp(e)] − E_p[e] = log1pmx(S0 + S2) + S2,
    S0 = E_p[e],  S2 = E_p[expm1mx(e)] ≥ 0,

with log1pmx(x) = log(1 + x) − x and expm1mx(x) = exp(x) − 1 − x: every term of S2 is
non-negative and the final cancellation is second order, so the result keeps full relative
accuracy as b → a (KL → 0), where log-sum-exp differences lose it.  The identity holds for
any centre of e; the cost of an off centre is measured per row (see "the vectorised pass").

Paths, one answer per row whatever the batch (a row's bits do not depend on its neighbours):

* the vectorised pass (``_logits_pass.kl_logits_rows``) over batches of rows walked as one
  flat array: per row a scan and a centre, per entry one branch-free map in SIMD lanes
  (float64: b_i − a_i and a_i − max a exact in double-double, compensated sums, re-centred
  once when the centre was poor; float32: the same form in plain float64 with lighter
  arithmetic — a float32 result needs 2^-25 relative, not 2^-52);
* rows with b_i = −inf against a live a_i, a weight below e^−700 or |e_i| > 600:
  ``kl_logits_scalar``, which forms such terms in log space and switches to log-sum-exp
  when some log p_i + e_i > 700 (KL ≥ 700 − log n there, no cancellation); rows with
  masked entries add ``masked_mass_term`` (``finish_row`` does both).

First use compiles the vectorised pass only: the kernel (``FirstReach``) first calls light
loops that hand back (``bail``) the rows needing the scalar code and entry-strided rows
(which need a gather); the full loops, with those paths, are compiled when a call first
reaches them (that call is then run again on them) and serve every later call.

Domain: rows of real logits of any length n ≥ 1, float32 or float64 (float32 entries are
converted exactly and computed in float64; the kernel rounds once).

Special values (the shared table in ``klforge/emit/templates.py``): a −inf logit a_i is a
masked entry (p_i = 0): no term of its own, but q = softmax(b) keeps its mass on it
(``masked_mass_term``: the limit a_i → −inf, as torch computes it); a finite a_i against
b_i = −inf → +inf (p_i > 0 = q_i); NaN or +inf anywhere → NaN; every a_i = −inf (or n = 0)
→ NaN.

Example: ``klforge.kernels.kl_logits(np.log([.6, .4]), np.log([.5, .5]))`` = 0.0201355…
= KL([.6, .4] ‖ [.5, .5]).

Modules: this one holds the formulas and the first-reach kernel; the vectorised pass is in
``_logits_pass.py`` (its per-dtype map and sums in ``_logits_maps.py``), the scalar loops and
the masked-entry term in ``_logits_scalar.py``.
"""

import ctypes
import math

import llvmlite.binding as ll
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from . import _ufunc as _u
from ._logits_pass import BLK, ROWS, WS_ROWS, kl_logits_rows
from ._logits_scalar import finish_row, kl_logits_scalar, masked_mass_term

NAN = math.nan

__all__ = ["BLK", "ROWS", "WS_ROWS", "FirstReach", "bail", "finish_row", "kl_logits_rows",
           "kl_logits_scalar", "masked_mass_term"]

#: rows the light loops handed back, in this process (an int64 the compiled code adds to
#: through the symbol below: resolved at link time, so the loops stay cacheable)
BAILS = ctypes.c_int64(0)
_SYMBOL = "klforge_kl_logits_bails"
ll.add_symbol(_SYMBOL, ctypes.addressof(BAILS))


@intrinsic
def _count(typingctx):
    """BAILS += 1 (atomic: the driver's threads may hand rows back together)."""
    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        cell = builder.module.globals.get(_SYMBOL)
        if cell is None:
            cell = ir.GlobalVariable(builder.module, i64, _SYMBOL)
            cell.linkage = "external"
        builder.atomic_rmw("add", cell, ir.Constant(i64, 1), "monotonic")
        return context.get_dummy_value()
    return types.void(), codegen


@njit(cache=True, error_model="numpy", **_u.INTERNAL)
def bail():
    """A row the light loops leave to the full ones: counted in ``BAILS``; NaN meanwhile."""
    _count()
    return NAN


def _plain(x) -> bool:
    """An input NumPy converts itself (no ``__array_ufunc__`` of its own: not Dask, …)."""
    return type(x) in (np.ndarray, list, tuple, float, int, bool) or isinstance(x, np.generic)


class FirstReach(_u.Kernel):
    """kl_logits as users call it: a call with plain inputs runs the light loops of its
    dtype (the vectorised pass only) until some call hands a row back; that call runs again
    on the full loops, compiled then, which serve every later call of that dtype.  Other
    calls (``out=``, keywords, Dask arrays) and ``ufunc(dtype)`` use the full loops.

    Example: ``FirstReach(kernel, {"float64": build_light_f64, …})`` (``_kernels.py``)."""

    def __init__(self, kernel: _u.Kernel, light: dict):
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
