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

The parser is :class:`Parser`, one class over four layers: the relation chain and the token
cursor (here), sums, products and powers (:mod:`.operators`), atoms — numbers, brackets,
fractions, roots, named functions, limits, argmin/argmax, matrix operators
(:mod:`.atoms`) — and the constructs of worked problems: units, sums, integrals, names
(:mod:`.constructs`); the tokens and whitelists are in :mod:`.tokens`, re-exported here.
Example: ``parse_chain("0.92\\ln\\frac{0.92}{0.70} \\approx 0.25")`` is
``[Mul(…), Relation("≈", …), Num(0.25)]``.
"""

from __future__ import annotations

import re

from .atoms import Atoms
from .constructs import Constructs
from .nodes import Name, Num, Relation, walk
from .notation import Notation
from .operators import Operators
from .tokens import (
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
    number,
    tokenize,
)

__all__ = [
    "Parser",
    "parse_chain",
    "ACCENTS",
    "ATOM_STARTS",
    "FONTS",
    "GREEK",
    "IGNORED",
    "KNOWN",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NOT_EVALUATED",
    "RELATIONS",
    "UNICODE",
    "UNITS",
    "WORDS",
    "Unsupported",
    "number",
    "tokenize",
]



def _integer_range(a, b) -> bool:
    """``4 \\sim 16``: two integers written without a point, the first smaller — a range
    (East Asian style "4 to 16"); ``0.30 \\sim 0.33`` or ``\\pi \\sim 3.19`` is "about"."""
    return (isinstance(a, Num) and isinstance(b, Num) and a.value < b.value
            and all(n.value.denominator == 1 and n.text.isdigit() for n in (a, b)))


#: labels over = that make it a definition: def, defn, Δ, △, :, "by definition"
_DEFINITION_MARK = re.compile(
    r"(?:\\(?:text|mathrm|rm|scriptscriptstyle|scriptsize|tiny)\s*\{?\s*)*"
    r"(?:def|defn|by\s+def\.?(?:inition)?|\\Delta|\\triangle|:|\\mathrm\{def\})\s*\}*\.?",
    re.IGNORECASE)
#: labels that make = a statement about random variables (in law, almost surely), and \sim
#: under any label (X \overset{iid}{\sim} N(0, 1)): not numeric claims
_IN_LAW_MARK = re.compile(
    r"(?:\\(?:text|mathrm|rm|mathcal|scriptscriptstyle|scriptsize)\s*\{?\s*)*"
    r"(?:d|D|law|\(d\)|a\.\s*s\.|as|w\.\s*p\.\s*1|dist\.?|distr\.?)\s*\}*\.?")


class Parser(Operators, Atoms, Constructs, Notation):
    """Recursive descent over the token list of one math segment: the token cursor and
    the relation chain; the grammar below a side is in the mixins."""

    def __init__(self, text: str):
        if len(text) > MAX_LENGTH:
            raise Unsupported(f"math segment longer than {MAX_LENGTH} characters")
        self.text = text
        self.toks = _normalised(tokenize(text))
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
        """expr (relation expr)*; each side may be Unsupported (kept as the exception).
        Each expectation's name keeps the text it was read from (:attr:`.nodes.Name.src`)."""
        items = self._chain()
        for item in items:
            for n in walk(item) if item is not None and not isinstance(item, Exception) else ():
                if isinstance(n, Name) and n.name.startswith("E") and n.src is None:
                    n.src = self.text[n.pos:]
        return items

    def _chain(self) -> list:
        items = []
        if self.relation_here():
            items.append(None)  # continues a previous block's chain
        else:
            items.append(self.side())
        while self.peek()[0] != "eof":
            tilde = self.peek()[1] == "\\sim"
            op, pos = self.relation()
            rhs_pos = self.peek()[2]
            items.append(Relation(op, pos, rhs_pos))
            items.append(self.side())
            if tilde and _integer_range(items[-3], items[-1]):  # β = 4 \sim 16: 4 to 16
                items[-1] = Unsupported(
                    "a range written with ~ (from one integer to a larger one), not an "
                    "approximation", rhs_pos, self.text[rhs_pos:self.peek()[2]].strip())
        return items

    def relation_here(self) -> bool:
        kind, tok, _ = self.peek()
        return tok in RELATIONS or tok in ("\\stackrel", "\\overset")

    def relation(self):
        kind, tok, pos = self.next()
        if tok in RELATIONS:
            return RELATIONS[tok], pos
        if tok in ("\\stackrel", "\\overset"):
            # \stackrel{?}{=}: a claim to check; \stackrel{\text{Indep}}{=}, \overset{(a)}{\le}:
            # the relation below, its label a reason; \stackrel{\text{def}}{=},
            # \stackrel{\Delta}{=}: a definition, not a claim (left unread)
            label = self.group_text().strip()
            self.expect("{")
            kind, below, at = self.next()
            self.expect("}")
            if below not in RELATIONS:
                raise Unsupported(f"unexpected {below!r} under {tok}", at)
            if label == "?":
                return ("?=" if RELATIONS[below] == "=" else RELATIONS[below]), pos
            if _DEFINITION_MARK.fullmatch(label):
                raise Unsupported(f"{tok}{{{label}}}: a definition", pos)
            if below == "\\sim" or _IN_LAW_MARK.fullmatch(label):
                raise Unsupported(f"{tok}{{{label}}}: a statement about a distribution", pos)
            return RELATIONS[below], pos
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
                level += tok in ("{", "(", "[", "\\left", "\\begin")  # \begin{cases}: one
                level -= tok in ("}", ")", "]", "\\right", "\\end")  # side, its < inside
                self.i += 1
            e.text = self.text[self.toks[start][2]:self.peek()[2]].strip() if start < len(
                self.toks) else ""
            return e


#: a symbol that is written before a parenthesis as a factor once a space separates them
#: (``\\tau\\,(x-m)^2``); functions (f, g, h, p, q, P, Q, π, φ, ψ, σ as the logistic) are not
_FACTOR_GREEK = GREEK - {"pi", "phi", "varphi", "psi", "Phi", "Psi", "sigma", "ell", "Gamma"}
_FACTOR_LETTERS = set("abcdekmnrstuvwxyz")
_SPACES = {"\\,", "\\;", "\\:", "\\ ", "~"}


def _base(toks: list, j: int) -> str | None:
    """The identifier whose token (or subscript's last token) is ``toks[j]``: ``\\lambda`` for
    ``\\lambda_1`` or ``\\lambda_{i}``, ``a`` for ``a``; None for anything else."""
    if toks[j][1] == "}":
        level = 0
        for k in range(j, -1, -1):
            level += {"}": 1, "{": -1}.get(toks[k][1], 0)
            if level == 0:
                j = k - 1
                break
        else:
            return None
        if j < 1 or toks[j][1] != "_":
            return None
        j -= 1
    elif j >= 2 and toks[j - 1][1] == "_":
        j -= 2
    return toks[j][1] if j >= 0 else None


def _normalised(raw: list) -> list:
    """Tokens with spacing dropped and two habits of hand-written LaTeX made explicit:

    * a font command with an unbraced argument (``\\mathcal N``, ``\\boldsymbol\\mu``,
      ``\\mathbb E``) gets braces (zero-width tokens at the argument's ends, so the text
      slices of :meth:`group_text` are unchanged);
    * a space between a symbol and an opening parenthesis (``\\tau\\,(x-m)^2``,
      ``\\lambda_1\\;(x-\\mu_1)^2``) makes a product, not a call: a ``\\cdot`` is inserted.

    Example: the tokens of ``\\tau\\,(x-m)`` become ``\\tau \\cdot ( x - m )``."""
    out: list = []
    spaced = False
    for t in raw:
        if t[1] in _SPACES:
            spaced = True
        if t[1] in IGNORED:
            continue
        if spaced and t[1] in ("(", "\\left") and out:
            b = _base(out, len(out) - 1)
            if b is not None and (b[1:] in _FACTOR_GREEK or b in _FACTOR_LETTERS):
                out.append(("cmd", "\\cdot", t[2]))
        spaced = False
        if out and out[-1][1] in FONTS and t[1] != "{":
            out += [("ch", "{", t[2] - 1), t, ("ch", "}", t[2] + len(t[1]))]
            continue
        out.append(t)
    return out


def parse_chain(text: str) -> list:
    """Parse one math segment into [side, Relation, side, …]; a side that cannot be read
    is the :class:`Unsupported` exception.  The first item is None when the segment begins
    with a relation (it continues the previous display block's chain)."""
    return Parser(text).chain()
