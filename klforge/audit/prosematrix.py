r"""Covariance matrices the prose describes: "the bivariate $\Sigma_p$ with unit variances and
correlation $\rho$", "$p$ has correlation $0.8$ and $q$ is the standard normal", "$\Sigma_q = I$".

A relation such as ``-\frac12\ln\det\Sigma_p = -\frac12\ln(1 - \rho^2)`` or
``\operatorname{tr}(\Sigma_q^{-1}\Sigma_p) = 2`` is not an identity in random matrices: it
holds for the matrices the paragraph describes.  This module reads them from the recent text
(prose and math, :data:`critical.WINDOW` characters) and evaluates the relation with them:

* ``\Sigma_x = I`` (math), or "x is the standard normal": Σ_x is the identity;
* "bivariate" with "unit variances" and "Σ_x … correlation c" or "x has correlation c" (c a
  number, or a symbol drawn from (−1, 1)): Σ_x = [[1, c], [c, 1]].

Every matrix of the relation must be described (else None: the caller keeps its "described in
the prose" verdict).  A symbolic correlation is tested at random values in (−1, 1); ok says
"holds for the matrices the text describes"; an error gives the point and both sides.

Example: after "the bivariate $\Sigma_p$ with unit variances and correlation $\rho$",
``-\frac12\ln\det\Sigma_p = -\frac12\ln(1 - \rho^2)`` → ok at 12 values of ρ.
"""

from __future__ import annotations

import random
import re
import zlib

import mpmath

from . import nodes as N

mp = mpmath.mp
POINTS = 12
_NAME = r"(?:\\Sigma_\{?(\w)\}?|\b(\w)\b)"
_IDENTITY = re.compile(r"\\Sigma_\{?(\w)\}?\s*=\s*I\b|\b(\w)\s+is\s+the\s+standard\s+normal")
_CORR = re.compile(_NAME + r"\s+(?:with\s+unit\s+variances\s+and\s+|has\s+)correlation\s+"
                   r"(\\rho|\\varrho|r|-?\d*\.?\d+)\b")


def describe(text: str) -> dict:
    """{"Sigma_p": ("corr", "0.8" | "rho") | ("identity",)} from the recent text."""
    out = {}
    two = bool(re.search(r"bivariate", text) and re.search(r"unit\s+variances", text))
    for m in _IDENTITY.finditer(text):
        out["Sigma_" + (m.group(1) or m.group(2))] = ("identity",)
    if two:
        for m in _CORR.finditer(text):
            out["Sigma_" + (m.group(1) or m.group(2))] = ("corr", m.group(3).lstrip("\\"))
    return out


def _matrix(spec, point):
    if spec[0] == "identity":
        return mp.eye(2)
    c = spec[1]
    r = point[c] if c in point else mp.mpf(c)
    return mp.matrix([[1, r], [r, 1]])


def judge(ctx, st, lhs, op, rhs, relation, text):
    """(severity, message) for a relation between matrices the prose describes; None when a
    matrix of it is not described."""
    from .linalg import _is_m, _matrix_pair
    from .matrixeval import Evaluator, Point

    specs = describe(text)
    names = {n.name for side in (lhs, rhs) for n in N.walk(side) if isinstance(n, N.Name)}
    mats = {n for n in names if re.fullmatch(r"Sigma_\w", n)}
    if not mats or not mats <= set(specs) or op not in ("=", "≤", "≥", "<", ">"):
        return None
    symbols = {specs[m][1] for m in mats if specs[m][0] == "corr"
               and not re.fullmatch(r"-?\d*\.?\d+", specs[m][1])}
    if names - mats - symbols - {"n", "pi", "e", "I"}:
        return None  # other unknowns: not this module's
    rng = random.Random(zlib.crc32(relation.encode()))
    held = 0
    for _ in range(POINTS if symbols else 1):
        point = {s: mp.mpf(rng.uniform(-0.95, 0.95)) for s in symbols}
        pt = Point(ctx, st, 2, rng)
        pt.values.update({m: _matrix(specs[m], point) for m in mats})
        pt.values.update(point)
        try:
            a, b = Evaluator(pt)._eval(lhs), Evaluator(pt)._eval(rhs)
            if _is_m(a) or _is_m(b):
                a, b = _matrix_pair(a, b, op)
        except (N.NotEvaluable, ZeroDivisionError, ValueError):
            return None
        tol = mp.mpf(10) ** -20 * max(1, abs(a), abs(b))
        ok = {"=": abs(a - b) <= tol, "≤": a <= b + tol, "<": a <= b + tol,
              "≥": a >= b - tol, ">": a >= b - tol}[op]
        shown = ", ".join(f"{m} = {_show(specs[m])}" for m in sorted(mats))
        if not ok:
            at = ", ".join(f"{s} = {mpmath.nstr(v, 6)}" for s, v in point.items())
            return "error", (f"does not hold for the matrices the text describes ({shown}"
                             f"{'; at ' + at if at else ''}): the left side is "
                             f"{mpmath.nstr(a, 10)} and the right side {mpmath.nstr(b, 10)}")
        held += 1
    return "ok", (f"holds for the matrices the text describes ({shown})"
                  + (f" at {held} random values of {', '.join(sorted(symbols))} in (−1, 1)"
                     if symbols else ""))


def _show(spec) -> str:
    return "I" if spec[0] == "identity" else f"[1, {spec[1]}; {spec[1]}, 1]"
