"""The machinery of the rewrite rules in :mod:`derive.rewriting`: a :class:`Rule` (a name,
the pattern and its replacement in words, and a SymPy ``Optimization``), and the matcher for
sums whose terms must all be present (``c·log w − c·w + c``), so a partial match is never
rewritten.  Example: ``Rule("log1pmx", …, optimization).apply(expr)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sympy as sp
from sympy.codegen.rewriting import Optimization, ReplaceOptim, optimize


@dataclass(frozen=True)
class Rule:
    """A named rewrite: ``textbook`` describes the pattern, ``stable`` what replaces it."""

    name: str
    textbook: str
    stable: str
    why: str
    optimization: Optimization

    def apply(self, expr: sp.Basic) -> sp.Basic:
        """Apply until nothing changes (one pass rewrites each sub-expression once)."""
        for _ in range(32):
            new = optimize(expr, [self.optimization])
            if new == expr:
                return new
            expr = new
        raise RuntimeError(f"rule {self.name!r} did not reach a fixed point")


def _terms(expr: sp.Basic) -> Counter:
    return Counter(sp.Add.make_args(sp.expand(expr)))


def _contains(haystack: Counter, needle: Counter) -> bool:
    return all(haystack[t] >= n for t, n in needle.items())


def _three_term_optim(kernel_term, companions, replacement) -> ReplaceOptim:
    """Rewrite ``Add``s containing ``c·kernel(w)`` plus all ``companions(c, w)`` terms.

    ``kernel_term(factor)`` returns ``w`` when ``factor`` is the pattern's head (e.g. log w),
    else None; ``replacement(c, w)`` gives the stable expression for the matched terms.
    """

    def find(add: sp.Basic):
        if not isinstance(add, sp.Add):
            return None
        terms = _terms(add)
        for term in terms:
            for factor in sp.Mul.make_args(term):
                w = kernel_term(factor)
                if w is None:
                    continue
                c = sp.simplify(term / factor)
                pattern = _terms(companions(c, w)) + Counter({term: 1})
                if _contains(terms, pattern):
                    return terms, pattern, c, w
        return None

    def value(add: sp.Basic) -> sp.Basic:
        terms, pattern, c, w = find(add)
        rest = terms - pattern
        return sp.Add(*[t for t, n in rest.items() for _ in range(n)]) + replacement(c, w)

    return ReplaceOptim(lambda e: find(e) is not None, value)
