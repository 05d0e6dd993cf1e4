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
* ``torch`` — the ``torch.distributions`` class whose ``kl_divergence`` (or ``entropy``)
  must agree, or ``no_torch`` — why there is none (the cross-check lists it with that reason);
* ``rows`` — for a kernel over rows, how verify samples them (:class:`RowSampling`);
  ``uniform`` — parameters verify draws uniformly on a range instead of from their domain;
* ``reduction`` — the loop template ``klforge emit`` writes the kernel with
  (``klforge.emit.reductions.REDUCTIONS``), for a kernel over rows or with several outputs;
  without it the kernel is printed elementwise from its stable form;
* ``scale`` — for a kernel with a ``bound``, how verify measures the scale of
  "≤ k·eps·scale" (``klforge.verify.references.SCALES``);
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
    #: "kl_divergence" (parameters of p, then of q) or "entropy" (one distribution)
    method: str = "kl_divergence"


@dataclass(frozen=True)
class RowSampling:
    """How ``klforge verify`` samples a row kernel: ``kind`` names a row generator of
    :mod:`klforge.verify.cases` (``ROW_SAMPLERS``: "simplex", "simplex_pair", "logits",
    "concentrations", "mvn_factors", "simplex_gradient", "policy"); ``count`` rows per full run;
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
    #: without a torch peer: why torch has none (listed by the cross-check)
    no_torch: str = ""
    rows: RowSampling | None = None
    #: ((parameter name, lo, hi), …): drawn uniformly on [lo, hi] by verify, after the other
    #: parameters are sampled (so their samples are as without it)
    uniform: tuple[tuple[str, float, float], ...] = ()
    #: the name of the loop template in ``klforge.emit.reductions.REDUCTIONS`` (None: printed
    #: elementwise from the stable form)
    reduction: str | None = None
    #: with a ``bound``: the scale's kind in ``klforge.verify.references.SCALES``
    #: ("stable_pieces": Σ |top-level terms of the stable form|)
    scale: str = "stable_pieces"
    #: how the family is written in text ("N", "Normal", …); family KL specs only
    written: tuple[str, ...] = ()

    def __post_init__(self):
        if (self.bar is None) == (self.bound is None):
            raise ValueError(f"{self.kernel}: give exactly one of bar (ULP) and bound")
        if self.torch is not None and self.no_torch:
            raise ValueError(f"{self.kernel}: a torch peer and a reason for none")

    def magnitude(self, param: str) -> tuple[float, float] | None:
        for name, lo, hi in self.magnitudes:
            if name == param:
                return lo, hi
        return None
