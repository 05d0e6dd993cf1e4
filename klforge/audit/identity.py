"""Relations with free symbols: randomized identity testing and counterexample search.

A step ``A = B`` whose sides contain free symbols (``\\ln\\frac{\\sigma_2}{\\sigma_1}``,
``\\frac12(r - 1 - \\ln r)``) is judged by evaluating both sides with mpmath at 60 digits at
random points of the symbols' domains (:mod:`.symbols`): it *holds at N points* (ok), *fails*
at a counterexample point (error, both values printed; confirmed with ``mpmath.iv`` where
the formula allows), or cannot be judged (unchecked, with the reason).  An inequality
``A ≤ B`` is searched for counterexamples at random points and at the ends of the domains:
"no counterexample in N points" (ok, not a proof) or a counterexample (error).

Not judged as identities (unchecked, with the reason): an equation (``x^2 = 4``: one side
constant; or, in inline math, sides that cross), a condition (``np(1-p) > 10``), sides that
share no symbol (``q/p = e^{-\\ell}``: quantities defined in prose), related probabilities
(``p(x)``, ``p(x,y)``), approximations (``≈``, ``O(δ³)``), derivatives.

Definitions are not claims (:mod:`.definitions`): ``r = \\sigma_1^2/\\sigma_2^2`` or ``D := …``
at the head of a chain, ``p = \\mathcal N(\\mu_1, \\sigma_1^2)`` (a named distribution) are
recorded, and later uses evaluate them; each gets one finding of kind "definition". A name
defined again with a formula in the same symbols is a claim, judged against its first
definition. Conditions (``\\sigma > 0``, ``0 < p < 1``) narrow domains. Names are read back by
:mod:`.reading` and valued by :mod:`.expect` (expectations, engine quantities of :mod:`.known`,
entropies of random p, q or of a random joint of X, Y).

Random points and their verdicts (a fixed number, so verdicts do not depend on load; past
GUARD s of CPU "unchecked: time limit", never "ok") are in :mod:`.randomized`.

Vectors and matrices, derivatives, limits, optima, exponential families, remainders and
unreadable definitions are handed to :mod:`.routes`; the per-section state and the findings'
bookkeeping are in :mod:`.judging`.

Example: ``\\ln r \\le r - 1`` → ok, "no counterexample in 150 points of the domain (r
positive) …"; ``\\ln\\frac{\\sigma_2}{\\sigma_1} + \\frac{\\sigma_1^2}{2\\sigma_2^2} - \\frac12 =
r - 1 - \\ln r`` with ``r`` defined → error "does not hold: at σ_1 = …, σ_2 = … the left side
is … and the right side …".
"""

from __future__ import annotations

import re

import mpmath

from . import (
    asymptotic,
    atdata,
    bindings,
    conventions,
    densities,
    derivatives,
    expect,
    expfam,
    fallbacks,
    known,
    latent,
    linalg,
    policy,
    textdensities,
)
from . import nodes as N
from . import symbols as S
from .conditions import in_case
from .definitions import _colon_define, _definition, _distribution_text, _restated
from .judging import (  # noqa: F401  (State, MARK: re-exported for callers of this module)
    INEQUALITIES,
    MARK,
    TOL,
    State,
    _add,
    _continue,
    _ends_in_number,
    _names,
    _num,
    _numeric,
    _rng,
    _specific_numbers,
    _unrelated_kind,
    state,
)
from .latex import Unsupported
from .randomized import (  # noqa: F401  (the constants: re-exported for callers)
    GUARD,
    INEQ_POINTS,
    MIN_VALID,
    POINTS,
    QUAD_POINTS,
    _equality,
    _inequality,
    _points,
)
from .routes import (  # noqa: F401  (unreadable_*: called by check.py through this module)
    _chi_square,
    _function_of_tuple,
    _matrices,
    _order,
    unreadable_condition,
    unreadable_definition,
)

mp, iv = mpmath.mp, mpmath.iv
_SPECIAL_HEAD = re.compile(r"(?:Gamma|lnGamma|digamma|erf)\(")  # a value, never defined by texts


#: a distribution written with a lone d among its parameters: d is a symbol (a shift)
_SHIFT_D = re.compile(r"\b(?:N|Bern|Pois|Poisson|Exp|Gamma|Beta|Laplace)\([^()|]*(?<![A-Za-z_])d"
                      r"(?![A-Za-z_(])[^()|]*\)")


def _of_stated_family(st, relation: str) -> bool:
    """Does a relation of the latent model (``p(x|z)``, ``q(z|x)``) use the parameters of the
    families the text gave them (``p(x|z) = N(z, s²)``, ``q(z|x) = N(μ, σ²)``: s, μ, σ)?  Then
    it is about that Gaussian model (``E_q[\\ln p(x|z)] = −½\\ln(2πs²) − …``), not an identity
    of every latent model (``\\ln p(x) = ELBO(q) + D_KL(q‖p(z|x))``)."""
    if not st.conditionals:
        return False
    words = set(re.findall(r"[A-Za-z]+", " ".join(st.conditionals.values()))) - {
        "N", "x", "z", "Bern", "Pois", "Exp", "Gamma", "Beta"}
    return bool(words & set(re.findall(r"[A-Za-z]+", re.sub(r"[pq]\([^()]*\)", " ", relation))))


def judge(aud, prev, op, node, at, relation, stated) -> bool:
    """Judge ``prev op node`` if it has free symbols; True when handled (a finding added or a
    definition recorded), False to leave the relation to the numeric checks."""
    c = aud.chain
    if c is not None and isinstance(prev, Unsupported) and op == "=" and _colon_define(
            aud, prev, node):
        _add(aud, at, "unchecked", relation, stated, "a definition (:=); later uses are checked "
             "against it", "step", kind="definition")
        return True  # D := formula
    if c is None or prev is None or isinstance(prev, Unsupported) or isinstance(
            node, Unsupported):
        if isinstance(prev, Unsupported) and op in INEQUALITIES:
            S.domain_of_list(aud, state(aud).domains, prev, op, node)
        return False
    if op == "=" and isinstance(prev, N.Name) and prev.name not in aud.names:
        head = re.fullmatch(r"(\w+)(?:\(([A-Za-z]\w*)(\|[^()]*)?\))?", prev.name)  # q(z|x)
        dist = _distribution_text(node)
        if head and dist and head.group(2):  # p(x|z) = N(z, s²), p(z) = N(0, 1): x's density
            state(aud).conditionals[prev.name] = dist  # (given z); p(x) = N(0, 1 + s²) apart
        if head and dist and head.group(3) and head.group(1) in state(aud).aliases:
            head = None  # p(x|z) = N(z, s²) after the prior p(z) = N(0, 1): not the same p
        if head and dist:
            state(aud).aliases[head.group(1)] = dist  # p = N(μ₁, σ₁²): p names a distribution
            if head.group(2):  # q(z|x) = N(μ, σ²): E_q is over z
                state(aud).alias_vars[head.group(1)] = head.group(2)
            _add(aud, at, "unchecked", relation, stated, f"defines {head.group(1)} (names the "
                 f"distribution {dist})", "step", kind="definition")
            _continue(aud, node)
            return True
    if op in ("=", "≈") and _function_of_tuple(aud, prev, op, node, at, relation, stated):
        return True  # H(0.9, 0.1) = …: an entropy at numbers; H^2(p, q) = …: a definition
    if op not in ("=", "≈", "?=", ":=") + INEQUALITIES or any(
            isinstance(n, getattr(N, "Tuple", ())) for side in (prev, node) for n in N.walk(side)):
        return False  # ≠, ∈, tuples of data: the numeric checks say what they are
    st = state(aud)
    first = st.chain is not c
    st.chain = c
    with mp.workdps(N.DPS):
        if op in INEQUALITIES and S.record_domain(aud, st.domains, prev, op, node):
            return False  # a condition: the numeric checks report it as such
        if op in ("<", "≤") and isinstance(node, N.Const) and node.name == "inf":
            _add(aud, at, "unchecked", relation, stated, "a finiteness condition (… < ∞) the "
                 "text states, not evaluated", "inequality", kind="condition")
            _continue(aud, node)
            return True
        ctx = expect.Context(aud, st, getattr(aud, "segment_text", ""))
        ctx.condition_on_variable(op, prev, node)  # p(x) < q(x): where, not for every x
        ctx.latent = latent.mentions(relation) and not _of_stated_family(st, relation)
        ctx.shift_d = bool(_SHIFT_D.search(relation))  # N(μ + d, σ²): d a symbol
        ctx.policy = policy.mentions(relation)
        prev, node = ctx.products(prev), ctx.products(node)
        prev, node = derivatives.rewrite(prev), derivatives.rewrite(node)  # dL/dp, dp/dη
        prev, node = densities.rewrite(prev, node, specified=set(st.aliases) | set(
            getattr(st, "fdefs", {})))  # ∫ p ln(p/q) dx: Σ_x on the finite model
        if densities.unread(prev, node):  # ∇_θ∫p_θ: no dx, and not of any distribution
            _add(aud, at, "unchecked", relation, stated, densities.UNREAD, "step")
            _continue(aud, node)
            return True
        if any(isinstance(n, N.Name) and n.name in S.BARE for side in (prev, node)
               for n in N.walk(side)):  # D_KL ≤ ln(1 + χ²): χ² is the divergence too
            prev, node = _chi_square(aud, prev), _chi_square(aud, node)
        ctx.bits = N.log_bases(node, ctx.log_base) | N.log_bases(prev, ctx.log_base) == {"bits"}
        split = asymptotic.split_order(node) if op in ("=", "≈") else None
        if split is not None and _order(aud, ctx, prev, split, at, relation, stated):
            _continue(aud, node)
            return True
        matrices = linalg.applies(prev, node) or expfam.mentions(relation)  # or A(η), p_η
        if matrices and op == "=" and linalg.cholesky_definition(prev, node):
            st.cholesky = True  # Σ = LL^⊤: L_p, L_q are the factors of Σ_p, Σ_q from here on
        if first and isinstance(prev, N.Name) and c.defines and op == "=" and \
                bindings.value_of_definition(aud, ctx, st, prev, node, at, relation, stated):
            return True  # y = 6 after y = 3x + 1 and x = 2: the formula at x = 2
        if first and isinstance(prev, N.Name) and c.defines and op in ("=", "≈", ":=") and not (
                matrices and op == "≈") and not (  # D_KL ≈ ½dθᵀFdθ: an approximation
                matrices and expfam.quantity(prev.name)) and not _restated(
                ctx, st, prev, op, node) and not _SPECIAL_HEAD.match(prev.name):  # Γ(α+1) = …
            free, special = ctx.free(node)
            engine_value = known.parse(prev.name) is not None and not ctx.free(prev)[0]
            fn = re.fullmatch(r"([A-Za-z]+)\((\w+)\)", prev.name)
            if fn and fn.group(1) not in ("p", "q", "P", "Q", "H", "D", "I", "E", "f") and (
                    fn.group(2) in free or fn.group(2) in aud.names) and not ctx.is_quantity(
                    prev.name):
                st.defs[fn.group(1)] = node  # L(p) = −(0.6 ln p + …): L, for dL/dp
                st.params[fn.group(1)] = fn.group(2)
            if not (free or special) and not engine_value:
                if S.SIMPLE.match(prev.name) and any(
                        isinstance(n, N.Name) and n.name in aud.names for n in N.walk(node)):
                    st.formulas[prev.name] = node  # s = 1 + δ with δ = 10^{-8} stated
                return False  # a value for a name: the numeric checks record it
            if not ctx.is_quantity(prev.name):
                textdensities.record(st, prev, node)  # p(x) = λe^{-λx}: p(t) is its body at t
                again = prev.name in st.defs
                if S.SIMPLE.match(prev.name):  # not p(x,y) = p(x)p(y): that is a condition
                    st.defs[prev.name] = node  # a definition, not a claim
                _definition(aud, at, relation, stated, prev, node, again)
                _continue(aud, node)
                return True
        if matrices:
            _matrices(aud, ctx, st, prev, op, node, at, relation, stated)
            _continue(aud, node)
            return True
        free_l, special_l, bad_l = ctx.analyse(prev)
        free_r, special_r, bad_r = ctx.analyse(node)
        if bad_l or bad_r or not (free_l or free_r or special_l or special_r):
            return False  # numeric, or an undefined name: the numeric checks say why
        every = free_l | free_r
        if op in INEQUALITIES and free_l and free_r and not (free_l & free_r) and any(
                n.startswith("\0") for n in every) and not ctx.used_document_values:
            _add(aud, at, "unchecked", relation, stated,  # H² ≤ D_KL with H undefined
                 f"the sides share no free symbol ({_names(free_l)} vs {_names(free_r)}): it "
                 "relates quantities defined in the prose, not an identity", "inequality",
                 kind=_unrelated_kind(op, prev, node))  # D_KL ≤ δ: a trust region's condition
            _continue(aud, node)
            return True
        if any(n in ("\0p", "\0q", "\0xy") for n in every) and (
                ctx.used_document_values or any(not n.startswith("\0") for n in every)
                or _specific_numbers(prev) or _specific_numbers(node) or _ends_in_number(aud)
                or atdata.quantity_of_data(aud, getattr(prev, "name", ""))
                and atdata.numeric(node)):
            if atdata.judge(aud, ctx, prev, op, node, every, at, relation, stated):
                _continue(aud, node)  # p = (0.25, …), q = (0.4, …) given: D(q‖p) = ln 4 − H(q)
                return True
            return False  # p, q are specific distributions here (ln 4: uniform on 4), not any
        related = S.related_probabilities(every)
        if related:
            _add(aud, at, "unchecked", relation, stated,
                 f"{' and '.join(related)} are probabilities of related events, not "
                 "independent symbols", "inequality" if op in INEQUALITIES else "step")
            _continue(aud, node)
            return True
        if free_l and free_r and not (free_l & free_r):
            fallbacks.record_equal(aud, prev, op, node, at)  # E(X) = μ = p: μ is p here
            _add(aud, at, "unchecked", relation, stated,
                 f"the sides share no free symbol ({_names(free_l)} vs {_names(free_r)}): it "
                 "relates quantities defined in the prose, not an identity",
                 "inequality" if op in INEQUALITIES else "step",
                 kind=_unrelated_kind(op, prev, node))
            _continue(aud, node)
            return True
        conv = conventions.judge(ctx, prev, op, node, every, _points(
            ctx, every, POINTS, _rng(relation)))  # p ln(p/0) = +∞: a limit
        if conv is not None:
            _add(aud, at, conv[0], relation, stated, conv[1], "step")
            _continue(aud, node)
            return True
        if not (free_l or free_r) and ctx.used_aliases and not in_case(aud):
            return False  # p, q at numbers named sections earlier may be other distributions now
        if not (free_l or free_r) and op in ("=", "≈", "?="):
            _numeric(aud, ctx, prev, node, special_l, at, relation, stated)  # D(N(0,1)‖…) = 0.44
        elif op == "≈":
            verdict, msg, _ = asymptotic.approximation(ctx, prev, node, every, _rng(relation))
            _add(aud, at, verdict, relation, stated, msg, "step")
        elif op in INEQUALITIES:
            _inequality(aud, ctx, prev, op, node, free_l, free_r, at, relation, stated)
        else:
            _equality(aud, ctx, prev, node, free_l, free_r, at, relation, stated,
                      special_l or special_r)
        _continue(aud, node)
    return True
