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
import os
import tempfile
from pathlib import Path

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.printing.pycode import PythonCodePrinter

from . import templates
from .core import by_kernel

ROOT = Path(__file__).resolve().parent.parent
DERIVE_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "kernels"
OUTPUT_NAME = "_kernels.py"


class NumbaPrinter(PythonCodePrinter):
    """Prints SymPy expressions as numba-compilable Python using ``math`` and ``_p``."""

    def _print_primitive_call(self, e):
        """``_p.<name>(args…)`` for primitives whose kernel takes exactly the SymPy args."""
        return f"_p.{type(e).__name__}({', '.join(self._print(a) for a in e.args)})"

    _print_log1pmx = _print_expm1mx = _print_rm1mlog = _print_log_ratio = _print_primitive_call

    def _print_kl_div(self, e):
        p, q = e.args
        return f"_p.kl_div({self._print(p)}, {self._print(q)}, {self._print(sp.simplify(p - q))})"

    def _print_lgamma_bregman(self, e):
        x, y = e.args
        return (f"_p.lgamma_bregman({self._print(x)}, {self._print(y)}, "
                f"{self._difference(y, x)})")

    def _difference(self, y: sp.Expr, x: sp.Expr) -> str:
        """y − x as Σ (y_i − x_i) over matching summands, so that each difference of nearby
        parameters is formed first (exact when they are within a factor 2)."""
        ys, xs = sp.Add.make_args(y), sp.Add.make_args(x)
        if len(ys) == len(xs) > 1:
            return "(" + " + ".join(f"({self._print(a)} - {self._print(b)})"
                                    for a, b in zip(ys, xs)) + ")"
        return self._print(sp.simplify(y - x))

    def _print_log1p(self, e):
        return f"math.log1p({self._print(e.args[0])})"

    def _print_expm1(self, e):
        return f"math.expm1({self._print(e.args[0])})"

    def _print_loggamma(self, e):
        return f"_p.lgamma({self._print(e.args[0])})"

    def _print_polygamma(self, e):
        if e.args[0] != 0:
            raise NotImplementedError("only polygamma(0, x) = digamma is supported")
        return f"_p.digamma({self._print(e.args[1])})"

    def _print_Pow(self, e, rational=False):
        base, exp = e.args
        if exp == 2:
            b = self._print(base)
            return f"({b})*({b})"
        if exp == -1:
            return f"1.0/({self._print(base)})"
        if exp == sp.Rational(1, 2):
            return f"math.sqrt({self._print(base)})"
        return super()._print_Pow(e, rational=rational)

    def _print_Rational(self, e):
        return f"({e.p}.0/{e.q}.0)"

    def _print_Integer(self, e):
        return f"{e.p}.0"

    def _print_Pi(self, e):
        return "math.pi"


def prepare(expr: sp.Expr) -> sp.Expr:
    """Expand logs of products (no overflow inside a log) and use loggamma for log Γ."""
    expr = sp.expand_log(expr, force=True)
    expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
                        lambda e: sp.loggamma(e.args[0].args[0]))
    return expr


def print_expr(expr: sp.Expr) -> str:
    return NumbaPrinter({"fully_qualified_modules": True}).doprint(prepare(expr))


_GUARDS = {
    "positive": "not ({x} > 0.0)",
    "nonnegative": "not ({x} >= 0.0)",
    "unit_interval": "not (0.0 <= {x} <= 1.0)",
    "open_unit_interval": "not (0.0 < {x} < 1.0)",
}


def scalar_kernel(d, output_fn=None) -> str:
    """Source of ``_<kernel>_core`` (njit, float64) and the ufunc built on it for ``d``."""
    args = [p.name for p in d.params]
    rename = {p.symbol: sp.Symbol(p.name) for p in d.params}
    lines = ["@njit(inline='always', error_model='numpy', cache=True)",
             f"def _{d.kernel}_core({', '.join(args)}):"]
    for p in d.params:
        if p.domain in _GUARDS:
            lines.append(f"    if {_GUARDS[p.domain].format(x=p.name)}:")
            lines.append("        return NAN")
    for sym, value in d.stable_form.bindings:
        lines.append(f"    {sym} = {print_expr(value.xreplace(rename))}")
    lines.append(f"    return {print_expr(d.stable_form.result.xreplace(rename))}")
    return "\n".join(lines) + "\n\n\n" + templates.elementwise(d.kernel, args,
                                                               templates.docstring(d))


#: The derive/ modules whose content determines kernels/_kernels.py (the CLI, the verifier
#: and the auditor do not, so editing them does not make the kernels stale).
GENERATOR_SOURCES = ("core.py", "primitives.py", "rewriting.py", "checks.py", "expfam.py",
                     "gaussian.py", "simplex.py", "vae.py", "optim.py", "emit.py",
                     "templates.py")


#: the hand-written kernel modules the generated code calls (their edits re-verify too)
KERNEL_SOURCES = ("_primitives.py", "_simd.py", "_streams.py", "_ufunc.py")


def source_hash() -> str:
    """SHA-256 over the sources the generated file depends on (:data:`GENERATOR_SOURCES`
    and :data:`KERNEL_SOURCES`)."""
    h = hashlib.sha256()
    files = [DERIVE_DIR / f for f in GENERATOR_SOURCES] + [ROOT / "kernels" / f
                                                           for f in KERNEL_SOURCES]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def generate(select: list[str] | None = None) -> str:
    """The full text of kernels/_kernels.py (or of the selected kernels only)."""
    derivs = by_kernel()
    if select:
        unknown = sorted(set(select) - set(derivs))
        if unknown:
            raise KeyError(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(sorted(derivs))}")
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


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` through a temporary file in
    the same directory and ``os.replace``: readers see the old file or the new one, never
    a half-written one, and a failure leaves no temporary file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(out: Path = DEFAULT_OUT, select: list[str] | None = None, check: bool = False) -> str:
    """Write (or with ``check``, compare) the generated kernels; returns a status line."""
    target = Path(out) / OUTPUT_NAME
    text = generate(select)
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            raise StaleError(f"{target} is stale: run `klforge emit` and commit the result")
        return f"{target} is up to date"
    write_atomic(target, text)
    return f"wrote {target}"


class StaleError(RuntimeError):
    pass
