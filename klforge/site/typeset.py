"""Author-typed formulas, verified against the engine's derivation.

A page may show a closed form as a textbook sets it — grouped terms, ψ, Γ, ½ — instead of
SymPy's expanded output::

    ```{derivation} kl_poisson
    :typeset: \\lambda_p\\ln\\frac{\\lambda_p}{\\lambda_q} - \\lambda_p + \\lambda_q
    ```

:func:`parse` reads the typed LaTeX (a small whitelisted grammar, :mod:`.typeset_grammar`)
into SymPy; a ``\\sum_i`` runs over the derivation's indexed symbols (``p_i`` over p_0, p_1,
…, ``\\alpha_{p,i}`` over α_{p0}, α_{p1}, …), and the vectors and matrices of an entry-wise
derivation are named by :func:`structures`: kl_mvn is derived entry by entry at n = 2
(means ``mu_p0, mu_p1``, Cholesky entries ``Lp_00, Lp_10, Lp_11``), and a typed
``\\mu_p``, ``L_p``, ``\\Sigma_p`` (= L_pL_pᵀ, positive definite for the positive diagonal
the domains sample, so the points are random SPD matrices) and ``n`` mean those objects —
exact algebra at the derived dimension, nothing about other n;
:func:`check` evaluates it and the derivation's closed form at 50 digits (mpmath) at
random points of the parameters' domains and returns None when they agree everywhere, or a
one-line reason (the first point where they differ, with both values).  Symbols are matched
by how the lesson prints them: the engine's ``rate_p`` is printed ``\\lambda_p``, so the
typed ``\\lambda_p`` means it.

Example: ``check("kl_exponential", r"\\ln\\frac{\\lambda_p}{\\lambda_q}
+ \\frac{\\lambda_q}{\\lambda_p} - 1")`` → None; ending in ``- 2`` instead, it returns the point
and the two values.
"""

from __future__ import annotations

import random
import re

import mpmath
import sympy as sp

from .typeset_grammar import TypesetError, as_printed, canonical, parse

DIGITS = 50
POINTS = 12
MIN_VALID = 6
TOL = mpmath.mpf(10) ** -40
#: sampling ranges per parameter domain (derive.core.DOMAINS)
RANGES = {"real": (-2.5, 2.5), "positive": (0.2, 4.0), "nonnegative": (0.0, 4.0),
          "unit_interval": (0.03, 0.97), "open_unit_interval": (0.03, 0.97)}
__all__ = ["TypesetError", "as_printed", "canonical", "check", "parse", "structures",
           "verified"]
#: an entry of a vector (mu_p0) and of a lower-triangular Cholesky factor (Lp_10)
_VECTOR = re.compile(r"(.+_[A-Za-z])(\d)")
_CHOLESKY = re.compile(r"L([A-Za-z])_(\d)(\d)")


def is_entry(name: str) -> bool:
    """Whether the symbol ``name`` is a Cholesky-factor entry (kept as the engine's symbol,
    not read back through its print)."""
    return _CHOLESKY.fullmatch(name) is not None


def structures(symbols) -> dict[str, sp.Basic]:
    """The vectors, Cholesky factors, covariances and dimension named by ``symbols``:
    ``mu_p`` the column (mu_p0, mu_p1, …), ``L_p`` the lower triangle of the ``Lp_ij``,
    ``Sigma_p`` = L_p L_pᵀ, and ``n`` when every vector and matrix has the same size.

    >>> structures(sp.symbols("mu_p0 mu_p1"))
    {'mu_p': Matrix([
    [mu_p0],
    [mu_p1]]), 'n': 2}
    """
    vectors: dict[str, dict[int, sp.Symbol]] = {}
    factors: dict[str, dict[tuple[int, int], sp.Symbol]] = {}
    for s in symbols:
        if m := _CHOLESKY.fullmatch(s.name):
            factors.setdefault(m.group(1), {})[int(m.group(2)), int(m.group(3))] = s
        elif m := _VECTOR.fullmatch(s.name):
            vectors.setdefault(m.group(1), {})[int(m.group(2))] = s
    env: dict[str, sp.Basic] = {}
    dims = set()
    for name, entries in vectors.items():
        if sorted(entries) == list(range(len(entries))):
            env[name] = sp.Matrix([entries[k] for k in range(len(entries))])
            dims.add(len(entries))
    for who, entries in factors.items():
        n = 1 + max(i for i, _ in entries)
        if set(entries) != {(i, j) for i in range(n) for j in range(i + 1)}:
            continue  # not a full lower triangle: no matrix is named
        lower = sp.Matrix([[entries[i, j] if i >= j else 0 for j in range(n)]
                           for i in range(n)])
        env[f"L_{who}"] = lower
        env[f"Sigma_{who}"] = lower * lower.T
        dims.add(n)
    if len(dims) == 1:
        env["n"] = sp.Integer(dims.pop())
    return env


def verified(name: str, tex: str) -> str | None:
    """:func:`check`, cached per engine hash, typed text and the typeset modules' sources."""
    import hashlib
    from pathlib import Path

    from . import cache

    sources = "".join(p.read_text() for p in sorted(Path(__file__).parent.glob("typeset*.py")))
    key = hashlib.sha256((tex + sources).encode()).hexdigest()[:16]
    return cache.cached_json("typeset", f"{name}-{key}",
                             lambda: {"error": check(name, tex)})["error"]


def _expand_sums(expr, symbols):
    """Each ``SUM_i(body)`` from :meth:`_Parser.sum` as the explicit sum over the indices
    k of the derivation's symbols: ``x_i`` in the body becomes ``x_k`` and ``x_{p,i}``
    becomes ``x_pk``, for every k that all of the body's indexed symbols of the derivation
    have."""
    names = {str(s) for s in symbols}

    def stem(s, i):  # "p_i" → "p_", "alpha_p,i" → "alpha_p"; None when not indexed by i
        name = str(s)
        return name[:-len(i) - 1] if name.endswith("," + i) else \
            name[:-len(i)] if name.endswith("_" + i) else None

    def expand(f):
        i = f.func.__name__[len("SUM_"):]
        body = _expand_sums(f.args[0], symbols)
        bound = {s: stem(s, i) for s in body.free_symbols if stem(s, i) is not None}
        ranges = [{int(n[len(b):]) for n in names if re.fullmatch(re.escape(b) + r"\d+", n)}
                  for b in bound.values()]
        ranges = [r for r in ranges if r]  # a symbol the derivation lacks is reported later
        indices = sorted(set.intersection(*ranges)) if ranges else []
        if not indices:
            raise TypesetError(f"the sum over {i} has no indexed symbol of the derivation "
                               "in its body")
        return sp.Add(*(body.subs({s: sp.Symbol(b + str(k)) for s, b in bound.items()},
                                  simultaneous=True) for k in indices))

    sums = [f for f in expr.atoms(sp.Function) if f.func.__name__.startswith("SUM_")]
    return expr.xreplace({f: expand(f) for f in sums}) if sums else expr


def check(name: str, tex: str, seed: int = 0) -> str | None:
    """None when the typed ``tex`` equals derivation ``name``'s closed form at 50 digits at
    random points of its parameters' domains; otherwise a one-line reason."""
    from ..derive.core import get
    from .printing import LessonPrinter

    d = get(name)
    derived = d.closed_form
    printer = LessonPrinter({"ln_notation": True})
    domains = {p.symbol: p.domain for p in d.params}
    shown, base_domain = {}, {}
    for s in derived.free_symbols:  # each engine symbol as the lesson prints it
        e = s if is_entry(s.name) else as_printed(printer.doprint(s))
        shown[s] = e
        for b in e.free_symbols:  # σ of a printed σ² or log σ² is positive
            base_domain[b] = domains.get(s, "positive") if e == b else "positive"
    derived = derived.subs(shown, simultaneous=True)
    env = {k: v for k, v in structures(derived.free_symbols).items()
           if k not in {str(s) for s in derived.free_symbols}}
    try:
        typed = parse(tex, env)
    except TypesetError as e:
        return f"cannot read the typed form: {e}"
    try:
        typed = _expand_sums(typed, derived.free_symbols)
    except TypesetError as e:
        return f"cannot read the typed form: {e}"
    unknown = sorted(str(s) for s in typed.free_symbols - derived.free_symbols)
    if unknown:
        return (f"the typed form uses {', '.join(unknown)}, which the derivation does not; "
                f"its symbols are {', '.join(sorted(map(str, derived.free_symbols)))}")
    syms = sorted(derived.free_symbols, key=str)
    domains = base_domain
    f_typed = sp.lambdify(syms, typed, "mpmath")
    f_derived = sp.lambdify(syms, derived, "mpmath")
    rng, valid = random.Random(seed), 0
    with mpmath.workdps(DIGITS + 10):
        for _ in range(4 * POINTS):
            point = [mpmath.mpf(rng.uniform(*RANGES.get(domains.get(s, "positive"),
                                                       RANGES["positive"]))) for s in syms]
            try:
                a, b = f_typed(*point), f_derived(*point)
            except (ValueError, ZeroDivisionError, TypeError):
                continue
            if not (mpmath.isfinite(a) and mpmath.isfinite(b)) or mpmath.im(a) or mpmath.im(b):
                continue
            valid += 1
            if abs(a - b) > TOL * max(1, abs(b)):
                at = ", ".join(f"{s} = {mpmath.nstr(v, 6)}" for s, v in zip(syms, point,
                                                                             strict=True))
                return (f"the typed form differs from the derivation at {at}: typed "
                        f"{mpmath.nstr(a, 12)}, derived {mpmath.nstr(b, 12)}")
            if valid >= POINTS:
                return None
    return None if valid >= MIN_VALID else (
        f"only {valid} of {4 * POINTS} random points could be evaluated")
