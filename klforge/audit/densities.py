r"""Integrals of abstract densities, read as sums over the finite model of p and q.

A sum written without its index (``\sum(q - p) = 0``) is one over the densities' outcomes, read
the same way.

``D_{KL}(p\|q) = \int p(x)\ln\frac{p(x)}{q(x)}\,dx`` (or, without its differential,
``\int p\ln\frac{p}{q_\theta}``) speaks of any two distributions.  Such an integral is the
integral of a function of the densities' values against the measure they are densities of;
an identity between functionals of that form holds for every measure, so it is tested, like
``\sum_x p(x)\ln\frac{p(x)}{q(x)}``, on random distributions of a small finite support (the
counting measure).  Only an integral over the whole line whose variable occurs nowhere but as
the argument of densities ``p(x)``, ``q(x)``, ``q_\theta(x)`` (or, with no differential written,
whose densities are bare names) is rewritten; ``\int x\,p(x)\,dx``, bounds, or a variable inside
another function keep their integral.  A density of a family written with its parameter
(``q_\theta``) is any distribution when the parameter appears nowhere else in the relation, and
is renamed ``q`` (``p_\theta`` ``p``) if that name is not used already.

Example: ``\int p\ln\frac{p}{q_\theta}`` → ``Σ_x p(x)·ln(p(x)/q(x))`` and
``D_KL(pVertq_theta)`` → ``D_KL(pVertq)``, then judged at random p, q.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace

from . import nodes as N

_DENSITY = re.compile(r"^([pq])(?:_(\w+))?$")
_CALL = re.compile(r"^([pq](?:_\w+)?)\((\w+)\)$")


def _whole_line(n: N.Integral) -> bool:
    lo, hi = n.lo, n.hi
    return (isinstance(lo, N.Neg) and isinstance(lo.arg, N.Const) and lo.arg.name == "inf"
            and isinstance(hi, N.Const) and hi.name == "inf")


def _map(node, fn):
    """A copy of ``node`` with ``fn`` applied bottom-up to every node."""
    if isinstance(node, list):
        return [_map(x, fn) for x in node]
    if isinstance(node, tuple):
        return tuple(x if isinstance(x, (int, str)) else _map(x, fn) for x in node)
    if not is_dataclass(node):
        return node
    changes = {f.name: _map(getattr(node, f.name), fn) for f in fields(node)
               if isinstance(getattr(node, f.name), (list, tuple)) or is_dataclass(
                   getattr(node, f.name))}
    return fn(replace(node, **changes))


def _as_sum(n: N.Integral, specified=frozenset()):
    """The integral as Σ over its variable, or None when it is not one of densities only
    (or one of a density the text specifies: ``p = N(μ, σ²)``, ``p(x) = λe^{-λx}``)."""
    v = n.var
    left = []

    def index(m):
        if isinstance(m, N.Name):
            call = _CALL.match(m.name)
            head = call.group(1) if call else m.name
            if head in specified or head.split("_")[0] in specified:
                left.append(m.name)
                return m
            if call and call.group(2) == v and not n.implicit:
                return N.Index(call.group(1), v, m.pos)
            if n.implicit and _DENSITY.match(m.name):
                return N.Index(m.name, v, m.pos)
            if re.search(rf"\b{re.escape(v)}\b", m.name):
                left.append(m.name)
        if isinstance(m, N.Var) and m.name == v:
            left.append(v)
        return m

    body = _map(n.body, index)
    if left or not any(isinstance(m, N.Index) and m.var == v for m in N.walk(body)):
        return None
    return N.Sum(v, None, None, body, n.pos, kind="sum")


def rewrite(lhs, rhs, specified=frozenset()):
    """(lhs, rhs) with the integrals of densities as sums over the finite model, and a family's
    density renamed to the plain name (see the module docstring); unchanged otherwise, and for
    densities the text ``specified`` (their names: aliases and defined functions)."""
    done = [False]

    def fn(m):
        if isinstance(m, N.Sum) and m.implicit:  # \sum(q - p): as an integral with no dx
            m = N.Integral(m.var, None, None, m.body, m.pos, implicit=True, ranged=False)
            s = _as_sum(m, specified)
            if s is not None:
                done[0] = True
                return s
            return m
        if isinstance(m, N.Integral) and _whole_line(m):
            s = _as_sum(m, specified)
            if s is not None:
                done[0] = True
                return s
        return m

    bounds = _outcome_bounds(lhs, rhs)

    def fn2(m):
        if isinstance(m, N.Sum) and isinstance(m.hi, N.Name) and m.hi.name in bounds:
            done[0] = True  # Σ_{k=1}^K p_k ln q_k: over every outcome of p and q
            return N.Sum(m.var, None, None, m.body, m.pos, kind=m.kind)
        return fn(m)

    new_l, new_r = _map(lhs, fn2), _map(rhs, fn2)
    if not done[0]:
        return lhs, rhs
    new_l, new_r = _rename(new_l, new_r)
    if any(isinstance(m, N.Index) and m.vector not in ("p", "q")
           for side in (new_l, new_r) for m in N.walk(side)):
        return lhs, rhs  # ∇_θ∫p_θ: a family's density, not any distribution
    return new_l, new_r


def _outcome_bounds(lhs, rhs) -> set:
    """Upper bounds K of sums ``\\sum_{k=1}^K`` over the masses p_k, q_k of the distributions p,
    q, when K appears nowhere else in the relation (the number of outcomes, any)."""
    sums = [m for side in (lhs, rhs) for m in N.walk(side) if isinstance(m, N.Sum)
            and isinstance(m.hi, N.Name) and isinstance(m.lo, N.Num) and m.lo.value == 1]
    names = {m.hi.name for m in sums if any(
        isinstance(i, N.Index) and i.vector in ("p", "q") and i.var == m.var
        for i in N.walk(m.body))}
    uses = [m.name for side in (lhs, rhs) for m in N.walk(side) if isinstance(m, N.Name)]
    bound_uses = [m.hi.name for m in sums]
    return {k for k in names if uses.count(k) == bound_uses.count(k)}


UNREAD = ("an integral written without its differential (dx) that is not one of any two "
          "distributions' densities (a family's density under a derivative, another variable): "
          "not evaluated")


def unread(lhs, rhs) -> bool:
    """True when an integral written without its differential (or a sum without its index) is
    left after :func:`rewrite`."""
    return any(isinstance(m, (N.Integral, N.Sum)) and m.implicit for side in (lhs, rhs)
               for m in N.walk(side))


def _texts(node):
    for m in N.walk(node):
        if isinstance(m, (N.Name, N.Var, N.Const)):
            yield m.name
        elif isinstance(m, N.Index):
            yield m.vector


def _rename(lhs, rhs):
    texts = [t.replace("Vert", "||") for t in (*_texts(lhs), *_texts(rhs))]
    plain = {t for t in texts if t in ("p", "q")} | {
        m.group(1) for t in texts for m in re.finditer(r"(?<![A-Za-z])([pq])(?![_A-Za-z0-9])", t)}
    for t in sorted({m for x in texts for m in re.findall(r"(?<![A-Za-z])[pq]_[A-Za-z]\w*", x)}):
        base, param = t.split("_", 1)
        if base in plain or any(re.search(rf"(?<!{base}_){re.escape(param)}", x) for x in texts):
            continue  # q and q_θ both there, or θ used elsewhere (∇_θ): not any distribution
        pat = re.compile(rf"(?:(?<![A-Za-z])|(?<=Vert)){re.escape(t)}(?:(?![A-Za-z0-9])|(?=Vert))")

        def fn(m, pat=pat, base=base, old=t):
            if isinstance(m, N.Name):
                return replace(m, name=pat.sub(base, m.name))
            if isinstance(m, N.Index) and m.vector == old:
                return replace(m, vector=base)
            return m

        lhs, rhs = _map(lhs, fn), _map(rhs, fn)
        plain.add(base)
    return lhs, rhs
