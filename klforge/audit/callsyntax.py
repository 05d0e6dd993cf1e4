"""Is a parenthesis after a name a call or a factor?  The helpers of
:meth:`.constructs.Constructs.identifier_from` and :meth:`.constructs.Constructs.function`:
``n(n+1)``, ``\\mu(\\mu+1)``, ``\\tilde u(\\tilde u + 1)`` are products; ``p(x)``,
``\\hat p(x\\mid z)``, ``f(x+1)`` are calls; ``\\ln q(x)/p(x)`` is the log of a ratio of
densities at one point.

Example: ``_own_operand("n", "n+1")`` and ``_operation("n+1")`` are both True.
"""

from __future__ import annotations

import re

from .nodes import Index, Name
from .tokens import GREEK

#: after a one-letter symbol (not f, g, h, j), an argument that begins with one of these (or, with
#: \left, a number) is a factor, not a call: p\left(\ln(1+t) - t\right)
_VALUE_HEADS = ("\\ln", "\\log", "\\exp", "\\frac", "\\tfrac", "\\dfrac", "\\sqrt")


def _operation(inner: str) -> bool:
    """Does a parenthesis hold an operation (``\\tilde u + 1``, ``1-\\hat p``) rather than the
    arguments of a call (``x``, ``x \\mid z``, ``\\theta, \\phi``)?"""
    return bool(re.search(r"[-+*/]|\\cdot|\\times|\\frac|\\pm", inner))


def _own_operand(head: str, inner: str) -> bool:
    """Does the parenthesis after the symbol ``head`` use that symbol (``n(n+1)``,
    ``\\mu(\\mu+1)``, ``x_1(x_1 - 2)``)?  A function applied to an expression in its own name
    is not how texts write; a symbol times such a parenthesis is."""
    if not re.fullmatch(r"[A-Za-z]+(?:_\w+)?", head) or len(head.split("_")[0]) > 1 and \
            head.split("_")[0] not in GREEK:
        return False
    base, _, sub = head.partition("_")
    pat = rf"(?<![A-Za-z])\\?{base}(?![A-Za-z])" + (rf"\s*_\s*\{{?\s*{sub}\b" if sub else
                                                  r"(?!\s*_)")
    return re.search(pat, inner) is not None


def _density_at(node) -> str | None:
    """The point of a density value ``p(x)``, ``q_\\theta(x)`` (a call or, in a sum over x, an
    index); None for anything else."""
    if isinstance(node, Index) and re.fullmatch(r"[pqPQ]\w*", node.vector):
        return str(node.var)
    m = re.fullmatch(r"[pqPQ]\w*\((\w+)\)", node.name) if isinstance(node, Name) else None
    return m.group(1) if m else None
