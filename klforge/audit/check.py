"""Verdicts on the relations of a document: rounding-aware, step by step.

A chain ``E₀ = E₁ = … ≈ Eₙ`` has an exact value T, taken from its first evaluable element
(its definition; numbers there are data, read exactly).  Each later element Eₖ is judged

* against the previous step: the numbers Eₖ introduces stand for the intervals they round
  to (±½ unit in the last printed digit; ``0.27329…`` for [0.27329, 0.27330]); numbers
  repeated from earlier steps, data of the document and integers are exact.  If no value
  Eₖ₋₁ can take is consistent with Eₖ, the step *introduces* an error, and where the two
  steps line up term by term the report names the term that broke;
* against the definition: T must lie in the interval of Eₖ (ok), or within the rounding the
  chain has accumulated so far (warning: consistent only thanks to rounded intermediates,
  e.g. a final value whose last digit is off), or else the step *inherits* an error.

Inequalities are decided with the same intervals (undecidable at the printed precision →
warning).  Named quantities (``H(p,q) = …``) are remembered for the rest of the document;
units (nats for ln, bits for log₂) must match the logarithms of the chain's definition.

The auditor is assembled here from single-purpose mixins: :mod:`.events` (prose, math
segments, clauses), :mod:`.steps` (a chain's start and steps), :mod:`.substitution` (bases,
units, reused results, bindings) and :mod:`.verdicts` (equalities and inequalities on
intervals); :mod:`.namevalues` holds the document's names as values.  This module keeps the
auditor's state, its evaluation of nodes and the recording of findings, and re-exports the
names callers import from it.
"""

from __future__ import annotations

import mpmath

from . import context
from . import evaluate as E
from . import nodes as N
from .clauses import clauses, unwrap  # noqa: F401  (re-exported: layout.py imports clauses)
from .events import Events, _pairs_of_values  # noqa: F401  (re-exported)
from .namevalues import NameValues  # also re-exported: unify.py imports it from here
from .state import (  # noqa: F401  (re-exported: callers import them from here)
    SLACK,
    UNIT_OF_LOG,
    Chain,
    Finding,
    NameValue,
    _alias,
    _contains,
    _distance,
    _exact_iv,
    _free_name,
    _half,
    _hull,
    _is_literal,
    _is_number,
    _last_unit,
    _meets,
    _point,
    _round_like,
    _rounded_iv,
    _text,
    _unit_of,
    _why_not,
    fmt,
    hi,
    lo,
    node_pos,
)
from .steps import Steps, _near_euler, _tuple_definition  # noqa: F401  (re-exported)
from .substitution import Substitution
from .verdicts import Verdicts

mp, iv = mpmath.mp, mpmath.iv


class Auditor(Events, Steps, Substitution, Verdicts):
    """State of one document: data numbers, named quantities, the current chain."""

    def __init__(self, path: str, line_of):
        self.path, self.line_of = path, line_of
        self.data: set[str] = set()
        self.names: dict[str, NameValue] = {}
        self.findings: list[Finding] = []
        self.chain: Chain | None = None
        self.results: dict[str, object] = {}   # key of a printed result -> its exact value
        self.wrong: dict[str, int] = {}        # key of a result judged an error -> its line
        self.vectors: dict[str, list] = {}     # p = (0.5, 0.3, 0.2): bound data
        self.log_base = "unknown"              # the document's \log: None (e), 2, 10
        self.log_source = ""                   # "stated" | "inferred at line N"
        self.last = True                       # the step being judged ends its clause
        self.recent: list = []                 # (exact value, line) of recent results
        self.paragraph: list = []              # values of the current paragraph
        self.last_math = None                  # (chain, end offset) of the last math
        self.data_values: set = set()          # values of the prose numbers (data)
        self.version = 0                       # bumped when a name's value changes

    # -- evaluation ----------------------------------------------------------------------
    def _env(self, ctx, literal, base="chain", printed=False):
        if base == "chain":
            base = self.chain.base if self.chain is not None else (
                None if self.log_base == "unknown" else self.log_base)
        values, vectors = self._values(ctx, printed)
        return E.Env(ctx, literal, values, vectors=vectors,
                     log_base=context.base_value(base, ctx))

    def _values(self, ctx, printed):
        """Names and vectors as values of ``ctx``: names are converted when an expression
        reads them (a document may bind thousands), vectors when they change."""
        mode = (ctx is mp, printed)
        key = (id(self.vectors), len(self.vectors), self.version)
        cache = self.__dict__.setdefault("_vector_cache", {})
        if mode not in cache or cache[mode][0] != key:
            as_ctx = (lambda x: x) if ctx is mp else (lambda x: iv.mpf([x, x]))
            cache[mode] = (key, {k: [as_ctx(x) for x in v] for k, v in self.vectors.items()})
        return NameValues(self, ctx, printed), cache[mode][1]

    def point(self, node, base="chain"):
        """Value of ``node`` as the chain's definition: printed results stand for the exact
        values they were rounded from."""
        return E.evaluate(node, self._env(mp, self._origin, base))

    def printed(self, node, base="chain"):
        """Value of ``node`` with every number read as printed."""
        return E.evaluate(node, self._env(mp, _point, base, printed=True))

    def _origin(self, n: N.Num):
        return self.results.get(n.key(), None) if n.key() in self.results else _point(n)

    def interval(self, node, exact_keys, base="chain", stated=False, truncated=False):
        """Interval of ``node``: numbers in ``exact_keys`` are exact, the rest stand for what
        rounds to them (or, ``truncated``, for what was cut to them: 2.302 for 2.3025…); in a
        definition (not ``stated``) a reused result also stands for the exact value it was
        printed for."""
        def lit(n):
            if n.key() in exact_keys or n.value_key() in exact_keys:
                return _exact_iv(n)
            if n.key() in self.results and not stated:  # as printed or its exact value
                return _hull(_exact_iv(n), self.results[n.key()])
            if truncated and n.decimals > 0:
                return iv.mpf([_exact_iv(n).a, (_exact_iv(n) + iv.mpf(10) ** -n.decimals).b])
            return _rounded_iv(n)
        return E.evaluate(node, self._env(iv, lit, base))

    # -- findings ------------------------------------------------------------------------
    def add(self, offset, severity, relation, stated, computed, message, check, kind=None):
        """Record a finding; ``kind`` ("condition", "definition") marks an unchecked relation
        that states no claim."""
        self.findings.append(Finding(self.path, self.line_of(offset), severity, relation[:160],
                                     stated, computed, message, check, kind=kind))
