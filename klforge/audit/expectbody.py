"""Where the body of an expectation is read from (a mixin of :class:`.expect.Context`).

A name such as ``E_q[lnp(x,z)-lnq(z|x)]`` is flattened text; its body is re-read as a formula
from the LaTeX it came from: the name's own text (:attr:`.nodes.Name.src`, set by the parser,
so a step's left side carried down the rows of an ``aligned`` chain keeps its body), else the
segment's bracket at the name's position when it is the name's own, else the name.  ``E[f(x)]``
with no distribution written is over the family the text declared for x
(``x \\sim \\mathcal N(\\mu, \\sigma^2)``, recorded by :func:`.freesymbols.declared`).
Example: after ``$X \\sim \\mathcal{N}(\\mu,\\sigma^2)$``, ``\\mathbb{E}[X^2]`` is
("X", ("normal", ["mu", "sigma^2"]), X²), so ``\\mathbb{E}[X^2] = \\mu^2 + \\sigma^2`` holds.
"""

from __future__ import annotations

import re

from . import known
from . import nodes as N
from .freesymbols import parameter as _arg
from .tokens import _plain

__all__ = ["ExpectationBodies", "raw_bracket"]

#: the subscript of ``\\mathbb{E}_{q_\\phi(z|x)}``: the variational posterior, E_q of the model
_Q_PHI = re.compile(r"^E_\{?q_\{?(?:phi|theta|psi)\}?\(z(?:\|x)?\)\}?(?=\[|\(\[)")


class ExpectationBodies:
    """Needs ``self.raw``, ``self.aud``, ``self.products`` and :class:`.reading.Reading`."""

    def expectation(self, name: str, pos: int | None = None, src: str | None = None):
        """As :meth:`.reading.Reading.expectation`, but the body is read from the name's own
        text (``src``, :attr:`.nodes.Name.src`) — a step's left side carried from the previous
        row of an ``aligned`` chain has a position in *that* row's text.  Without ``src``, the
        segment's bracket at ``pos`` is used only when it is the name's own; else the body is
        read from the name (``E_q[lnp(x,z)-lnq(z|x)]`` → ln p(x,z) − ln q(z|x)), or not at all."""
        if m := _Q_PHI.match(name):  # E_{q_φ(z|x)}[…]: E_q over the latent z
            name = "E_q" + name[m.end():]
        v = self._declared_expectation(name, src)
        if v is not None:
            return v
        if src is not None:
            saved, self.raw = self.raw, src
            try:
                return self._density_names(super().expectation(name, 0))
            finally:
                self.raw = saved
        return self._density_names(self._bracketed(name, pos))

    def _density_names(self, e):
        """``E_p[\\log p - \\log q]`` with ``p = N(μ₁, σ₁²)``, ``q = N(μ₂, σ₂²)`` stated (or
        ``p(x) = …`` defined as a function): the bare p, q of the body are the densities at
        the expectation's variable, p(x) and q(x), not numbers.  Only names that name a
        distribution of the text are read so; others are left as they are."""
        if e is None or e[2] is None or e[1] == "rv":
            return e
        var = e[0] or "x"
        named = set(getattr(self.st, "aliases", {})) | set(self._fdefs())
        named.discard(var)
        if not named:
            return e

        def rec(n):
            if isinstance(n, N.Name) and n.name in named:
                return N.Name(f"{n.name}({var})", n.pos)
            return N.map_children(n, rec)
        return e[0], e[1], rec(e[2])

    def _bracketed(self, name, pos):
        e = super().expectation(name, pos)
        if e is None or e[1] == "rv" or "[" not in name:
            return e
        inner = (name[name.index("[") + 1:name.rindex("]")] if name.endswith("]") else
                 name[name.index("([") + 2:-1] if "([" in name and name.endswith(")") else None)
        if e[2] is not None and (inner is None or raw_bracket(self.raw, pos) == inner):
            return e
        try:
            return e[0], e[1], self.products(_arg(inner)) if inner else None
        except N.NotEvaluable:
            return e[0], e[1], None

    def _declared_expectation(self, name, src):
        """``E[x^2]`` with no distribution written, after the text declared
        ``x \\sim \\mathcal N(\\mu,\\sigma^2)`` (:func:`.freesymbols.declared`): an expectation over
        that family when exactly one declared variable occurs in the body; None otherwise."""
        decl = getattr(self.aud, "declared", None)
        m = re.fullmatch(r"E(?:\[(.+)\]|\(\[(.+)\))", name) if decl else None
        if not m:
            return None
        text = m.group(1) or m.group(2)
        words = re.sub(r"[dt]?frac|sqrt|left|right|cdot|exp|log|ln", " ", text)  # fracx: x
        found = [v for v in decl if re.search(rf"(?<![A-Za-z]){re.escape(v)}(?![A-Za-z])",
                                              words)]
        if len(found) != 1:
            return None
        saved, self.raw = self.raw, src or f"[{text}]"  # without its text: the name's (E[x^2])
        try:
            body = self._bracket_body(0)
        finally:
            self.raw = saved
        return found[0], known.distribution(decl[found[0]]), body


def raw_bracket(text: str, pos: int | None) -> str | None:
    """The plain text (:func:`.tokens._plain`) of the first top-level ``[…]`` at or after
    ``pos`` in ``text``, as the name of an expectation spells it; None when there is none."""
    if pos is None:
        return None
    i, depth = pos, 0
    while i < len(text) and not (text[i] == "[" and depth == 0):
        depth += (text[i] == "{") - (text[i] == "}")
        i += 1
    level = 0
    for j in range(i, len(text)):
        level += (text[j] == "[") - (text[j] == "]")
        if level == 0:
            return _plain(text[i + 1:j])
    return None
