"""A strict, whitelisted LaTeX front end for numeric claims.

Math text is tokenised and parsed by recursive descent into a small tree (:mod:`.nodes`);
nothing is ever ``eval``-ed.  Anything outside the whitelist raises :class:`Unsupported`
with the reason, and the caller reports the relation as *unchecked*.

Whitelist: decimals (read exactly: ``0.1`` is 1/10; a trailing ``\\ldots`` marks a
truncated value), ``+ - \\cdot \\times * / \\div``, implicit products such as
``0.92(0.274)``, powers ``^``, ``\\frac \\dfrac \\tfrac``, ``\\sqrt[n]{}``, ``\\ln``,
``\\log`` (natural), ``\\log_2``, ``\\log_{10}``, ``\\exp``, ``e^{…}``, ``\\pi``, ``\\%``,
``\\left( \\right)`` and brackets, ``\\sum_{i=a}^{b}`` with integer bounds, identifiers and
named quantities such as ``H(p,q)`` or ``D_{\\mathrm{KL}}(p\\|q)``, ``\\text{nats}`` as a unit.
Relations: ``= \\approx \\le \\ge < > \\stackrel{?}{=}``.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .nodes import Add, Const, Func, Mul, Name, Neg, Num, Percent, Pow, Relation, Sum, Var

MAX_DEPTH = 60
MAX_LENGTH = 4000
UNITS = {"nat": "nats", "nats": "nats", "bit": "bits", "bits": "bits", "shannon": "bits",
         "shannons": "bits", "hartley": "hartleys", "hartleys": "hartleys", "ban": "hartleys",
         "bans": "hartleys", "dit": "hartleys", "dits": "hartleys"}
RELATIONS = {"=": "=", "\\approx": "≈", "≈": "≈", "\\le": "≤", "\\leq": "≤", "≤": "≤",
             "\\leqslant": "≤", "\\ge": "≥", "\\geq": "≥", "≥": "≥", "\\geqslant": "≥",
             "<": "<", "\\lt": "<", ">": ">", "\\gt": ">"}
IGNORED = {"\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "~", "\\displaystyle",
           "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
           "\\biggl", "\\biggr", "\\Biggl", "\\Biggr", "&", "\\nonumber", "\\notag"}
GREEK = set("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
            "lambda mu nu xi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
            "Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega ell".split())
FONTS = {"\\mathrm", "\\operatorname", "\\mathcal", "\\mathbb", "\\mathbf", "\\mathit",
         "\\mathsf", "\\boldsymbol", "\\text"}
UNICODE = {"−": "-", "×": "\\times", "·": "\\cdot", "⋅": "\\cdot", "…": "\\ldots",
           "π": "\\pi", "‖": "\\|", "∥": "\\|"}

_TOKEN = re.compile(r"""
    (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<cmd>\\(?:[A-Za-z]+|.))
  | (?P<ws>\s+)
  | (?P<ch>.)
""", re.VERBOSE | re.DOTALL)


class Unsupported(Exception):
    """Text outside the whitelist; ``pos`` is the offset within the parsed segment."""

    def __init__(self, reason: str, pos: int = 0):
        super().__init__(reason)
        self.reason, self.pos = reason, pos


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) triples; whitespace dropped, Unicode operators mapped."""
    out = []
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "ws":
            continue
        if kind == "ch" and tok in UNICODE:
            tok = UNICODE[tok]
            kind = "cmd" if tok.startswith("\\") else "ch"
        out.append((kind, tok, m.start()))
    return out


def number(text: str, pos: int) -> Num:
    whole, _, frac = text.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    return Num(value, text, len(frac), pos)


class Parser:
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
            unit = self.unit()
            if self.peek()[0] != "eof" and not self.relation_here():
                t = self.peek()
                raise Unsupported(f"unexpected {t[1]!r}", t[2])
            if unit:
                node.unit = unit
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
            return terms[0][1]
        if len(terms) == 1:
            return Neg(terms[0][1])
        return Add(terms)

    def term(self):
        factors = [("*", self.factor())]
        while True:
            if self.at("\\cdot", "\\times", "*"):
                self.next()
                factors.append(("*", self.factor()))
            elif self.at("/", "\\div"):
                self.next()
                factors.append(("/", self.factor()))
            elif self.starts_atom():
                if isinstance(factors[-1][1], Num) and self.peek()[0] == "num":
                    t = self.peek()
                    raise Unsupported("two numbers side by side", t[2])
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
        if tok in ("(", "[", "{", "\\left", "\\frac", "\\dfrac", "\\tfrac", "\\sqrt", "\\ln",
                   "\\log", "\\exp", "\\pi", "\\sum"):
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
        if self.at("\\%"):
            self.next()
            node = Percent(node)
        if self.at("^"):
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
        raise Unsupported(f"unsupported exponent {tok!r}", pos)

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
            self.expect(")" if tok == "(" else "]")
            return node
        if tok == "{":
            return self.braced()
        if tok == "\\left":
            self.next()
            opener = self.next()[1]
            if opener not in ("(", "[", "\\{", "."):
                raise Unsupported(f"unsupported delimiter \\left{opener}", pos)
            node = self.expr()
            self.expect("\\right")
            self.next()
            return node
        if tok in ("\\frac", "\\dfrac", "\\tfrac"):
            self.next()
            num, den = self.braced(), self.braced()
            return Mul([("*", num), ("/", den)])
        if tok == "\\sqrt":
            self.next()
            index = None
            if self.at("["):
                self.next()
                index = self.expr()
                self.expect("]")
            arg = self.braced()
            return Func("sqrt", arg, index)
        if tok in ("\\ln", "\\log", "\\exp"):
            return self.function()
        if tok == "\\pi":
            self.next()
            return Const("pi", pos)
        if tok == "\\sum":
            return self.summation()
        if tok in FONTS or (kind == "ch" and tok.isalpha()) or tok[1:] in GREEK:
            self.next()
            if tok == "e" and self.at("^"):
                self.next()
                return Func("exp", self.script())
            return self.identifier_from(tok, pos)
        raise Unsupported(f"unsupported {tok or 'end of math'!r}", pos)

    def braced(self):
        """A braced group ``{expr}``, or one digit of a bare number (``\\frac12``)."""
        if self.at("{"):
            self.next()
            node = self.expr()
            self.expect("}")
            return node
        kind, tok, pos = self.peek()
        if kind == "num" and "." not in tok:  # \frac12: one digit per argument
            if len(tok) > 1:
                self.toks[self.i] = (kind, tok[1:], pos + 1)
            else:
                self.i += 1
            return number(tok[0], pos)
        self.i += 1
        raise Unsupported(f"expected a braced argument, found {tok!r}", pos)

    def function(self):
        _, tok, pos = self.next()
        base = None
        if tok == "\\log" and self.at("_"):
            self.next()
            base = self.script()
        if self.at("^"):
            raise Unsupported(f"power of {tok} (write ({tok} x)^n)", self.peek()[2])
        if self.at("(", "[", "\\left", "{"):
            arg = self.atom()
        else:
            arg = self.factor()
        name = {"\\ln": "ln", "\\log": "ln" if base is None else "log", "\\exp": "exp"}[tok]
        return Func(name, arg, base)

    def summation(self):
        _, _, pos = self.next()
        self.expect("_")
        self.expect("{")
        var = self.next()
        if not (var[0] == "ch" and var[1].isalpha()):
            raise Unsupported("\\sum needs an index variable", var[2])
        self.expect("=")
        lo = self.expr()
        self.expect("}")
        self.expect("^")
        hi = self.script()
        self.sum_vars.add(var[1])
        try:
            body = self.term()
        finally:
            self.sum_vars.discard(var[1])
        return Sum(var[1], lo, hi, body, pos)

    def identifier_from(self, tok: str, pos: int, allow_call: bool = True):
        """An identifier (letters, Greek, font command) with optional subscript and call
        arguments, e.g. ``H(p,q)``, ``D_{\\mathrm{KL}}(p\\|q)``, ``p_1``."""
        if tok in self.sum_vars:
            return Var(tok, pos)
        parts = [tok.lstrip("\\")]
        if tok in FONTS:
            parts = [_plain(self.group_text())]
        else:
            while self.peek()[0] == "ch" and self.peek()[1].isalpha() and tok[0] != "\\":
                parts.append(self.next()[1])  # multi-letter identifiers such as KL
        if self.at("_"):
            self.next()
            if self.at("{"):
                parts.append("_" + _plain(self.group_text()))
            else:
                parts.append("_" + self.next()[1].lstrip("\\"))
        if allow_call and self.at("(") and not self.peek(1)[0] == "num":
            start = self.next()[2]
            level = 1
            while True:
                kind, t, p = self.next()
                if kind == "eof":
                    raise Unsupported("unbalanced parentheses", start)
                level += t == "("
                level -= t == ")"
                if level == 0:
                    parts.append("(" + _plain(self.text[start + 1:p]) + ")")
                    break
        return Name("".join(parts), pos)


def _plain(text: str) -> str:
    """Canonical text of a name part: formatting commands, braces and spaces removed."""
    text = re.sub(r"\\(?:mathrm|operatorname|mathcal|mathbb|mathbf|mathit|text|mathsf)\s*", "",
                  text)
    text = text.replace("\\|", "||").replace("\\parallel", "||").replace("\\mid", "|")
    text = re.sub(r"\\left|\\right|[{}\s]|\\[,;:!]", "", text)
    return text.replace("\\", "")


def parse_chain(text: str) -> list:
    """Parse one math segment into [side, Relation, side, …]; a side that cannot be read
    is the :class:`Unsupported` exception.  The first item is None when the segment begins
    with a relation (it continues the previous display block's chain)."""
    return Parser(text).chain()
