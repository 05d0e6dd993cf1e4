"""Derivations as data.

A :class:`Derivation` holds everything the printer, the kernel emitter, the verifier and
the site consume: parameters with their domains, the defining expression, the steps that
SymPy took, the closed form, and the numerically stable form.  Derivations are built
lazily (SymPy is slow) by functions registered with :func:`derivation` and memoised by
:func:`get`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from .domains import DOMAINS as _DOMAINS
from .spec import KernelSpec

#: Domains a parameter can have (their text; :mod:`.domains` holds what each stage does with
#: them: the emitter's NaN guard, the checks' and the verifier's sampling).
DOMAINS = {name: d.text for name, d in _DOMAINS.items()}


class DerivationError(RuntimeError):
    """A derivation failed one of its own consistency checks."""


@dataclass(frozen=True)
class Param:
    """A parameter of a derivation: its symbol and its domain (a key of :data:`DOMAINS`)."""

    name: str
    symbol: sp.Basic
    domain: str
    description: str = ""

    def __post_init__(self):
        if self.domain not in DOMAINS:
            raise ValueError(f"Param {self.name!r}: unknown domain {self.domain!r}")


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done, and the expression (or equation) it gave."""

    text: str
    expr: sp.Basic


@dataclass(frozen=True)
class StableForm:
    """A stable evaluation order: ``bindings`` are assigned in turn, then ``result``.

    Each binding is ``(symbol, expression)``; later expressions may use earlier symbols.
    :meth:`inline` substitutes the bindings back, giving one expression.
    """

    bindings: tuple[tuple[sp.Symbol, sp.Expr], ...]
    result: sp.Expr

    def inline(self) -> sp.Expr:
        expr = self.result
        for sym, value in reversed(self.bindings):
            expr = expr.subs(sym, value)
        return expr


@dataclass(frozen=True)
class Check:
    """A consistency check the derivation passed (e.g. Bregman identity = definition)."""

    name: str
    method: str  # "symbolic" or "numeric (50 digits, N points)"
    detail: str = ""


@dataclass(frozen=True)
class Derivation:
    """A closed form derived from its definition, with its stable form and kernel name."""

    name: str
    title: str
    params: tuple[Param, ...]
    definition: sp.Basic
    steps: tuple[Step, ...]
    closed_form: sp.Expr
    stable_form: StableForm | None = None
    kernel: str | None = None
    rules: tuple[str, ...] = ()  # names of the rewrite rules that produced the stable form
    checks: tuple[Check, ...] = ()
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def symbols(self) -> tuple[sp.Basic, ...]:
        return tuple(p.symbol for p in self.params)


_REGISTRY: dict[str, Callable[[], Derivation]] = {}
_SPECS: dict[str, KernelSpec] = {}  # derivation name -> its kernel's spec


def derivation(name: str, spec: KernelSpec | None = None):
    """Register a zero-argument builder returning the :class:`Derivation` called ``name``;
    ``spec`` declares the kernel it gives (bar, sampling, reference text, torch peer)."""

    def register(builder: Callable[[], Derivation]) -> Callable[[], Derivation]:
        if name in _REGISTRY:
            raise ValueError(f"derivation {name!r} registered twice")
        _REGISTRY[name] = builder
        if spec is not None:
            _SPECS[name] = spec
        return builder

    return register


@functools.cache
def _load_all() -> None:
    """Import every module of the engine package and its subpackages (``families/``):
    importing a module registers its derivations, so a new family file needs no list kept
    by hand."""
    package = sys.modules[__package__]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{__package__}."):
        importlib.import_module(info.name)


def specs() -> dict[str, KernelSpec]:
    """Kernel name -> :class:`KernelSpec`, for every kernel (read without deriving)."""
    _load_all()
    return {s.kernel: s for _, s in sorted(_SPECS.items())}


def kernel_derivations() -> dict[str, str]:
    """Kernel name -> the name of the derivation that gives it (no SymPy work)."""
    _load_all()
    return {s.kernel: name for name, s in sorted(_SPECS.items())}


def names() -> list[str]:
    """Names of all registered derivations, sorted."""
    _load_all()
    return sorted(_REGISTRY)


@functools.cache
def get(name: str) -> Derivation:
    """Build (once) and return the derivation called ``name``."""
    _load_all()
    try:
        builder = _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"no derivation named {name!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None
    result = builder()
    if result.name != name:
        raise DerivationError(f"builder for {name!r} returned derivation {result.name!r}")
    return result


def by_kernel() -> dict[str, Derivation]:
    """Map kernel name -> derivation, for the derivations that have a kernel."""
    out = {}
    for kernel, name in kernel_derivations().items():
        d = get(name)
        if d.kernel != kernel:
            raise DerivationError(f"{name}: its spec names kernel {kernel!r}, the derivation "
                                  f"{d.kernel!r}")
        out[kernel] = d
    missing = [n for n in names() if n not in _SPECS and get(n).kernel]
    if missing:
        raise DerivationError(f"derivation(s) {', '.join(missing)} give a kernel but "
                              "declare no KernelSpec")
    return out
