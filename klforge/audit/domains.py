"""Domains the text states for its symbols: ``\\sigma > 0``, ``0 < p``, "for $a, b > 0$" —
recorded as bounds (:func:`.symbols.restrict`) that the random points of the identity checks
respect.  Re-exported by :mod:`.symbols` (``S.record_domain``, ``S.domain_of_list``).

Example: after ``record_domain(aud, d, Name("sigma"), ">", Num(0))``, ``d["sigma"]`` is
``(0, None)``.
"""

from __future__ import annotations

from . import nodes as N
from .symbols import is_symbol, restrict


def _bare(aud, node) -> bool:
    return isinstance(node, N.Name) and node.name not in aud.names and is_symbol(node.name)


def record_domain(aud, domains, prev, op, node) -> bool:
    """``σ > 0``, ``0 < p``: a bound on a symbol; True when recorded."""
    flip = {"<": ">", ">": "<", "≤": "≥", "≥": "≤"}
    for sym, other, o in ((prev, node, op), (node, prev, flip[op])):
        if _bare(aud, sym):
            try:
                bound = aud.point(other)
            except N.NotEvaluable:
                return False
            restrict(domains, sym.name, o, bound)
            return True
    return False


def domain_of_list(aud, domains, prev, op, node) -> None:
    """"for $a, b > 0$": the unreadable left side is a list of symbols."""
    text = getattr(prev, "text", "") or ""
    names = [t.strip().lstrip("\\") for t in text.split(",")]
    if len(names) < 2 or not all(is_symbol(n) for n in names):
        return
    try:
        bound = aud.point(node)
    except N.NotEvaluable:
        return
    for n in names:
        restrict(domains, n, op, bound)
