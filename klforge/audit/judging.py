"""Bookkeeping of the identity judge (:mod:`.identity`), shared with the constructs it hands
relations to (:mod:`.routes`): the per-section state (definitions, aliases, domains), findings,
the chain's continuation, and the verdict on a quantity at numbers against a printed value.

Example: ``state(aud).defs["r"]`` is the formula ``r = \\sigma_1^2/\\sigma_2^2`` defined.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

import mpmath

from . import evaluate as E
from . import nodes as N

mp, iv = mpmath.mp, mpmath.iv
TOL = mpmath.mpf(10) ** -20
INEQUALITIES = ("≤", "≥", "<", ">")
MARK = "\0identity"  # kept in the auditor's names; a new section clears it


@dataclass
class State:
    defs: dict = field(default_factory=dict)      # name -> node (a recorded definition)
    aliases: dict = field(default_factory=dict)   # p -> "N(mu_1,sigma_1^2)" (p = N(μ₁, σ₁²))
    alias_vars: dict = field(default_factory=dict)  # q -> "z" (q(z|x) = N(μ, σ²), z ~ q)
    conditionals: dict = field(default_factory=dict)  # "p(x|z)" -> "N(z,s^2)": its density
    domains: dict = field(default_factory=dict)   # name -> (lo, hi) from the text
    chain: object = None                           # the chain whose first step was seen
    formulas: dict = field(default_factory=dict)  # s -> 1 + δ, though δ had a value then
    cholesky: bool = False                         # Σ = LL^⊤ stated: L is Σ's factor
    unread: set = field(default_factory=set)      # names defined by an unreadable formula
    params: dict = field(default_factory=dict)    # A -> "eta" for A(η) = e^η defined


def state(aud) -> State:
    """The identity state of an auditor, reset at each section (names are scoped there)."""
    st = getattr(aud, "_identity", None)
    if st is None or MARK not in aud.names:
        from .state import NameValue

        st = State()
        aud._identity = st
        aud.names[MARK] = NameValue(mp.mpf(0), "", None, 0, datum=True)
    return st


def _rng(relation: str) -> random.Random:
    return random.Random(zlib.crc32(relation.encode()))


def _add(aud, at, severity, relation, stated, message, check, computed=None, kind=None):
    aud.add(at, severity, relation, stated, computed, message, check, kind=kind)


def _continue(aud, node):
    """The next step is judged against ``node``: numerically if it has a value."""
    c = aud.chain
    try:
        aud.point(node)
    except N.NotEvaluable:
        c.prev, c.prev_point, c.prev_interval = node, None, None
        return
    aud._set_definition(node)


def _names(names) -> str:
    shown = sorted(n.lstrip("\0") for n in names)
    return ", ".join(dict.fromkeys(shown))


def _num(x) -> str:
    return mpmath.nstr(x, 10)


def _specific_numbers(node) -> bool:
    r"""A decimal (``0.3``) or a number inside a function (``\ln 4``) ties a relation to
    particular distributions: D(q‖p) = ln 4 − H(q) holds for p uniform on four points, not for
    any p; small fractions such as ``\tfrac14`` are constants of identities."""
    inside = [m for f in N.walk(node) if isinstance(f, N.Func) for m in N.literals(f.arg)]
    return any(n.decimals > 0 for n in N.literals(node)) or any(
        n.value not in (0, 1, 2) for n in inside)


def _ends_in_number(aud) -> bool:
    r"""The chain goes on, by equalities only, to a plain number that ties it to particular
    distributions (``H(X) = H(Y) = -0.5\log_2 0.5 - … = 1``: a decimal, see
    :func:`_specific_numbers`): its quantities are those of the example, each equal to that
    number, so a link between two of them is not an identity over all distributions.  A
    chain that goes on by ``≤`` (``… ≤ \ln 1 = 0``, a bound) does not count."""
    for rel, side in getattr(aud, "later", ()):
        if getattr(rel, "op", None) not in ("=", "≈") or side is None:
            return False
        if (any(isinstance(n, N.Num) for n in N.walk(side)) and _specific_numbers(side)
                and not any(isinstance(n, (N.Name, N.Var, N.Index)) for n in N.walk(side))):
            return True
    return False


def _unrelated_kind(op, lhs, rhs):
    """Sides with no symbol in common: ``σ² = s²/(1+s²)`` defines its left side; ``p(x) < q(x)``
    between two bare names is a condition; a bound such as ``TV ≤ √(D/2)`` is a claim (None)."""
    if op == "=":
        return "definition"
    bare = (N.Name, N.Var)
    if op in INEQUALITIES and isinstance(lhs, bare) and isinstance(rhs, bare):
        return "condition"
    return None


def _numeric(aud, ctx, lhs, rhs, special_l, at, relation, stated, label="the engine's value"):
    """No free symbols: an engine quantity at numbers (``D_KL(N(0,1)||N(1,4)) = 0.4431``).
    The side without engine quantities is read as printed (each decimal stands for the
    values that round to it); the engine's value must lie in that interval."""
    exact_side, printed = (lhs, rhs) if special_l else (rhs, lhs)
    try:
        exact = ctx.value(exact_side, {})
        width = E.evaluate(printed, E.Env(iv, _rounded, {}, log_base=None if ctx.log_base
                                          is None else iv.mpf(ctx.log_base)))
    except (N.NotEvaluable, TypeError) as e:
        _add(aud, at, "unchecked", relation, stated, f"could not be evaluated: {e}", "step")
        return
    tol = TOL * max(1, abs(exact))
    shown = mpmath.nstr(exact, 12)
    if mp.mpf(width.a) - tol <= exact <= mp.mpf(width.b) + tol:
        _add(aud, at, "ok", relation, stated, f"agrees with {label} {shown} at the "
             "printed precision", "step", computed=shown)
    else:
        _add(aud, at, "error", relation, stated, f"{label[0].upper() + label[1:]} is {shown}, "
             f"outside what {N.to_text(printed)} stands for", "step", computed=shown)


def _rounded(n):
    """A printed decimal as the interval of the values that round to it (integers exact)."""
    v = iv.mpf(n.value.numerator) / n.value.denominator
    if n.decimals <= 0:
        return v
    half = iv.mpf(5) / iv.mpf(10) ** (n.decimals + 1)
    return iv.mpf([(v - half).a, (v + half).b])
