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
rm1mlog(t, l)  t - l  (t = r - 1, l = log r)    r - 1 - log r for every ratio r > 0: t and l
                                                are supplied separately, each accurate
log_ratio(a,b) log(a/b)                         log1p((a-b)/b) near a = b; no overflow of a/b
lgamma_bregman lnΓ(y) - lnΓ(x) - (y-x)·ψ(x)      ≈ ψ'(x)(y-x)²/2 near y = x; the kernel sums
(x, y)                                          non-negative second-order pieces only
stirling_      B_lnΓ(x, y) − kl_div(y, x)       Bregman of lnΓ(a) − a log a + a, ≥ 0,
bregman(x, y)                                   ≈ (ψ'(x) − 1/x)(y−x)²/2; Gamma's shape part
log_ratio2     log(a·b/(c·d))                   exact products, log1p near a·b = c·d
(a, b, c, d)
lbeta_bregman  B_{ln B}((a, b), (c, d))         Beta's KL; non-negative pieces that vanish
(a, b, c, d)   (lnΓ, ψ terms)                   smoothly as p → q (``kernels/_lbeta.py``)
perspective_   (b/c)·(e^{−d/b} − 1 + d/b)       b·expm1mx(−d/b)/c without forming d/b or
expm1mx(b,d,c)                                  b/c where they overflow (Laplace's KL)
cexpm1mx(c, x) c·(exp(x) − 1 − x)               c·e^x formed where e^x overflows
crm1mlog       c·(a·b − l)  (a·b = r − 1)       c·(r − 1) formed as (c·a)·b where a·b
(c, a, b, l)                                    overflows
=============  ===============================  =========================================
"""

from __future__ import annotations

import sympy as sp

from .mp_primitives import (  # noqa: F401 - re-exported: the mpmath references
    MPMATH_PRIMITIVES,
    mp_expm1mx,
    mp_kl_div,
    mp_lgamma_bregman,
    mp_log1pmx,
    mp_log_ratio,
    mp_log_ratio2,
    mp_rm1mlog,
    mp_stirling_bregman,
)


class _Primitive(sp.Function):
    """Shared by the primitives: numeric evaluation through the textbook form, and LaTeX as
    ``\\operatorname{name}(args)`` unless a primitive has its own notation."""

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        name = type(self).__name__.replace("_", r"\_")
        args = ", ".join(printer._print(a) for a in self.args)
        return r"\operatorname{" + name + r"}\left(" + args + r"\right)"


class _ZeroWhenEqual(_Primitive):
    """A primitive of (x₁…x_k, y₁…y_k) that vanishes when the two halves of its arguments
    are equal (a log ratio, a Bregman divergence): ``eval`` returns 0 there."""

    @classmethod
    def eval(cls, *args):
        half = len(args) // 2
        if args[:half] == args[half:]:
            return sp.S.Zero


class log1pmx(_Primitive):  # noqa: N801 - SymPy convention: functions are lower case
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


class expm1mx(_Primitive):  # noqa: N801
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


class kl_div(_Primitive):  # noqa: N801
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


class rm1mlog(_Primitive):  # noqa: N801
    """rm1mlog(t, l) = r − 1 − log r given t = r − 1 and l = log r, for r > 0.

    The caller computes t and l separately, each to full relative accuracy (t from an exact
    difference, l by :class:`log_ratio`); the kernel uses −log1pmx(t) near r = 1 and t − l
    elsewhere, so it stays accurate for r → 0 and r → ∞ where 1 + t cannot be formed.
    """

    nargs = 2

    @classmethod
    def eval(cls, t, l):
        if t.is_zero and l.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, t, l, **kwargs):
        return t - l


class log_ratio(_ZeroWhenEqual):  # noqa: N801
    """log_ratio(a, b) = log(a/b) for a, b > 0, accurate near a = b and for any magnitudes."""

    nargs = 2

    def _eval_rewrite_as_textbook(self, a, b, **kwargs):
        return sp.log(a / b)

    def _latex(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return r"\log\frac{" + a + "}{" + b + "}"


class lgamma_bregman(_ZeroWhenEqual):  # noqa: N801
    """lgamma_bregman(x, y) = lnΓ(y) − lnΓ(x) − (y − x)·ψ(x), x, y > 0: the Bregman divergence
    of lnΓ (≥ 0 since lnΓ is convex), the lgamma/digamma part of Gamma, Beta and Dirichlet KLs."""

    nargs = 2

    def _eval_rewrite_as_textbook(self, x, y, **kwargs):
        return sp.loggamma(y) - sp.loggamma(x) - (y - x) * sp.polygamma(0, x)

    def _latex(self, printer):
        x, y = (printer._print(a) for a in self.args)
        return r"B_{\ln\Gamma}\left(" + x + ", " + y + r"\right)"


class stirling_bregman(_ZeroWhenEqual):  # noqa: N801
    """stirling_bregman(x, y) = S(y) − S(x) − (y − x)·S'(x) for S(a) = lnΓ(a) − a·log a + a
    (S' = ψ − log): lgamma_bregman(x, y) − kl_div(y, x), ≥ 0 since S'' = ψ' − 1/a > 0.  The
    shape part of Gamma's KL once the rate is traded for the mean (``families/gamma.py``)."""

    nargs = 2

    def _eval_rewrite_as_textbook(self, x, y, **kwargs):
        return (sp.loggamma(y) - sp.loggamma(x) - (y - x) * sp.polygamma(0, x)
                - (y * sp.log(y / x) - y + x))

    #: the kernel function (every positive finite pair) and its light twin, which leaves
    #: the pairs whose branch-free form's first shift piece leaves the float range
    #: (``kernels/_gamma_range.py``; ``emit.scalar_kernel``, ``_ufunc.FirstReach``)
    kernel_call = ("_p.stirling_bregman_full(", "_p.stirling_bregman_light(")
    #: the light twin returns NaN there (a select): its loop stays vectorised (``emit``)
    light_selects = True

    def _pythoncode(self, printer):
        x, y = self.args
        return (f"_p.stirling_bregman_full({printer._print(x)}, {printer._print(y)}, "
                f"{printer._print(y - x)})")

    def _latex(self, printer):
        x, y = (printer._print(a) for a in self.args)
        return r"B_{S}\left(" + x + ", " + y + r"\right)"


class lbeta_bregman(_ZeroWhenEqual):  # noqa: N801
    """lbeta_bregman(a, b, c, d) = the Bregman divergence of ln B(a, b) = lnΓ(a) + lnΓ(b) −
    lnΓ(a + b) from (a, b) to (c, d), a, b, c, d > 0: KL(Beta(a, b) ‖ Beta(c, d)), ≥ 0.  The
    kernel (``kernels/_lbeta.py``) sums pieces that each vanish smoothly as (c, d) → (a, b):
    B_S of the smaller coordinate, n_q·KL(Bern‖Bern) in the shifted coordinates and
    differences F(x) − F(y) of B_{−log} formed from exact cross products."""

    nargs = 4

    def _eval_rewrite_as_textbook(self, a, b, c, d, **kwargs):
        lbeta = lambda x, y: sp.loggamma(x) + sp.loggamma(y) - sp.loggamma(x + y)
        return (lbeta(c, d) - lbeta(a, b)
                - (c - a) * (sp.polygamma(0, a) - sp.polygamma(0, a + b))
                - (d - b) * (sp.polygamma(0, b) - sp.polygamma(0, a + b)))

    #: the kernel function and its light twin (no extreme-ratio fallback: it bails), which
    #: a first call compiles (``emit.scalar_kernel``, ``_ufunc.FirstReach``)
    kernel_call = ("_lb.kl_beta(", "_lb.kl_beta_light(")

    def _pythoncode(self, printer):
        return "_lb.kl_beta(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _latex(self, printer):
        a, b, c, d = (printer._print(x) for x in self.args)
        return (r"B_{\ln \mathrm{B}}\left((" + a + ", " + b + "), (" + c + ", " + d
                + r")\right)")


class scaled_expm1mx(_Primitive):  # noqa: N801
    """scaled_expm1mx(a, s, e) = a·(e^{−s} − 1 + s) where e = a·e^{−s} is passed as formed
    from the inputs (the kernel uses it when s < −1 instead of exp(−s)).  The kernel gets e
    as its factors n1·n2/d (``_factors``), so that it can form e — and, from a·d and n1·n2,
    s again — without over- or underflow where the plain products would leave the float
    range (``kernels/_gamma_range.py``)."""

    nargs = 3

    #: the kernel function (every positive finite argument) and its light twin, which leaves
    #: the arguments where a product leaves the float range
    kernel_call = ("_p.scaled_expm1mx_full(", "_p.scaled_expm1mx_light(")
    #: the light twin returns NaN there (a select): its loop stays vectorised (``emit``)
    light_selects = True

    def _eval_rewrite_as_textbook(self, a, s, e, **kwargs):
        return a * (sp.exp(-s) - 1 + s)

    @staticmethod
    def _factors(e):
        """(n1, n2, d) with e = n1·n2/d: e's numerator split into its first factor and the
        rest, its denominator (1 when there is none).
        Example: ``_factors(a*b/c)`` = (a, b, c); ``_factors(x)`` = (x, 1, 1)."""
        num, den = sp.fraction(e)
        first, *rest = sp.Mul.make_args(num)
        return first, sp.Mul(*rest), den

    def _pythoncode(self, printer):
        a, s, e = self.args
        args = (a, s, *(sp.Float(1.0) if f == 1 else f for f in self._factors(e)))
        return "_p.scaled_expm1mx_full(" + ", ".join(printer._print(x) for x in args) + ")"


class perspective_expm1mx(_Primitive):  # noqa: N801
    """perspective_expm1mx(b, d, c) = b·(e^{−d/b} − 1 + d/b)/c for b, c > 0, d ≥ 0: the
    perspective b·φ(d/b) of φ(z) = e^{−z} − 1 + z, over c.  The kernel stays finite where
    d/b or b/c overflows but the value does not (a subnormal Laplace scale)."""

    nargs = 3

    @classmethod
    def eval(cls, b, d, c):
        if d.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, b, d, c, **kwargs):
        return b * (sp.exp(-d / b) - 1 + d / b) / c

    def _pythoncode(self, printer):
        return "_p.perspective_expm1mx(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _latex(self, printer):
        b, d, c = (printer._print(x) for x in self.args)
        return (r"\frac{" + b + r"}{" + c + r"}\operatorname{expm1mx}\left(-\frac{" + d
                + "}{" + b + r"}\right)")


class log_ratio2(_Primitive):  # noqa: N801
    """log_ratio2(a, b, c, d) = log((a·b)/(c·d)), a, b, c, d > 0: both products formed exactly,
    so the result is accurate relative to itself near a·b = c·d."""

    nargs = 4

    @classmethod
    def eval(cls, a, b, c, d):
        if (a, b) == (c, d) or (a, b) == (d, c):
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, a, b, c, d, **kwargs):
        return sp.log(a * b / (c * d))

    def _pythoncode(self, printer):
        return "_p.log_ratio2(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _latex(self, printer):
        a, b, c, d = (printer._print(x) for x in self.args)
        return r"\log\frac{" + a + r"\," + b + "}{" + c + r"\," + d + "}"


class logsumexp(_Primitive):  # noqa: N801
    """logsumexp(x_1, …, x_n) = log Σ exp(x_i), evaluated as m + log Σ exp(x_i − m), m = max x_i."""

    @classmethod
    def eval(cls, *args):
        if len(args) == 1:
            return args[0]

    def _eval_rewrite_as_textbook(self, *args, **kwargs):
        return sp.log(sp.Add(*[sp.exp(a) for a in args]))

    def _latex(self, printer):
        args = ", ".join(printer._print(a) for a in self.args)
        return r"\operatorname{LSE}\left(" + args + r"\right)"


class cexpm1mx(_Primitive):  # noqa: N801
    """cexpm1mx(c, x) = c·(e^x − 1 − x), c > 0 a constant: the constant goes inside, so the
    kernel forms c·e^x as (c·e^{x/2})·e^{x/2} where e^x alone overflows but c·e^x does not
    (½·expm1mx(ℓ) for ℓ ∈ (709.78, 710.48]: kl_normal_std, outside tester T4 H1)."""

    nargs = 2

    @classmethod
    def eval(cls, c, x):
        if x.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, c, x, **kwargs):
        return c * (sp.exp(x) - 1 - x)

    def _pythoncode(self, printer):
        return "_p.cexpm1mx(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _latex(self, printer):
        c, x = self.args  # as its value reads: c·expm1mx(x)
        return (printer.parenthesize(c, 40) + r"\,\operatorname{expm1mx}\left("
                + printer._print(x) + r"\right)")


class crm1mlog(_Primitive):  # noqa: N801
    """crm1mlog(c, a, b, l) = c·rm1mlog(a·b, l) = c·(r − 1 − log r) with r − 1 = a·b and
    l = log r, c > 0 a constant: the constant goes inside and onto a, so the kernel forms
    c·(r − 1) as (c·a)·b where a·b overflows but c·a·b does not (½·(σ_p/σ_q)² for
    σ_p/σ_q ∈ [1.34e154, 1.9e154]: kl_normal, outside tester T4 H1)."""

    nargs = 4

    @classmethod
    def eval(cls, c, a, b, l):
        if (a.is_zero or b.is_zero) and l.is_zero:
            return sp.S.Zero

    def _eval_rewrite_as_textbook(self, c, a, b, l, **kwargs):
        return c * (a * b - l)

    def _pythoncode(self, printer):
        return "_p.crm1mlog(" + ", ".join(printer._print(a) for a in self.args) + ")"

    def _latex(self, printer):
        c, a, b, l = self.args  # as its value reads: c·rm1mlog(a·b, l)
        return (printer.parenthesize(c, 40) + r"\,\operatorname{rm1mlog}\left("
                + printer._print(a * b) + ", " + printer._print(l) + r"\right)")


PRIMITIVES = (log1pmx, expm1mx, kl_div, rm1mlog, log_ratio, lgamma_bregman, stirling_bregman,
              lbeta_bregman, log_ratio2, scaled_expm1mx, perspective_expm1mx, logsumexp,
              cexpm1mx, crm1mlog)


def textbook(expr: sp.Basic) -> sp.Basic:
    """Rewrite every stable primitive in ``expr`` back to its textbook form."""
    return expr.rewrite("textbook")
