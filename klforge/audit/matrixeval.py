"""Random points and the evaluator of the matrix checks (:mod:`.linalg`): symbols drawn by
their shapes (:mod:`.matvals`), formulas evaluated with ``mpmath.matrix`` at 60 digits —
products, transposes, det, tr, inverses, norms, softmax, sums over an index, the text's
definitions, exponential-family names (:mod:`.expfam`), densities and expectations of
multivariate normals (:mod:`.mvn`), derivatives, limits and optima (:mod:`.analysis`).

Example: at a point with n = 2, ``\\det(AB)`` and ``\\det A\\det B`` evaluate equal.
"""

from __future__ import annotations

import re

import mpmath

from . import expfam
from . import nodes as N
from . import symbols as S
from .analysis import Analysis
from .freesymbols import DIMENSION
from .matvals import _base, _is_m, _mul, _scalar, _uses, shape
from .mvn import _E, Normal, _read, divergence_of, normal_of

mp = mpmath.mp
_SOFTMAX = re.compile(r"^softmax\((?P<arg>[^()]+)\)$")
_VKL = re.compile(r"^D_?KL\((?P<a>softmax\([^()]+\))(?:\|\||Vert)(?P<b>softmax\([^()]+\))\)$")
_CALL = re.compile(r"^(?P<head>[A-Z][A-Za-z]*(?:_\w+)?)(?:\^-1)?\((?P<args>.+)\)$")


def _slots(st) -> tuple:
    """(means, covariances): the symbols in the slots of the multivariate normals the text
    names (q = N(m, S): m a vector, S a covariance)."""
    dists = [d for d in (normal_of(st, a) for a in getattr(st, "aliases", {})) if d]
    return {d[0] for d in dists}, {d[1] for d in dists}


def _declared_dimension(ctx):
    """The symbol the text gave as the dimension (``\\mathbb{R}^k``: k), or None."""
    return getattr(getattr(ctx, "aud", None), "declared", {}).get(DIMENSION)


def _entry(rng, lo=-1, hi=1):
    return mp.mpf(mpmath.nstr(mp.mpf(lo) + (hi - lo) * mp.mpf(rng.random()), 4))


def _sample(kind, n, rng):
    if kind == "vector":
        return mp.matrix([[_entry(rng, -2, 2)] for _ in range(n)])
    if kind == "matrix":
        return mp.matrix([[_entry(rng) for _ in range(n)] for _ in range(n)])
    if kind == "lower":
        return mp.matrix([[(_entry(rng, 0.5, 2) if i == j else _entry(rng)) if j <= i else 0
                           for j in range(n)] for i in range(n)])
    b = _sample("matrix", n, rng)
    return b * b.T + mp.eye(n) / 2


class Point:
    """Values of one random point: symbols drawn on first use (shapes from their names)."""

    def __init__(self, ctx, st, n, rng):
        self.ctx, self.st, self.n, self.rng = ctx, st, n, rng
        self.values: dict = {}
        self.memo: dict = {}   # id(node) -> value, for nodes free of bound variables
        self.family = None     # an exponential-family member (expfam.py) or None
        self.scalar = False    # no matrix syntax in the relation: every symbol a number
        self.deps: dict = {}   # id(node) -> (node, names it uses): keeps the node alive

    def symbol(self, name):
        if name in self.values:
            return self.values[name]
        kind = shape(name)
        slots = _slots(self.st)
        if kind == "matrix" and name in slots[1]:
            kind = "spd"  # S in q = N(m, S): a covariance, symmetric positive-definite
        elif kind == "scalar" and name in slots[0]:
            kind = "vector"  # ν in g = N(ν, Λ): the mean of a multivariate normal
        if self.scalar and kind not in ("dim", "identity"):
            kind = "scalar"
        if kind == "identity":
            v = mp.eye(self.n)
        elif kind == "dim" or name == _declared_dimension(self.ctx):
            v = mp.mpf(self.n)  # n, or k after "on \mathbb{R}^k"
        elif kind == "lower" and getattr(self.st, "cholesky", False):
            v = mpmath.cholesky(self.symbol("Sigma" + name[len(_base(name)):]))
        elif self.family is not None and (name == "x" or _base(name) == "eta"):
            v = self.family.sample_x(self.rng) if name == "x" else self.family.sample_eta(
                self.rng)
        elif kind == "scalar":
            v = S.sample({name}, self.st.domains, self.rng, hints=self.ctx.hints)[name]
        else:
            v = _sample(kind, self.n, self.rng)
        self.values[name] = v
        return v

    def describe(self) -> str:
        shown = []
        for k, v in sorted(self.values.items()):
            if isinstance(v, mpmath.matrix):
                rows = "; ".join(", ".join(mpmath.nstr(v[i, j], 4) for j in range(v.cols))
                                 for i in range(v.rows))
                shown.append(f"{k} = [{rows}]")
            elif shape(k) != "dim":
                shown.append(f"{k} = {mpmath.nstr(v, 4)}")
        if self.scalar:
            return ", ".join(shown) or "the text's values"
        return f"n = {self.n}" + (": " + ", ".join(shown) if shown else "")


# -- evaluation ----------------------------------------------------------------------------


class Evaluator(Analysis, Normal):
    """Value of a node at a :class:`Point`: numbers, mpmath matrices, or NotEvaluable."""

    def __init__(self, point, bound=None):
        self.pt = point
        self.bound = dict(bound or {})

    def value(self, node):
        v = self._eval(node)
        return _scalar(v)

    def _eval(self, node):
        """Memoised on the point for sub-formulas free of the bound variables (Σ_q^{-1} is
        inverted once, not at every Gauss–Hermite node)."""
        deps = self.pt.deps.get(id(node))
        if deps is None:
            deps = self.pt.deps[id(node)] = (node, _uses(node))
        if self.bound and deps[1] & set(self.bound):
            return self._compute(node)
        key = id(node)
        if key not in self.pt.memo:
            self.pt.memo[key] = self._compute(node)
        return self.pt.memo[key]

    def _compute(self, node):  # noqa: C901 - one dispatch over the node types
        if isinstance(node, N.Num):
            return mp.mpf(node.value.numerator) / node.value.denominator
        if isinstance(node, N.Const):
            if node.name == "pi":
                return mp.pi
            raise N.NotEvaluable("∞ is only a bound")
        if isinstance(node, (N.Name, N.Var)):
            return self.name(node.name)
        if isinstance(node, N.Neg):
            return -self._eval(node.arg)
        if isinstance(node, N.Add):
            total = None
            for s, t in node.terms:
                v = self._eval(t)
                v = v if s > 0 else -v
                if total is None:
                    total = v
                elif _is_m(total) != _is_m(v) or (_is_m(v) and (total.rows, total.cols) != (
                        v.rows, v.cols)):
                    raise N.NotEvaluable("a sum of terms of different shapes")
                else:
                    total = total + v
            return total
        if isinstance(node, N.Mul):
            out = None
            for op, f in node.factors:
                v = self._eval(f)
                if op == "/":
                    v = _scalar(v)
                    if v == 0:
                        raise N.NotEvaluable("division by zero")
                    out = (1 / v) if out is None else out / v
                else:
                    out = v if out is None else _mul(out, v)
            return out
        if isinstance(node, N.Pow) and isinstance(node.exp, N.Name) and node.exp.name == "T":
            b = self._eval(node.base)  # (μ_q − μ_p)^T: a vector's transpose, not a power
            if _is_m(b):
                return b.T
        if isinstance(node, N.Pow):
            b, e = self._eval(node.base), _scalar(self._eval(node.exp))
            if _is_m(b):
                if b.rows != b.cols or e != int(e):
                    raise N.NotEvaluable("a power of a matrix that is not square or integer")
                return b ** int(e) if e >= 0 else mpmath.inverse(b) ** int(-e)
            if b <= 0 and e != int(e):
                raise N.NotEvaluable("non-integer power of a number that is not positive")
            return b ** e
        if isinstance(node, N.Func):
            return self.func(node)
        if isinstance(node, N.Sum) and node.lo is None:
            total = mp.mpf(0)
            for i in range(1, self.pt.n + 1):
                total += _scalar(type(self)(self.pt, {**self.bound, node.var: i})._eval(
                    node.body))
            return total
        if isinstance(node, N.Index):
            return self.element(node.vector, [node.var])
        raise N.NotEvaluable(f"{N.to_text(node)}: not evaluated with matrices")

    def func(self, node):
        name = node.name
        if name in ("argmin", "argmax"):
            raise N.NotEvaluable(f"an {name} has no value by itself: it is checked against a "
                                 "closed form (stationarity)")
        if name == "lim":
            return self.limit(node)
        if name in ("grad", "hess"):
            return self.gradient(node)
        x = self._eval(node.arg)
        if name == "transpose":
            return x.T if _is_m(x) else x
        if name in ("det", "tr"):
            if not _is_m(x) or x.rows != x.cols:
                raise N.NotEvaluable(f"{name} of something that is not a square matrix")
            return mpmath.det(x) if name == "det" else sum(x[i, i] for i in range(x.rows))
        if name == "abs" and _is_m(x) and x.rows == x.cols > 1:
            return mpmath.det(x)  # |Σ|: the determinant, as covariance formulas write it
        if name == "norm":
            if not _is_m(x):
                return abs(x)
            return mp.sqrt(sum(x[i, j] ** 2 for i in range(x.rows) for j in range(x.cols)))
        x = _scalar(x)
        if name in ("ln", "log"):
            if x <= 0:
                raise N.NotEvaluable("logarithm of a number that is not positive")
            v = mp.log(x)
            if node.base is not None:
                v /= mp.log(_scalar(self._eval(node.base)))
            return v
        if name == "exp":
            return mp.exp(x)
        if name == "sqrt" and node.base is None:
            if x < 0:
                raise N.NotEvaluable("square root of a negative number")
            return mp.sqrt(x)
        if name == "abs":
            return abs(x)
        raise N.NotEvaluable(f"unsupported function {name}")

    def element(self, vector, index_vars):
        ks = [self.bound.get(v) for v in index_vars]
        if None in ks:
            raise N.NotEvaluable(f"free index in {vector}")
        v = self.pt.symbol(vector)
        if not _is_m(v):
            raise N.NotEvaluable(f"{vector} is not a vector or matrix")
        if len(ks) == 1:
            return v[ks[0] - 1, 0] if v.cols == 1 else v[ks[0] - 1, ks[0] - 1]
        return v[ks[0] - 1, ks[1] - 1]

    def name(self, name):
        if name in self.bound:
            return self.bound[name]
        m = re.fullmatch(r"([A-Za-z]+)_\{?([a-z])([a-z])?\}?", name)  # L_ii, x_i in a sum
        if m and m.group(2) in self.bound and (m.group(3) is None or m.group(3) in self.bound):
            return self.element(m.group(1), [g for g in m.groups()[1:] if g])
        if self.pt.family is not None:
            v = expfam.value(self, name)
            if v is not None:
                return v
        if name in self.pt.ctx.aud.names:
            return self.pt.ctx.aud.names[name].exact
        if name in self.pt.st.defs:
            return self._eval(self.pt.st.defs[name])
        e = _E.match(name)
        if e:
            return self.expectation(e)
        dist = normal_of(self.pt.st, re.sub(r"\(.*", "", name)) if "(" in name else None
        if dist is not None:
            return mp.exp(self.log_density(dist, name))
        if (m := _SOFTMAX.match(name)) is not None:  # softmax(z)_i = e^{z_i}/Σ_j e^{z_j}
            z = self._eval(_read(m.group("arg")))
            if not _is_m(z):
                raise N.NotEvaluable("softmax of something that is not a vector")
            e = [mp.exp(z[i, 0]) for i in range(z.rows)]
            return mp.matrix([[x / mp.fsum(e)] for x in e])
        if (kl := divergence_of(self.pt.st, name)) is not None:  # D_KL(N(μ₁,Σ₁)||N(μ₂,Σ₂))
            return self.divergence(*kl)
        if (m := _VKL.match(name)) is not None:  # D_KL between two probability vectors
            a, b = self.name(m.group("a")), self.name(m.group("b"))
            return mp.fsum(a[i, 0] * mp.log(a[i, 0] / b[i, 0]) for i in range(a.rows))
        call = _CALL.match(name) or re.fullmatch(r"(?P<head>[A-Za-z]+)\((?P<args>[^()]+)\)",
                                                 name)
        params = getattr(self.pt.st, "params", {})
        if call and call.group("head") in params and call.group("head") in self.pt.st.defs:
            arg = _scalar(self._eval(_read(call.group("args"))))  # A(η_p) with A(η) = e^η
            head = call.group("head")
            return type(self)(self.pt, {**self.bound, params[head]: arg})._compute(
                self.pt.st.defs[head])
        if call and shape(call.group("head")) in ("spd", "lower", "matrix", "identity") and not (
                self.pt.scalar or S.SIMPLE.match(call.group("args"))):  # F(η): a function
            head = self.name(call.group("head"))  # A(μ_p − m): a matrix times a vector
            if "^-1" in name.split("(")[0]:
                head = mpmath.inverse(head)
            return _mul(head, self._eval(_read(call.group("args"))))
        if name == "e":
            return mp.e
        if "(" in name or not S.SIMPLE.match(name):
            raise N.NotEvaluable(f"{name} is not defined in the text")
        return self.pt.symbol(name)
