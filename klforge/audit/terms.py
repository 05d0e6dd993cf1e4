"""Which term broke: aligning two steps of a chain term by term.

When ``0.92\\ln\\frac{0.92}{0.70} + 0.08\\ln\\frac{0.08}{0.30} = 0.92(0.274) + 0.08(-1.3218)``
does not follow, the steps have the same shape (two terms, each a product of two factors),
so the report can name the pair that disagrees: ``ln(0.92/0.70) = 0.27329…, written 0.274``.
Terms written in another order are matched by a small permutation search (n ≤ 8).
"""

from __future__ import annotations

from . import nodes as N
from .state import _meets, fmt
from .tokens import Unsupported


def _broken_terms(aud, a, b, known) -> list:
    """Aligned sub-term pairs that disagree although the whole steps agree (e.g. a term
    with a small weight mis-rounded), searched recursively; [] when the steps do not line
    up or when the terms only appear in another order."""
    if not _same_shape(a, b):
        return []
    pairs = _pairs(a, b)
    try:
        meets = [[_meets(aud.interval(x, known), aud.interval(y, known)) for _, y in pairs]
                 for x, _ in pairs]
    except N.NotEvaluable:
        return []
    commutes = isinstance(a, N.Add) or (isinstance(a, N.Mul) and
                                        all(o == "*" for o, _ in a.factors))
    if not any(meets[i][i] for i in range(len(pairs))):
        return []  # no term lines up: a rearrangement (11/4 − ¾ log 3), not a substitution
    if not all(meets[i][i] for i in range(len(pairs))) and commutes and _has_matching(meets):
        return []  # same terms, reordered
    bad = []
    for i, (x, y) in enumerate(pairs):
        if not meets[i][i]:
            bad.extend(_misaligned(aud, x, y, known) if _same_shape(x, y) else [(x, y)])
        else:
            bad.extend(_broken_terms(aud, x, y, known))
    return bad


def _has_matching(meets) -> bool:
    """Is there a permutation pairing every term with an agreeing one? (n ≤ 8 by search)"""
    n = len(meets)
    if n > 8:
        return False

    def go(i, used):
        return i == n or any(meets[i][j] and not used >> j & 1 and go(i + 1, used | 1 << j)
                             for j in range(n))
    return go(0, 0)


def _same_shape(a, b) -> bool:
    if isinstance(a, N.Neg) and isinstance(b, N.Neg):
        return True
    if isinstance(a, N.Add) and isinstance(b, N.Add):
        return len(a.terms) == len(b.terms)
    if isinstance(a, N.Mul) and isinstance(b, N.Mul):
        return [o for o, _ in a.factors] == [o for o, _ in b.factors]
    return False


def _pairs(a, b):
    if isinstance(a, N.Neg):
        return [(a.arg, b.arg)]
    if isinstance(a, N.Add):
        return [(x if s > 0 else N.Neg(x), y if t > 0 else N.Neg(y))
                for (s, x), (t, y) in zip(a.terms, b.terms, strict=False)]
    return [(x, y) for (_, x), (_, y) in zip(a.factors, b.factors, strict=False)]


def _blame(aud, a, b, known, pairs=None) -> str:
    """Name the sub-terms where two aligned steps disagree (both Add or both Mul with the
    same shape); '' when the steps do not line up."""
    pairs = pairs or _misaligned(aud, a, b, known)
    if not pairs:
        return ""
    parts = []
    for x, y in pairs[:3]:
        try:
            vx = aud.point(x)
        except N.NotEvaluable:
            return ""
        like = y.arg if isinstance(y, N.Neg) else y
        parts.append(f"{N.to_text(x)} = {fmt(vx, like if isinstance(like, N.Num) else None)}, "
                     f"written {N.to_text(y)}")
    return "; ".join(parts)


def _misaligned(aud, a, b, known):
    if a is None or isinstance(a, (Unsupported, N.Name)):
        return []
    if not _same_shape(a, b):
        return [(a, b)]
    bad = []
    for x, y in _pairs(a, b):
        try:
            ok = _meets(aud.interval(x, known), aud.interval(y, known))
        except N.NotEvaluable:
            return [(a, b)]
        if not ok:
            bad.extend(_misaligned(aud, x, y, known) or [(x, y)])
    return bad or [(a, b)]


def term_findings(aud, prev, node, known, at) -> None:
    """A step that substitutes term by term — ``(7/10)·0.99 + (3/10)·0.92 = 0.693 + 0.276`` —
    has checked each term's own relation (7/10 · 0.99 = 0.693): one *ok* per term, when both
    sides are sums of the same signs, every right-hand term a number and every left-hand term
    a computation (a product, quotient, power or function of numbers) that agrees with it."""
    if not (isinstance(prev, N.Add) and isinstance(node, N.Add)) or len(prev.terms) < 2 \
            or [s for s, _ in prev.terms] != [s for s, _ in node.terms]:
        return
    pairs = [(x, y) for (_, x), (_, y) in zip(prev.terms, node.terms, strict=True)]
    if not all(isinstance(y, N.Num) and isinstance(x, (N.Mul, N.Pow, N.Func)) for x, y in pairs):
        return
    try:
        if not all(_meets(aud.interval(x, known), aud.interval(y, known)) for x, y in pairs):
            return
        values = [aud.point(x) for x, _ in pairs]
    except N.NotEvaluable:
        return
    for (x, y), v in zip(pairs, values, strict=True):
        aud.add(at, "ok", f"{N.to_text(x)} = {N.to_text(y)}", N.to_text(y), fmt(v, y),
                "a term of the step, checked on its own", "term")
