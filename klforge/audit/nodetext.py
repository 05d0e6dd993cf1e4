"""What an expression tree (:mod:`.nodes`) says as written, for messages and for the checks
that compare literals: a plain-text rendering (:func:`to_text`), the exact values of its
rational sub-expressions (:func:`rational_values`) and the units its logarithms produce
(:func:`log_bases`, :func:`has_plain_log`).

Example: ``to_text(parse_chain("0.92\\ln\\frac{0.92}{0.70}")[0])`` → ``0.92·ln(0.92/0.70)``;
``log_bases(parse_chain("\\log_2 8")[0])`` → ``{"bits"}``; ``rational_values`` of
``\\frac{1}{2}`` holds ``"v:1/2"`` (a later ``0.5`` is then exact, not rounded).
All names are re-exported by :mod:`.nodes`, where callers import them.
"""

from __future__ import annotations

from fractions import Fraction

from .nodes import (
    Add,
    Bar,
    Const,
    Func,
    Index,
    Integral,
    Mul,
    Name,
    Neg,
    Num,
    Percent,
    Pow,
    Sum,
    Tuple,
    Var,
    children,
    walk,
)

__all__ = ["BASE_UNIT", "has_plain_log", "log_bases", "rational_values", "to_text"]


def rational_values(node) -> set[str]:
    """Exact values (as Fraction strings) of the rational sub-expressions of ``node``:
    ``\\frac{1}{2}`` makes a later ``0.5`` exact rather than a rounded intermediate."""
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
    if getattr(node, "written", None):  # a defined name read as its formula: shown as written
        return node.written
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
