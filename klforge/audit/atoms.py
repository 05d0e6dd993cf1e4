"""Atoms for the parser of :mod:`.latex` (a mixin of :class:`.latex.Parser`): numbers (a
trailing ``\\ldots`` marks a truncated value), brackets and ``\\left( \\right)``, absolute
values, ``\\frac``, ``\\binom``, ``\\sqrt[n]{}``, ``\\ln \\log \\exp \\lg``, ``\\Phi`` and
``\\Phi^{-1}``, ``\\pi`` (the constant, or a policy ``\\pi(y)``, ``\\pi_\\theta``, ``\\pi^*``),
``\\nabla``, ``\\underbrace``, a document's own macros (``\\E[X]``), decorated numbers
(``\\mathbf{0.64}``), accents and names; ``\\lim_{t\\to a^+}``, ``\\arg\\min_x``, and the
matrix operators ``\\det``, ``\\operatorname{tr}``, ``\\lVert X\\rVert_F`` (evaluated by
:mod:`.linalg`); braced groups (``{n \\choose k}``) and the one-digit arguments of ``\\frac12``.
Anything else raises :class:`.tokens.Unsupported` with the reason.

:class:`.latex.Parser` supplies the token cursor, :mod:`.operators` ``expr``/``term``/
``factor``/``script`` and :mod:`.constructs` the sums, integrals, functions and names.
Example: ``parse_chain("\\sqrt[3]{8}")[0]`` is ``Func("sqrt", Num(8), Num(3))``.
"""

from __future__ import annotations

from .nodes import Const, Func, Mul, Name
from .tokens import (
    ACCENTS,
    FONTS,
    GREEK,
    KNOWN,
    NOT_EVALUATED,
    Unsupported,
    _binomial,
    _plain,
    number,
)


class Atoms:
    """Parser methods for the atoms above."""

    def atom(self):
        kind, tok, pos = self.peek()
        if kind == "num":
            self.next()
            node = number(tok, pos)
            if self.at("\\ldots", "\\dots", "\\cdots"):
                self.next()
                node.truncated = True
            return node
        if tok in ("(", "["):
            self.next()
            node = self.expr()
            if tok == "(" and self.at(","):
                return self.tuple_rest(node, pos)
            self.expect(")" if tok == "(" else "]")
            if tok == "[" and self.at("_") and self.peek(1)[0] != "eof":
                return self.evaluation_bar(node, pos)
            return node
        if tok == "{":
            return self.braced()
        matrix = self.matrix_atom()
        if matrix is not None:
            return matrix
        if tok == "\\lim" and self.peek(1)[1] == "_" and self.peek(2)[1] == "{":
            return self.limit()
        if tok == "\\arg" and self.peek(1)[1] in ("\\min", "\\max") and self.peek(2)[1] == "_":
            return self.optimum()
        if tok == "\\nabla":  # ∇f, ∇²f, ∇_θ f: evaluated by linalg.py (mpmath.diff)
            self.next()
            order = "grad"
            if self.at("^") and self.peek(1)[1] == "2":
                self.i += 2
                order = "hess"
            var = None
            if self.at("_"):
                self.next()
                start, mark = self.peek()[2], self.i
                if self.at("{") and "," in (text := self.group_text()):  # ∇_{μ,σ}: several
                    var = Name(_plain(text), start)
                else:
                    self.i = mark
                    var = self.script()
            return Func(order, self.factor(), var)
        if tok == "\\underbrace" and self.peek(1)[1] == "{":
            self.next()  # \underbrace{X}_{label}: the term X, its label is prose
            node = self.braced()
            if self.at("_"):
                self.next()
                if self.at("{"):
                    self.group_text()
                else:
                    self.next()
            return node
        if tok == "|" and self.peek(1)[1] != "|":
            self.next()  # |p(x) - q(x)|: an absolute value
            self.in_abs = getattr(self, "in_abs", 0) + 1
            try:
                node = self.expr()
            finally:
                self.in_abs -= 1
            self.expect("|")
            return Func("abs", node)
        if tok == "\\langle" or (tok == "\\left" and self.peek(1)[1] == "\\langle"):
            return self.angle_mean(pos)
        if tok == "\\left" and self.peek(1)[1] == "|":
            self.i += 2  # \left| x \right|
            node = self.expr()
            self.expect("\\right")
            self.expect("|")
            return Func("abs", node)
        if tok == "\\left":
            self.next()
            opener = self.next()[1]
            if opener not in ("(", "[", "\\{", ".", "\\lbrack"):
                raise Unsupported(f"unsupported delimiter \\left{opener}", pos)
            node = self.expr()
            if opener == "(" and self.at(","):
                node = self.tuple_rest(node, pos, closer="\\right")
                self.next()
                return node
            self.expect("\\right")
            closer = self.next()[1]
            if closer in ("]", "|", "\\rbrack") and self.at("_"):
                return self.evaluation_bar(node, pos)
            return node
        if tok in ("\\frac", "\\dfrac", "\\tfrac", "\\cfrac"):
            self.next()
            num, den = self.braced(), self.braced()
            return Mul([("*", num), ("/", den)])
        if tok in ("\\binom", "\\dbinom", "\\tbinom"):
            self.next()
            return _binomial(self.braced(), self.braced())
        if tok == "\\sqrt":
            self.next()
            index = None
            if self.at("["):
                self.next()
                index = self.expr()
                self.expect("]")
            arg = self.braced()
            return Func("sqrt", arg, index)
        if tok in ("\\ln", "\\log", "\\exp", "\\lg"):
            return self.function()
        if tok == "\\Phi" and [self.peek(k)[1] for k in range(1, 7)] in (
                ["^", "{", "-", "1", "}", "("], ["^", "{", "-", "1", "}", "\\left"]):
            self.i += 6  # \Phi^{-1}(p): the standard normal quantile function
            return Func("Phiinv", self.atom())
        if tok == "\\Phi" and self.peek(1)[1] in ("(", "\\left"):
            self.next()  # the standard normal distribution function
            return Func("Phi", self.atom())
        if (kind == "cmd" and tok[1:].isalpha() and tok not in KNOWN
                and self.peek(1)[1] in ("(", "[", "_", "\\left")):
            self.next()  # \E[X], \Var(X), \p(X=1): a document's own macro for a name
            return self.identifier_from(tok[1:], pos)
        if tok == "\\pi" and self.peek(1)[1] == "^" and self.peek(2)[1] in ("*", "\\star", "\\ast"):
            self.i += 3  # \pi^*, \pi^*(y): the optimal policy, a name
            return self.identifier_from("pi^*", pos)
        if (tok == "\\pi" and self.peek(1)[1] == "(" and self.peek(2)[0] == "ch"
                and self.peek(2)[1].isalpha() and self.peek(3)[1] in (")", "|")):
            self.next()  # \pi(y), \pi(a|s): a policy's probability, not 3.14…·y
            return self.identifier_from("\\pi", pos)
        if tok == "\\pi" and self.peek(1)[1] == "_":
            self.next()  # \pi_{ref}, \pi_\theta: a policy or distribution, never the constant
            return self.identifier_from(tok, pos)
        if tok == "\\pi":
            self.next()
            return Const("pi", pos)
        if tok in ("\\sum", "\\prod"):
            return self.summation()
        if tok == "\\int":
            return self.integral()
        if tok == "\\infty":
            self.next()
            return Const("inf", pos)
        if tok in FONTS and [self.peek(k)[1] for k in (1, 2, 3)] == ["{", "1", "}"] and \
                self.peek(4)[1] in ("[", "\\{", "_"):
            self.i += 4  # \mathbb{1}[x' = x], \mathbf 1_{A}: an indicator, as a name
            return self.identifier_from("1", pos)
        if tok in FONTS and self.peek(1)[1] == "{" and self.numeric_group():
            self.next()  # \mathbf{0.6466}, \text{0.5}: a decorated number
            return self.braced()
        if tok in ACCENTS:
            self.next()
            inner = self.group_text() if self.at("{") else self.next()[1]
            return self.identifier_from(f"{tok[1:]}({_plain(inner)})", pos, named=True)
        if tok in FONTS or (kind == "ch" and tok.isalpha()) or tok[1:] in GREEK:
            self.next()
            if tok == "e" and self.at("^"):
                self.next()
                return Func("exp", self.script())
            return self.identifier_from(tok, pos)
        if tok in ("\\max", "\\min") and (self.peek(1)[1] == "(" or self.peek(1)[1] == "\\left"
                                           and self.peek(2)[1] == "("):
            return self.extreme_of_list(tok, pos)
        if tok in NOT_EVALUATED:
            raise Unsupported(NOT_EVALUATED[tok], pos)
        raise Unsupported(f"unsupported {tok or 'end of math'!r}", pos)

    def limit(self):
        """``\\lim_{t \\to a^{+}} f``: Func("lim", f, t·a·(+|−)), evaluated by linalg.py
        along a sequence approaching a (from the side given, or from above)."""
        pos = self.next()[2]
        self.expect("_")
        self.expect("{")
        kind, var, _ = self.next()
        if not (kind == "ch" and var.isalpha() or var[1:] in GREEK):
            raise Unsupported("a limit needs its variable", pos)
        if not self.at("\\to", "\\rightarrow", "→"):
            raise Unsupported("a limit needs \\to", pos)
        self.next()
        point = Const("inf", pos) if self.at("\\infty") and self.next() else self.atom()
        side = 1
        if self.at("^"):
            self.next()
            braced = self.at("{")
            if braced:
                self.next()
            sign = self.next()[1]
            if sign not in ("+", "-"):
                raise Unsupported("a one-sided limit is written ^+ or ^-", pos)
            side = 1 if sign == "+" else -1
            if braced:
                self.expect("}")
        self.expect("}")
        name = var.lstrip("\\")
        self.sum_vars.add(name)  # the variable is bound in the body
        try:
            body = self.term()
        finally:
            self.sum_vars.discard(name)
        where = Mul([("*", Name(name, pos)), ("*", point), ("*", Name("+" if side > 0 else "-"))])
        return Func("lim", body, where)  # base: variable · point · side (not a tuple of data)

    def optimum(self):
        """``\\arg\\min_x f`` / ``\\arg\\max_x f``: Func("argmin"|"argmax", f, x); linalg.py
        checks a claimed closed form by the stationarity of f there (and the sign of f″)."""
        pos = self.next()[2]
        kind = "argmin" if self.next()[1] == "\\min" else "argmax"
        self.expect("_")
        var = self.script()
        if not isinstance(var, Name):
            raise Unsupported("an argmin/argmax needs its variable", pos)
        self.sum_vars.add(var.name)
        try:
            body = self.expr()
        finally:
            self.sum_vars.discard(var.name)
        return Func(kind, body, Name(var.name, pos))

    def matrix_atom(self):
        """``\\det X``, ``\\operatorname{tr}(X)``, ``\\lVert X \\rVert_F``: nodes the matrix checks
        (linalg.py) evaluate; the scalar evaluator reports them as not evaluated.  None if
        the next tokens are none of these."""
        kind, tok, pos = self.peek()
        if tok == "\\det":
            self.next()
            return Func("det", self.atom() if self.at("(", "\\left") else self.factor())
        if tok in ("\\operatorname", "\\mathrm") and [self.peek(k)[1] for k in (1, 2, 3, 4)] in (
                ["{", "t", "r", "}"], ["{", "T", "r", "}"]):
            self.i += 5
            return Func("tr", self.atom() if self.at("(", "\\left") else self.factor())
        if tok == "\\lVert":
            self.next()
            node = self.expr()
            self.expect("\\rVert")
            frob = None
            if self.at("_") and self.peek(1)[1] == "F":
                self.i += 2
                frob = Name("F", pos)
            return Func("norm", node, frob)
        return None

    def braced(self):
        """A braced group ``{expr}`` (``{n \\choose k}`` is a binomial coefficient), or one
        digit of a bare number (``\\frac12``)."""
        if self.at("{"):
            self.next()
            node = self.expr()
            if self.at("\\choose", "\\binom"):
                self.next()
                k = self.expr()
                node = _binomial(node, k)
            self.expect("}")
            return node
        kind, tok, pos = self.peek()
        if kind == "num" and "." not in tok:  # \frac12: one digit per argument
            if len(tok) > 1:
                self.toks[self.i] = (kind, tok[1:], pos + 1)
            else:
                self.i += 1
            return number(tok[0], pos)
        if kind == "ch" and tok.isalpha() or tok[1:] in GREEK:
            self.i += 1
            return self.identifier_from(tok, pos, allow_call=False, single=True)
        self.i += 1
        raise Unsupported(f"expected a braced argument, found {tok!r}", pos)
