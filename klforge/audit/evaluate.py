"""Evaluate an expression tree of :mod:`.nodes` in an mpmath context.

As in mpmath's own function library, a formula is written once and evaluated in two
contexts: ``mpmath.mp`` (points, 60 digits) and ``mpmath.iv`` (intervals, for the values a
rounded printed number stands for).  The caller decides, per literal, which value it stands
for (:class:`Env`).  Domain: ``ln``/``log`` of positive values, roots of non-negative ones,
factorials of whole numbers up to ``MAX_SUM_TERMS``, ``0 · log 0 = 0``; every intermediate is
bounded in magnitude and the whole expression in time (``TIME_LIMIT``).

Example: ``evaluate(parse_chain("\\frac38 \\cdot 4")[0], Env(mpmath.mp, point))`` → 1.5.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import mpmath

from . import calculus
from .nodes import (
    DPS,
    MAX_EXPONENT,
    MAX_MAGNITUDE,
    MAX_SUM_TERMS,
    TIME_LIMIT,
    Add,
    Bar,
    Const,
    Func,
    Index,
    Integral,
    Mul,
    Name,
    Neg,
    NotEvaluable,
    Num,
    Percent,
    Pow,
    Sum,
    Tuple,
    Var,
)


@dataclass
class Env:
    """How to evaluate: the mpmath context and the value each literal stands for."""
    ctx: object                     # mpmath.mp or mpmath.iv
    literal: object                 # Num -> value in ctx
    names: dict = field(default_factory=dict)  # name -> value in ctx
    deadline: float = 0.0
    bindings: dict = field(default_factory=dict)
    vectors: dict = field(default_factory=dict)  # name -> [value in ctx]: bound data
    log_base: object = None         # base of a plain \log (None: e)
    ticks: int = 0                  # values checked; the clock is read every CLOCK_EVERY

    def eval(self, node, ctx):
        """``node``'s value in ``ctx`` under this environment (no deadline reset): how the
        calculus helpers recurse without importing this module."""
        return _eval(node, self, ctx)


def evaluate(node, env: Env):
    """Value of ``node`` in ``env.ctx``; raises NotEvaluable with a reason."""
    if not env.deadline:
        env.deadline = time.process_time() + TIME_LIMIT
    ctx = env.ctx
    saved = ctx.dps
    ctx.dps = DPS
    try:
        return _eval(node, env, ctx)
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError) as e:
        raise NotEvaluable(f"cannot evaluate: {e}") from None
    except RecursionError:
        raise NotEvaluable("expression nested too deeply") from None
    finally:
        ctx.dps = saved


#: values checked between two readings of the clock (reading it at every node of a quadrature's
#: integrand cost a third of the time of a Gaussian integral)
CLOCK_EVERY = 64


def _check(value, env):
    env.ticks += 1
    if env.ticks % CLOCK_EVERY == 0 and time.process_time() > env.deadline:
        raise NotEvaluable(f"time limit of {TIME_LIMIT} s per expression exceeded")
    for v in ((value.a, value.b) if hasattr(value, "a") else (value,)):
        if v != 0 and mpmath.isfinite(v) and abs(mpmath.mp.mpf(v).exp) > 4 * MAX_MAGNITUDE:
            raise NotEvaluable("value too large to check")
    return value


def _eval(node, env, ctx):
    if isinstance(node, Num):
        v = env.literal(node)
    elif isinstance(node, Const):
        if node.name == "inf":
            raise NotEvaluable("∞ is only a bound of a sum or an integral")
        v = ctx.pi
    elif isinstance(node, Var):
        if node.name not in env.bindings:
            raise NotEvaluable(f"free symbol {node.name}")
        v = ctx.mpf(env.bindings[node.name])
    elif isinstance(node, Name):
        if node.name == "e" and "e" not in env.names:
            v = ctx.e  # Euler's number, unless the text gave e a value
        elif node.name not in env.names:
            raise NotEvaluable(f"free symbol {node.name}")
        else:
            v = env.names[node.name]
    elif isinstance(node, Neg):
        v = -_eval(node.arg, env, ctx)
    elif isinstance(node, Percent):
        v = _eval(node.arg, env, ctx) / 100
    elif isinstance(node, Add):
        v = ctx.mpf(0)
        for s, n in node.terms:
            t = _eval(n, env, ctx)
            v = v + t if s > 0 else v - t
    elif isinstance(node, Mul):
        v = ctx.mpf(1)
        for op, n in node.factors:
            t = _factor(n, node, env, ctx)
            if op == "/":
                if _maybe_zero(t):
                    raise NotEvaluable("division by zero")
                v = v / t
            else:
                v = v * t
    elif isinstance(node, Pow):
        v = _power(_eval(node.base, env, ctx), _eval(node.exp, env, ctx), ctx)
    elif isinstance(node, Func):
        v = _func(node, _eval(node.arg, env, ctx), env, ctx)
    elif isinstance(node, Sum):
        v = _sum(node, env, ctx) if node.lo is not None else calculus.data_sum(node, env, ctx)
    elif isinstance(node, Index):
        v = calculus.element(node, env, ctx)
    elif isinstance(node, (Integral, Bar)):
        v = (calculus.integral if isinstance(node, Integral) else calculus.bar)(node, env, ctx)
    elif isinstance(node, Tuple):
        raise NotEvaluable("a tuple of values has no single value")
    else:
        raise NotEvaluable("unsupported node")
    return _check(v, env)


def _factor(n, mul, env, ctx):
    """A factor of a product; ``0 · log 0`` is 0 (the convention of entropy sums)."""
    try:
        return _eval(n, env, ctx)
    except NotEvaluable as e:
        if "logarithm" in str(e) and any(f is not n and o == "*" and _is_zero(f, env, ctx)
                                         for o, f in mul.factors):
            return ctx.mpf(0)
        raise


def _is_zero(node, env, ctx) -> bool:
    try:
        v = _eval(node, env, ctx)
    except NotEvaluable:
        return False
    return (v.a == 0 == v.b) if hasattr(v, "a") else v == 0


def _maybe_zero(v) -> bool:
    return (v.a <= 0 <= v.b) if hasattr(v, "a") else v == 0


def _positive(v) -> bool:
    return (v.a > 0) if hasattr(v, "a") else v > 0


def _power(base, exp, ctx):
    e_hi = max(abs(exp.a), abs(exp.b)) if hasattr(exp, "a") else abs(exp)
    if e_hi > MAX_EXPONENT:
        raise NotEvaluable("exponent too large to check")
    b_abs = max(abs(base.a), abs(base.b)) if hasattr(base, "a") else abs(base)
    if b_abs != 0 and abs(mpmath.log(mpmath.mpf(b_abs), 10)) * e_hi > MAX_MAGNITUDE:
        raise NotEvaluable("value too large to check")
    is_int = (exp.a == exp.b and exp.a == int(exp.a)) if hasattr(exp, "a") else exp == int(exp)
    if not is_int and not _positive(base):
        raise NotEvaluable("non-integer power of a number that is not positive")
    if is_int and _maybe_zero(base) and (exp.a if hasattr(exp, "a") else exp) < 0:
        raise NotEvaluable("division by zero")
    if is_int:
        n = int(exp.a if hasattr(exp, "a") else exp)
        if hasattr(base, "a"):  # iv: x**n of an interval straddling 0 is tight this way
            return base ** n
        return ctx.power(base, n)
    return ctx.exp(exp * ctx.log(base))


def _func(node, x, env, ctx):
    if node.name in ("ln", "log"):
        if not _positive(x):
            raise NotEvaluable("logarithm of a number that is not positive")
        v = ctx.log(x)
        if node.name == "log" and node.base is None:
            return v if env.log_base is None else v / ctx.log(env.log_base)
        if node.name == "log":
            b = _eval(node.base, env, ctx)
            if not _positive(b) or _maybe_zero(b - 1):
                raise NotEvaluable("invalid logarithm base")
            v = v / ctx.log(b)
        return v
    if node.name == "exp":
        hi = x.b if hasattr(x, "b") else x
        if hi > 2.3 * MAX_MAGNITUDE:
            raise NotEvaluable("value too large to check")
        return ctx.exp(x)
    if node.name == "sqrt":
        if node.base is None:
            if not _positive(x) and not (x == 0 if not hasattr(x, "a") else x.a == 0 == x.b):
                raise NotEvaluable("square root of a negative number")
            return ctx.sqrt(x)
        n = _eval(node.base, env, ctx)
        if not _positive(x):
            raise NotEvaluable("root of a number that is not positive")
        return ctx.exp(ctx.log(x) / n)
    if node.name == "Phi":  # standard normal distribution function, monotone
        if hasattr(x, "a"):
            return ctx.mpf([mpmath.ncdf(mpmath.mp.mpf(x.a)), mpmath.ncdf(mpmath.mp.mpf(x.b))])
        return mpmath.ncdf(x)
    if node.name == "abs":
        return abs(x)
    if node.name == "Phiinv":  # standard normal quantile √2·erfinv(2p − 1), increasing on (0, 1)
        ends = (mpmath.mp.mpf(x.a), mpmath.mp.mpf(x.b)) if hasattr(x, "a") else (x,)
        if not all(0 < e < 1 for e in ends):
            raise NotEvaluable("the normal quantile needs a probability strictly between 0 and 1")
        q = [mpmath.sqrt(2) * mpmath.erfinv(2 * e - 1) for e in ends]
        return ctx.mpf(q) if hasattr(x, "a") else q[0]
    if node.name == "fact":
        if hasattr(x, "a"):
            if x.a != x.b:
                raise NotEvaluable("factorial of an inexact number")
            x = mpmath.mp.mpf(x.a)
        k = x
        if k != int(k) or k < 0:
            raise NotEvaluable("factorial of a number that is not a whole number")
        if k > MAX_SUM_TERMS:
            raise NotEvaluable("factorial too large to check")
        return ctx.mpf(mpmath.factorial(int(k)))
    raise NotEvaluable(f"unsupported function {node.name}")


def _sum(node, env, ctx):
    if isinstance(node.hi, Const) and node.hi.name == "inf":
        return calculus.infinite_sum(node, env, ctx)
    lo, hi = _eval(node.lo, env, ctx), _eval(node.hi, env, ctx)
    pts = []
    for v in (lo, hi):
        if hasattr(v, "a"):
            if v.a != v.b:
                raise NotEvaluable("summation bounds must be exact integers")
            v = v.a
        if v != int(v):
            raise NotEvaluable("summation bounds must be integers")
        pts.append(int(v))
    if pts[1] - pts[0] + 1 > MAX_SUM_TERMS:
        raise NotEvaluable(f"more than {MAX_SUM_TERMS} summation terms")
    return calculus.accumulate(node, env, ctx, range(pts[0], pts[1] + 1), pts[0])
