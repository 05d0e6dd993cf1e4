"""LaTeX for the site: the derived expressions, printed for a reader.

The expression is the engine's, unchanged in value: logarithms of products and powers of
positive symbols are split (``sympy.expand_log`` without ``force``, so only where SymPy
knows it is valid) when that removes symbolic exponents; ψ is printed for the digamma
function; and the emitter's ASCII parameter names get their textbook symbols
(``rate_p`` → λ_p, ``shape_p`` → α_p, ``logvar`` → log σ²).

:func:`break_lines` lays a long one-line display out over several lines (an ``aligned``
block split before top-level ``+``/``−`` signs) without changing a character of the
formula: removing the inserted ``\\begin{aligned}``, ``&``, ``\\\\`` and ``\\qquad`` gives
back the input.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

#: ASCII parameter-name prefixes and the symbols the lesson uses for them
NAMES = {"rate": r"\lambda", "shape": r"\alpha", "logvar": r"\log\sigma^{2}",
         "log_sigma": r"\log\sigma", "lr": r"\eta", "pold": r"p^{\mathrm{old}}",
         "ref": r"\pi^{\mathrm{ref}}", "noise_var": r"s^{2}", "var": r"\sigma^{2}"}
_NAME = re.compile(r"^({})(?:_?(.*))?$".format("|".join(sorted(map(re.escape, NAMES), key=len,
                                                             reverse=True))))


class LessonPrinter(LatexPrinter):
    def _print_Symbol(self, expr, style="plain"):
        m = _NAME.match(expr.name)
        if m:
            base, sub = NAMES[m.group(1)], m.group(2)
            return f"{{{base}}}_{{{sub}}}" if sub else base
        return super()._print_Symbol(expr, style)

    def _print_polygamma(self, expr, exp=None):
        n, x = expr.args
        s = rf"\psi\left({self._print(x)}\right)" if n == 0 else \
            rf"\psi^{{({self._print(n)})}}\left({self._print(x)}\right)"
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


#: visible characters that fit one display line of the lesson's column at 1280 px
LINE_BUDGET = 44
_COMMAND = re.compile(r"\\(?:left|right|mathrm|operatorname|frac|dfrac|tfrac|sqrt|ln|log|"
                      r"exp|,|;|!|quad|qquad)(?![A-Za-z])|[{}^_ &]")
_BREAKS = (" + ", " - ")


def visible_width(tex: str) -> int:
    """A rough count of the glyphs ``tex`` typesets (commands, braces and scripts dropped;
    a remaining command such as ``\\psi`` counts as one glyph)."""
    tex = _COMMAND.sub("", tex)
    return len(re.sub(r"\\[A-Za-z]+", "x", tex))


def top_level_terms(tex: str) -> list[str]:
    """``tex`` cut before each ``+``/``-`` that sits outside every brace and every
    ``\\left … \\right`` pair; the pieces concatenate back to ``tex``."""
    cuts, depth, i = [0], 0, 0
    while i < len(tex):
        if tex.startswith("\\left", i) and not tex[i + 5:i + 6].isalpha():
            depth, i = depth + 1, i + 5
            continue
        if tex.startswith("\\right", i) and not tex[i + 6:i + 7].isalpha():
            depth, i = depth - 1, i + 6
            continue
        c = tex[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        if depth == 0 and i > 0 and tex.startswith(_BREAKS, i):
            cuts.append(i)
        i += 1
    return [tex[a:b] for a, b in zip(cuts, [*cuts[1:], len(tex)], strict=True)]


def break_lines(tex: str, budget: int = LINE_BUDGET) -> tuple[str, bool]:
    """Lay the one-line display ``tex`` out in lines of at most ``budget`` visible glyphs,
    breaking only before top-level signs.  Returns (LaTeX, fits): ``fits`` is False when a
    single term is wider than the budget (the caller lets such a display scroll).

    >>> break_lines("a + b", 80)
    ('a + b', True)
    """
    if visible_width(tex) <= budget or "\\\\" in tex or "&" in tex:
        return tex, visible_width(tex) <= budget or "\\\\" in tex
    lines: list[str] = []
    for term in top_level_terms(tex):
        if lines and visible_width(lines[-1] + term) <= budget:
            lines[-1] += term
        else:
            lines.append(term)
    fits = all(visible_width(line) <= budget for line in lines)
    if len(lines) == 1:
        return tex, fits
    body = " \\\\ ".join(("& " if k == 0 else "&\\qquad ") + line
                          for k, line in enumerate(lines))
    return "\\begin{aligned}" + body + "\\end{aligned}", fits


def unbroken(tex: str) -> str:
    """Undo :func:`break_lines` (used by the tests: the layout adds no mathematics)."""
    if not tex.startswith("\\begin{aligned}&"):
        return tex
    body = tex[len("\\begin{aligned}"):-len("\\end{aligned}")]
    return "".join(part.removeprefix("& ").removeprefix("&\\qquad ")
                   for part in body.split(" \\\\ "))


def stable_latex(rows) -> str:
    """The stable evaluation order ``[(name, value), …]`` as one ``aligned`` block, each
    value broken over lines by :func:`break_lines` when long."""
    body = " \\\\ ".join(f"{s} &= {break_lines(v)[0]}" for s, v in rows)
    return "\\begin{aligned}" + body + "\\end{aligned}"


def stable_fits(rows) -> bool:
    """Whether every value of the stable evaluation order fits a line once broken."""
    return all(break_lines(v)[1] for _, v in rows)
