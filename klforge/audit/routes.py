"""Relations the identity judge (:mod:`.identity`) hands to the constructs of issue 14:
vectors and matrices, derivatives, limits and optima (:mod:`.linalg`), exponential families
(:mod:`.expfam`), O(δ^k) remainders (:mod:`.asymptotic`), the entropy of a distribution
written out (``H(0.9, 0.1)``), χ² as a divergence, and new names given a formula the audit
cannot read (definitions) or two distributions said equal (a condition).

Example: ``m = \\nabla A(\\eta)`` at the head of a chain → a definition of m, with the reason
its formula is not read (when A is abstract).
"""

from __future__ import annotations

import re

import mpmath

from . import asymptotic, expect, expfam, linalg, prosematrix
from . import nodes as N
from . import symbols as S
from .judging import (
    INEQUALITIES,
    TOL,
    _add,
    _continue,
    _names,
    _num,
    _numeric,
    _rng,
    _specific_numbers,
    state,
)

mp = mpmath.mp


def unreadable_definition(aud, prev, op, reason):
    """``m = \\nabla A(\\eta)``, ``z = \\mu + \\sigma\\odot\\epsilon`` at the head of a chain: a new
    name (no value, no earlier definition) given a formula the audit cannot read is a
    definition, not a claim; the message says so and why the formula is not read.  Only once
    per name: a second such line about it is a claim.  None otherwise."""
    c = aud.chain
    if (op != "=" or c is None or not c.defines or not isinstance(prev, N.Name)
            or c.prev is not prev or not S.SIMPLE.match(prev.name) or prev.name in aud.names
            or prev.name == "e" or S.convention(prev.name) == "probability"):
        return None  # p = q (almost everywhere): distributions compared (see condition_text)
    st = state(aud)
    if prev.name in st.defs or prev.name in st.unread or prev.name in st.domains:
        return None
    if expect.Context(aud, st).is_quantity(prev.name):
        return None
    st.unread.add(prev.name)
    return f"defines {prev.name} (a new name on the left); its formula is not read: {reason}"


def unreadable_condition(aud, prev, op, node) -> str | None:
    """``p = q \\text{ (almost everywhere)}``: two distributions said equal in a clause whose
    qualifier is prose — the case of equality the text states, a condition.  None otherwise."""
    text = getattr(node, "text", "") or ""
    if (op == "=" and isinstance(prev, N.Name) and prev.name in ("p", "q")
            and re.match(r"^\s*[pq]\b", text) and prev.name not in aud.names):
        return "two distributions said equal (the case of equality), a condition, not a claim"
    return None


def _matrices(aud, ctx, st, lhs, op, rhs, at, relation, stated):
    """A relation with vectors or matrices (:mod:`.linalg`).  Not identities in random
    matrices: abstract functions (``A(\\eta)``, ``T(x)``); one side with matrices and the other
    a constant or scalar symbols (``\\ln\\det\\Sigma_p = \\ln(1 - \\rho^2)``: a matrix the prose
    describes); a bound ``\\frac12 d^\\top F d \\le \\epsilon`` on a scalar (a condition)."""
    check = "inequality" if op in INEQUALITIES else "step"
    if op == "≈":
        _add(aud, at, "unchecked", relation, stated, "an approximation with vectors and "
             "matrices: its small parameter is not evaluated", check)
        return
    family = expfam.mentions(relation)  # A(η), T(x), p_η: evaluated on members
    if family and not expfam.general(st, lhs, rhs) and not any(k in st.defs for k in "ATh"):
        _add(aud, at, "unchecked", relation, stated, "a general exponential-family quantity "
             "equated to a particular formula: it holds for one family, which the text names "
             "in prose", check)
        return
    abstract = [] if family else linalg.abstract_calls(st, lhs) + linalg.abstract_calls(st, rhs)
    if abstract:
        grad = any(isinstance(n, N.Func) and n.name in ("grad", "hess")
                   for side in (lhs, rhs) for n in N.walk(side))
        _add(aud, at, "unchecked", relation, stated,
             f"{', '.join(dict.fromkeys(abstract))}: functions the text leaves abstract"
             + (" (a gradient needs the formula it differentiates)" if grad else "")
             + (", so the vectors and matrices cannot be evaluated" if linalg.matrix_syntax(
                 lhs, rhs) else ", so the relation cannot be evaluated"), check)
        return
    undefined = [] if family or linalg.matrix_syntax(lhs, rhs) else _undefined(aud, st, lhs, rhs)
    if undefined:  # (dp/dη)² F_p = …: F_p is a value the prose gives, not any number
        _add(aud, at, "unchecked", relation, stated, f"{_names(undefined)}: not defined in the "
             "text, so the relation cannot be evaluated with its derivatives or limits", check)
        return
    parts = [set(), set()] if family or not linalg.matrix_syntax(lhs, rhs) else [
        linalg.random_parts(st, side) for side in (lhs, rhs)]
    for mine, other, side in ((parts[0], parts[1], rhs), (parts[1], parts[0], lhs)):
        if not mine or other:
            continue
        scalars = {n.name for n in N.walk(side) if isinstance(n, N.Name)} - {"n", "pi", "e"}
        if scalars and isinstance(side, N.Name):
            _add(aud, at, "unchecked", relation, stated,
                 f"a condition on {side.name} in terms of {_names(mine)}, not an identity",
                 check, kind="condition")
            return
        if scalars or _specific_numbers(side) or not (_is_zero(side) or any(
                isinstance(n, N.Name) and n.name == "n" for n in N.walk(side))):
            described = prosematrix.judge(ctx, st, lhs, op, rhs, relation,
                                          getattr(aud, "stats_text", ""))  # Σ_p in the prose
            if described is not None:
                _add(aud, at, described[0], relation, stated, described[1], check)
                return
            _add(aud, at, "unchecked", relation, stated,
                 f"relates {_names(mine)} to {_names(scalars) if scalars else 'a constant'}: "
                 "vectors or matrices described in the prose, not an identity in random "
                 "matrices", check)
            return
    severity, msg, kind = linalg.check(ctx, st, lhs, op, rhs, relation)
    _add(aud, at, severity, relation, stated, msg, check, kind=kind)


def _undefined(aud, st, *sides) -> list:
    """Symbols of a derivative relation that are neither values, definitions, the variables
    differentiated, nor inputs of the definitions it uses."""
    defs = {**st.formulas, **st.defs}
    names = {n.name for side in sides for n in N.walk(side)
             if isinstance(n, N.Name) and S.SIMPLE.match(n.name)}
    allowed = set()
    for side in sides:
        for n in N.walk(side):
            if isinstance(n, N.Func) and n.name in ("grad", "hess", "lim", "argmin", "argmax"):
                allowed |= {x.name for x in N.walk(n) if isinstance(x, (N.Name, N.Var))}
    for k in list(names | allowed):
        if k in defs:
            allowed |= {x.name for x in N.walk(defs[k]) if isinstance(x, N.Name)}
    if not (names | allowed) & set(aud.names):
        return []  # no value from the text in play: every symbol is a free one, sampled
    return sorted(names - allowed - set(defs) - set(aud.names) - {"e", "n"})


def _is_zero(node) -> bool:
    return isinstance(node, N.Num) and node.value == 0


def _order(aud, ctx, lhs, split, at, relation, stated) -> bool:
    """``lhs = B + O(g)``: judged by :func:`.asymptotic.order`; False when a side has a name
    that is not a symbol (the numeric checks say why)."""
    body, g = split
    small = {n.name for n in N.walk(g) if isinstance(n, N.Name)}
    st = ctx.st
    hidden = {n: aud.names.pop(n) for n in small if n in aud.names}  # δ = 10^{-8} earlier:
    follow = {k: f for k, f in st.formulas.items() if k in aud.names and small & {  # and s =
        n.name for n in N.walk(f) if isinstance(n, N.Name)}}                     # 1 + δ
    hidden.update({k: aud.names.pop(k) for k in follow})
    saved = {k: st.defs.get(k) for k in follow}
    st.defs.update(follow)
    try:                                                          # the claim is about δ → 0
        for side in (lhs, body, g):
            if ctx.analyse(side)[2]:
                return False
        free = ctx.free(lhs)[0] | ctx.free(body)[0]
        if not free:
            return False
        if any(n.startswith("\0") for n in free):
            verdict, msg = "unchecked", (f"a remainder O({N.to_text(g)}) of a quantity under an "
                                         "expectation or a sum is not checked")
        else:
            verdict, msg, _ = asymptotic.order(ctx, lhs, body, g, _rng(relation))
    finally:
        aud.names.update(hidden)
        for k, v in saved.items():
            if v is None:
                st.defs.pop(k, None)
            else:
                st.defs[k] = v
    _add(aud, at, verdict, relation, stated, msg, "step")
    return True


def _function_of_tuple(aud, prev, op, node, at, relation, stated) -> bool:
    """``H(0.9, 0.1)``, read as H·(0.9, 0.1): the entropy of that distribution, in the unit of
    the logarithms on the right (log₂: bits), judged like an engine value at the printed
    precision.  ``H^2(p, q) = …`` at a chain's head (a function of the names p, q written
    for the first time): a definition.  False for anything else."""
    if not (isinstance(prev, N.Mul) and len(prev.factors) == 2
            and all(o == "*" for o, _ in prev.factors)):
        return False
    (_, f), (_, args) = prev.factors
    if not isinstance(args, N.Tuple):
        return False
    head = f.base if isinstance(f, N.Pow) else f
    if not isinstance(head, N.Name) or head.name in aud.names:
        return False
    c = aud.chain
    if all(isinstance(a, N.Name) and S.SIMPLE.match(a.name) for a in args.items):
        if op != "=" or c.prev is not prev:
            return False
        name = f"{N.to_text(f)}({', '.join(a.name for a in args.items)})"
        _add(aud, at, "unchecked", relation, stated, f"defines {name} (a new name on the left, "
             "a function of " + ", ".join(a.name for a in args.items) + ")", "step",
             kind="definition")
        _continue(aud, node)
        return True
    if head.name != "H" or f is not head:
        return False
    try:
        masses = [aud.point(a) for a in args.items]
    except N.NotEvaluable:
        return False
    base = {"bits": 2, "nats": None, "hartleys": 10}
    units = N.log_bases(node, getattr(aud, "log_base", None)) or (
        {node.unit} if getattr(node, "unit", None) in ("bits", "nats", "hartleys") else set())
    if len(units) != 1 or abs(mp.fsum(masses) - 1) > TOL or any(m <= 0 for m in masses):
        return False
    b = base[units.pop()]
    terms = [(-1, N.Mul([("*", a), ("*", N.Func("ln" if b is None else "log", a, None if
                                                   b is None else N.Num(b, str(b), 0, 0)))]))
             for a in args.items]
    entropy = N.Add(terms)
    unit = "nats" if b is None else {2: "bits", 10: "hartleys"}[b]
    with mp.workdps(N.DPS):
        ctx = expect.Context(aud, state(aud), getattr(aud, "segment_text", ""))
        try:
            h, stated_value = ctx.value(entropy, {}), ctx.value(node, {})
        except N.NotEvaluable:
            return False
        shown = ", ".join(mpmath.nstr(m, 6) for m in masses)
        if isinstance(node, N.Num):  # = 0.4690: at its printed precision
            _numeric(aud, ctx, entropy, node, True, at, relation, stated,
                     label=f"the entropy of ({shown}) in {unit}")
        elif abs(h - stated_value) <= TOL * max(1, abs(h)):
            _add(aud, at, "ok", relation, stated, f"the entropy of ({shown}) is {_num(h)} {unit}",
                 "step", computed=_num(h))
        else:
            _add(aud, at, "error", relation, stated, f"the entropy of ({shown}) is {_num(h)} "
                 f"{unit}, not {_num(stated_value)}", "step", computed=_num(h))
    _continue(aud, node)
    return True


def _chi_square(aud, node):
    """``\\chi^2`` read as χ·χ: the name ``chi^2`` (the χ² divergence of p and q) when χ has
    no value of its own."""
    if (isinstance(node, N.Pow) and isinstance(node.base, N.Name) and node.base.name == "chi"
            and isinstance(node.exp, N.Num) and node.exp.value == 2 and "chi" not in aud.names):
        return N.Name("chi^2", node.base.pos)
    return N.map_children(node, lambda c: _chi_square(aud, c))
