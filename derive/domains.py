"""Parameter domains: one table that the engine, the emitter and the verifier all read.

A :class:`Domain` says what a parameter may be (``text``, shown in help and on the reference
pages), when a kernel must return NaN for it (``guard``, a Python condition on ``{x}``;
NaN and ±inf included), which moderate values the algebra checks sample (``box``), and how
``klforge verify`` samples it (log-uniform magnitudes, a random sign, or mirrored about ½ so
both ends of (0, 1) are reached).  A new domain is one entry here.

Example: ``DOMAINS["positive"].guard.format(x="rate_p")`` = ``"not (0.0 < rate_p < INF)"``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    """What a parameter may be, and how each stage treats it."""

    text: str
    #: condition under which a scalar parameter gives NaN (None: a vector domain, checked by
    #: the kernel's own loop)
    guard: str | None = None
    #: moderate sampling box of the symbolic/numeric agreement checks (values, not floats)
    box: tuple[float, float] = (0.3, 3.0)
    #: ``klforge verify``'s magnitudes (log-uniform between the two)
    magnitudes: tuple[float, float] = (1e-3, 1e3)
    #: a random sign (real parameters)
    signed: bool = False
    #: x or 1 − x with equal odds (probabilities: both ends of the interval)
    mirrored: bool = False
    #: near-equal pairs are x + sep·max(|x|, 1) (additive) rather than x·(1 + sep)
    additive: bool = False
    #: clip near-equal partners into [lo, hi]
    clip: tuple[float, float] | None = None
    #: the words a kernel's docstring gives after a parameter (None: the key, spaced)
    label: str | None = None


_PROBABILITY = dict(box=(0.05, 0.95), magnitudes=(1e-12, 0.5), mirrored=True,
                    clip=(1e-300, 1 - 1e-16))

DOMAINS: dict[str, Domain] = {
    "real": Domain("x ∈ ℝ", "not (abs({x}) < INF)", box=(-2.0, 2.0), signed=True,
                   additive=True),
    "positive": Domain("x > 0", "not (0.0 < {x} < INF)"),
    "nonnegative": Domain("x ≥ 0", "not (0.0 <= {x} < INF)"),
    "unit_interval": Domain("0 ≤ x ≤ 1", "not (0.0 <= {x} <= 1.0)", **_PROBABILITY),
    "open_unit_interval": Domain("0 < x < 1", "not (0.0 < {x} < 1.0)", **_PROBABILITY),
    "half_open_unit_interval": Domain("0 < x ≤ 1", "not (0.0 < {x} <= 1.0)", **_PROBABILITY,
                                      label="half open unit interval (0, 1]"),
    "simplex_coordinate": Domain("x_i > 0 with Σ x_i < 1 (last coordinate eliminated)",
                                 box=(0.05, 0.3)),  # K ≤ 4 free coordinates keep Σ < 1
    "probability_vector": Domain("x_i ≥ 0 finite, Σ x_i > 0 (renormalised: x/Σx)"),
    "positive_vector": Domain("x_i > 0"),
    "real_vector": Domain("x_i ∈ ℝ"),
    "cholesky": Domain("lower triangle read (upper ignored), positive diagonal"),
}
