"""Declarative rewrite rules that turn textbook closed forms into numerically stable ones.

In the style of :mod:`sympy.codegen.rewriting`: each rule is a small object (a name, what it
does, and a SymPy :class:`~sympy.codegen.rewriting.Optimization`), and rules are grouped
into named collections.  Every rule is invertible through the primitives' ``textbook``
rewrite, and ``tests/test_rewriting.py`` checks that each rule's output maps back to its
input.

Rules matching a sum of terms (``c·log w − c·w + c``) look at the expanded terms of each
``Add`` and fire only when every term of the pattern is present, so a partial match is
never rewritten.
"""

from __future__ import annotations

from collections import Counter

import sympy as sp
from sympy.codegen.rewriting import ReplaceOptim, expm1_opt, log1p_opt

from ._rule import Rule, _contains, _terms, _three_term_optim
from .primitives import (
    cexpm1mx,
    crm1mlog,
    expm1mx,
    kl_div,
    lgamma_bregman,
    log1pmx,
    logsumexp,
    perspective_expm1mx,
    rm1mlog,
    textbook,
)


def _log_arg(f):
    return f.args[0] if isinstance(f, sp.log) else None


def _exp_arg(f):
    return f.args[0] if isinstance(f, sp.exp) else None


#: c·log(w) − c·w + c  →  c·log1pmx(w − 1).
LOG1PMX = Rule(
    "log1pmx",
    "c·log(w) − c·w + c",
    "c·log1pmx(w − 1)",
    "log w − w + 1 ≈ −(w−1)²/2 near w = 1; the textbook sum cancels catastrophically there",
    _three_term_optim(_log_arg, lambda c, w: -c * w + c, lambda c, w: c * log1pmx(w - 1)),
)

#: c·log(w) − c·w + c  →  −c·rm1mlog(w − 1, log w): the "r − 1 − log r" of every scale KL,
#: with w − 1 and log w left as separate arguments so that the caller can bind each to an
#: accurate expression (an exact difference; a ``log_ratio``).
RM1MLOG = Rule(
    "rm1mlog",
    "c·log(w) − c·w + c",
    "−c·rm1mlog(w − 1, log w)",
    "as log1pmx near w = 1, and for w → 0 or w → ∞, where 1 + (w − 1) cannot be formed, "
    "it keeps log w as its own argument",
    _three_term_optim(_log_arg, lambda c, w: -c * w + c,
                      lambda c, w: -c * rm1mlog(w - 1, sp.log(w))),
)

#: c·exp(w) − c − c·w  →  c·expm1mx(w).
EXPM1MX = Rule(
    "expm1mx",
    "c·exp(w) − c − c·w",
    "c·expm1mx(w)",
    "exp w − 1 − w ≈ w²/2 near 0; the textbook sum cancels catastrophically there",
    _three_term_optim(_exp_arg, lambda c, w: -c - c * w, lambda c, w: c * expm1mx(w)),
)


def _perspective_find(term):
    """c·expm1mx(−d/s) with s a factor of c: returns (s, d, c/s), else None."""
    if not isinstance(term, sp.Mul):
        return None
    for factor in term.args:
        if not isinstance(factor, expm1mx):
            continue
        d, s = sp.fraction(sp.factor(-factor.args[0]))
        if s == 1 or not s.free_symbols:
            return None
        k = sp.cancel(term / factor / s)
        if not k.has(*s.free_symbols):
            return s, d, k
    return None


def _perspective_value(term):
    s, d, k = _perspective_find(term)
    return perspective_expm1mx(s, d, 1 / k)


#: c·expm1mx(−d/s) with s a factor of c  →  perspective_expm1mx(s, d, s/c).
PERSPECTIVE_EXPM1MX = Rule(
    "perspective_expm1mx",
    "(s/c)·(e^{−d/s} − 1 + d/s)",
    "perspective_expm1mx(s, d, c)",
    "d/s overflows for a subnormal s although s·(e^{−d/s} − 1 + d/s) → d stays finite; the "
    "primitive never forms d/s where it would overflow, nor s/c",
    ReplaceOptim(lambda e: _perspective_find(e) is not None, _perspective_value),
)


def _kl_div_find(add):
    """Match c·log(c/q) − c + q inside an Add (c may itself be a sum, e.g. 1 − p)."""
    if not isinstance(add, sp.Add):
        return None
    args = list(add.args)
    for i, term in enumerate(args):
        for factor in sp.Mul.make_args(term):
            arg = _log_arg(factor)
            if arg is None:
                continue
            p = sp.factor(term / factor)
            q = sp.factor(p / arg)
            if p == q or q.has(sp.log):
                continue
            rest = _terms(sp.Add(*(args[:i] + args[i + 1 :])))
            companions = _terms(-p + q)
            if _contains(rest, companions):
                return rest - companions, p, q
    return None


def _kl_div_value(add):
    rest, p, q = _kl_div_find(add)
    return sp.Add(*[t for t, n in rest.items() for _ in range(n)]) + kl_div(p, q)


#: p·log(p/q) − p + q  →  kl_div(p, q): each term ≥ 0, no cancellation across a sum.
KL_DIV = Rule(
    "kl_div",
    "p·log(p/q) − p + q",
    "kl_div(p, q)",
    "the terms p·log(p/q) of a KL sum have both signs and cancel to second order near p = q; "
    "adding −p + q makes every term ≥ 0",
    ReplaceOptim(lambda e: _kl_div_find(e) is not None, _kl_div_value),
)


def _lgamma_bregman_find(add):
    """Match c·lnΓ(y) − c·lnΓ(x) − c·(y − x)·ψ(x) among the expanded terms of an Add."""
    if not isinstance(add, sp.Add):
        return None
    terms = _terms(add)
    lg = [(t, f) for t in terms for f in sp.Mul.make_args(t) if isinstance(f, sp.loggamma)]
    # Pairs whose arguments have the same shape (α_p ↔ α_q, α_p + β_p ↔ α_q + β_q) first, so
    # that lnΓ(α_p + β_p) is not paired with lnΓ(α_p) when both pairings would match.
    size = lambda f: len(sp.Add.make_args(f.args[0]))
    pairs = sorted(((a, b) for a in lg for b in lg if a[1] != b[1]),
                   key=lambda ab: (abs(size(ab[0][1]) - size(ab[1][1])), str(ab)))
    for (ty, fy), (tx, fx) in pairs:
        c = sp.simplify(ty / fy)
        if sp.simplify(tx / fx + c) == 0:
            x, y = fx.args[0], fy.args[0]
            pattern = _terms(-c * (y - x) * sp.polygamma(0, x)) + Counter({ty: 1, tx: 1})
            if _contains(terms, pattern):
                return terms, pattern, c, x, y
    return None


def _lgamma_bregman_value(add):
    terms, pattern, c, x, y = _lgamma_bregman_find(add)
    rest = terms - pattern
    return sp.Add(*[t for t, n in rest.items() for _ in range(n)]) + c * lgamma_bregman(x, y)


#: c·lnΓ(y) − c·lnΓ(x) − c·(y − x)·ψ(x)  →  c·lgamma_bregman(x, y).
LGAMMA_BREGMAN = Rule(
    "lgamma_bregman",
    "c·lnΓ(y) − c·lnΓ(x) − c·(y − x)·ψ(x)",
    "c·lgamma_bregman(x, y)",
    "the lgamma/digamma terms of Gamma, Beta and Dirichlet KLs cancel to second order as "
    "y → x; the primitive sums non-negative second-order pieces instead",
    ReplaceOptim(lambda e: _lgamma_bregman_find(e) is not None, _lgamma_bregman_value),
)


def _lse_find(e):
    return isinstance(e, sp.log) and isinstance(e.args[0], sp.Add) and all(
        isinstance(t, sp.exp) for t in e.args[0].args
    )


#: log(Σ exp(x_i))  →  logsumexp(x_i): no overflow for logits of any magnitude.
LOGSUMEXP = Rule(
    "logsumexp",
    "log(Σ exp(x_i))",
    "logsumexp(x_1, …, x_n)",
    "exp overflows above 709 and underflows below −745; shifting by max x_i avoids both",
    ReplaceOptim(_lse_find, lambda e: logsumexp(*[t.args[0] for t in e.args[0].args])),
)

def _inside_find(e):
    """(c, primitive) for c·expm1mx(w) or c·rm1mlog(t, l) with c a positive number, else
    None."""
    if not isinstance(e, sp.Mul):
        return None
    c, rest = e.as_coeff_Mul()
    if c.is_Number and c.is_positive and c != 1 and isinstance(rest, (expm1mx, rm1mlog)):
        return c, rest
    return None


def _inside_value(e):
    c, f = _inside_find(e)
    if isinstance(f, expm1mx):
        return cexpm1mx(c, f.args[0])
    t, l = f.args
    first, *others = sp.Mul.make_args(sp.factor(t))
    return crm1mlog(c, first, sp.Mul(*others), l)


#: c·expm1mx(w) → cexpm1mx(c, w); c·rm1mlog(a·b, l) → crm1mlog(c, a, b, l).
CONSTANT_INSIDE = Rule(
    "constant_inside",
    "c·expm1mx(w), c·rm1mlog(a·b, l)  (c a positive number)",
    "cexpm1mx(c, w), crm1mlog(c, a, b, l)",
    "e^w or r − 1 = a·b can overflow where c·e^w or c·(r − 1) does not (c = ½ in the "
    "normal KLs); the primitives form c·e^w as (c·e^{w/2})·e^{w/2} and c·a·b as (c·a)·b",
    ReplaceOptim(lambda e: _inside_find(e) is not None, _inside_value),
)

#: SymPy's own rules for log(1 + x) and exp(x) − 1.
LOG1P = Rule("log1p", "log(1 + x)", "log1p(x)", "log(1 + x) loses x below eps", log1p_opt)
EXPM1 = Rule("expm1", "exp(x) − 1", "expm1(x)", "exp(x) − 1 loses x below eps", expm1_opt)

#: Named collections, applied in order.
COLLECTIONS: dict[str, tuple[Rule, ...]] = {
    "scale": (RM1MLOG,),  # KLs of scale families: r − 1 − log r
    "near_one": (LOG1PMX,),  # log(1 + x) − x where 1 + x is formed exactly
    "exponential": (EXPM1MX,),  # KLs written in log-variance: e^ℓ − 1 − ℓ
    "perspective": (PERSPECTIVE_EXPM1MX,),  # s·expm1mx(−d/s) where d/s may overflow
    "constant_inside": (CONSTANT_INSIDE,),  # ½·e^ℓ, ½·(r − 1) formed past e^ℓ's overflow
    "relative_entropy": (KL_DIV,),  # sums of p·log(p/q)
    "logits": (LOGSUMEXP,),
    "log_gamma": (LGAMMA_BREGMAN,),  # lnΓ/ψ parts of Gamma, Beta, Dirichlet KLs
    "elementary": (LOG1P, EXPM1),
}

ALL_RULES: dict[str, Rule] = {
    r.name: r for rules in COLLECTIONS.values() for r in rules
}


def rewrite(expr: sp.Basic, *rules: str | Rule) -> tuple[sp.Basic, tuple[str, ...]]:
    """Apply rules (names, collection names, or :class:`Rule` objects) in order.

    Returns the rewritten expression and the names of the rules that changed it.
    """
    resolved: list[Rule] = []
    for r in rules:
        if isinstance(r, Rule):
            resolved.append(r)
        elif r in COLLECTIONS:
            resolved.extend(COLLECTIONS[r])
        elif r in ALL_RULES:
            resolved.append(ALL_RULES[r])
        else:
            raise KeyError(f"unknown rewrite rule or collection {r!r}")
    fired = []
    for rule in resolved:
        new = rule.apply(expr)
        if new != expr:
            fired.append(rule.name)
        expr = new
    return expr, tuple(fired)


def round_trip_difference(stable: sp.Basic, original: sp.Basic) -> sp.Basic:
    """``textbook(stable) − textbook(original)``, simplified: zero when the rewrite was
    faithful (the original may itself hold primitives, as a rule's input after another's)."""
    return sp.simplify(sp.expand_log(sp.expand_func(textbook(stable) - textbook(original)),
                                     force=True))
