"""Values and shapes of the matrix checks (:mod:`.linalg`): which symbols are vectors and
matrices by their names, and arithmetic on ``mpmath.matrix`` values where a 1×1 matrix
(xᵀAx) is a number.

Example: ``shape("Sigma_p")`` is ``"spd"``; ``_mul(xᵀ, x)`` is the number Σ x_i².
"""

from __future__ import annotations

import re

import mpmath

from . import nodes as N

mp = mpmath.mp
POINTS = 8
TOL = mpmath.mpf(10) ** -20
MATRIX_FUNCS = {"transpose", "det", "tr", "norm", "grad", "hess", "lim", "argmin", "argmax"}
VECTORS = {"x", "y", "z", "mu", "m", "eta", "theta", "g", "d", "v", "u", "a", "b", "w"}
SPD = {"Sigma", "Lambda", "F"}
_E = re.compile(r"^E_\{?(?:(?P<var>[a-z]\w*?)(?:sim|~))?(?P<dist>[^\[]+?)\}?\[(?P<body>.*)\]$")
_NORMAL = re.compile(r"^N\((?P<mean>[^,()]+),(?P<cov>[^,()]+)\)$")
_SOFTMAX = re.compile(r"^softmax\((?P<arg>[^()]+)\)$")
_VKL = re.compile(r"^D_?KL\((?P<a>softmax\([^()]+\))(?:\|\||Vert)(?P<b>softmax\([^()]+\))\)$")
_CALL = re.compile(r"^(?P<head>[A-Z][A-Za-z]*(?:_\w+)?)(?:\^-1)?\((?P<args>.+)\)$")



def _base(name: str) -> str:
    return re.split(r"[_^(]", name, maxsplit=1)[0]


def shape(name: str) -> str:
    """'identity', 'dim', 'spd', 'lower', 'matrix', 'vector' or 'scalar' for a symbol."""
    b = _base(name)
    if name == "I":
        return "identity"
    if name == "n":
        return "dim"
    if b in SPD or b.startswith("Sigma"):
        return "spd"
    if b == "L":
        return "lower"
    if len(b) == 1 and b.isupper():
        return "matrix"
    if b in VECTORS:
        return "vector"
    return "scalar"


def _uses(node) -> set:
    """Every name a formula may depend on: names, and the words and letters inside them
    (``q(x)`` depends on x, ``L_ii`` on i)."""
    out = set()
    for n in N.walk(node):
        if isinstance(n, (N.Name, N.Var, N.Index)):
            text = n.vector + "_" + n.var if isinstance(n, N.Index) else n.name
            out |= {text} | set(re.findall(r"[A-Za-z]+", text)) | set(re.findall("[A-Za-z]", text))
        elif isinstance(n, N.Sum):
            out.add(n.var)
    return out


def _is_m(v) -> bool:
    return isinstance(v, mpmath.matrix)


def _scalar(v):
    """A 1×1 matrix (xᵀAx) is its entry; other matrices are not scalars."""
    if _is_m(v):
        if v.rows == v.cols == 1:
            return v[0, 0]
        raise N.NotEvaluable(f"a {v.rows}×{v.cols} matrix where a number is needed")
    return v


def _mul(a, b):
    if _is_m(a) and _is_m(b):
        if a.cols != b.rows:
            if a.rows == a.cols == 1 or b.rows == b.cols == 1:
                return _scalar(a) * b if a.rows == 1 else a * _scalar(b)
            raise N.NotEvaluable(f"shapes do not match: {a.rows}×{a.cols} times "
                                 f"{b.rows}×{b.cols}")
        out = a * b
        return out[0, 0] if out.rows == out.cols == 1 else out
    return a * b
