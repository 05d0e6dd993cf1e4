"""Bars, stated bounds and the ULP measure of ``klforge verify``.

The error of a result y against an mpmath reference r is |y − r| / spacing(|r|) in the
output dtype (:func:`.ulp.ulp_error`).  Bars and bounds come from the kernels' specs in the
registry (``KernelSpec``, declared beside each derivation); kernels without a bar state a
bound ≤ k·eps·scale, the scale being the size of the pieces whose cancellation no
evaluation order avoids (``BOUNDS``).
Example: ``ulp_error(1.0 + 2**-52, mpmath.mpf(1), np.float64)`` = 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..derive.core import specs
from .ulp import ulp_error  # noqa: F401 - re-exported: the one ULP measure

DPS = 50
SEPARATIONS = [10.0**-k for k in range(1, 13)]

_SPECS = specs()

#: Max-ULP bars, from each kernel's KernelSpec (declared beside its derivation).
BARS = {k: s.bar for k, s in _SPECS.items() if s.bar is not None}

#: Kernels without a bar: the bound we state, "≤ k eps·scale", and why (published beside the
#: measured table).  "scale" is the sum of the magnitudes of the stable form's pieces.
BOUNDS = {k: s.bound for k, s in _SPECS.items() if s.bound is not None}

#: Bars not met yet, with the reason; reported in the table and the manifest, never hidden.
KNOWN_MISSES: dict[tuple[str, str], str] = {
    (k, dtype): why for k, s in _SPECS.items() for dtype, why in s.known_misses}


def bound_text(kernel: str) -> str | None:
    """The stated bound of a kernel without a bar, as published in the manifest."""
    if kernel not in BOUNDS:
        return None
    factor, why = BOUNDS[kernel]
    return f"≤ {factor} eps·scale: {why}"


#: Stated bars (max ULP, float64) for the scalar primitives.  Bars, not one machine's
#: measurement: LLVM's code for the same source differs between CPUs (AVX2, AVX-512,
#: generic), so a primitive measured at 3.2 ULP on one reads 4.05 on another.
#: lgamma_bregman is lnΓ(y) − lnΓ(x) − ψ(x)(y − x) from a Taylor series in y − x whose
#: terms carry ψ's own error; digamma has a root near 1.4616 where only an absolute bound
#: holds, so its relative error reaches ~17 ULP at the root's edge.
PRIMITIVE_BARS = {"log1pmx": 4, "expm1mx": 4, "kl_div": 4, "lgamma": 4, "log_ratio": 4,
                  "rm1mlog": 4, "lgamma_bregman": 8, "digamma": 32,
                  # measured 5.7 and 2.3 ULP (AVX2), ×2
                  "stirling_bregman": 12, "log_ratio2": 6,
                  # measured 2.70 and 2.38 ULP (AVX-512), ×2 (rounded up)
                  "perspective_expm1mx": 6, "cexpm1mx": 6}


@dataclass
class Result:
    kernel: str
    dtype: str
    max_ulp: float
    mean_ulp: float
    points: int
    worst: str
    #: for kernels with a stated bound: max |y − r| / (eps · scale), scale = Σ |pieces|
    max_scaled: float | None = None

    def row(self) -> str:
        bar = BARS.get(self.kernel)
        ok = "" if bar is None else ("ok" if self.max_ulp <= bar else f"FAIL (bar {bar})")
        if ok.startswith("FAIL") and (self.kernel, self.dtype) in KNOWN_MISSES:
            ok = f"known miss (bar {bar})"
        if self.max_scaled is not None:
            factor = BOUNDS[self.kernel][0]
            ok = (f"{self.max_scaled:.3g} eps·scale "
                  + ("ok" if self.max_scaled <= factor else f"FAIL (bound {factor})"))
        return (f"{self.kernel:<24}{self.dtype:<9}{self.max_ulp:>12.3g}{self.mean_ulp:>12.3g}"
                f"{self.points:>8}  {ok}")
