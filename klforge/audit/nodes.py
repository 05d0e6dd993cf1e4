"""Expression tree of a parsed claim: its node types (numbers as printed, names,
operations, sums, integrals, evaluation bars, relations), the evaluation limits, and walking
and rebuilding a tree (:func:`children`, :func:`walk`, :func:`literals`, :func:`map_children`).

What a tree says as written — its plain-text rendering, the exact values of its rational parts,
the units of its logarithms — is in :mod:`.nodetext`, re-exported here; evaluation (points and
intervals) is in :mod:`.evaluate`.
Example: ``parse_chain("0.92\\ln\\frac{0.92}{0.70}")[0]`` is ``Mul([("*", Num(…0.92…)),
("*", Func("ln", Mul(…)))])``; ``walk`` yields it, then each sub-expression in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "DPS",
    "MAX_EXPONENT",
    "MAX_MAGNITUDE",
    "MAX_SUM_TERMS",
    "TIME_LIMIT",
    "NotEvaluable",
    "Num",
    "Const",
    "Var",
    "Name",
    "Neg",
    "Percent",
    "Add",
    "Mul",
    "Pow",
    "Func",
    "Sum",
    "Index",
    "Tuple",
    "Integral",
    "Bar",
    "Relation",
    "children",
    "walk",
    "literals",
    "map_children",
    "BASE_UNIT",
    "has_plain_log",
    "log_bases",
    "rational_values",
    "to_text",
]

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
    """A named quantity such as ``H(p,q)``; its value comes from the document.  ``src``: the
    text of the segment it was read from, from its position on (set by the parser, so that
    the body of ``\\mathbb{E}_p[…]`` can be re-read wherever the name travels)."""
    name: str
    pos: int = 0
    unit: str | None = None
    src: str | None = field(default=None, compare=False, repr=False)


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
    slash_beside: bool = False  # a/2(b): a factor beside the number after "/" (fallbacks.py)


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
    ranged: bool = field(default=True, compare=False)  # False: no limits written (``\\int f``)


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


# the reading of a tree as written: imported last, since .nodetext builds on the types above
from .nodetext import BASE_UNIT, has_plain_log, log_bases, rational_values, to_text  # noqa: E402
