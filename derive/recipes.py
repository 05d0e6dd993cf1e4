"""Shared steps of the families' stable-form recipes (``families/*.py``).

A scale family's KL, written in the ratio r of two scales, contains r − 1 − log r; the
recipe rewrites it with the ``scale`` rule and then :func:`bind_ratio` replaces r − 1 by the
symbol ``t`` and log r by ``l``, which the stable form binds to accurate expressions (an
exact difference over a scale, a ``log_ratio``).  :func:`loggamma_form` writes log Γ(·) as
loggamma(·), the form the ``log_gamma`` rule matches.

Example: ``bind_ratio(r - 1 - sp.log(r), r)`` = ``t − l`` (:data:`T` and :data:`L`).
"""

from __future__ import annotations

import sympy as sp

from .core import DerivationError

#: the symbols the stable forms bind: t = r − 1, l = log r, u and v (per family)
T, U, V, R, L = sp.symbols("t u v r l", real=True)


def bind_ratio(expr: sp.Expr, r: sp.Symbol) -> sp.Expr:
    """Replace r − 1 by t and log r by l (the bindings the caller supplies accurately);
    raise if r survives anywhere else."""
    expr = sp.expand(expr).subs(sp.log(r), L).subs(r, T + 1)
    expr = sp.expand(expr)
    if expr.has(r):
        raise DerivationError(f"ratio {r} left in stable form {expr}")
    return expr


def loggamma_form(expr: sp.Expr) -> sp.Expr:
    """log Γ(·) products → sums of loggamma(·), the form the log_gamma rule matches."""
    expr = sp.expand(sp.expand_log(expr, force=True))
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
                        lambda e: sp.loggamma(e.args[0].args[0]))
