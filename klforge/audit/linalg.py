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

Verdicts as in :mod:`.identity`: holds at N points (ok), a counterexample with both values
(error), or unchecked with the reason (a shape mismatch, an abstract function).
Example: ``\\mathbb{E}_p[(x-m)^\\top A(x-m)] = \\operatorname{tr}(A\\Sigma_p) + (\\mu_p-m)^\\top
A(\\mu_p-m)`` → ok; with ``\\frac12\\operatorname{tr}`` → error at n = 2.
"""

from __future__ import annotations

import functools
import random
import re
import zlib

import mpmath

from . import nodes as N
from . import symbols as S
from .distributions import parameter

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
        if self.scalar and kind not in ("dim", "identity"):
            kind = "scalar"
        if kind == "identity":
            v = mp.eye(self.n)
        elif kind == "dim":
            v = mp.mpf(self.n)
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


class Evaluator:
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
                total += _scalar(Evaluator(self.pt, {**self.bound, node.var: i})._eval(
                    node.body))
            return total
        if isinstance(node, N.Index):
            return self.element(node.vector, [node.var])
        raise N.NotEvaluable(f"{N.to_text(node)}: not evaluated with matrices")

    def with_bound(self, var, value):
        return Evaluator(self.pt, {**self.bound, var: value})

    def gradient(self, node):
        """∇f, ∇²f of a scalar f of one scalar symbol (the subscript, or the argument of
        ``A(η)``): ``mpmath.diff`` at the point, 60 digits."""
        var = node.base.name if isinstance(node.base, (N.Name, N.Var)) else None
        if var is None and isinstance(node.arg, N.Name):
            m = re.fullmatch(r"[A-Za-z]+\((\w+)\)", node.arg.name)
            var = m.group(1) if m else None
        if var is None:
            raise N.NotEvaluable("a gradient without its variable")
        defs = {**getattr(self.pt.st, "formulas", {}), **self.pt.st.defs}  # η = ln(p/(1−p))
        if (var in defs and isinstance(node.arg, N.Name) and node.arg.name not in defs
                and node.arg.name in _uses(defs[var]) and node.name == "grad"):
            # dp/dη with η = η(p) defined: the inverse function's derivative 1/(dη/dp)
            inner = self.gradient(N.Func("grad", defs[var], N.Name(node.arg.name)))
            if inner == 0:
                raise N.NotEvaluable(f"d{var}/d{node.arg.name} is 0: no inverse derivative")
            return 1 / inner
        at = self.name(var)
        if _is_m(at) and at.cols == 1 and node.name == "grad":  # ∇_b f: partial derivatives
            def part(i):
                def f(t):
                    v = at.copy()
                    v[i, 0] = t
                    return _scalar(Evaluator(self.pt, {**self.bound, var: v})._compute(node.arg))
                return mpmath.diff(f, at[i, 0])
            return mp.matrix([[part(i)] for i in range(at.rows)])
        if _is_m(at):
            raise N.NotEvaluable(f"a Hessian with respect to the vector {var} is not evaluated")
        try:
            self._compute(node.arg)
        except N.NotEvaluable as e:
            raise N.NotEvaluable(f"a gradient of {N.to_text(node.arg)}: {e}") from None

        def f(t):
            return _scalar(Evaluator(self.pt, {**self.bound, var: t})._compute(node.arg))
        return mpmath.diff(f, at, 1 if node.name == "grad" else 2)

    def limit(self, node):
        """lim_{t → a±} f: f at a ± 10^{-8k} (or at 10^{8k} for ∞), k = 1…4, 60 digits; the
        values must settle (the last two within 10^{-12}), else it is not evaluated."""
        var, point, side = (f for _, f in node.base.factors)
        sign = 1 if side.name == "+" else -1
        at = None if isinstance(point, N.Const) and point.name == "inf" else _scalar(
            self._eval(point))
        values = []
        for k in (1, 2, 3, 4):
            t = mp.mpf(10) ** (8 * k) if at is None else at + sign * mp.mpf(10) ** (-8 * k)
            values.append(_scalar(Evaluator(self.pt, {**self.bound, var.name: t})._compute(
                node.arg)))
        if abs(values[-1] - values[-2]) > mp.mpf(10) ** -12 * max(1, abs(values[-1])):
            raise N.NotEvaluable(f"the limit as {var.name} → {N.to_text(point)} did not settle")
        return values[-1]

    def optimum(self, node, claimed):
        """Is ``claimed`` a stationary point of the argmin/argmax body with the right
        curvature?  (f′, f″) there, by mpmath.diff; NotEvaluable for a vector variable."""
        var = node.base.name
        if _is_m(claimed):
            raise N.NotEvaluable("an argmin/argmax over a vector is not checked")

        def f(t):
            return _scalar(Evaluator(self.pt, {**self.bound, var: t})._compute(node.arg))
        return mpmath.diff(f, claimed, 1), mpmath.diff(f, claimed, 2)

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
            from . import expfam
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
        if (m := _VKL.match(name)) is not None:  # D_KL between two probability vectors
            a, b = self.name(m.group("a")), self.name(m.group("b"))
            return mp.fsum(a[i, 0] * mp.log(a[i, 0] / b[i, 0]) for i in range(a.rows))
        call = _CALL.match(name)
        if call and shape(call.group("head")) in ("spd", "lower", "matrix", "identity"):
            head = self.name(call.group("head"))  # A(μ_p − m): a matrix times a vector
            if "^-1" in name.split("(")[0]:
                head = mpmath.inverse(head)
            return _mul(head, self._eval(_read(call.group("args"))))
        if name == "e":
            return mp.e
        if "(" in name or not S.SIMPLE.match(name):
            raise N.NotEvaluable(f"{name} is not defined in the text")
        return self.pt.symbol(name)

    def log_density(self, dist, name):
        mean, cov = (self._eval(_read(t)) for t in dist)
        arg = re.search(r"\((.*)\)$", name).group(1)
        x = self._eval(_read(arg))
        if not (_is_m(mean) and _is_m(cov) and _is_m(x)):
            raise N.NotEvaluable("a multivariate normal needs a mean vector and a covariance")
        low = self.pt.memo.get(("chol", id(cov)))
        if low is None:
            low = self.pt.memo[("chol", id(cov))] = mpmath.cholesky(cov)
        y = mpmath.lu_solve(low, x - mean)
        n = cov.rows
        return (-mp.mpf(n) / 2 * mp.log(2 * mp.pi) - sum(mp.log(low[i, i]) for i in range(n))
                - sum(y[i] ** 2 for i in range(n)) / 2)

    def expectation(self, e):
        dist = normal_of(self.pt.st, e.group("dist"))
        if dist is None:
            raise N.NotEvaluable(f"an expectation under {e.group('dist')}: not a multivariate "
                                 "normal of the text")
        body = _read(e.group("body"))
        var = e.group("var") or "x"
        mean, cov = (self._eval(_read(t)) for t in dist)
        low = mpmath.cholesky(cov)
        results = []
        for k in (2, 3):
            nodes, weights = _hermite(k)
            total = mp.mpf(0)
            for idx in _grid(k, cov.rows):
                t = mp.matrix([[nodes[i]] for i in idx])
                w = functools.reduce(lambda a, i: a * weights[i], idx, mp.mpf(1))
                x = mean + low * t * mp.sqrt(2)
                total += w * _scalar(Evaluator(self.pt, {**self.bound, var: x})._eval(body))
            results.append(total / mp.pi ** (mp.mpf(cov.rows) / 2))
        if abs(results[0] - results[1]) > mp.mpf(10) ** -30 * max(1, abs(results[1])):
            raise N.NotEvaluable("the expectation's body is not a low-degree polynomial in "
                                 f"{var}: the Gauss–Hermite rule is not exact")
        return results[1]


def _grid(k, n):
    if n == 0:
        yield ()
        return
    for rest in _grid(k, n - 1):
        for i in range(k):
            yield (*rest, i)


@functools.lru_cache(maxsize=4)
def _hermite(k):
    """Nodes and weights of the k-point Gauss–Hermite rule (∫ e^{-t²} f(t) dt), 60 digits."""
    with mp.workdps(N.DPS + 20):
        h = [[mp.mpf(1)], [mp.mpf(2), mp.mpf(0)]]  # coefficients, highest power first
        for j in range(1, k):
            nxt = [2 * c for c in h[j]] + [mp.mpf(0)]
            for i, c in enumerate(h[j - 1]):
                nxt[i + 2] -= 2 * j * c
            h.append(nxt)
        roots = sorted(mp.re(r) for r in mpmath.polyroots(h[k], maxsteps=200, extraprec=200))
        weights = [2 ** (k - 1) * mpmath.factorial(k) * mp.sqrt(mp.pi)
                   / (k ** 2 * mpmath.polyval(h[k - 1], r) ** 2) for r in roots]
    return roots, weights


@functools.lru_cache(maxsize=256)
def _read(text):
    """A formula from a flattened name's text (``(x-m)^topA(x-m)``, ``lnq(x)``)."""
    text = re.sub(r"\^top(?![a-z])", r"^\\top ", text)
    return parameter(text)


def normal_of(st, dist):
    """(mean text, covariance text) when ``dist`` is a multivariate normal: ``N(mu_p,Sigma_p)``
    or a name the text bound to one (``p = \\mathcal N(\\mu_p, \\Sigma_p)``)."""
    dist = getattr(st, "aliases", {}).get(dist, dist)
    m = _NORMAL.match(dist.replace(" ", ""))
    if not m or shape(m.group("cov")) not in ("spd", "matrix"):
        return None
    return m.group("mean"), m.group("cov")


# -- verdicts ------------------------------------------------------------------------------
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
                n.name) or _VKL.match(n.name):
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
        if dist is not None:
            out.add(f"N({dist[0]}, {dist[1]})")
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
    from . import expfam

    rng = random.Random(zlib.crc32(relation.encode()))
    agree, skipped, bad = 0, [], None
    matrices, scalars = False, set()
    families = expfam.FAMILIES if expfam.mentions(relation) else None
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
        what = "vectors and matrices: c" if matrix_syntax(lhs, rhs) else "C"
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
