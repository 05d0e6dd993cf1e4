"""Constructs of worked problems for the parser of :mod:`.latex`: units and a second value
in brackets, functions (``\\ln``, ``\\log_2``, ``\\lg``), sums and products with bounds or over
data, integrals with their differential, evaluation bars, tuples, and names as written
(``H(p,q)``, ``D_{\\mathrm{KL}}(p\\|q)``, ``E[X]``, ``P\\left(…\\right)``, ``p_i`` in a sum).

A mixin: :class:`.latex.Parser` supplies the token helpers (``peek``, ``next``, ``at``,
``expect``) and ``expr``/``term``/``factor``/``atom``/``script``/``braced``.
Example: ``parse_chain("\\int_0^1 x\\,dx")[0]`` is an :class:`~.nodes.Integral` over x.
"""

from __future__ import annotations

import re

from .callsyntax import _VALUE_HEADS, _density_at, _operation, _own_operand
from .nodes import Bar, Const, Func, Index, Integral, Mul, Name, Neg, Num, Sum, Tuple, Var
from .tokens import (
    ACCENTS,
    FONTS,
    GREEK,
    RELATIONS,
    UNITS,
    WORDS,
    Unsupported,
    _bind,
    _differential,
    _plain,
    _walk,
    number,
)


class Constructs:
    """Parser methods for the constructs above."""

    def trailing_unit(self, node):
        """``0.5 \\text{nats}``, ``1.5\\,\\mathrm{bits}``, ``110 min``: the unit of a stated
        value (a trailing plain word after a number is a label such as min or cm)."""
        unit = self.unit()
        if unit:
            return node, unit
        if isinstance(node, Mul) and len(node.factors) == 2 and node.factors[1][0] == "*":
            (_, first), (_, last) = node.factors
            if (isinstance(first, Num) and isinstance(last, Name) and last.name.isalpha()
                    and last.name not in GREEK  # 2\theta: a product, never a unit word
                    and (len(last.name) > 1 or last.name in ("s", "m", "g", "h"))):
                return first, UNITS.get(last.name.lower(), last.name)
        return node, None

    def alternative(self):
        """``(\\approx 0.737\\;\\text{bits})`` after a value: the same value in another unit."""
        if not (self.at("(", "\\left") and self.peek(1 + self.at("\\left"))[1] in RELATIONS):
            return None
        left = self.next()[1] == "\\left"
        if left:
            self.next()
        op, _ = self.relation()
        rhs_pos = self.peek()[2]
        node = self.expr()
        node.unit = self.unit() or node.unit
        if left:
            self.expect("\\right")
        self.expect(")")
        return op, node, rhs_pos

    def unit(self):
        if self.at("\\text", "\\mathrm", "\\textrm", "\\mbox") and self.peek(1)[1] == "{":
            save = self.i
            self.next()
            word = self.group_text()
            key = word.strip().lower()
            if key in UNITS:
                return UNITS[key]
            self.i = save
        return None

    def evaluation_bar(self, node, pos):
        self.expect("_")
        lo = self.script()
        self.expect("^")
        hi = self.script()
        free = {n.name for n in _walk(node) if isinstance(n, Name) and len(n.name) == 1}
        if len(free) != 1:
            raise Unsupported("an evaluation bar needs exactly one variable", pos)
        var = free.pop()
        return Bar(var, lo, hi, _bind(node, var), pos)

    def numeric_group(self) -> bool:
        """Is the braced group after a font command a number (no letters)?"""
        save = self.i
        self.next()
        try:
            text = self.group_text()
        except Unsupported:
            text = "x"
        self.i = save
        return bool(re.search(r"\d", text)) and not re.search(r"[A-Za-z]", text)

    def tuple_rest(self, first, pos, closer=")"):
        items = [first]
        while self.at(","):
            self.next()
            items.append(self.expr())
        self.expect(closer)
        return Tuple(items, pos)

    def function(self):
        _, tok, pos = self.next()
        base = None
        if tok == "\\log" and self.at("_"):
            self.next()
            base = self.script()
            if isinstance(base, Name) and base.name == "e":
                tok, base = "\\ln", None
        if tok == "\\lg":
            tok, base = "\\log", number("2", pos)
        if self.at("^"):
            raise Unsupported(f"power of {tok} (write ({tok} x)^n)", self.peek()[2])
        if self.at("(", "[", "\\left", "{"):
            arg = self.atom()
        else:
            arg = self.factor()
            if tok != "\\exp" and self.at("/") and _density_at(arg):  # \ln q(x)/p(x)
                mark = self.i
                self.next()
                den = self.factor()
                if _density_at(den) == _density_at(arg):  # a ratio of densities at one point
                    arg = Mul([("*", arg), ("/", den)])
                else:
                    self.i = mark  # \ln n/T: (ln n)/T
        name = {"\\ln": "ln", "\\log": "log", "\\exp": "exp"}[tok]
        return Func(name, arg, base)

    def summation(self):
        _, tok, pos = self.next()
        kind = "sum" if tok == "\\sum" else "prod"
        if kind == "sum" and self.at("("):  # \sum(q - p): over the outcomes (densities.py)
            return Sum("x", None, None, self.factor(), pos, implicit=True)
        self.expect("_")
        more: list[str] = []
        if self.at("{"):
            inner = self.toks[self.i + 1:]
            self.next()
            var = self.next()
            lo = None
            if not (var[0] == "ch" and var[1].isalpha() or var[1][1:] in GREEK):
                raise Unsupported(f"\\{kind} needs an index variable", var[2])
            while (self.at(",") and self.peek(1)[0] == "ch" and self.peek(1)[1].isalpha()
                   and self.peek(2)[1] in (",", "}")):
                more.append(self.next() and self.next()[1])
            if self.at("="):
                self.next()
                lo = self.expr()
            elif not self.at("}"):  # \sum_{x \in X}: over the data
                depth = 0  # \sum_{x\in\mathcal{X}}: up to the brace that closes the script
                while inner and not (depth == 0 and self.at("}")) and self.peek()[0] != "eof":
                    depth += self.at("{") - self.at("}")
                    self.next()
            self.expect("}")
        else:
            var = self.next()
            lo = None
            if not (var[0] == "ch" and var[1].isalpha()):
                raise Unsupported(f"\\{kind} needs an index variable", var[2])
        hi = None
        if lo is not None:
            self.expect("^")
            hi = self.script()
        elif self.at("^"):
            raise Unsupported(f"\\{kind} with an upper bound needs a lower bound", pos)
        name = var[1].lstrip("\\")
        names = [name, *more] if lo is None else [name]  # \sum_{x,y}: Σ_x Σ_y
        added = [n for n in names if n not in self.sum_vars]
        self.sum_vars.update(names)
        try:
            body = self.sum_tail(self.term(), names)
        finally:
            self.sum_vars.difference_update(added)
        for inner in reversed(names[1:]):
            body = Sum(inner, None, None, body, pos, kind=kind)
        return Sum(name, lo, hi, body, pos, kind=kind)

    def integral(self):
        _, _, pos = self.next()
        bounded = self.at("_")
        if bounded:
            self.next()
            lo = self.script()
            self.expect("^")
            hi = self.script()
        else:  # \int p(x)\,dx: over the whole real line
            lo, hi = Neg(Const("inf", pos)), Const("inf", pos)
        body = self.expr()
        var, body = _differential(body)
        if var is None and not bounded:  # \int p\ln\frac{p}{q}: over the densities' variable
            return Integral("x", lo, hi, body, pos, implicit=True, ranged=False)  # identity.py
        if var is None:
            raise Unsupported("an integral needs its differential (dx)", pos)
        return Integral(var, lo, hi, _bind(body, var), pos, ranged=bounded)

    def identifier_from(self, tok: str, pos: int, allow_call: bool = True, named: bool = False,
                        single: bool = False):
        """An identifier (letters, Greek, font command) with optional subscript and call
        arguments, e.g. ``H(p,q)``, ``D_{\\mathrm{KL}}(p\\|q)``, ``p_1``, ``E[X]``."""
        if tok in self.sum_vars or tok[1:] in self.sum_vars:
            return Var(tok.lstrip("\\"), pos)
        parts = [tok if named else tok.lstrip("\\")]
        if tok in FONTS:
            parts = [_plain(self.group_text())]
        elif not single and tok[0] != "\\":
            run = 0  # letters written together: one word (Var, SD, min) or a product (np)
            while (self.peek(run)[0] == "ch" and self.peek(run)[1].isalpha()
                   and self.peek(run)[2] == self.peek(run - 1)[2] + 1):
                run += 1
            word = tok + "".join(self.toks[self.i + j][1] for j in range(run))
            if run and (word in WORDS or len(word) >= 4 or re.fullmatch("d[a-z]", word)):
                parts = [word]
                self.i += run
        if self.at("_") and not single:
            self.next()
            if self.at("{"):
                sub = _plain(self.group_text())
            elif (self.peek()[1] in ACCENTS or self.peek()[1] in FONTS) and self.peek(1)[1] == "{":
                accent = self.next()[1].lstrip("\\")  # \sigma_\bar{x}, D_\text{KL}
                inner = _plain(self.group_text())
                sub = f"{accent}({inner})" if accent in {a[1:] for a in ACCENTS} else inner
            else:
                sub = self.next()[1].lstrip("\\")
            if sub in self.sum_vars and len(parts) == 1:
                return Index(parts[0], sub, pos)
            parts.append("_" + sub)
        if allow_call and self.at("(", "\\left") and (named or _own_operand(
                "".join(parts), self._paren_text())) and _operation(self._paren_text()):
            return Name("".join(parts), pos)  # \tilde u(\tilde u + 1), n(n+1): products
        factor = len(parts) == 1 and re.fullmatch(r"[a-eik-z]", parts[0])  # not f, g, h, j
        if allow_call and self.at("\\left") and self.peek(1)[1] in ("(", "[") and not (
                factor and (self.peek(2)[1] in _VALUE_HEADS or self.peek(2)[0] == "num")):
            start = self.next()[2]  # P\left( … \right): a name's argument
            level = 1
            self.next()
            while True:
                kind, t, p = self.next()
                if kind == "eof":
                    raise Unsupported("unbalanced \\left … \\right", start)
                level += t == "\\left"
                level -= t == "\\right"
                if level == 0:
                    self.next()
                    parts.append("(" + _plain(self.text[start:p]).lstrip("(") + ")")
                    return Name("".join(parts), pos)
        head = self.peek(1)[1]
        if allow_call and self.at("(", "[") and not (factor and head in _VALUE_HEADS) and (
                self.peek(1)[0] != "num" or (
                self.peek(2)[1] == ")" and self.at("("))):  # P(0), p_X(1): values of P, p_X
            opener, closer = self.peek()[1], {"(": ")", "[": "]"}[self.peek()[1]]
            start = self.next()[2]
            level = 1
            while True:
                kind, t, p = self.next()
                if kind == "eof":
                    raise Unsupported("unbalanced parentheses", start)
                level += t == opener
                level -= t == closer
                if level == 0:
                    arg = _plain(self.text[start + 1:p])
                    if arg in self.sum_vars:  # p(x), \pi_{ref}(y) in a sum over x, y
                        return Index("".join(parts), arg, pos)
                    parts.append(opener + arg + closer)
                    break
        return Name("".join(parts), pos)

    def _paren_text(self) -> str:
        """The raw text inside the parenthesis at the cursor (``(`` or ``\\left(``), without
        moving the cursor; "" when it does not close."""
        k = 1 if self.at("\\left") else 0
        if self.peek(k)[1] != "(":
            return ""
        start, level = self.peek(k)[2] + 1, 0
        while True:
            kind, t, p = self.peek(k)
            if kind == "eof":
                return ""
            level += t == "("
            level -= t == ")"
            if level == 0:
                return self.text[start:p]
            k += 1

    def group_text(self) -> str:
        """Raw text of a braced group (for \\text, \\mathrm and subscripts)."""
        start = self.expect("{")[2] + 1
        level = 1
        while True:
            kind, tok, pos = self.next()
            if kind == "eof":
                raise Unsupported("unbalanced braces", start)
            level += tok == "{"
            level -= tok == "}"
            if level == 0:
                return self.text[start:pos]
