r"""Second readings of a relation that failed at random points, before it is called wrong.

* :func:`as_moments`: ``E[(X-\mu)^2] = Var(X)`` with μ given no value is about the mean of
  the random variable — the universal convention; judged again with μ = E[X] (σ = √Var X),
  ok only if it then holds at every point.
* :func:`in_words`: a relation between information quantities in a sentence whose prose
  first names a case ("if X and Y are independent, then $H(X,Y) = H(X) + H(Y)$",
  :mod:`.proseconditions`) holds in that case, which random distributions do not follow:
  unchecked, as a condition.

Called by :mod:`.randomized` (its point sampler and tolerance, imported when called).
Example: ``The variance is $E[(X-\mu)^2] = Var(X)$.`` → ok "… with μ its mean".
"""

from __future__ import annotations

import re

from . import expect
from . import nodes as N
from . import symbols as S
from .calculus import OUTCOMES
from .conditions import in_case
from .freesymbols import RV, VECTOR
from .judging import _add, _rng
from .proseconditions import condition_in_words

#: μ, σ (μ_X, σ_Z) left free beside a random variable's E[…], Var(…): its mean and deviation
_MOMENT = re.compile(r"^(mu|sigma)(?:_\w+)?$")


def _pmf_vector(lhs, rhs, names) -> str | None:
    r"""The one free vector a sum over outcomes weights by (``\sum_x x f(x)``): the pmf."""
    free = {n[len(VECTOR):] for n in names if n.startswith(VECTOR)}
    summed = {i.vector for side in (lhs, rhs) for s in N.walk(side) if isinstance(s, N.Sum)
              and s.lo is None for i in N.walk(s.body)
              if isinstance(i, N.Index) and i.var == s.var and i.vector in free}
    return summed.pop() if len(free) == 1 and len(summed) == 1 else None


def _holds_everywhere(ctx, lhs, rhs, points) -> int:
    """How many of ``points`` the relation lhs = rhs holds at, stopping once enough have
    (``randomized``'s count); 0 if it fails at one, or holds at fewer than MIN_VALID."""
    from .randomized import MIN_VALID, POINTS, _close, _sampled, _wanted
    held = 0
    for _pt, a, b in _sampled(ctx, lhs, rhs, points, []):
        if not _close(a, b, ctx):
            return 0
        held += 1
        if held >= _wanted(ctx, POINTS):
            break
    return held if held >= MIN_VALID else 0


def as_moments(aud, ctx, lhs, rhs, names, at, relation, stated) -> bool:
    r"""``E[(X-\mu)^2] = Var(X)``, ``Var(X) = E(X^2) - \mu^2`` with μ not given a value: the
    text's μ is the mean of the random variable (σ its standard deviation), the universal
    convention; ``E(cX) = \sum_x c x f(x)`` with f given no values: f is the pmf of X (the
    sum runs over X's outcomes).  Judged again with μ = E[X] (σ = √Var X), f the pmf of X at
    the same kind of random points (Σ_x binding x to X's sampled outcomes, f(x_k) = w_k); ok
    only if the relation then holds at every point (an error otherwise, as before)."""
    free = sorted(n for n in names if _MOMENT.match(n))
    pmf = _pmf_vector(lhs, rhs, names) if RV in names else None
    if RV not in names or not (free or pmf):
        return False
    from .randomized import POINTS, _points
    rng = _rng(relation + "moments")

    def bound():
        for sampled in _points(ctx, names, POINTS, rng):
            pt = dict(sampled)  # a new point: the sampled one is left as it was
            values, weights = pt[expect.MODEL]["rv"]
            if pmf is not None:  # f(x_k) = w_k, the sum's index x running over X's outcomes
                pt[expect.MODEL] = {**pt[expect.MODEL], pmf: list(weights),
                                    OUTCOMES + pmf: list(values)}
            mean = sum(w * x for x, w in zip(values, weights, strict=True))
            var = sum(w * (x - mean) ** 2 for x, w in zip(values, weights, strict=True))
            for n in free:
                pt[n] = mean if n.startswith("mu") else var ** 0.5
            yield pt
    held = _holds_everywhere(ctx, lhs, rhs, bound())
    if not held:
        return False
    roles = [("μ" + n[2:] + " its mean" if n.startswith("mu") else
              "σ" + n[5:] + " its standard deviation") for n in free]
    roles += [f"{pmf} its pmf"] if pmf else []
    _add(aud, at, "ok", relation, stated,
         f"holds at {held} random points of a random variable on {S.SUPPORT} values, with "
         f"{' and '.join(roles)} (the usual convention: the text gives no other value)", "step")
    return True


def in_words(aud, names, at, relation, stated, lhs, rhs, check) -> bool:
    """A relation between information quantities that fails at random distributions, in a
    sentence whose prose opens a case first ("if X and Y are independent, then …",
    :mod:`.proseconditions`): the case is not one the points follow, so it is unchecked.
    Not when a condition written as math set the relation's own symbols (``if σ_1 = σ_2 =
    s``, :func:`.conditions.in_case`): the points follow that case, and a slip in it is an
    error."""
    from .unjudged import quantity
    if in_case(aud) and any(not n.startswith("\0") for n in names):
        return False
    if not any(isinstance(n, N.Name) and "(" in n.name and quantity(aud, n.name)
               for side in (lhs, rhs) for n in N.walk(side)):
        return False
    word = condition_in_words(aud)
    if word is None:
        return False
    _add(aud, at, "unchecked", relation, stated,
         f"stated for a case its sentence names in words (after '{word}'), which random "
         "distributions do not follow: not judged", check, kind="condition")
    return True


def _regrouped(node):
    """``a/2(b)`` as ``a/(2·b)``: in a product marked by the parser, a factor written beside
    the number after a slash joins the denominator."""
    def rec(n):
        n = N.map_children(n, rec)
        if not (isinstance(n, N.Mul) and getattr(n, "slash_beside", False)):
            return n
        out, i = [], 0
        while i < len(n.factors):
            op, f = n.factors[i]
            if op == "/" and isinstance(f, N.Num) and i + 1 < len(n.factors) and (
                    n.factors[i + 1][0] == "*"):
                out.append(("/", N.Mul([("*", f), ("*", n.factors[i + 1][1])])))
                i += 2
                continue
            out.append((op, f))
            i += 1
        return N.Mul(out)
    return rec(node)


def slash_reading(aud, ctx, lhs, rhs, names, at, relation, stated) -> bool:
    """``e^{-(r-s)^2/2(.25)}``: written inline, a factor beside the number after a slash is
    often meant in the denominator (the next line has ``/(.5)``).  A relation that fails as
    parsed but holds at every point read so is ambiguous as written: unchecked."""
    if not any(getattr(n, "slash_beside", False) for side in (lhs, rhs) for n in N.walk(side)):
        return False
    from .randomized import POINTS, _points
    alt_l, alt_r = _regrouped(lhs), _regrouped(rhs)
    held = _holds_everywhere(ctx, alt_l, alt_r,
                             _points(ctx, names, POINTS, _rng(relation + "slash")))
    if not held:
        return False
    _add(aud, at, "unchecked", relation, stated,
         "ambiguous as written: it does not hold with a/2(b) read (a/2)·b, and holds at "
         f"{held} random points read a/(2·b) (the factor beside the number in the "
         "denominator); write the denominator in parentheses", "step")
    return True


def new_constant(aud, lhs, rhs, free_l, free_r, at, relation, stated) -> bool:
    r"""``p(x) = e^{-(1+\lambda_0)} e^{-\lambda_1 x} = A e^{-\lambda_1 x}``: a one-letter symbol
    that first appears in the text here, on the right, as a factor or a term of the right
    side, names the part of the left side it replaces — the step defines it (unchecked, a
    definition), whatever it stands for.  A letter written anywhere before (mentioned,
    defined, given a value) is not new: the step stays a claim."""
    new = {n for n in free_r - free_l if re.fullmatch(r"[A-Za-z]", n)}
    if len(new) != 1 or free_r - free_l - new:
        return False
    s = new.pop()
    kind = N.Mul if isinstance(rhs, N.Mul) else N.Add if isinstance(rhs, N.Add) else None
    if kind is None or not isinstance(lhs, kind):
        return False
    right = list(_flat(rhs.factors if kind is N.Mul else rhs.terms))
    left = {N.to_text(n) for n in _flat(lhs.factors if kind is N.Mul else lhs.terms)}
    named = [n for n in right if isinstance(n, N.Name) and n.name == s]
    rest = [n for n in right if not (isinstance(n, N.Name) and n.name == s)]
    # C·e^{−λx} for e^{−(1+λ₀)}·e^{−λx}: s once, the other parts as they stand on the left
    if len(named) != 1 or not rest or any(N.to_text(n) not in left for n in rest):
        return False
    before = getattr(aud, "source", "")[:max(at, 0)]
    if not before or any(re.search(rf"(?<![A-Za-z0-9]){s}(?![A-Za-z0-9])", m.group(0))
                         for m in _MATH.finditer(before)):
        return False
    _add(aud, at, "unchecked", relation, stated,
         f"{s} first appears here, on the right: it names the part of the left side it "
         "replaces (a new constant), so the step defines it", "step", kind="definition")
    return True


#: the math of a text, as its formats delimit it ($…$, $$…$$, \(…\), \[…\], :math:`…`,
#: LaTeX environments): where a symbol written before would have been written
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]|:math:`[^`]*`"
                   r"|\\begin\{(\w+\*?)\}.*?\\end\{\1\}|^\.\. math::.*?(?=^\S)", re.S | re.M)


def _flat(parts):
    """The nodes of a Mul's factors or an Add's terms ((op, node) pairs or nodes)."""
    for p in parts:
        node = p[1] if isinstance(p, tuple) else p
        yield node.arg if isinstance(node, N.Neg) else node


def record_equal(aud, lhs, op, rhs, at) -> None:
    r"""``E(X) = \mu = p``: two bare symbols the text says are equal (a statement, recorded as
    one) — kept with the section it was made in, for :func:`as_stated_equal`."""
    if op == "=" and all(isinstance(n, (N.Name, N.Var)) and S.SIMPLE.match(n.name)
                         for n in (lhs, rhs)):
        equal = aud.__dict__.setdefault("stated_equal", {})
        equal[lhs.name] = (rhs, getattr(aud, "section_no", 0), aud.line_of(at))


def as_stated_equal(aud, ctx, lhs, rhs, names, at, relation, stated) -> bool:
    r"""``E(X^2) - \mu^2 = p - p^2`` after the text said ``\mu = p`` in the same section: a
    relation that fails with μ free but holds at every point with μ replaced by what the text
    equated it to is that case's claim — ok, naming the statement used."""
    from .textdensities import _substitute
    equal = {k: v for k, v in getattr(aud, "stated_equal", {}).items()
             if k in names and v[1] == getattr(aud, "section_no", 0)}
    if not equal:
        return False
    alt_l, alt_r = lhs, rhs
    for k, (node, _, _) in equal.items():
        alt_l, alt_r = _substitute(alt_l, k, node), _substitute(alt_r, k, node)
    from .randomized import POINTS, _points
    rest = names - set(equal) | {v[0].name for v in equal.values()}
    held = _holds_everywhere(ctx, alt_l, alt_r, _points(ctx, rest, POINTS,
                                                        _rng(relation + "equal")))
    if not held:
        return False
    said = ", ".join(f"{k} = {v[0].name} (line {v[2]})" for k, v in sorted(equal.items()))
    _add(aud, at, "ok", relation, stated,
         f"holds at {held} random points with {said}, as the text states", "step")
    return True
