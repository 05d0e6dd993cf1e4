"""The grammar of author-typed formulas: a small whitelisted LaTeX read into SymPy.

Numbers, symbols with subscripts (``\\lambda_p`` → the symbol ``lambda_p``, ``\\alpha_{p,i}``
→ ``alpha_p,i``), ``+ - \\cdot \\times / ^``, implicit products, ``\\frac \\tfrac \\dfrac``,
``\\sqrt``, brackets and ``\\left … \\right``, ``\\ln \\log \\exp \\psi \\Gamma``, ``\\pi``,
``\\sum_i`` (kept as ``SUM_i(body)``; :func:`.typeset.check` expands it over the derivation's
indices) and, for the vectors and matrices named in ``env`` (:func:`.typeset.structures`),
``^\\top``, ``^{-1}``, ``\\det`` and ``\\operatorname{tr}``.  Anything else is a
:class:`TypesetError` naming the token.

Example: ``parse(r"\\frac12 x^2")`` → ``x**2/2``.

Why not the audit's reader (:mod:`klforge.audit.latex`): that one must not import SymPy and
reads numeric claims in prose, so a call is kept as a name to be resolved later —
``\\Gamma\\Big(\\sum_i\\alpha_{p,i}\\Big)`` becomes the name ``Gamma(sum_ialpha_p,iBig)`` and
``\\alpha_{p,i}`` a name, not an indexed entry — and ``x^12`` is refused as ambiguous.  This
grammar keeps that structure for SymPy: sums over the derivation's indices and exact matrix
algebra at its dimension.  On the lesson's scalar forms (10 of its 16) the two readers agree.
"""

from __future__ import annotations

import re

import sympy as sp

SKIP = {r"\,", r"\;", r"\!", r"\quad", r"\qquad", r"\left", r"\right", r"\big", r"\Big",
        r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", "&", r"\\", r"\displaystyle", r"\textstyle"}
FUNCS = {r"\ln": sp.log, r"\log": sp.log, r"\exp": sp.exp, r"\psi": sp.digamma,
         r"\Gamma": sp.gamma, r"\sqrt": sp.sqrt}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\[,;!\\]|\d+(?:\.\d+)?|\S")


def scalar(value):
    """A 1 × 1 matrix (a quadratic form vᵀAv) as the number it is; anything else as is."""
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


class TypesetError(ValueError):
    """The typed LaTeX cannot be read (the message names the problem)."""


def canonical(tex: str) -> str:
    """A symbol's printed LaTeX as a plain name: ``{\\lambda}_{p}`` → ``lambda_p``."""
    return re.sub(r"\\([A-Za-z]+)", r"\1", tex.replace("{", "").replace("}", "")).strip()


class _Parser:
    def __init__(self, text: str, env: dict | None = None):
        self.env = env or {}
        self.toks = [t for t in _TOKEN.findall(text.replace(r"\begin{aligned}", "")
                                               .replace(r"\end{aligned}", ""))
                     if t not in SKIP]
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected=None):
        t = self.peek()
        if t is None or (expected is not None and t != expected):
            raise TypesetError(f"expected {expected or 'more'} at token {self.i + 1}, "
                               f"found {t or 'the end'}")
        self.i += 1
        return t

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self):
        sign = -1 if self.peek() == "-" else 1
        if self.peek() in ("+", "-"):
            self.take()
        value = self.sum() if self.peek() == r"\sum" else self.power()
        while (t := self.peek()) is not None and t not in ("+", "-", ")", "]", "}", "|"):
            if t == r"\sum":  # a sum takes the rest of the term as its body
                return sign * value * self.sum()
            if t in (r"\cdot", r"\times"):
                self.take()
                value = scalar(value * self.power())
            elif t == "/":
                self.take()
                value = value / self.power()
            else:
                value = scalar(value * self.power())
        return sign * value

    def sum(self):
        """``\\sum_{i}`` (bounds, if written, are ignored: the sum runs over the indices of
        the derivation's symbols, x_0 … x_{n-1}) followed by the rest of the term."""
        self.take(r"\sum")
        self.take("_")
        index = canonical(self._sub()).split("=")[0]
        if self.peek() == "^":
            self.take()
            self.group_or_char()
        if not re.fullmatch(r"[A-Za-z]", index):
            raise TypesetError(f"a sum's index must be one letter, not {index!r}")
        return sp.Function(f"SUM_{index}")(self.term())

    def power(self):
        base = self.atom()
        if self.peek() == "^":
            self.take()
            if self.toks[self.i:self.i + 3] == ["{", r"\top", "}"] or self.peek() == r"\top":
                self.i += 3 if self.peek() == "{" else 1
                if not isinstance(base, sp.MatrixBase):
                    raise TypesetError(f"a transpose of a number at token {self.i}")
                return base.T
            base = base ** self.group_or_char()
        return base

    def group_or_char(self):
        if self.peek() == "{":
            return self.group()
        return self._one_char()

    def _one_char(self):
        """A script or \\frac argument without braces is one character: x^12 is x^1·2."""
        t = self.take()
        if t[0].isdigit():
            self.toks[self.i - 1:self.i] = list(t)
            return sp.Integer(t[0])
        return self._symbol(t)

    def group(self):
        self.take("{")
        value = self.expr()
        self.take("}")
        return value

    def _frac_part(self):
        return self.group() if self.peek() == "{" else self._one_char()

    def atom(self):
        t = self.take()
        if re.fullmatch(r"\d+(?:\.\d+)?", t):
            return sp.Rational(t)
        if t in ("(", "["):
            value = self.expr()
            self.take(")" if t == "(" else "]")
            return value
        if t == "{":
            value = self.expr()
            self.take("}")
            return value
        if t in (r"\frac", r"\tfrac", r"\dfrac"):
            num = self._frac_part()
            return num / self._frac_part()
        if t in FUNCS:
            if t == r"\sqrt" and self.peek() == "{":
                return sp.sqrt(self.group())
            arg = self.power() if self.peek() not in ("(", "[") else self.atom()
            return FUNCS[t](arg)
        if t == r"\pi":
            return sp.pi
        if t in (r"\det", r"\operatorname", r"\mathrm"):
            op = "det" if t == r"\det" else canonical(self._sub())
            if op not in ("det", "tr"):
                raise TypesetError(f"unsupported operator {op!r} at token {self.i}")
            arg = self.power() if self.peek() not in ("(", "[") else self.atom()
            if not isinstance(arg, sp.MatrixBase) or not arg.is_square:
                raise TypesetError(f"{op} of something that is not a square matrix "
                                   f"at token {self.i}")
            return arg.det() if op == "det" else arg.trace()
        return self._symbol(t)

    def _symbol(self, t):
        if not re.fullmatch(r"[A-Za-z]|\\[A-Za-z]+", t) or t in (r"\sum", r"\int", r"\top"):
            raise TypesetError(f"unsupported {t!r} at token {self.i}")
        name = t.lstrip("\\")
        if self.peek() == "_":
            self.take()
            name += "_" + canonical(self._sub())
        return self.env.get(name, sp.Symbol(name))

    def _sub(self):
        if self.peek() != "{":
            return self.take()
        depth, out = 0, []
        while True:
            t = self.take()
            depth += (t == "{") - (t == "}")
            out.append(t)
            if depth == 0:
                return "".join(out)


def as_printed(tex: str) -> sp.Expr:
    """An engine symbol as the lesson prints it, read back: ``{\\lambda}_{p}`` → λ_p,
    ``s^{2}`` → s², ``\\log\\sigma^{2}`` → ln σ²; a print the grammar cannot read becomes
    one symbol named by :func:`canonical`."""
    try:
        return parse(re.sub(r"\{(\\[A-Za-z]+)\}", r"\1", tex))
    except TypesetError:
        return sp.Symbol(canonical(tex))


def parse(tex: str, env: dict | None = None) -> sp.Expr:
    """The typed LaTeX as a SymPy expression; TypesetError names what cannot be read.
    ``env`` names vectors and matrices (:func:`.typeset.structures`)."""
    p = _Parser(tex, env)
    try:
        value = p.expr()
    except TypesetError:
        raise
    except (TypeError, ValueError) as e:  # SymPy: a matrix plus a number, shapes that differ
        raise TypesetError(f"the shapes do not agree near token {p.i} ({e})") from None
    if p.peek() is not None:
        raise TypesetError(f"unexpected {p.peek()!r} at token {p.i + 1}")
    if isinstance(value, sp.MatrixBase):
        raise TypesetError(f"the typed form is a {value.rows} × {value.cols} matrix, "
                           "not a number")
    return value
