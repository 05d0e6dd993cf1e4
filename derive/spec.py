"""What a kernel promises and how it is checked, declared beside its derivation.

A :class:`KernelSpec` is cheap data registered with the derivation
(``@derivation("kl_gamma", spec=KernelSpec(...))``), so the verifier, the site and the tests
read every kernel's bar, sampling, reference text and torch peer from the registry without
building a single derivation (no SymPy work):

* ``bar`` — max error in ULPs (float64 and float32), or ``bound`` — ``(k, why)`` for
  "≤ k·eps·scale" where no evaluation order avoids cancellation;
* ``magnitudes`` — per-parameter log-uniform ranges overriding the domain's default
  (:mod:`.domains`), ``hard_points`` — inputs always measured;
* ``page`` / ``reference`` — the reference page the kernel is listed on and its text there;
* ``torch`` — the ``torch.distributions`` class whose ``kl_divergence`` must agree;
* ``rows`` — for a kernel over rows, how verify samples them (:class:`RowSampling`);
* ``written`` — for a family's KL, how the family is written in course text (``"Gamma"``),
  which the audit's known closed forms are keyed by.

Example::

    KernelSpec("kl_exponential", bar=8, page="families",
               torch=TorchPeer("Exponential", ("rate",)))
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TorchPeer:
    """``torch.distributions.<distribution>(**dict(zip(kwargs, side)))`` for each side, where
    ``side`` is the kernel's parameters of p (then of q) in order; ``vector``: the
    parameters are rows (the last axis is the distribution's event)."""

    distribution: str
    kwargs: tuple[str, ...]
    rtol: float = 1e-9
    vector: bool = False


@dataclass(frozen=True)
class RowSampling:
    """How ``klforge verify`` samples a row kernel: ``kind`` names a row generator of
    :mod:`klforge.verify.cases` (``ROW_SAMPLERS``: "simplex", "simplex_pair", "logits",
    "concentrations", "mvn_factors", "eg_step", "policy"); ``count`` rows per full run;
    ``hard_points`` — input tuples (one sequence per argument) measured on every run.
    The reference is ``klforge.verify.references.mp_<kernel>``."""

    kind: str
    count: int = 400
    hard_points: tuple[tuple[tuple[float, ...], ...], ...] = ()


@dataclass(frozen=True)
class KernelSpec:
    """A kernel's verification and publication spec (see the module docstring)."""

    kernel: str
    bar: float | None = None
    bound: tuple[float, str] | None = None
    #: ((dtype, reason), …): bars not met yet — reported, never hidden
    known_misses: tuple[tuple[str, str], ...] = ()
    #: ((parameter name, lo, hi), …): log-uniform magnitudes for verify's random points
    magnitudes: tuple[tuple[str, float, float], ...] = ()
    #: inputs (one value per parameter) measured on every run, quick or not
    hard_points: tuple[tuple[float, ...], ...] = ()
    page: str = ""
    reference: str = ""
    torch: TorchPeer | None = None
    rows: RowSampling | None = None
    #: how the family is written in text ("N", "Normal", …); family KL specs only
    written: tuple[str, ...] = ()

    def __post_init__(self):
        if (self.bar is None) == (self.bound is None):
            raise ValueError(f"{self.kernel}: give exactly one of bar (ULP) and bound")

    def magnitude(self, param: str) -> tuple[float, float] | None:
        for name, lo, hi in self.magnitudes:
            if name == param:
                return lo, hi
        return None
