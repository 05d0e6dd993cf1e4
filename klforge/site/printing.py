"""LaTeX for the site: the derived expressions, printed for a reader.

The expression is the engine's, unchanged in value: logarithms of products and powers of
positive symbols are split (``sympy.expand_log`` without ``force``, so only where SymPy
knows it is valid) when that removes symbolic exponents; ψ is printed for the digamma
function; and the emitter's ASCII parameter names get their textbook symbols
(``rate_p`` → λ_p, ``shape_p`` → α_p, ``logvar`` → log σ²).
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

#: ASCII parameter-name prefixes and the symbols the lesson uses for them
NAMES = {"rate": r"\lambda", "shape": r"\alpha", "logvar": r"\log\sigma^{2}",
         "log_sigma": r"\log\sigma", "lr": r"\eta", "pold": r"p^{\mathrm{old}}",
         "ref": r"\pi^{\mathrm{ref}}", "noise_var": r"s^{2}", "var": r"\sigma^{2}"}
_NAME = re.compile(r"^(%s)(?:_?(.*))?$" % "|".join(sorted(map(re.escape, NAMES), key=len,
                                                             reverse=True)))


class LessonPrinter(LatexPrinter):
    def _print_Symbol(self, expr, style="plain"):
        m = _NAME.match(expr.name)
        if m:
            base, sub = NAMES[m.group(1)], m.group(2)
            return f"{{{base}}}_{{{sub}}}" if sub else base
        return super()._print_Symbol(expr, style)

    def _print_polygamma(self, expr, exp=None):
        n, x = expr.args
        s = r"\psi\left(%s\right)" % self._print(x) if n == 0 else \
            r"\psi^{(%s)}\left(%s\right)" % (self._print(n), self._print(x))
        return s if exp is None else f"{s}^{{{exp}}}"


def _symbolic_powers(expr) -> int:
    return sum(1 for p in expr.atoms(sp.Pow) if p.exp.free_symbols)


def readable(expr):
    """The same expression in the form with fewest symbolic exponents (then fewest ops)."""
    if not isinstance(expr, sp.Expr):
        return expr
    split = sp.expand(sp.expand_log(expr))
    return min((expr, split), key=lambda e: (_symbolic_powers(e), sp.count_ops(e)))


def latex(expr) -> str:
    if isinstance(expr, sp.Equality):
        return f"{latex(expr.lhs)} = {latex(expr.rhs)}"
    if isinstance(expr, (sp.Tuple, tuple)):
        return r"\left(" + ", ".join(latex(e) for e in expr) + r"\right)"
    return LessonPrinter({"ln_notation": True}).doprint(readable(expr))
