"""What the text declares about its variables outside any relation: ``X \\sim
\\mathcal{N}(\\mu, \\sigma^2)`` (a variable's family, for expectations written without their
distribution) and the dimension of a space (``\\mathbb{R}^k``, "in $d$ dimensions", "of
dimension $k$"), which the matrix checks give the value n of their random points.

Example: ``declared(r"x \\sim \\mathcal N(\\mu,\\sigma^2)")`` is ``{"x": "N(mu,sigma^2)"}``;
``dimension_words("For p in d", " dimensions:")`` is ``{DIMENSION: "d"}``.
"""

from __future__ import annotations

import re

from . import known
from .tokens import _plain

#: ``X \\sim \\mathcal{N}(\\mu, \\sigma^2)``, ``k \\sim \\mathrm{Poisson}(\\lambda)``: a variable
#: declared to follow a named family (one level of nested parentheses in the parameters)
_SIM = re.compile(r"(?<![\\A-Za-z])([A-Za-z])\s*\\sim\s*((?:\\mathcal|\\mathrm|\\operatorname|"
                  r"\\text|\\textrm|\\mathsf)?\s*\{?[A-Za-z]+\}?\s*"
                  r"(?:\\left)?\((?:[^()]|\([^()]*\))*\))")


#: ``z \\sim q``: a variable drawn from a distribution the text named (``q = \\mathcal N(…)``)
_SIM_NAME = re.compile(r"(?<![\\A-Za-z])([A-Za-z])\s*\\sim\s*([A-Za-z])(?![A-Za-z(_{\\])")
SIM = "\0sim:"  # key prefix of :func:`declared` for z ~ q: "\0sim:q" -> "z"
DIMENSION = "\0dim"  # key of :func:`declared` for the dimension symbol (\mathbb{R}^k: k)
_SPACE = re.compile(r"\\mathbb\s*\{?R\}?\s*\^\s*\{?\s*([A-Za-z])\s*\}?|ℝ\^\{?([A-Za-z])\}?")


def declared(text: str) -> dict:
    """Variables a math segment declares to follow a named family of the engine:
    ``"X \\sim \\mathcal{N}(\\mu,\\sigma^2)"`` → ``{"X": "N(mu,sigma^2)"}`` (the family's
    text as :func:`.known.distribution` reads it); ``z \\sim q`` records ``{SIM + "q": "z"}``
    (the variable of E_q once q names a distribution); unknown families: nothing.
    ``\\mathbb{R}^k`` declares k the dimension (key :data:`DIMENSION`)."""
    out = {}
    for m in _SIM_NAME.finditer(text):  # z ~ q: E_q is over z (reading.Reading.aliased)
        out[SIM + m.group(2)] = m.group(1)
    for m in _SIM.finditer(text):
        dist = _plain(m.group(2))
        if known.distribution(dist) is not None:
            out[m.group(1)] = dist
    space = _SPACE.search(text)  # on \mathbb{R}^k: k is the dimension (matrix checks' n)
    if space:
        out[DIMENSION] = space.group(1) or space.group(2)
    return out


def dimension_words(before: str, text: str) -> dict:
    """The dimension a sentence names around a one-letter math segment: ``in $d$ dimensions``,
    ``a $D$-dimensional Gaussian`` (``before`` ends with the segment, ``text`` is the prose
    after it), ``of dimension $k$`` (``before`` ends with the word, ``text`` is the segment).
    Returns ``{DIMENSION: letter}`` or ``{}``."""
    after = re.match(r"\s*(?:-\s*)?dimension(?:s|al)\b", text)
    letter = re.search(r"(?<![\\A-Za-z])([A-Za-z])\s*$", before)
    if after and letter:
        return {DIMENSION: letter.group(1)}
    word = re.search(r"\bdimension\s*$", before)
    alone = re.fullmatch(r"\s*([A-Za-z])\s*", text)
    if word and alone:
        return {DIMENSION: alone.group(1)}
    return {}
