r"""Substitution steps: a formula with symbols, then the same formula with numbers.

Worked solutions write a formula and then substitute::

    SE = \sqrt{\frac{p(1-p)}{n}} = \sqrt{\frac{0.67 \times 0.33}{850}}
    5 \times V(S) + 4 \times V(C) = 5 \times 1.5^2 + 4 \times 2^2

The first side has free symbols, so the step is no numeric identity; but it can be checked
as a substitution.  :func:`judge` lines the two sides up node by node (sums with the same
signs, products with the same operators, powers, functions, negations): a free symbol
opposite a numeric sub-expression is *bound* to it (p = 0.67, n = 850) — even a symbol the
text gave a value before (``{n \choose k} = {5 \choose 3}`` rebinds n and k); every other pair —
a constant (the 5 and 4 copied over), a sub-expression of bound symbols (1 − p opposite
0.33), a symbol met twice — is *checked*, in intervals (a printed number stands for what
rounds to it; the formula's own constants are exact).  The verdict is *ok* when at least one
pair was checked and all agree; an *error* naming the first pair that disagrees
("with p = 0.67, 1 − p = 0.33, written 0.43"); no verdict when the sides do not line up or
nothing could be checked (``z = 0.15`` only binds).

Example: ``\sqrt{\frac{p(1-p)}{n}} = \sqrt{\frac{0.67 \times 0.33}{850}}`` is ok (1 − 0.67 =
0.33).  Bounds: trees of at most :data:`MAX_NODES` nodes are aligned (one walk), each pair
evaluated once.
"""

from __future__ import annotations

import mpmath

from . import evaluate as E
from . import nodes as N
from .state import _exact_iv, _meets, _rounded_iv

MAX_NODES = 200
iv = mpmath.iv


def _free(aud, node) -> list[str]:
    """Names of ``node`` with no value in the document (Euler's e and π are constants)."""
    out = []
    for n in N.walk(node):
        if isinstance(n, (N.Name, N.Var)) and n.name not in aud.names and n.name != "e":
            out.append(n.name)
    return out


def _align(a, b, pairs) -> bool:
    """Pairs (left, right) of aligned sub-trees; False when the shapes differ."""
    if len(pairs) > MAX_NODES:
        return False
    if isinstance(a, (N.Name, N.Var, N.Num, N.Const)) or not isinstance(b, type(a)):
        pairs.append((a, b))
        return True
    if isinstance(a, N.Add):
        if [s for s, _ in a.terms] != [s for s, _ in b.terms]:
            pairs.append((a, b))
            return True
        return all(_align(x, y, pairs) for (_, x), (_, y) in zip(a.terms, b.terms, strict=True))
    if isinstance(a, N.Mul):
        if [o for o, _ in a.factors] != [o for o, _ in b.factors]:
            pairs.append((a, b))
            return True
        return all(_align(x, y, pairs) for (_, x), (_, y) in zip(a.factors, b.factors,
                                                                   strict=True))
    if isinstance(a, N.Pow):
        return _align(a.base, b.base, pairs) and _align(a.exp, b.exp, pairs)
    if isinstance(a, N.Func) and a.name == b.name and a.base == b.base:
        return _align(a.arg, b.arg, pairs)
    if isinstance(a, (N.Neg, N.Percent)):
        return _align(a.arg, b.arg, pairs)
    pairs.append((a, b))
    return True


def _value(aud, node, names, exact_literals: bool):
    literal = _exact_iv if exact_literals else _rounded_iv
    env = E.Env(iv, literal, names, log_base=None if aud.log_base in ("unknown", None)
                else iv.mpf(aud.log_base))
    return E.evaluate(node, env)


def judge(aud, prev, node, at: int, relation: str, stated: str) -> None:
    """A verdict on ``prev = node`` as a substitution, or nothing."""
    if prev is None or _free(aud, node) or not _free(aud, prev):
        return
    if isinstance(prev, (N.Name, N.Var)) or sum(1 for _ in N.walk(prev)) > MAX_NODES:
        return
    pairs: list = []
    if not _align(prev, node, pairs):
        return
    from .check import NameValues
    known = NameValues(aud, iv, False)
    bound: dict = {}
    texts: dict = {}
    checks, later = 0, []
    try:
        for a, b in pairs:
            if _free(aud, b):
                return
            if isinstance(a, (N.Name, N.Var)) and a.name != "e":
                value = _value(aud, b, known, False)  # the step gives the symbol its value,
                if a.name in bound:                   # even one the text used before (n, k)
                    later.append((a, b))
                else:
                    bound[a.name] = value
                    texts[a.name] = N.to_text(b)
                continue
            later.append((a, b))
        for a, b in later:
            if any(name not in bound for name in _symbols(a)):
                return   # a symbol that is never given a number: not a substitution
            left = _value(aud, a, bound, True)
            right = _value(aud, b, known, False)
            checks += 1
            if not _meets(left, right):
                got = mpmath.nstr(mpmath.mpf(left.mid), 6)
                aud.add(at, "error", relation, stated, got,
                        f"not the substitution it looks like: with {_shown(texts)}, "
                        f"{N.to_text(a)} = {got}, written {N.to_text(b)}", "step")
                return
    except N.NotEvaluable:
        return
    if checks:
        shown = _shown(texts)
        aud.add(at, "ok", relation, stated, None,
                f"a consistent substitution ({shown})" if shown else "a consistent substitution",
                "step")


def _shown(texts) -> str:
    return ", ".join(f"{k} = {v}" for k, v in texts.items())


def _symbols(node) -> list[str]:
    return [n.name for n in N.walk(node) if isinstance(n, (N.Name, N.Var)) and n.name != "e"]
