"""``klforge emit``: write the stable forms out as numba ufuncs and gufuncs.

Elementwise kernels are printed from each derivation's :class:`StableForm` by
:class:`NumbaPrinter`; the reductions over the last axis (categorical, logits, Dirichlet,
MVN, EG, policy) are loop templates whose per-term formulas are the derivations' stable
terms.  Every kernel computes in float64 and rounds once to the input dtype.

The output file carries a "generated — do not edit" header with the SHA-256 of the
``derive/`` sources it came from; it is written atomically (temp file + rename).  Each
kernel's block opens with a mark (:data:`MARK`), so ``klforge emit --select NAMES``
regenerates those kernels and keeps the others' blocks as they are.

Example: ``emit(select=["kl_gamma"], check=True)`` derives kl_gamma only and compares its
block with the one in kernels/_kernels.py.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import sympy as sp

from .._io import DERIVE_DIR, KERNELS_DIR, write_atomic
from ..derive.core import by_kernel, get, kernel_derivations, specs
from ..derive.domains import DOMAINS
from . import reductions, templates
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
    # NaN, ±inf and values outside the domain give NaN (derive/domains.py), selected at the
    # end rather than returned early: a loop over a branch-free core vectorises
    guards = [f"({g.format(x=p.name)})" for p in d.params if (g := DOMAINS[p.domain].guard)]
    for sym, value in d.stable_form.bindings:
        lines.append(f"    {sym} = {print_expr(value.xreplace(rename))}")
    result = print_expr(d.stable_form.result.xreplace(rename))
    if guards:
        lines.append(f"    bad = {' | '.join(guards)}")
        lines.append(f"    value = {result}")
        lines.append("    return NAN if bad else value")
    else:
        lines.append(f"    return {result}")
    core = "\n".join(lines)
    # a primitive with a light twin (``kernel_call``: the same function without its rare
    # fallback) gives a light core too, which a first call compiles (``_ufunc.FirstReach``)
    kinds = [type(f) for f in d.stable_form.result.atoms(sp.Function)
             if hasattr(type(f), "kernel_call")]
    light = core.replace(f"def _{d.kernel}_core(", f"def _{d.kernel}_core_light(")
    for kind in kinds:
        light = light.replace(*kind.kernel_call)
    text = core + "\n\n\n"
    # a twin that marks what it cannot do with NaN (``light_selects``: a select, not a call,
    # so the light loop stays vectorised) makes the light core return also whether it left
    # the element (a NaN value from in-domain inputs); its loop counts those and bails once
    # after the loop (``templates.elementwise``)
    selects = any(getattr(kind, "light_selects", False) for kind in kinds)
    if selects and guards:  # the last line is "return NAN if bad else value"
        light = light.rsplit("\n", 1)[0] + (
            "\n    return (NAN if bad else value), (value != value) & (not bad)")
    elif selects:  # the last line is "return <result>"
        head, last = light.rsplit("\n", 1)
        light = (f"{head}\n    value = {last.removeprefix('    return ')}\n"
                 "    return value, value != value")
    if kinds:
        text += light + "\n\n\n"
    return text + templates.elementwise(d.kernel, args, templates.docstring(d),
                                        light=bool(kinds), selects=selects)


def kernel_source(d, spec) -> str:
    """Source of one kernel: its spec's loop template (``spec.reduction``, a name in
    :data:`reductions.REDUCTIONS`) or, without one, the elementwise ufunc of its stable form."""
    if spec.reduction is None:
        return scalar_kernel(d)
    try:
        template = reductions.REDUCTIONS[spec.reduction]
    except KeyError:
        raise KeyError(f"{spec.kernel}: its spec names reduction {spec.reduction!r}, not a "
                       f"template in klforge/emit/reductions.py (known: "
                       f"{', '.join(sorted(reductions.REDUCTIONS))})") from None
    return template(d)


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


#: the line that opens each kernel's block in kernels/_kernels.py (``emit --select`` finds the
#: blocks it regenerates by it)
MARK = "# --- kernel: {} ---"
_MARK_RE = re.compile(r"^# --- kernel: (\w+) ---\n", re.MULTILINE)
_ALL = "\n\n\n__all__ = ["


def assemble(blocks: dict[str, str]) -> str:
    """kernels/_kernels.py from each kernel's source: the header (with the current
    :func:`source_hash`), the blocks in name order, each under its :data:`MARK`, and
    ``__all__``."""
    parts = [templates.HEADER.format(hash=source_hash())]
    parts += [f"{MARK.format(k)}\n{blocks[k]}" for k in sorted(blocks)]
    parts.append("__all__ = [\n" + "".join(f"    {k!r},\n" for k in sorted(blocks)) + "]\n")
    return "\n\n\n".join(parts)


def split_blocks(text: str) -> dict[str, str]:
    """The inverse of :func:`assemble`: kernel name -> its source block ({} for a file
    without the block marks, e.g. one written before them)."""
    parts = _MARK_RE.split(text)
    blocks = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        blocks[name] = body.split(_ALL, 1)[0] if _ALL in body else body.removesuffix("\n\n\n")
    return blocks


def generate(select: list[str] | None = None) -> str:
    """The full text of kernels/_kernels.py (or of the selected kernels only)."""
    derivs = by_kernel()
    if select:
        unknown = sorted(set(select) - set(derivs))
        if unknown:
            raise KeyError(f"unknown kernel(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(derivs))}")
        derivs = {k: v for k, v in derivs.items() if k in select}
    return assemble({k: kernel_source(d, specs()[k]) for k, d in derivs.items()})


def emit_selected(target: Path, select: list[str], check: bool) -> str:
    """Regenerate only the ``select``ed kernels' blocks of the generated file ``target`` and
    keep every other kernel's block as it is (only the selected ones are derived); with
    ``check``, compare those blocks only.  Refuses (:class:`StaleError`, pointing to
    ``klforge emit``) when ``target`` has no block for a kernel of the registry that is not
    selected, e.g. a new kernel or a file written before the block marks."""
    kernels = kernel_derivations()
    unknown = sorted(set(select) - set(kernels))
    if unknown:
        raise KeyError(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(kernels)}")
    current = split_blocks(target.read_text(encoding="utf-8")) if target.exists() else {}
    if not current:  # refused before anything is derived
        raise StaleError(f"{target} is stale: it has no kernel blocks (missing, or written "
                         "before the block marks): run `klforge emit` (every kernel)")
    fresh = {k: kernel_source(get(kernels[k]), specs()[k]) for k in dict.fromkeys(select)}
    if check:
        stale = sorted(k for k, text in fresh.items() if current.get(k) != text)
        if stale:
            raise StaleError(f"{target} is stale for {', '.join(stale)}: run `klforge emit "
                             f"--select {','.join(stale)}` and commit the result")
        return (f"{target}: {', '.join(sorted(fresh))} up to date (`klforge emit --check` "
                "checks every kernel)")
    missing = sorted(set(kernels) - set(current) - set(fresh))
    if missing:
        raise StaleError(f"{target} has no block for {', '.join(missing[:5])}"
                         f"{' …' if len(missing) > 5 else ''}: `--select` keeps the other "
                         "kernels' blocks, so run `klforge emit` (every kernel) first")
    blocks = {k: current[k] for k in kernels if k in current} | fresh
    write_atomic(target, assemble(blocks))
    return (f"wrote {target}: regenerated {', '.join(sorted(fresh))}; kept the "
            f"{len(blocks) - len(fresh)} other kernel(s) as they were (`klforge emit --check` "
            "checks every kernel)")


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
    """Write (or with ``check``, compare) the generated kernels — all of them, or with
    ``select`` only those (:func:`emit_selected`); returns a status line."""
    target = Path(out) / OUTPUT_NAME
    if select:
        return emit_selected(target, select, check)
    return write_or_check(target, generate(), check)


class StaleError(RuntimeError):
    """A generated file differs from what ``klforge emit`` would write."""
