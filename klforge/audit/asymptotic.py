"""Asymptotic claims with free symbols: ``O(δ^k)`` remainders and approximations ``≈``.

* ``A = B + O(δ^k)`` holds when (A − B)/δ^k stays bounded as δ → 0.  Judged along the
  sequence δ_j = δ₀·10^{-j}, j = 1 … ``STEPS`` (other symbols fixed at a random point of their
  domains, 60 digits): the ratio R_j = |A − B|/|δ_j^k| must not grow.  A dropped or wrong
  term of lower order makes R_j grow by 10^{k−m} per decade — an error that names δ and R.
* ``A ≈ B`` between formulas is an asymptotic claim (a Taylor expansion): it holds when the
  relative error |A − B|/max(|A|, |B|) tends to 0 as one symbol tends to a limit point
  (0 or 1, from each side its domain allows).  Where both sides vanish at a limit point but
  their ratio tends to c ≠ 1 (a dropped ½, a wrong sign), the claim is an error at that point.
  No limit point where the sides agree or vanish together: unchecked, with the points tried.

Domain: one small symbol (the one inside ``O(…)``; for ``≈``, each free symbol in turn).
Time: at most ``2·STEPS`` evaluations of each side per limit point tried.

Example: ``r - 1 - \\ln r \\approx \\tfrac12(r-1)^2`` → ok (relative error 3.3e-7 at
r = 1 + 1e-6); ``e^{\\delta^2} - 1 - \\delta^2 = \\delta^4 + O(\\delta^6)`` → error (R grows).
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath

from . import nodes as N
from . import symbols as S

mp = mpmath.mp
STEPS = 6            # decades of δ: 10^-1 … 10^-6 (times δ₀)
GROWTH = 20          # R growing by more than this over the last two decades: unbounded
AGREE = mp.mpf(10) ** -4   # relative error at the smallest step for "tends to 0"
_ORDER = re.compile(r"^O\((?P<arg>.+)\)$")


def split_order(node):
    """``(B, g)`` for ``B + O(g)`` (or ``O(g)`` alone: B is 0); None without a remainder.
    ``g`` is parsed from the name's text (``O(delta^3)`` → δ³)."""
    from .latex import Unsupported, parse_chain

    def order_of(n):
        m = _ORDER.match(n.name) if isinstance(n, N.Name) else None
        if not m:
            return None
        try:
            items = parse_chain(m.group("arg"))
        except Unsupported:
            return None
        return items[0] if len(items) == 1 and not isinstance(items[0], Unsupported) else None

    if isinstance(node, N.Name):
        g = order_of(node)
        return None if g is None else (N.Num(Fraction(0), "0", 0, node.pos), g)
    if not isinstance(node, N.Add):
        return None
    rest, found = [], None
    for sign, term in node.terms:
        g = order_of(term)
        if g is not None and found is None and sign > 0:
            found = g
        else:
            rest.append((sign, term))
    if found is None or not rest:
        return None
    body = rest[0][1] if len(rest) == 1 and rest[0][0] > 0 else N.Add(rest)
    return body, found


def _symbols(node) -> set:
    return {n.name for n in N.walk(node) if isinstance(n, (N.Name, N.Var))
            and S.SIMPLE.match(n.name)}


def order(ctx, lhs, rhs, g, rng):
    """Verdict on ``lhs = rhs + O(g)``: ("ok" | "error" | "unchecked", message, point)."""
    small = _symbols(g)
    if len(small) != 1:
        return "unchecked", "a remainder O(…) in more than one symbol is not checked", None
    (d,) = small
    names = ctx.free(lhs)[0] | ctx.free(rhs)[0] | {d}
    base = ctx.point(names, rng)
    ratios, where = [], None
    for j in range(1, STEPS + 1):
        pt = dict(base)
        pt[d] = mp.mpf(10) ** -j
        try:
            a, b, scale = ctx.value(lhs, pt), ctx.value(rhs, pt), abs(ctx.value(g, pt))
        except N.NotEvaluable as e:
            return "unchecked", f"the remainder could not be evaluated as {d} → 0: {e}", None
        if scale == 0:
            return "unchecked", f"O(…) vanishes at {d} = {mpmath.nstr(pt[d], 3)}", None
        ratios.append(abs(a - b) / scale)
        where = pt
    last, before = ratios[-1], ratios[-3]
    tiny = mp.mpf(10) ** -(N.DPS - 15)
    if last > tiny and last > GROWTH * max(before, tiny):
        return "error", (f"the remainder is not O({N.to_text(g)}): |left − right|/"
                         f"{N.to_text(g)} grows as {d} → 0 ({mpmath.nstr(before, 4)} at "
                         f"{d} = 1e-{STEPS - 2}, {mpmath.nstr(last, 4)} at {d} = 1e-{STEPS})"),\
            where
    others = {k: v for k, v in base.items() if k != d and not k.startswith("\0")}
    at = f" (at {S.describe(others)})" if others else ""
    return "ok", (f"(left − right)/{N.to_text(g)} stays bounded as {d} → 0: "
                  f"{mpmath.nstr(last, 4)} at {d} = 1e-{STEPS}{at}"), where


def _limits(name, domains, hints):
    """(limit point, direction) pairs the symbol may approach inside its domain."""
    kind = (hints or {}).get(name) or S.convention(name)
    lo, hi = domains.get(name, (None, None))
    out = []
    for x0 in (0, 1):
        for side in (1, -1):
            if kind in ("positive", "probability") and x0 == 0 and side < 0:
                continue
            if kind == "probability" and x0 == 1 and side > 0:
                continue
            if kind == "integer":
                continue
            if lo is not None and (x0 < lo or (x0 == lo and side < 0)):
                continue
            if hi is not None and (x0 > hi or (x0 == hi and side > 0)):
                continue
            out.append((x0, side))
    return out


def _offset(s, x0, v) -> str:
    """``r = 1 + 1e-7`` for messages (six digits would print 1.0)."""
    d = v - x0
    where = mpmath.nstr(abs(d), 3) if x0 else mpmath.nstr(d, 3)
    return f"{s} = {where}" if not x0 else f"{s} = {x0} {'+' if d > 0 else '−'} {where}"


def _limit(ctx, lhs, rhs, base, s, x0, side):
    """The common value both sides tend to as ``s`` → x0 (their value there, or far along
    the sequence where x0 itself is outside the formula's domain); 0 if they differ."""
    pt = dict(base)
    try:
        pt[s] = mp.mpf(x0)
        a, b = ctx.value(lhs, pt), ctx.value(rhs, pt)
    except N.NotEvaluable:
        pt[s] = mp.mpf(x0) + side * mp.mpf(10) ** -(N.DPS // 3)
        a, b = ctx.value(lhs, pt), ctx.value(rhs, pt)
    big = max(abs(a), abs(b))
    if big > 10 ** 6 or abs(a - b) > mp.mpf(10) ** -12 * max(1, big):
        return mp.mpf(0)  # no common finite limit: compare the sides themselves
    return (a + b) / 2


def approximation(ctx, lhs, rhs, names, rng):
    """Verdict on ``lhs ≈ rhs`` (free symbols ``names``): ("ok" | "error" | "unchecked",
    message, point)."""
    scalars = sorted(n for n in names if not n.startswith("\0"))
    if not scalars or len(scalars) != len(names):
        return ("unchecked", "an approximation between formulas over random distributions "
                "is not an asymptotic claim in one symbol", None)
    written = sorted((_symbols(lhs) | _symbols(rhs)) - set(ctx.aud.names) - {"e"})
    candidates = list(dict.fromkeys(written + scalars))  # r (defined as σ₁²/σ₂²) first
    base = ctx.point(set(names) | set(written), rng)
    tried, wrong = [], None
    for s in candidates:
        for x0, side in _limits(s, ctx.st.domains, ctx.hints):
            tried.append(f"{s} → {x0}{'+' if side > 0 else '−'}")
            try:
                limit = _limit(ctx, lhs, rhs, base, s, x0, side)
                vals = []
                for j in range(2, STEPS + 2):
                    pt = dict(base)
                    pt[s] = mp.mpf(x0) + side * mp.mpf(10) ** -j
                    vals.append((pt, ctx.value(lhs, pt) - limit, ctx.value(rhs, pt) - limit))
            except N.NotEvaluable:
                continue
            # relative error of the deviations from the common limit: 1/√(1−u) ≈ 1 + 2u has
            # sides that both tend to 1, but deviations u/2 and 2u
            rel = [abs(a - b) / max(abs(a), abs(b)) if max(abs(a), abs(b)) else mp.mpf(0)
                   for _, a, b in vals]
            pt, a, b = vals[-1]
            shown = f"{mpmath.nstr(a + limit, 8)} vs {mpmath.nstr(b + limit, 8)}"
            if rel[-1] < AGREE and rel[-1] <= rel[0] / 100 or rel[-1] == 0:
                others = {k: v for k, v in base.items() if k != s and not k.startswith("\0")}
                at = f", {S.describe(others)}" if others else ""
                return "ok", (f"an asymptotic approximation: the relative error tends to 0 as "
                              f"{s} → {x0} ({mpmath.nstr(rel[-1], 3)} at "
                              f"{_offset(s, x0, pt[s])}{at})"), pt
            vanish = all(abs(vals[0][k]) > abs(v) for k, v in ((1, a), (2, b)))
            if vanish and b != 0 and wrong is None:
                ratios = [x / y for _, x, y in vals[-3:] if y != 0]
                if len(ratios) == 3 and abs(ratios[-1] - ratios[-2]) < mp.mpf("0.01") * abs(
                        ratios[-1]) and abs(ratios[-1] - 1) > mp.mpf("0.05"):
                    tend = "vanish" if limit == 0 else f"tend to {mpmath.nstr(limit, 6)}"
                    wrong = ("error", (f"does not hold as {s} → {x0}: both sides {tend} but "
                                       f"their {'ratio' if limit == 0 else 'deviations’ ratio'}"
                                       f" tends to {mpmath.nstr(ratios[-1], 4)}, not 1 (at "
                                       f"{_offset(s, x0, pt[s])}: {shown})"), pt)
    if wrong is not None:
        return wrong
    return ("unchecked", "an approximation with no limit point where the two sides agree "
            f"(tried {', '.join(tried) or 'none'}): not an asymptotic claim that can be checked",
            None)
