"""SymPy expressions printed as numba-compilable Python (``math`` and the kernel primitives
``_p``): the one printer the emitter and the reduction templates share."""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

__all__ = ["NumbaPrinter", "prepare", "print_expr"]


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
                                    for a, b in zip(ys, xs, strict=True)) + ")"
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
