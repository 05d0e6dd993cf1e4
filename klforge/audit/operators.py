"""Sums, products and powers for the parser of :mod:`.latex` (a mixin of :class:`.latex.Parser`):
``a + b − c``, ``a \\pm b`` (the pair of values), ``F(x)\\Big|_a^b`` after an expression,
``\\cdot \\times * / \\div`` and implicit products (``0.92(0.274)``; two bare numbers side by
side are refused), unary signs, factorials ``n!``, percent ``\\%``, powers ``^`` with their
script (``e^{-0.5}``, ``x^\\top`` a transpose, ``z^*`` a name; ``^12`` refused as ambiguous).

:class:`.latex.Parser` supplies the token cursor (``peek``, ``next``, ``at``, ``deeper``),
:mod:`.atoms` ``atom``/``braced`` and :mod:`.constructs` ``identifier_from``/``unit``/
``evaluation_bar``.
Example: ``parse_chain("2 \\cdot 3 \\times 4 / 8")[0]`` is ``Mul([("*", 2), ("*", 3), ("*", 4),
("/", 8)])``.
"""

from __future__ import annotations

from .nodes import Add, Const, Func, Index, Mul, Name, Neg, Num, Percent, Pow, Sum, Tuple, children
from .tokens import (
    ACCENTS,
    ATOM_STARTS,
    FONTS,
    GREEK,
    NOT_EVALUATED,
    RELATIONS,
    Unsupported,
    number,
)

#: names that count from an index in ``x^{(t+1)}``, ``X^{(N-1)}`` (a, α … are parameters:
#: ``x^{(a-1)}`` is a power)
INDEX_NAMES = frozenset("ijklmnstNKMT")


def _index_like(inside) -> bool:
    """Do the tokens inside ``^{( … )}`` read as an index: a name, an integer, or an index
    name ± an integer (``(i)``, ``(12)``, ``(t+1)``, ``(N-1)``) — not ``(a-1)``, ``(1/2)``?"""
    kinds = [kind for kind, _ in inside]
    if kinds in (["ch"], ["cmd"], ["num"]):
        kind, tok = inside[0]
        return (kind != "num" or tok.isdigit()) and (kind != "ch" or tok.isalpha())
    return (len(inside) == 3 and inside[0][1] in INDEX_NAMES and inside[1][1] in "+-"
            and inside[2][0] == "num" and inside[2][1].isdigit())


class Operators:
    """Parser methods for the operators above."""

    def expr(self):
        self.deeper()
        terms = []
        sign = 1
        if self.at("+", "-"):
            sign = -1 if self.next()[1] == "-" else 1
        terms.append((sign, self.term()))
        while self.at("+", "-"):
            sign = -1 if self.next()[1] == "-" else 1
            terms.append((sign, self.term()))
        self.depth -= 1
        if len(terms) == 1 and terms[0][0] == 1:
            node = terms[0][1]
        elif len(terms) == 1:
            node = Neg(terms[0][1])
        else:
            node = Add(terms)
        if self.at("\\pm", "±", "\\mp", "∓"):  # 0.67 \pm 1.96 \times 0.016: the pair
            flip = self.next()[1] in ("\\mp", "∓")
            pos = self.peek()[2]
            half = self.expr()
            pair = [Add([(1, node), (-1, half)]), Add([(1, node), (1, half)])]
            node = Tuple(pair[::-1] if flip else pair, pos)
            node.pm = True
            return node
        if self.at("|") and self.peek(1)[1] == "_":  # F(x) \Big|_a^b
            pos = self.next()[2]
            return self.evaluation_bar(node, pos)
        return node

    def label_script(self) -> str | None:
        """At ``{(t+1)}`` after ``^``: the label inside the parentheses (the tokens consumed),
        else None — a superscript in parentheses names an iterate or a sample, it is not a
        power (``x^{(i)}``, ``\theta^{(t+1)}``; a power is written ``x^2``)."""
        if not (self.at("{") and self.peek(1)[1] == "("):
            return None
        k = 2
        while k < 7 and self.peek(k)[1] != ")":
            k += 1
        if self.peek(k)[1] != ")" or self.peek(k + 1)[1] != "}":
            return None
        inside = [self.peek(j)[:2] for j in range(2, k)]
        if not _index_like(inside):  # x^{(a-1)}, x^{(1/2)}: a power
            return None
        label = "".join(tok.lstrip("\\") for _, tok in inside)
        self.i += k + 2
        return label

    def sum_tail(self, body, names):
        r"""The body of ``\sum_{i=1}^n y_i \log \pi_i + (1 - y_i) \log(1 - \pi_i)``: a term
        after ``+``/``-`` that uses the sum's index belongs to the sum (the authors'
        convention — outside it ``y_i`` would be unbound); a term without it ends the sum."""
        while self.at("+", "-"):
            mark, depth = self.i, self.depth
            sign = -1 if self.next()[1] == "-" else 1
            try:
                nxt = self.term()
            except Unsupported:  # not a term: the sum ends here (a \sum inside restores its
                self.i, self.depth = mark, depth  # indices itself, in its try/finally)
                break
            if not _uses(nxt, names):
                self.i = mark
                break
            body = Add([(1, body), (sign, nxt)])
        return body

    def term(self):
        bare = self.peek()[0] == "num"  # the factor is a number written bare, not (½)
        factors = [("*", self.factor())]
        beside = False  # a/2(.25): a factor written beside the number after a slash
        while True:
            if self.at("\\cdot", "\\times", "*"):
                self.next()
                bare = self.peek()[0] == "num"
                factors.append(("*", self.factor()))
            elif self.at("/", "\\div"):
                self.next()
                bare = self.peek()[0] == "num"
                factors.append(("/", self.factor()))
            elif self.starts_atom():
                if bare and isinstance(factors[-1][1], Num) and self.peek()[0] == "num":
                    t = self.peek()
                    raise Unsupported("two numbers side by side", t[2])
                beside = beside or (factors[-1][0] == "/" and bare
                                    and isinstance(factors[-1][1], Num))
                bare = self.peek()[0] == "num"
                factors.append(("*", self.factor()))
            else:
                break
        factors = _leibniz(factors)
        if len(factors) == 1:
            return factors[0][1]
        node = Mul(factors)
        if beside:
            node.slash_beside = True  # read a/(2 b) as well (fallbacks.slash_reading)
        return node

    def starts_atom(self) -> bool:
        kind, tok, _ = self.peek()
        if kind == "num":
            return True
        if tok in FONTS - {"\\text"}:
            save = self.i
            is_unit = self.unit() is not None
            self.i = save
            return not is_unit
        if tok in ATOM_STARTS or tok in ACCENTS or tok in NOT_EVALUATED:  # \alpha\nabla L: say why
            return True
        if tok == "|" and not getattr(self, "in_abs", 0) and self.peek(1)[1] != "|":
            return self._bar_closes()  # p_X(x)\,|\det J|: an absolute value as a factor
        return (kind == "ch" and tok.isalpha()) or tok[1:] in GREEK

    def _bar_closes(self) -> bool:
        """Does a ``|`` at the cursor open an absolute value that closes before the next
        relation (so it can be a factor of a product, not the end of an enclosing one)?"""
        k = 1
        while (t := self.peek(k))[0] != "eof" and t[1] not in RELATIONS:
            if t[1] == "|":
                return True
            k += 1
        return False

    def factor(self):
        self.deeper()
        if self.at("-", "+"):
            neg = self.next()[1] == "-"
            node = self.factor()
            self.depth -= 1
            return Neg(node) if neg else node
        node = self.atom()
        if isinstance(node, Name) and self.at("'"):  # θ', x'': a new symbol, not a derivative
            k = 0
            while self.peek(k)[1] == "'":
                k += 1
            if self.peek(k)[1] not in ("(", "\\left"):  # f'(x): a derivative (derivatives.py)
                self.i += k
                node.name += "'" * k
            elif "(" not in node.name and self.peek(k)[1] == "(":  # A'(\eta_p), f''(1): named
                self.i += k
                node = self.identifier_from(node.name + "'" * k, node.pos, named=True)
        while self.at("!") and not self.peek(1)[1] == "=":
            self.next()
            node = Func("fact", node)
        if self.at("\\%"):
            self.next()
            node = Percent(node)
        if self.at("^"):
            self.next()
            if self.transpose_here():  # x^\top, A^{\top}: read for the matrix checks (linalg.py)
                node = Func("transpose", node)
                if not self.at("^"):
                    self.depth -= 1
                    return node
                self.next()
            label = self.label_script() if isinstance(node, Name) else None
            if label is not None:
                node.name += f"^({label})"  # x^{(i)}, X^{(N)}, θ^{(t+1)}: a label, not a power
                if not self.at("^"):
                    self.depth -= 1
                    return node
                self.next()
            if isinstance(node, Name) and self.at("*", "\\star", "\\ast", "\\prime"):
                node.name += "^" + self.next()[1].lstrip("\\")  # z^*, z^\star: a name
                if not self.at("^"):
                    self.depth -= 1
                    return node
                self.next()
            node = Pow(node, self.script())
            if (isinstance(node.base, Name) and node.base.name == "chi" and self.at("(")
                    and isinstance(node.exp, Num) and node.exp.value == 2):
                node = self.identifier_from("chi^2", node.base.pos)  # \chi^2(p\|q): a name
        self.depth -= 1
        return node

    def script(self):
        """Argument of ^ or _: a braced group or a single token."""
        if self.at("{"):
            return self.braced()
        kind, tok, pos = self.peek()
        if kind == "num" and len(tok) > 1:
            raise Unsupported(f"ambiguous exponent ^{tok} (TeX raises only the first digit; "
                              f"write ^{{{tok}}})", pos)
        if kind == "num":
            self.i += 1
            return number(tok, pos)
        self.i += 1
        if kind == "ch" and tok.isalpha():
            return self.identifier_from(tok, pos, allow_call=False)
        if tok == "\\infty":
            return Const("inf", pos)
        if kind == "cmd" and tok[1:] in GREEK:  # e^\eta, p(x)^\alpha: a Greek symbol
            return self.identifier_from(tok, pos, allow_call=False)
        if tok in ("\\top", "\\intercal", "\\mathsf{T}"):
            raise Unsupported("a transpose: vectors and matrices are not evaluated", pos)
        if tok == "-" and self.peek()[0] == "num" and len(self.peek()[1]) == 1:
            return Neg(number(self.next()[1], pos))
        raise Unsupported(f"unsupported exponent {tok!r}", pos)

    def transpose_here(self) -> bool:
        """After ``^``: ``\\top``, ``\\intercal``, ``{\\top}`` (consumed) — a transpose."""
        marks = ("\\top", "\\intercal")
        if self.at(*marks):
            self.next()
            return True
        if self.at("{") and self.peek(1)[1] in marks and self.peek(2)[1] == "}":
            self.i += 3
            return True
        return False


def _uses(node, names) -> bool:
    """Does ``node`` use one of the indices ``names`` outside a sum that binds it again?"""
    if isinstance(node, Index) and node.var in names or isinstance(node, Name) and (
            node.name in names):
        return True
    if isinstance(node, Sum) and node.var in names:
        return False
    return any(_uses(c, names) for c in children(node))


def _leibniz(factors: list) -> list:
    """``dV/d\\delta``, ``\\mathrm{d}V/\\mathrm{d}\\delta``: the factors d·V / d·δ written with a
    slash are the derivative (d·V)/(d·δ), as ``\\frac{dV}{d\\delta}`` is read (a one-letter
    lower-case variable is one name already: ``dx/dt``).  Other factors are left alone."""
    out, i = [], 0
    while i < len(factors):
        run = factors[i:i + 4]
        if (len(run) == 4 and [op for op, _ in run] == ["*", "*", "/", "*"]
                and all(isinstance(f, Name) for _, f in run)
                and run[0][1].name == run[2][1].name == "d"
                and run[1][1].name != "d" and run[3][1].name != "d"):
            d1, x, d2, y = (f for _, f in run)
            out.append(("*", Mul([("*", Mul([("*", d1), ("*", x)])),
                                  ("/", Mul([("*", d2), ("*", y)]))])))
            i += 4
            continue
        out.append(factors[i])
        i += 1
    return out
