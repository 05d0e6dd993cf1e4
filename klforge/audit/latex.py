"""A strict, whitelisted LaTeX front end for numeric claims.

Math text is tokenised and parsed by recursive descent into a small tree (:mod:`.nodes`);
nothing is ever ``eval``-ed.  Anything outside the whitelist raises :class:`Unsupported`
with the reason, and the caller reports the relation as *unchecked*.

Whitelist: decimals (read exactly: ``0.1`` is 1/10; a trailing ``\\ldots`` marks a
truncated value; ``1.2e-3``; thousands ``10\\,000``, ``10{,}000``, ``2,154``), ``+ - \\cdot
\\times * / \\div``, implicit products such as ``0.92(0.274)``, powers ``^``, factorials ``n!``,
``\\binom``, ``\\frac \\dfrac \\tfrac \\cfrac``, ``\\sqrt[n]{}``, ``\\ln``, ``\\log`` (base from
the document's convention, see :mod:`.context`), ``\\lg``, ``\\log_2``, ``\\log_{10}``, ``\\exp``,
``e^{…}``, ``\\pi``, ``\\%``, ``\\left( \\right)`` and brackets, ``\\sum``/``\\prod`` with
integer bounds or over bound data (``\\sum_x p(x)\\ln\\frac{p(x)}{q(x)}``), definite integrals
``\\int_a^b f(x)\\,dx`` and evaluation bars (``\\Big|_0^1``, ``\\left[…\\right]_a^b``), tuples
``(0.5, 0.3, 0.2)``, identifiers and named quantities such as ``H(p,q)``, ``E[X]``,
``D_{\\mathrm{KL}}(p\\|q)``, decorations (``\\boxed``, ``\\mathbf{0.64}``), a unit
(``\\text{nats}``, ``\\text{bits}``, or a trailing word such as ``min``) and a second value in
brackets (``0.5106\\;\\text{nats}\\;(\\approx 0.737\\;\\text{bits})``).
Relations: ``= \\approx \\le \\ge < > \\stackrel{?}{=}``.  A segment is first cut into
clauses (:mod:`.clauses`) at ``,`` ``;`` ``\\quad`` ``\\text{ for }`` ✓ and the like.
"""
from __future__ import annotations

from .constructs import Constructs
from .nodes import Add, Const, Func, Mul, Name, Neg, Num, Percent, Pow, Relation, Tuple
from .tokens import (  # noqa: F401  (re-exported: callers import them from here)
    ACCENTS,
    ATOM_STARTS,
    FONTS,
    GREEK,
    IGNORED,
    KNOWN,
    MAX_DEPTH,
    MAX_LENGTH,
    NOT_EVALUATED,
    RELATIONS,
    UNICODE,
    UNITS,
    WORDS,
    Unsupported,
    _bind,
    _binomial,
    _plain,
    _walk,
    number,
    tokenize,
)


class Parser(Constructs):
    """Recursive descent over the token list of one math segment."""

    def __init__(self, text: str):
        if len(text) > MAX_LENGTH:
            raise Unsupported(f"math segment longer than {MAX_LENGTH} characters")
        self.text = text
        self.toks = [t for t in tokenize(text) if t[1] not in IGNORED]
        self.i = 0
        self.depth = 0
        self.sum_vars: set[str] = set()

    # -- token helpers -------------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("eof", "", len(self.text))

    def next(self):
        t = self.peek()
        self.i += 1
        return t

    def at(self, *texts) -> bool:
        return self.peek()[1] in texts

    def expect(self, tok: str):
        t = self.next()
        if t[1] != tok:
            raise Unsupported(f"expected {tok!r}, found {t[1] or 'end of math'!r}", t[2])
        return t

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unsupported(f"nested deeper than {MAX_DEPTH} levels", self.peek()[2])

    # -- grammar -------------------------------------------------------------------------
    def chain(self) -> list:
        """expr (relation expr)*; each side may be Unsupported (kept as the exception)."""
        items = []
        if self.relation_here():
            items.append(None)  # continues a previous block's chain
        else:
            items.append(self.side())
        while self.peek()[0] != "eof":
            op, pos = self.relation()
            rhs_pos = self.peek()[2]
            items.append(Relation(op, pos, rhs_pos))
            items.append(self.side())
        return items

    def relation_here(self) -> bool:
        kind, tok, _ = self.peek()
        return tok in RELATIONS or tok in ("\\stackrel", "\\overset")

    def relation(self):
        kind, tok, pos = self.next()
        if tok in RELATIONS:
            return RELATIONS[tok], pos
        if tok in ("\\stackrel", "\\overset"):
            self.expect("{")
            self.expect("?")
            self.expect("}")
            self.expect("{")
            self.expect("=")
            self.expect("}")
            return "?=", pos
        raise Unsupported(f"unexpected {tok!r}", pos)

    def side(self):
        """One side of a relation, up to the next relation at depth 0."""
        start = self.i
        try:
            node = self.expr()
            node, unit = self.trailing_unit(node)
            alt = self.alternative()
            if self.peek()[0] != "eof" and not self.relation_here():
                t = self.peek()
                raise Unsupported(f"unexpected {t[1]!r}", t[2])
            if unit:
                node.unit = unit
            if alt is not None:
                node.alt = alt
            return node
        except Unsupported as e:
            # skip to the next top-level relation so later steps can still be read
            self.i = start
            level = 0
            while self.peek()[0] != "eof":
                tok = self.peek()[1]
                if level == 0 and self.relation_here():
                    break
                level += tok in ("{", "(", "[", "\\left")
                level -= tok in ("}", ")", "]", "\\right")
                self.i += 1
            e.text = self.text[self.toks[start][2]:self.peek()[2]].strip() if start < len(
                self.toks) else ""
            return e

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

    def term(self):
        bare = self.peek()[0] == "num"  # the factor is a number written bare, not (½)
        factors = [("*", self.factor())]
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
                bare = self.peek()[0] == "num"
                factors.append(("*", self.factor()))
            else:
                break
        return factors[0][1] if len(factors) == 1 else Mul(factors)

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
        return (kind == "ch" and tok.isalpha()) or tok[1:] in GREEK

    def factor(self):
        self.deeper()
        if self.at("-", "+"):
            neg = self.next()[1] == "-"
            node = self.factor()
            self.depth -= 1
            return Neg(node) if neg else node
        node = self.atom()
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
            if isinstance(node, Name) and self.at("*", "\\star", "\\ast", "\\prime"):
                node.name += "^" + self.next()[1].lstrip("\\")  # z^*, z^\star: a name
                if not self.at("^"):
                    self.depth -= 1
                    return node
                self.next()
            node = Pow(node, self.script())
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
            node = self.expr()
            self.expect("|")
            return Func("abs", node)
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

def parse_chain(text: str) -> list:
    """Parse one math segment into [side, Relation, side, …]; a side that cannot be read
    is the :class:`Unsupported` exception.  The first item is None when the segment begins
    with a relation (it continues the previous display block's chain)."""
    return Parser(text).chain()
