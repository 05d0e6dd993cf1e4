r"""Double sums over a joint distribution: ``\sum_{x,y} p(x,y)\ln\frac{p(x,y)}{p(x)p(y)}``.

A sum over two index variables (``\sum_{x,y}``, or ``\sum_x\sum_y``) whose body uses the joint
``p(x,y)`` speaks of any joint distribution of X and Y, with its marginals ``p(x)``, ``p(y)``
and conditionals ``p(x|y)``, ``p(y|x)`` (p(x|y) = p(x,y)/p(y)).  Such a sum is evaluated in
the random joint model of :func:`.symbols.joint_model` (3 × 3 outcomes, every mass ≥ 0.01;
marker :data:`.freesymbols.JOINT`), the model ``H(X,Y)``, ``I(X;Y)`` are evaluated in — so
``I(X;Y) = \sum_{x,y} p(x,y)\ln\frac{p(x,y)}{p(x)p(y)}`` is judged at random joints, and a
slip (``p(x)`` for ``p(y)``, a sign) is found.

Other names in the body (``q(x,y)``, a density the text does not give) leave the sum to the
other readers.  Example: ``\sum_{x,y} p(x,y) = 1`` holds at every joint model.
"""

from __future__ import annotations

import re

import mpmath

from . import nodes as N

mp = mpmath.mp
#: the joint, its marginals and conditionals, as the parser writes them; {a}, {b}: the outer
#: and inner index variables
_FORMS = {"p({a},{b})": "j", "p({b},{a})": "jt", "p({a}|{b})": "a|b", "p({b}|{a})": "b|a"}


def _pair(node):
    """(outer var, inner var, body) of Σ_a Σ_b body, or None."""
    if not (isinstance(node, N.Sum) and node.kind == "sum" and node.lo is None
            and node.hi is None and isinstance(node.body, N.Sum) and node.body.kind == "sum"
            and node.body.lo is None and node.body.hi is None and node.var != node.body.var):
        return None
    return node.var, node.body.var, node.body.body


def _role(n, a: str, b: str):
    """What a node of the body is: "j" (the joint), "a", "b" (a marginal), "a|b", "b|a", or
    None for other nodes; "?" for a probability the model cannot give (q(x,y), p(z))."""
    if isinstance(n, N.Index) and n.vector == "p" and n.var in (a, b):
        return "a" if n.var == a else "b"
    if isinstance(n, N.Name) and re.fullmatch(r"[pq]\([^()]*\)", n.name.replace(" ", "")):
        name = n.name.replace(" ", "")
        for form, role in _FORMS.items():
            if name == form.format(a=a, b=b):
                return "j" if role in ("j", "jt") else role
        return "?" if {a, b} & set(re.findall(r"[A-Za-z]\w*", name[1:])) else None
    return None


def is_joint_sum(node) -> bool:
    """Σ_a Σ_b of a body that uses the joint p(a,b) and only what the joint model gives."""
    pair = _pair(node)
    if pair is None:
        return False
    a, b, body = pair
    roles = [_role(n, a, b) for n in N.walk(body)]
    return "j" in roles and "?" not in roles


def value(ctx, node, point, depth):
    """Σ_a Σ_b body in the point's joint model (rows: the outer variable)."""
    a, b, body = _pair(node)
    joint = point.get("\0model", {}).get("xy")
    if joint is None:
        raise N.NotEvaluable("no joint distribution drawn for the double sum")
    rows = [mp.fsum(r) for r in joint]
    cols = [mp.fsum(c) for c in zip(*joint, strict=True)]

    def mark(n):
        role = _role(n, a, b)
        if role is not None:
            return N.Name("\0J" + role)
        return N.map_children(n, mark)

    marked = mark(body)
    total = mp.mpf(0)
    for i, row in enumerate(joint):
        for k, cell in enumerate(row):
            at = {"\0Jj": cell, "\0Ja": rows[i], "\0Jb": cols[k], "\0Ja|b": cell / cols[k],
                  "\0Jb|a": cell / rows[i], a: mp.mpf(i), b: mp.mpf(k)}
            total += ctx.value(marked, {**point, **at}, depth + 1)
    return total
