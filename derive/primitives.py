"""Stable primitives as SymPy functions.

Each primitive knows its textbook form (``expr.rewrite("textbook")`` maps it back, which the
round-trip tests use), its derivative, and how to evaluate itself with mpmath at any
precision.  The kernels implement the same functions in ``kernels/_primitives.py``; the
verifier compares the two.

=============  ===============================  =========================================
primitive      textbook form                    why
=============  ===============================  =========================================
log1pmx(x)     log(1 + x) - x                   ≈ -x²/2 near 0: no cancellation
expm1mx(x)     exp(x) - 1 - x                   ≈ x²/2 near 0: no cancellation
kl_div(p, q)   p·log(p/q) - p + q               ≥ 0, ≈ (p-q)²/(2q) near p = q (scipy's kl_div)
=============  ===============================  =========================================
"""

from __future__ import annotations

import mpmath
import sympy as sp


class log1pmx(sp.Function):  # noqa: N801 - SymPy convention: functions are lower case
    """log1pmx(x) = log(1 + x) − x, for x > −1; −∞ at x = −1."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Zero

    def fdiff(self, argindex=1):
        x = self.args[0]
        return 1 / (1 + x) - 1

    def _eval_rewrite_as_textbook(self, x, **kwargs):
        return sp.log(1 + x) - x

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        return r"\operatorname{log1pmx}\left(%s\right)" % printer._print(self.args[0])


class expm1mx(sp.Function):  # noqa: N801
    """expm1mx(x) = exp(x) − 1 − x, for real x."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.exp(self.args[0]) - 1

    def _eval_rewrite_as_textbook(self, x, **kwargs):
        return sp.exp(x) - 1 - x

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        return r"\operatorname{expm1mx}\left(%s\right)" % printer._print(self.args[0])


class kl_div(sp.Function):  # noqa: N801
    """kl_div(p, q) = p·log(p/q) − p + q for p, q ≥ 0 (0 at p = 0; +∞ at q = 0 < p)."""

    nargs = 2

    @classmethod
    def eval(cls, p, q):
        if p.is_zero:
            return q
        if p == q:
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, p, q, **kwargs):
        return p * sp.log(p / q) - p + q

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        p, q = (printer._print(a) for a in self.args)
        return r"\operatorname{kl\_div}\left(%s, %s\right)" % (p, q)


class logsumexp(sp.Function):  # noqa: N801
    """logsumexp(x_1, …, x_n) = log Σ exp(x_i), evaluated as m + log Σ exp(x_i − m), m = max x_i."""

    @classmethod
    def eval(cls, *args):
        if len(args) == 1:
            return args[0]

    def _eval_rewrite_as_textbook(self, *args, **kwargs):
        return sp.log(sp.Add(*[sp.exp(a) for a in args]))

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        return r"\operatorname{LSE}\left(%s\right)" % ", ".join(printer._print(a) for a in self.args)


PRIMITIVES = (log1pmx, expm1mx, kl_div, logsumexp)


def textbook(expr: sp.Basic) -> sp.Basic:
    """Rewrite every stable primitive in ``expr`` back to its textbook form."""
    return expr.rewrite("textbook")


# --- mpmath references for the kernel primitives (textbook forms, evaluated exactly) -------


def mp_log1pmx(x):
    x = mpmath.mpf(x)
    if x == -1:
        return mpmath.ninf
    return mpmath.log1p(x) - x


def mp_expm1mx(x):
    x = mpmath.mpf(x)
    return mpmath.expm1(x) - x


def mp_kl_div(p, q):
    p, q = mpmath.mpf(p), mpmath.mpf(q)
    if p == 0:
        return q
    if q == 0:
        return mpmath.inf
    return p * mpmath.log(p / q) - p + q


MPMATH_PRIMITIVES = {
    "log1pmx": mp_log1pmx,
    "expm1mx": mp_expm1mx,
    "kl_div": mp_kl_div,
    "digamma": lambda x: mpmath.digamma(mpmath.mpf(x)),
    "lgamma": lambda x: mpmath.loggamma(mpmath.mpf(x)),
}
