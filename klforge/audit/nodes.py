"""Expression tree of a parsed claim, evaluated in several mpmath contexts.

As in mpmath's own function library, a formula is written once and evaluated in two
contexts: ``mpmath.mp`` (points, 60 digits) and ``mpmath.iv`` (intervals, for the values a
rounded printed number stands for).  The caller decides, per literal, which value it
stands for (:class:`Env`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from . import calculus

DPS = 60
MAX_EXPONENT = 10**5     # |x^y| with |y| above this is "too large to check"
MAX_MAGNITUDE = 10**6    # decimal exponent bound on any intermediate value
MAX_SUM_TERMS = 10**4
TIME_LIMIT = 2.0         # seconds per expression


class NotEvaluable(Exception):
    """The expression has no single numeric value (free symbol, bounds, domain)."""


@dataclass
class Num:
    value: Fraction
    text: str
    decimals: int
    pos: int
    truncated: bool = False
    unit: str | None = None

    def key(self) -> str:
        """Literal identity as printed: ``0.0300`` (a value rounded to 4 decimals) is not the
        datum ``0.03``; leading zeros before the point do not matter."""
        whole, dot, frac = self.text.partition(".")
        return "t:" + (whole.lstrip("0") or "0") + dot + frac

    def value_key(self) -> str:
        """The exact value, for matching rational sub-expressions (``\\frac12`` ~ ``0.5``)."""
        return "v:" + str(self.value)


@dataclass
class Const:
    name: str
    pos: int = 0
    unit: str | None = None


@dataclass
class Var:
    name: str
    pos: int = 0
    unit: str | None = None


@dataclass
class Name:
    """A named quantity such as ``H(p,q)``; its value comes from the document."""
    name: str
    pos: int = 0
    unit: str | None = None


@dataclass
class Neg:
    arg: object
    unit: str | None = None


@dataclass
class Percent:
    arg: object
    unit: str | None = None


@dataclass
class Add:
    terms: list  # [(sign, node)]
    unit: str | None = None


@dataclass
class Mul:
    factors: list  # [("*" | "/", node)]
    unit: str | None = None


@dataclass
class Pow:
    base: object
    exp: object
    unit: str | None = None


@dataclass
class Func:
    name: str  # ln | log | exp | sqrt
    arg: object
    base: object = None  # log base or root index
    unit: str | None = None


@dataclass
class Sum:
    """``\\sum_{var=lo}^{hi} body`` (``kind="prod"`` for ``\\prod``); ``lo``/``hi`` None: over
    the positions of the bound data the body indexes (``\\sum_x p(x)``, ``\\sum_i p_i``)."""
    var: str
    lo: object
    hi: object
    body: object
    pos: int = 0
    unit: str | None = None
    kind: str = "sum"


@dataclass
class Index:
    """``p(x)``, ``p_i`` inside a sum over ``x``/``i``: an element of the bound vector ``p``."""
    vector: str
    var: str
    pos: int = 0
    unit: str | None = None


@dataclass
class Tuple:
    """``(0.5, 0.3, 0.2)``: data for a vector binding; it has no single value."""
    items: list
    pos: int = 0
    unit: str | None = None


@dataclass
class Integral:
    """``\\int_lo^hi body \\, d var`` (evaluated by :mod:`.calculus`)."""
    var: str
    lo: object
    hi: object
    body: object
    pos: int = 0
    unit: str | None = None


@dataclass
class Bar:
    """Evaluation bar ``F(x)\\Big|_lo^hi`` = F(hi) − F(lo) (evaluated by :mod:`.calculus`)."""
    var: str
    lo: object
    hi: object
    body: object
    pos: int = 0
    unit: str | None = None


@dataclass
class Relation:
    op: str         # = ≈ ≤ ≥ < > ?=
    pos: int        # offset of the relation symbol
    rhs_pos: int    # offset where the right-hand side begins


def children(node) -> list:
    if isinstance(node, (Neg, Percent)):
        return [node.arg]
    if isinstance(node, Add):
        return [n for _, n in node.terms]
    if isinstance(node, Mul):
        return [n for _, n in node.factors]
    if isinstance(node, Pow):
        return [node.base, node.exp]
    if isinstance(node, Func):
        return [node.arg] + ([node.base] if node.base is not None else [])
    if isinstance(node, (Sum, Integral, Bar)):
        return [c for c in (node.lo, node.hi, node.body) if c is not None]
    if isinstance(node, Tuple):
        return list(node.items)
    return []


def walk(node):
    yield node
    for c in children(node):
        yield from walk(c)


def literals(node) -> list[Num]:
    return [n for n in walk(node) if isinstance(n, Num)]


def rational_values(node) -> set[str]:
    """Exact values (as Fraction strings) of the rational sub-expressions of ``node``:
    ``\frac{1}{2}`` makes a later ``0.5`` exact rather than a rounded intermediate."""
    out: set[str] = set()

    def value(n):
        if isinstance(n, Num):
            return n.value
        if isinstance(n, Neg):
            v = value(n.arg)
            return None if v is None else -v
        if isinstance(n, Add):
            vs = [value(t) for _, t in n.terms]
            r = None if None in vs else sum(v if s > 0 else -v
                                            for (s, _), v in zip(n.terms, vs, strict=False))
        elif isinstance(n, Mul):
            vs = [value(f) for _, f in n.factors]
            r = None
            if None not in vs and not any(o == "/" and v == 0
                                          for (o, _), v in zip(n.factors, vs, strict=False)):
                r = Fraction(1)
                for (o, _), v in zip(n.factors, vs, strict=False):
                    r = r * v if o == "*" else r / v
        elif isinstance(n, Pow):
            b, e = value(n.base), value(n.exp)
            r = (b ** int(e) if b is not None and e is not None and e.denominator == 1
                 and abs(e) <= 64 and (b != 0 or e >= 0) else None)
        else:
            for c in children(n):
                value(c)
            return None
        for c in children(n):
            value(c)
        if r is not None:
            out.add("v:" + str(r))
            out.add("v:" + str(-r))
        return r

    value(node)
    return out


BASE_UNIT = {2: "bits", 10: "hartleys"}


def log_bases(node, default=None) -> set[str]:
    """Units the logarithms of an expression produce: nats (ln), bits (log₂), hartleys;
    ``\\log`` without a base stands for the document's convention ``default`` (None: e)."""
    out = set()
    for n in walk(node):
        if isinstance(n, Func) and n.name in ("ln", "log"):
            base = n.base.value if isinstance(n.base, Num) else None
            if n.name == "log" and n.base is None:
                base = default
            if n.name == "ln" or base is None:
                out.add("nats")
            elif base in BASE_UNIT:
                out.add(BASE_UNIT[base])
    return out


def has_plain_log(node) -> bool:
    """Does the expression use ``\\log`` without a base (its base is a convention)?"""
    return any(isinstance(n, Func) and n.name == "log" and n.base is None for n in walk(node))


def to_text(node) -> str:
    """Plain-text rendering for messages: ``0.92·ln(0.92/0.70)``."""
    if isinstance(node, Num):
        return node.text + ("…" if node.truncated else "")
    if isinstance(node, (Const, Var, Name)):
        return {"pi": "π"}.get(node.name, node.name)
    if isinstance(node, Neg):
        return "−" + _wrap(node.arg)
    if isinstance(node, Percent):
        return _wrap(node.arg) + "%"
    if isinstance(node, Add):
        out = ""
        for i, (s, n) in enumerate(node.terms):
            out += ("−" if s < 0 else ("" if i == 0 else " + ")) if i == 0 else (
                " − " if s < 0 else " + ")
            out += to_text(n)
        return out
    if isinstance(node, Mul):
        out = ""
        for i, (op, n) in enumerate(node.factors):
            out += ("" if i == 0 else ("·" if op == "*" else "/")) + _wrap(n)
        return out
    if isinstance(node, Pow):
        return _wrap(node.base) + "^" + _wrap(node.exp)
    if isinstance(node, Func):
        if node.name == "fact":
            return _wrap(node.arg) + "!"
        name = node.name if node.base is None or node.name != "log" else f"log_{to_text(node.base)}"
        return f"{name}({to_text(node.arg)})"
    if isinstance(node, Sum):
        sym = "Σ" if node.kind == "sum" else "Π"
        if node.lo is None:
            return f"{sym}_{node.var} {_wrap(node.body)}"
        return f"{sym}_{node.var}={to_text(node.lo)}..{to_text(node.hi)} {_wrap(node.body)}"
    if isinstance(node, Index):
        return f"{node.vector}({node.var})"
    if isinstance(node, Tuple):
        return "(" + ", ".join(to_text(i) for i in node.items) + ")"
    if isinstance(node, Integral):
        return f"∫_{to_text(node.lo)}^{to_text(node.hi)} {_wrap(node.body)} d{node.var}"
    if isinstance(node, Bar):
        return f"[{to_text(node.body)}]_{to_text(node.lo)}^{to_text(node.hi)}"
    return "?"


def _wrap(node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, (Add, Mul, Neg, Pow)) else text


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


def evaluate(node, env: Env):
    """Value of ``node`` in ``env.ctx``; raises NotEvaluable with a reason."""
    if not env.deadline:
        env.deadline = time.monotonic() + TIME_LIMIT
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


def _check(value, env):
    if time.monotonic() > env.deadline:
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
