"""``klforge emit``: write the stable forms out as numba ufuncs and gufuncs.

Elementwise kernels are printed from each derivation's :class:`StableForm` by
:class:`NumbaPrinter`; the reductions over the last axis (categorical, logits, Dirichlet,
MVN, EG, policy) are loop templates whose per-term formulas are the derivations' stable
terms.  Every kernel computes in float64 and rounds once to the input dtype.

The output file carries a "generated — do not edit" header with the SHA-256 of the
``derive/`` sources it came from; it is written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sympy as sp

from .._io import DERIVE_DIR, KERNELS_DIR, write_atomic
from ..derive.core import by_kernel
from ..derive.domains import DOMAINS
from . import templates
from .printer import print_expr

EMIT_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = KERNELS_DIR
OUTPUT_NAME = "_kernels.py"


def scalar_kernel(d, output_fn=None) -> str:
    """Source of ``_<kernel>_core`` (njit, float64) and the ufunc built on it for ``d``."""
    args = [p.name for p in d.params]
    rename = {p.symbol: sp.Symbol(p.name) for p in d.params}
    lines = ["@njit(inline='always', error_model='numpy', cache=True)",
             f"def _{d.kernel}_core({', '.join(args)}):"]
    for p in d.params:  # NaN, ±inf and values outside the domain give NaN (derive/domains.py)
        guard = DOMAINS[p.domain].guard
        if guard:
            lines.append(f"    if {guard.format(x=p.name)}:")
            lines.append("        return NAN")
    for sym, value in d.stable_form.bindings:
        lines.append(f"    {sym} = {print_expr(value.xreplace(rename))}")
    lines.append(f"    return {print_expr(d.stable_form.result.xreplace(rename))}")
    return "\n".join(lines) + "\n\n\n" + templates.elementwise(d.kernel, args,
                                                               templates.docstring(d))


def generator_sources() -> list[Path]:
    """The files whose content determines kernels/_kernels.py: every module of the engine
    (derive/ and its subpackages, e.g. derive/families/), of the emitter (this package) and
    the hand-written kernel modules the generated code calls (kernels/_*.py).  Computed, so
    a new module cannot be missed."""
    return sorted([*DERIVE_DIR.rglob("*.py"), *EMIT_DIR.glob("*.py"),
                   *(f for f in KERNELS_DIR.glob("_*.py") if f.name != OUTPUT_NAME)])


def _label(f: Path) -> str:
    """A source's path relative to the directory above its package (``derive/core.py``,
    ``derive/families/gamma.py``), the same in a checkout and an installed tree."""
    for root in (DERIVE_DIR, EMIT_DIR, KERNELS_DIR):
        if f.is_relative_to(root):
            return f"{root.name}/{f.relative_to(root).as_posix()}"
    return f"{f.parent.name}/{f.name}"


def source_hash() -> str:
    """SHA-256 over :func:`generator_sources` (each file's path relative to its package and
    its bytes)."""
    h = hashlib.sha256()
    for f in generator_sources():
        h.update(_label(f).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def generate(select: list[str] | None = None) -> str:
    """The full text of kernels/_kernels.py (or of the selected kernels only)."""
    derivs = by_kernel()
    if select:
        unknown = sorted(set(select) - set(derivs))
        if unknown:
            raise KeyError(f"unknown kernel(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(derivs))}")
        derivs = {k: v for k, v in derivs.items() if k in select}
    blocks = [templates.HEADER.format(hash=source_hash())]
    names = []
    for kernel, d in sorted(derivs.items()):
        if kernel in templates.REDUCTIONS:
            blocks.append(templates.REDUCTIONS[kernel](d))
        else:
            blocks.append(scalar_kernel(d))
        names.append(kernel)
    blocks.append("__all__ = [\n" + "".join(f"    {n!r},\n" for n in names) + "]\n")
    return "\n\n\n".join(blocks)


def write_or_check(target: Path, text: str, check: bool) -> str:
    """Write ``text`` to the generated file ``target`` atomically, or with ``check`` raise
    :class:`StaleError` unless it already holds exactly ``text``; returns a status line.
    The one write-or-check of every generated file (kernels, the audit's engine forms)."""
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            raise StaleError(f"{target} is stale: run `klforge emit` and commit the result")
        return f"{target} is up to date"
    write_atomic(target, text)
    return f"wrote {target}"


def emit(out: Path = DEFAULT_OUT, select: list[str] | None = None, check: bool = False) -> str:
    """Write (or with ``check``, compare) the generated kernels; returns a status line."""
    return write_or_check(Path(out) / OUTPUT_NAME, generate(select), check)


class StaleError(RuntimeError):
    """A generated file differs from what ``klforge emit`` would write."""
