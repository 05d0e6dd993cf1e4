"""Expression tree of a parsed claim: numbers as printed, names, operations, sums,
integrals; walking, literals, units of its logarithms and a plain-text rendering.

Evaluation (points and intervals) is in :mod:`.evaluate`, re-exported here.
Example: ``to_text(parse_chain("0.92\\ln\\frac{0.92}{0.70}")[0])`` → ``0.92·ln(0.92/0.70)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

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
    implicit: bool = False  # no index written: ``\\sum(q - p)`` over the densities' outcomes


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
    implicit: bool = False  # no differential written: ``\\int p\\ln\\frac{p}{q}`` (densities')


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
        if node.name == "transpose":  # read for the matrix checks (linalg.py)
            return _wrap(node.arg) + "^T"
        if node.name == "lim" and isinstance(node.base, Mul):
            var, point, side = (f for _, f in node.base.factors)
            return f"lim_{to_text(var)}→{to_text(point)}{to_text(side)} {_wrap(node.arg)}"
        if node.name in ("grad", "hess"):
            sub = f"_{to_text(node.base)}" if node.base is not None else ""
            return ("∇" if node.name == "grad" else "∇²") + sub + _wrap(node.arg)
        if node.name == "norm":
            return f"‖{to_text(node.arg)}‖" + ("_F" if node.base is not None else "")
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


# evaluation lives in .evaluate; re-exported here, where callers have always found it
def map_children(n, f):
    """``n`` with ``f`` applied to each child expression (``arg``, ``base``, ``exp``, ``body``,
    ``lo``, ``hi``, the terms of an :class:`Add`, the factors of a :class:`Mul`); ``n`` itself
    when it has none.  The one tree rebuild the rewriting passes share, e.g.
    ``map_children(Neg(Var("x")), lambda c: Const("e"))`` is ``Neg(Const("e"))``."""
    from dataclasses import replace

    kids = {}
    for attr in ("arg", "base", "exp", "body", "lo", "hi"):
        v = getattr(n, attr, None)
        if v is not None and not isinstance(v, (str, int)):
            kids[attr] = f(v)
    if isinstance(n, Add):
        kids["terms"] = [(s, f(t)) for s, t in n.terms]
    if isinstance(n, Mul):
        kids["factors"] = [(o, f(x)) for o, x in n.factors]
    return replace(n, **kids) if kids else n

