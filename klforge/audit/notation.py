"""Notation of hand-written derivations read into the parser's tree (a mixin of
:class:`.latex.Parser`, called from :mod:`.atoms`): physics' averages ``\\langle f\\rangle_p``
(the name ``E_p[f]``, as ``\\mathbb{E}_p[f]`` is read) and the largest or smallest of listed
values, ``\\max(a, b)`` = (a + b + |a − b|)/2 (``\\min`` with −|a − b|), nested for more.
Example: ``parse_chain("\\max(3, 5)")[0]`` evaluates to 5; ``\\langle x^2\\rangle_p`` is
``Name("E_p[x^2]")``.
"""

from __future__ import annotations

from fractions import Fraction

from .nodes import Add, Func, Mul, Name, Num, Tuple
from .tokens import Unsupported, _plain

__all__ = ["Notation"]


class Notation:
    """Parser methods for the notation above; needs the token cursor of :class:`.latex.Parser`."""

    def extreme_of_list(self, tok, pos):
        """``\\max(a, b)``, ``\\min\\left(a, b, c\\right)``: the largest (smallest) of the listed
        values, written with absolute values — max(a, b) = (a + b + |a − b|)/2 — so the
        evaluator needs nothing new.  A maximum over a set (``\\max_i x_i``) is not read here."""
        self.next()
        args = self.atom()
        items = args.items if isinstance(args, Tuple) else [args]
        sign = 1 if tok == "\\max" else -1
        node = items[0]
        for other in items[1:]:
            spread = Func("abs", Add([(1, node), (-1, other)]))
            node = Mul([("*", Add([(1, node), (1, other), (sign, spread)])),
                        ("/", Num(Fraction(2), "2", 0, pos))])
        return node

    def angle_mean(self, pos):
        """``\\langle f\\rangle`` and ``\\langle f\\rangle_p`` (physics' average): the name
        ``E[f]`` / ``E_p[f]``, read as ``\\mathbb{E}[f]`` / ``\\mathbb{E}_p[f]`` are."""
        self.i += 1 if self.at("\\langle") else 2
        start, level = self.peek()[2], 1
        while True:
            kind, t, p = self.next()
            if kind == "eof":
                raise Unsupported("unbalanced \\langle … \\rangle", pos)
            level += t == "\\langle"
            level -= t == "\\rangle"
            if level == 0:
                break
        body = _plain(self.text[start:p]).removesuffix("\\right").removesuffix("right")
        sub = ""
        if self.at("_"):
            self.next()
            sub = "_" + (_plain(self.group_text()) if self.at("{") else _plain(self.next()[1]))
        node = Name(f"E{sub}[{body}]", pos)
        node.src = f"E{sub}[{self.text[start:p]}]"  # the body's text, for the expectation
        return node
