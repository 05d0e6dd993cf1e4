"""Relations between vectors and matrices: transposes, products, ``\\det``, ``\\operatorname{tr}``,
inverses, norms and expectations under multivariate normals, by randomized identity testing.

A relation whose sides contain ``x^\\top``, ``\\det``, ``\\operatorname{tr}``, ``\\lVert·\\rVert``
or the inverse ``Σ^{-1}`` of a matrix symbol is evaluated with ``mpmath.matrix`` (60 digits)
at random points, in dimension n = 2 and n = 3 alternately.  Shapes come from the symbols'
names, as course text writes them:

* ``I`` — the identity; ``n`` — the dimension;
* ``Σ``, ``Λ``, ``F`` (with any subscript) — symmetric positive-definite, B·Bᵀ + I/2 with B
  random in [−1, 1]; ``L`` — lower triangular with positive diagonal (or, after
  ``Σ = LL^\\top`` was stated, the Cholesky factor of the Σ with the same subscript);
  any other capital letter (``A``, ``J``) — a general square matrix;
* ``x``, ``μ``, ``m``, ``η``, ``θ``, ``g``, ``d``, ``z``, ``v``, ``u``, ``a``, ``b``, ``w`` —
  column vectors with entries in [−2, 2]; other symbols — scalars of their usual domain
  (:mod:`.symbols`).

``p = \\mathcal N(\\mu_p, \\Sigma_p)`` (a matrix in the second slot) makes ``p(x)`` the
multivariate normal density (computed through the Cholesky factor: −½n ln 2π − Σ ln L_ii −
½‖L⁻¹(x − μ)‖², independent of the formula under test) and ``\\mathbb E_p[f(x)]`` a
Gauss–Hermite product rule in n dimensions, at 2 and 3 nodes per axis: the two must agree
to 30 digits (exact for polynomial bodies of degree ≤ 3, such as log-densities and
quadratic forms), otherwise the expectation is not evaluated.

Points and the evaluator are in :mod:`.matrixeval` (shapes and values: :mod:`.matvals`;
normals: :mod:`.mvn`; derivatives, limits, optima: :mod:`.analysis`).  Verdicts as in
:mod:`.identity`: holds at N points (ok), a counterexample with both values
(error), or unchecked with the reason (a shape mismatch, an abstract function).
Example: ``\\mathbb{E}_p[(x-m)^\\top A(x-m)] = \\operatorname{tr}(A\\Sigma_p) + (\\mu_p-m)^\\top
A(\\mu_p-m)`` → ok; with ``\\frac12\\operatorname{tr}`` → error at n = 2.
"""
from __future__ import annotations

import random
import re
import zlib

import mpmath

from . import expfam
from . import nodes as N
from . import symbols as S
from .matrixeval import _CALL, _SOFTMAX, _VKL, Evaluator, Point
from .matvals import MATRIX_FUNCS, POINTS, TOL, _base, _is_m, shape
from .mvn import _E, divergence_of, normal_of

mp = mpmath.mp


def matrix_syntax(*sides) -> bool:
    """Transposes, det, tr, norms or Σ^{-1}: the symbols are vectors and matrices; without
    them (a derivative dp/dη alone) every symbol is a number."""
    return any(isinstance(n, N.Func) and n.name in ("transpose", "det", "tr", "norm")
               or isinstance(n, N.Name) and "softmax(" in n.name
               or (isinstance(n, N.Pow) and isinstance(n.base, N.Name)
                   and _base(n.base.name) in ("Sigma", "Lambda") and isinstance(n.exp, N.Neg))
               for side in sides for n in N.walk(side))


def applies(*sides) -> bool:
    """Does a relation use vectors or matrices (a transpose, det, tr, a norm, Σ^{-1})?"""
    for side in sides:
        for n in N.walk(side):
            if isinstance(n, N.Func) and n.name in MATRIX_FUNCS:
                return True
            if (isinstance(n, N.Pow) and isinstance(n.base, N.Name) and _base(n.base.name) in (
                    "Sigma", "Lambda") and isinstance(n.exp, N.Neg)):
                return True  # Σ^{-1}: a scalar F^{-1} or H^2 is not enough to say "matrix"
    return False


# -- random points -------------------------------------------------------------------------


def abstract_calls(st, node) -> list:
    """Function names the text leaves abstract (``A(η)``, ``T(x)``, ``h(x)``): not an
    expectation, a normal density, a matrix times a parenthesis, or a known quantity."""
    out = []
    for g in N.walk(node):  # ∇_m L, ∇f: the function differentiated is a bare name
        if isinstance(g, N.Func) and g.name in ("grad", "hess") and isinstance(g.arg, N.Name) \
                and "(" not in g.arg.name and g.arg.name not in st.defs and not (
                    isinstance(g.base, N.Name) and (g.base.name in st.defs or g.base.name in
                                                    getattr(st, "formulas", {}))):  # dp/dη, η(p)
            out.append(g.arg.name)
    for n in N.walk(node):
        if not (isinstance(n, N.Name) and "(" in n.name) or _E.match(n.name) or _SOFTMAX.match(
                n.name) or _VKL.match(n.name) or divergence_of(st, n.name) is not None:
            continue
        head = re.sub(r"\(.*", "", n.name)
        if normal_of(st, head) is not None or head in st.defs:
            continue
        call = _CALL.match(n.name)
        if call and shape(call.group("head")) != "scalar":
            if not re.search(r"[-+*^]", call.group("args")) and len(call.group("args")) < 12:
                out.append(n.name)  # A(η): a function of a vector, not A·(μ − m)
            continue
        out.append(n.name)
    return out


def random_parts(st, node, depth=0) -> set:
    """The vector and matrix symbols of a side, with ``N(μ_p, Σ_p)`` for an expectation or
    density under a multivariate normal of the text."""
    out = set()
    for n in N.walk(node):
        if not isinstance(n, N.Name):
            continue
        e = _E.match(n.name)
        head = re.sub(r"\(.*", "", n.name)
        dist = normal_of(st, e.group("dist")) if e else (
            normal_of(st, head) if "(" in n.name else None)
        kl = divergence_of(st, n.name)
        if dist is not None:
            out.add(f"N({dist[0]}, {dist[1]})")
        elif kl is not None:  # D_KL(p||q) of two multivariate normals of the text
            out |= {f"N({d[0]}, {d[1]})" for d in kl if d is not None}
        elif _SOFTMAX.match(n.name) or _VKL.match(n.name):  # softmax(a): a vector a
            out |= set(re.findall(r"softmax\(([^()]+)\)", n.name))
        elif n.name in st.defs:  # Σ = LL^⊤ recorded: Σ's parts are L's
            out |= random_parts(st, st.defs[n.name], depth + 1) if depth < 4 else set()
        elif S.SIMPLE.match(n.name) and shape(n.name) in ("spd", "lower", "matrix", "vector"):
            out.add(n.name)
        elif _CALL.match(n.name) and shape(_CALL.match(n.name).group("head")) != "scalar":
            out.add(_CALL.match(n.name).group("head"))
    return out


def cholesky_definition(prev, node) -> bool:
    """``Σ = LL^\\top``: the text names the Cholesky factor L of Σ."""
    if not (isinstance(prev, N.Name) and shape(prev.name) == "spd" and isinstance(node, N.Mul)
            and len(node.factors) == 2):
        return False
    (o1, a), (o2, b) = node.factors
    return (o1 == o2 == "*" and isinstance(a, N.Name) and shape(a.name) == "lower"
            and isinstance(b, N.Func) and b.name == "transpose" and isinstance(b.arg, N.Name)
            and b.arg.name == a.name)


def _matrix_pair(a, b, op):
    """Two matrices of one shape compared entry by entry: (their largest entry, that plus the
    largest difference), so equal matrices give equal numbers."""
    if op != "=" or not (_is_m(a) and _is_m(b)) or (a.rows, a.cols) != (b.rows, b.cols):
        raise N.NotEvaluable("sides of different shapes" if op == "=" else
                             "an inequality between matrices")
    size = max(abs(a[i, j]) for i in range(a.rows) for j in range(a.cols))
    diff = max(abs(a[i, j] - b[i, j]) for i in range(a.rows) for j in range(a.cols))
    return size, size + diff


def check(ctx, st, lhs, op, rhs, relation):
    """(severity, message, kind) for ``lhs op rhs`` evaluated with matrices."""
    rng = random.Random(zlib.crc32(relation.encode()))
    agree, skipped, bad = 0, [], None
    matrices, scalars = False, set()
    families = expfam.FAMILIES if expfam.mentions(relation) and expfam.general(
        st, lhs, rhs) else None
    opt = next((side for side in (lhs, rhs) if isinstance(side, N.Func)
                and side.name in ("argmin", "argmax")), None)
    for k in range(POINTS if families is None else 3 * len(families)):
        pt = Point(ctx, st, 2 + k % 2, rng)
        pt.scalar = not matrix_syntax(lhs, rhs)
        if families is not None:
            pt.family = families[k % len(families)]
        try:
            if opt is not None:  # x* = argmin_x f = g: f′(g) = 0, f″(g) > 0 (< 0 for a max)
                if op != "=":
                    raise N.NotEvaluable("an argmin/argmax compared by an inequality")
                claimed = Evaluator(pt)._eval(rhs if opt is lhs else lhs)
                d1, d2 = Evaluator(pt).optimum(opt, claimed)
                scale = max(1, abs(d2))
                curved = d2 > 0 if opt.name == "argmin" else d2 < 0
                if abs(d1) <= TOL * 10 ** 8 * scale and curved:
                    agree += 1
                    matrices = False
                    scalars |= {k2 for k2 in pt.values if shape(k2) != "dim"}
                    continue
                where = ", ".join(f"{k2} = {mpmath.nstr(v, 6)}" for k2, v in sorted(
                    pt.values.items()) if not _is_m(v))
                what = ("not a stationary point" if abs(d1) > TOL * 10 ** 8 * scale else
                        f"a stationary point of the wrong kind (f″ = {mpmath.nstr(d2, 6)})")
                where = where or "the text's values"
                return "error", (f"the claimed {opt.name} is {what}: at {where} the derivative "
                                 f"of the objective there is {mpmath.nstr(d1, 6)}"), None
            a, b = Evaluator(pt)._eval(lhs), Evaluator(pt)._eval(rhs)
            if _is_m(a) or _is_m(b):
                a, b = _matrix_pair(a, b, op)
        except (N.NotEvaluable, ZeroDivisionError, ValueError) as e:
            if not skipped:
                skipped.append(str(e))
            continue
        if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
            skipped.append("a complex value")
            continue
        tol = TOL * max(1, abs(a), abs(b))
        ok = {"=": abs(a - b) <= tol, "≤": a <= b + tol, "<": a <= b + tol,
              "≥": a >= b - tol, ">": a >= b - tol}.get(op)
        if ok is None:
            return "unchecked", f"the relation {op} between matrix formulas is not checked", None
        matrices = matrices or any(_is_m(v) for v in pt.values.values())
        scalars |= {k for k, v in pt.values.items() if not _is_m(v) and shape(k) != "dim"}
        if ok:
            agree += 1
        else:
            bad = (pt, a, b)
            break  # one counterexample is the verdict
    if bad is not None:
        pt, a, b = bad
        what = ("does not hold" if op == "=" else "counterexample")
        where = pt.describe() if pt.family is None else f"{pt.family.name} member, " + \
            pt.describe().split(": ", 1)[-1]
        return "error", (f"{what}: at {where}; the left side is {mpmath.nstr(a, 10)} and "
                         f"the right side {mpmath.nstr(b, 10)}"), None
    if agree < 4:
        what = "vectors and matrices: c" if matrix_syntax(lhs, rhs) else "c"
        return "unchecked", (f"{what}ould not be evaluated at enough points: "
                             f"{skipped[0] if skipped else 'undefined'}"), None
    verb = "holds" if op == "=" else "no counterexample"
    if families is not None:
        return "ok", (f"{verb} at {agree} random points for the exponential families Bernoulli, "
                      "Poisson and Normal(η, 1) (densities from their pmf/pdf; ∇A by "
                      "mpmath.diff)"), None
    funcs = {n.name for side in (lhs, rhs) for n in N.walk(side) if isinstance(n, N.Func)}
    how = "; ".join(h for k, h in (("grad", "derivatives by mpmath.diff"),
                                   ("lim", "limits along a sequence 10^-8 … 10^-32 from the "
                                    "point, 60 digits"),
                                   ("opt", "the claimed optimum is stationary with the right "
                                    "curvature, by mpmath.diff")) if k in funcs or (
                        k == "grad" and "hess" in funcs) or (k == "opt" and opt is not None))
    if not matrices and not scalars:
        return "ok", f"{verb} at the values the text gives ({how})", None
    if not matrices:
        return "ok", (f"{verb} at {agree} random points of the domain "
                      f"({S.domain_text(set(scalars), st.domains, ctx.hints)}; {how})"), None
    return "ok", (f"{verb} at {agree} random points (n = 2, 3; symmetric positive-definite Σ, "
                  "Λ, F; random vectors and matrices)"), None
