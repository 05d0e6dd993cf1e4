"""Derivatives, limits and optima for the matrix checks' evaluator (a mixin of
:class:`.linalg.Evaluator`): ∇f and ∇²f by ``mpmath.diff`` in one scalar symbol (partial
derivatives for a vector), dp/dη through a definition η(p) as 1/(dη/dp), ``\\lim`` along a
sequence approaching the point, and the stationarity of a claimed argmin/argmax.

Example: with η = ln(p/(1−p)) defined, ``\\frac{dp}{d\\eta}`` at p = 0.3 is 0.21.
"""

from __future__ import annotations

import re

import mpmath

from . import nodes as N
from .matvals import _is_m, _scalar, _uses

mp = mpmath.mp


class Analysis:
    """Needs ``self.pt`` (the point), ``self.bound``, ``self.name`` and ``self._compute``."""

    def with_bound(self, var, value):
        return type(self)(self.pt, {**self.bound, var: value})

    def gradient(self, node):
        """∇f, ∇²f of a scalar f of one scalar symbol (the subscript, or the argument of
        ``A(η)``): ``mpmath.diff`` at the point, 60 digits."""
        var = node.base.name if isinstance(node.base, (N.Name, N.Var)) else None
        if var is None and isinstance(node.arg, N.Name):
            m = re.fullmatch(r"[A-Za-z]+\((\w+)\)", node.arg.name)
            var = m.group(1) if m else None
        if var is None:
            raise N.NotEvaluable("a gradient without its variable")
        if "," in var:  # ∇_{μ,σ}: the vector of partial derivatives
            raise N.NotEvaluable(f"a gradient with respect to several parameters ({var}) at "
                                 "once is not evaluated")
        defs = {**getattr(self.pt.st, "formulas", {}), **self.pt.st.defs}  # η = ln(p/(1−p))
        if (var in defs and isinstance(node.arg, N.Name) and node.arg.name not in defs
                and node.arg.name in _uses(defs[var]) and node.name == "grad"):
            # dp/dη with η = η(p) defined: the inverse function's derivative 1/(dη/dp)
            inner = self.gradient(N.Func("grad", defs[var], N.Name(node.arg.name)))
            if inner == 0:
                raise N.NotEvaluable(f"d{var}/d{node.arg.name} is 0: no inverse derivative")
            return 1 / inner
        at = self.name(var)
        if _is_m(at) and at.cols == 1 and node.name == "grad":  # ∇_b f: partial derivatives
            def part(i):
                def f(t):
                    v = at.copy()
                    v[i, 0] = t
                    return _scalar(type(self)(self.pt, {**self.bound, var: v})._compute(node.arg))
                return mpmath.diff(f, at[i, 0])
            return mp.matrix([[part(i)] for i in range(at.rows)])
        if _is_m(at):
            raise N.NotEvaluable(f"a Hessian with respect to the vector {var} is not evaluated")
        try:
            self._compute(node.arg)
        except N.NotEvaluable as e:
            raise N.NotEvaluable(f"a gradient of {N.to_text(node.arg)}: {e}") from None

        def f(t):
            return _scalar(type(self)(self.pt, {**self.bound, var: t})._compute(node.arg))
        return mpmath.diff(f, at, 1 if node.name == "grad" else 2)

    def limit(self, node):
        """lim_{t → a±} f: f at a ± 10^{-8k} (or at 10^{8k} for ∞), k = 1…4, 60 digits; the
        values must settle (the last two within 10^{-12}), else it is not evaluated."""
        var, point, side = (f for _, f in node.base.factors)
        sign = 1 if side.name == "+" else -1
        at = None if isinstance(point, N.Const) and point.name == "inf" else _scalar(
            self._eval(point))
        values = []
        for k in (1, 2, 3, 4):
            t = mp.mpf(10) ** (8 * k) if at is None else at + sign * mp.mpf(10) ** (-8 * k)
            values.append(_scalar(type(self)(self.pt, {**self.bound, var.name: t})._compute(
                node.arg)))
        if abs(values[-1] - values[-2]) > mp.mpf(10) ** -12 * max(1, abs(values[-1])):
            raise N.NotEvaluable(f"the limit as {var.name} → {N.to_text(point)} did not settle")
        return values[-1]

    def optimum(self, node, claimed):
        """Is ``claimed`` a stationary point of the argmin/argmax body with the right
        curvature?  (f′, f″) there, by mpmath.diff; NotEvaluable for a vector variable."""
        var = node.base.name
        if _is_m(claimed):
            raise N.NotEvaluable("an argmin/argmax over a vector is not checked")

        def f(t):
            return _scalar(type(self)(self.pt, {**self.bound, var: t})._compute(node.arg))
        return mpmath.diff(f, claimed, 1), mpmath.diff(f, claimed, 2)
