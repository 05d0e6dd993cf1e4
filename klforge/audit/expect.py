"""Values of formulas with free symbols at a point: names, definitions, expectations.

A :class:`Context` resolves every name of a formula at a point of its free symbols:

* names with a value in the document (``H(p) = 0.7003``) — that value;
* recorded definitions (``r = \\sigma_1^2/\\sigma_2^2``) — the definition, evaluated;
* engine quantities (``D_{KL}(\\mathcal N(\\mu_1,\\sigma_1^2)\\|\\mathcal N(\\mu_2,\\sigma_2^2))``,
  ``H(\\mathrm{Bern}(p))``) — the engine's closed form (:mod:`.known`);
* ``D_KL(p||q)``, ``H(p)``, ``H(p,q)`` with ``p``, ``q`` whole distributions — evaluated on
  random distributions of a small finite support (:func:`.symbols.finite_model`);
* expectations ``\\mathbb{E}_p f``, ``\\mathbb{E}_{x\\sim p}[f]`` (a weighted sum over that
  support, ``p``/``p(x)`` standing for the mass at each point) and
  ``\\mathbb{E}_{x\\sim\\mathcal N(\\mu,\\sigma^2)}[f(x)]`` (also Bern, Pois, Exp, Gamma, Beta):
  mpmath quadrature or summation against the density at the sampled parameters;
* other symbols — the point's sampled values.

Example: ``\\mathbb{E}_{x\\sim\\mathcal{N}(\\mu,\\sigma^2)}[x^2]`` at μ = 1, σ = 2 is 5.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import mpmath

from . import evaluate as E
from . import known, latent, policy
from . import nodes as N
from . import symbols as S
from .distributions import QUAD_TOL, against, density, special
from .distributions import parameter as _arg
from .reading import MODEL, Reading

__all__ = ["QUAD_TOL", "Context"]

mp, iv = mpmath.mp, mpmath.iv
MARKERS = {"p": "\0p", "q": "\0q"}
RV = "\0rv"        # marker of a random variable X on a few values (E[X], Var(X))
JOINT = "\0xy"    # marker of the random joint distribution of X, Y
VECTOR = "\0v:"  # marker of a free real vector (z in \sum_i e^{z_i})
#: the domain of each parameter slot as written (N(μ, σ²): the variance is positive)
SLOTS = {"normal": ("real", "positive"), "bernoulli": ("probability",),
         "poisson": ("positive",), "exponential": ("positive",),
         "gamma": ("positive", "positive"), "beta": ("positive", "positive")}


def _exact(n: N.Num):
    return mp.mpf(n.value.numerator) / n.value.denominator


class Context(Reading):
    """Resolve the names of formulas at points; ``raw`` is the math segment's text (bodies
    of ``\\mathbb{E}[…]`` are re-read from it)."""

    def __init__(self, aud, st, raw: str = ""):
        self.aud, self.st, self.raw = aud, st, raw
        self.used_document_values = False  # a name with a value from the text was met
        self.quadrature = False            # a value came from quadrature (15 digits)
        self.valid = 0                     # points where both sides were evaluated
        self.used_definitions = False      # a recorded definition was expanded
        self.used_aliases = False          # p written for a distribution named earlier
        self.hints: dict = {}              # symbol → domain kind from a distribution's slot
        self.latent = False                # p(x|z), q(z|x), ELBO(q): the latent model
        self.policy = False                # π*, π_ref, J(π): the regularised policy problem
        doc = getattr(aud, "log_base", "unknown")
        self.log_base = None if doc in ("unknown", None) else doc   # the document's \log
        self.bits = False                  # engine quantities compared in bits (log₂)

    # -- analysis ---------------------------------------------------------------------------
    def is_quantity(self, name: str) -> bool:
        if self.policy and policy.known(name) and name != "pi^*":
            return True  # J(π) = …, r(y) = …: claims about the problem, not definitions
        if self.latent and latent.known(name) and latent._canon(name) is None:
            return True  # D_KL(q||p(z|x)), ELBO(q); not p(z|x) = p(x,z)/p(x), a definition
        if self.random_variable(name, "Var") is not None:
            return True
        return known.parse(name) is not None or S.functional(name, {"p": [1], "q": [1]}) \
            is not None or self.expectation(name) is not None or S.joint_functional(
                name, [[1]]) is not None

    def free(self, node):
        f, special, _ = self.analyse(node)
        return f, special

    def analyse(self, node, bound=frozenset(), depth=0):
        """(free symbols, uses engine/model quantities?, undefined names) of ``node``; the
        markers ``\\0p``, ``\\0q`` stand for whole distributions p, q (the finite model)."""
        free, bad, special = set(), [], [False]
        if depth > 8:
            return free, False, ["definitions refer to each other"]

        def take(sub):
            free.update(sub[0])
            special[0] = special[0] or sub[1]
            bad.extend(sub[2])

        def rec(n, b):
            if isinstance(n, N.Mul):
                for i, (op, f) in enumerate(n.factors):
                    e = _bare_expectation(self, f, op, i, n.factors)
                    if e is not None:
                        take(self._expectation_symbols((*e[:2], _rest(n.factors, i)), b, depth))
                        return
                    rec(f, b)
                return
            if isinstance(n, N.Index):
                if self.policy and n.vector in policy.VECTORS:
                    free.update(self._policy_symbols())
                    return
                if n.vector in MARKERS and not _bound_data(self.aud, n.vector):
                    free.add(MARKERS[n.vector])
                elif not _bound_data(self.aud, n.vector) and S.SIMPLE.match(n.vector):
                    free.add(VECTOR + n.vector)  # z_i in a sum: any real vector
                elif n.vector not in self.aud.names:
                    bad.append(n.vector)
                return
            if isinstance(n, N.Name):
                if n.name in self.aud.names:
                    self.used_document_values = True
                elif n.name not in b:
                    take(self._classify(n, b, depth))
                return
            binder = isinstance(getattr(n, "var", None), str) and hasattr(n, "body")
            for c in N.children(n):
                rec(c, b | {n.var} if binder and c is n.body else b)

        rec(node, frozenset(bound))
        return free, special[0], bad

    def _policy_symbols(self):
        return {policy.MARK} | ({"beta"} if "beta" not in self.aud.names else set())

    def _classify(self, n, b, depth):
        if self.policy and (policy.known(n.name) or (n.name == "Z" and "Z" not in self.st.defs)):
            return self._policy_symbols(), True, []  # r(y) = β ln(π*(y)/π_ref(y)) + β ln Z
        if self.latent and latent.known(n.name) and n.name not in self.st.defs:
            return {latent.MARK}, True, []  # ln p(x) = ELBO(q) + D_KL(q||p(z|x))
        if n.name in self.st.defs:
            self.used_definitions = True
            return self.analyse(self._definition(n.name), b, depth + 1)
        k = known.parse(n.name)
        if k is not None:
            for fam, args in k[1]:
                self._hint(fam, args)
            return self._union([self.analyse(_arg(a), b, depth + 1)
                                for _, args in k[1] for a in args], True)
        if S.functional(n.name, {"p": [1], "q": [1]}) is not None:
            return {MARKERS["p"], MARKERS["q"]}, True, []
        if S.joint_functional(n.name, [[1]]) is not None:  # H(X|Y), I(X;Y)
            return {JOINT}, True, []
        if (rv := self.random_variable(n.name, "Var")) is not None:  # Var(aX + b)
            f, _, bad = self.analyse(rv[1], b | {rv[0]}, depth + 1)
            return f | {RV}, True, bad
        if (dn := self.density(n.name)) is not None:  # p(x) with p = N(μ, σ²) stated
            self._hint(dn[0], dn[1])
            return self._union([self.analyse(_arg(a), b, depth + 1)
                                for a in (*dn[1], dn[2])], True)
        if (sf := special(n.name)) is not None:  # ψ(α), Γ(α), B(a, b)
            return self._union([self.analyse(_arg(a), b, depth + 1) for a in sf[1]], False)
        e = self.expectation(n.name, n.pos)
        if e is not None:
            return self._expectation_symbols(e, b, depth)
        if n.name == "e":  # Euler's number, as in 2\pi e\sigma^2
            return set(), False, []
        if S.is_differential(n.name):
            return set(), False, [f"{n.name} (a derivative or differential)"]
        if S.is_symbol(n.name):
            return {n.name}, False, []
        return set(), False, [n.name]

    def _definition(self, name):
        """The body of a definition, with distributions named since (``D = D_{KL}(p\\|q)``
        read where ``p = N(0, 1)`` is stated: the KL of those) written in place of p, q."""
        body = self.st.defs[name]
        return self.products(body) if getattr(self.st, "aliases", None) else body

    def _union(self, subs, special):
        free, bad = set(), []
        for f, s, b in subs:
            free |= f
            bad += b
            special = special or s
        return free, special, bad

    def _expectation_symbols(self, e, bound, depth):
        var, dist, body = e
        if body is None:
            return set(), True, ["the body of an expectation"]
        if dist == "rv":  # E[aX + b]: X a random variable on a few values
            f, _, b = self.analyse(body, bound | {var}, depth + 1)
            return f | {RV}, True, b
        if isinstance(dist, str):
            inner = bound | {"p", "q", "p(x)", "q(x)", var or "x"}
            f, _, b = self.analyse(body, inner, depth + 1)
            return f | {MARKERS["p"], MARKERS["q"]}, True, b
        fam, args = dist
        self._hint(fam, args)
        subs = [self.analyse(_arg(a), bound, depth + 1) for a in args]
        subs.append(self.analyse(body, bound | {var or "x"}, depth + 1))
        return self._union(subs, True)

    def _hint(self, fam, args):
        """A symbol written alone in a parameter slot takes the slot's domain."""
        for kind, text in zip(SLOTS[fam], args, strict=False):
            m = re.fullmatch(r"\\?([A-Za-z]+(?:_\{?\w+\}?)?)(\^2)?", text.strip())
            if m:
                self.hints.setdefault(m.group(1).replace("{", "").replace("}", ""), kind)

    # -- points and values ------------------------------------------------------------------
    def point(self, names, rng, extreme=False) -> dict:
        scalars = {n for n in names if not n.startswith("\0")}
        pt = S.sample(scalars, self.st.domains, rng, extreme, self.hints)
        if any(n.startswith("\0") for n in names):
            pt[MODEL] = S.finite_model(rng)
            if JOINT in names:
                pt[MODEL]["xy"] = S.joint_model(rng)
            if RV in names:
                pt[MODEL]["rv"] = S.rv_model(rng)
            if latent.MARK in names:
                pt[MODEL]["lat"] = latent.model(rng)
            if policy.MARK in names:
                beta = pt["beta"] if "beta" in pt else self.aud.names["beta"].exact
                pol = policy.model(rng, beta)
                pt[MODEL].update({k: pol[k] for k in policy.VECTORS})
                pt[MODEL]["pol"] = pol
            for n in names:
                if n.startswith(VECTOR):
                    pt[MODEL][n[len(VECTOR):]] = S.real_vector(rng)
        return pt

    def value(self, node, point, depth=0):
        """Value of ``node`` at ``point`` (mp, 60 digits)."""
        node, names = self._prepare(node, point, depth)
        env = E.Env(mp, _exact, names, vectors=dict(point.get(MODEL, {})),
                    log_base=None if self.log_base is None else mp.mpf(self.log_base))
        if any(isinstance(v, mpmath.mpc) for v in names.values()):
            raise N.NotEvaluable("a complex value (outside the quantity's domain)")
        return E.evaluate(node, env)

    def interval(self, node, point):
        """Value of ``node`` in mpmath.iv, names bound to thin intervals around their values."""
        node, names = self._prepare(node, point, 0)
        if any(k.startswith("\0E") for k in names) or MODEL in point:
            raise N.NotEvaluable("expectations are evaluated by quadrature, not intervals")
        lit = lambda n: iv.mpf(n.value.numerator) / n.value.denominator
        ivn = {k: iv.mpf([v - abs(v) * mpmath.mpf(10) ** -50, v + abs(v) * mpmath.mpf(10) ** -50])
               for k, v in names.items()}
        vec = {k: [iv.mpf([x, x]) for x in v] for k, v in point.get(MODEL, {}).items()}
        return E.evaluate(node, E.Env(iv, lit, ivn, vectors=vec, log_base=None if
                                      self.log_base is None else iv.mpf(self.log_base)))

    def _prepare(self, node, point, depth):
        """Replace expectations by placeholder names and resolve every name's value."""
        if depth > 8:
            raise N.NotEvaluable("definitions refer to each other")
        values = {}
        node = self._replace_expectations(node, point, values, depth)
        for n, b in _walk(node, frozenset()):
            if isinstance(n, N.Name) and n.name not in b and n.name not in values:
                values[n.name] = self.resolve(n.name, point, depth)
        return node, values

    def resolve(self, name, point, depth=0):
        if name in self.aud.names:
            return self.aud.names[name].exact
        if name == "e":
            return mp.e
        if name in point:
            return point[name]
        if name in self.st.defs:
            return self.value(self._definition(name), point, depth + 1)
        k = known.parse(name)
        if k is not None:
            deriv, dists = k
            args = []
            for fam, texts in dists:
                written = [self.value(_arg(a), point, depth + 1) for a in texts]
                try:
                    args += known.engine_args(fam, written)
                except ValueError as e:
                    raise N.NotEvaluable(str(e)) from None
            if deriv not in known.available():
                raise N.NotEvaluable(f"the engine has no closed form for {name}")
            with mp.workdps(N.DPS):  # the engine works in nats
                v = known.value(deriv, args)
                return v / mp.log(2) if self.bits else v
        if self.policy and "pol" in point.get(MODEL, {}):
            if name == "Z":
                return point[MODEL]["pol"]["\0Z"]
            v = policy.value(name, point[MODEL]["pol"])
            if v is not None:
                return v
        if self.latent and "lat" in point.get(MODEL, {}) and latent.known(name):
            return latent.value(name, point, point[MODEL]["lat"])
        v = S.functional(name, point.get(MODEL, {}))
        if v is not None:
            return v
        v = S.joint_functional(name, point.get(MODEL, {}).get("xy"))
        if v is not None:
            return v
        rv = self.random_variable(name, "Var")
        if rv is not None and "rv" in point.get(MODEL, {}):
            square = N.Pow(rv[1], N.Num(Fraction(2), "2", 0, 0))
            mean = self._expectation_value((rv[0], "rv", rv[1]), point, depth + 1)
            return self._expectation_value((rv[0], "rv", square), point, depth + 1) - mean ** 2
        dn = self.density(name)
        if dn is not None:
            params = [self.value(_arg(a), point, depth + 1) for a in dn[1]]
            return density(dn[0], params, self.value(_arg(dn[2]), point, depth + 1))
        sf = special(name)
        if sf is not None:
            args = [self.value(_arg(a), point, depth + 1) for a in sf[1]]
            try:
                return sf[0](*args)
            except (ValueError, ZeroDivisionError) as e:
                raise N.NotEvaluable(f"{name}: {e}") from None
        raise N.NotEvaluable(f"{name} is not defined in the text")

    def _replace_expectations(self, node, point, values, depth):
        def rec(n):
            if isinstance(n, N.Name):
                e = self.expectation(n.name, n.pos)
                if e is not None:
                    return self._placeholder(e, point, values, depth)
                return n
            if isinstance(n, N.Mul):
                out = []
                factors = list(n.factors)
                i = 0
                while i < len(factors):
                    op, f = factors[i]
                    e = _bare_expectation(self, f, op, i, factors)
                    if e is not None:
                        out.append((op, self._placeholder((*e[:2], _rest(factors, i)), point,
                                                          values, depth)))
                        break
                    out.append((op, rec(f)))
                    i += 1
                return replace(n, factors=out)
            return N.map_children(n, rec)  # (a Mul never reaches here)
        return rec(node)

    def _placeholder(self, e, point, values, depth):
        key = f"\0E{len(values)}"
        values[key] = self._expectation_value(e, point, depth)
        return N.Name(key)

    def _expectation_value(self, e, point, depth):
        var, dist, body = e
        var = var or "x"
        if body is None:
            raise N.NotEvaluable("the body of the expectation could not be read")
        if dist == "rv":
            if "rv" not in point.get(MODEL, {}):
                raise N.NotEvaluable("no random variable drawn for the expectation")
            values, weights = point[MODEL]["rv"]
            return mp.fsum(w * self.value(body, {**point, var: x}, depth + 1)
                           for x, w in zip(values, weights, strict=True))
        if isinstance(dist, str):
            model = point.get(MODEL)
            if not model:
                raise N.NotEvaluable("no distribution for the expectation")
            if self.latent and dist == "q" and "lat" in model:  # E_q over the latent z
                return latent.expectation(lambda pt: self.value(body, pt, depth + 1), point,
                                          model["lat"])
            total = mp.mpf(0)
            for i in range(len(model[dist])):
                pt = dict(point)
                for v in ("p", "q"):
                    pt[v] = pt[f"{v}(x)"] = pt[f"{v}({var})"] = model[v][i]
                pt[var] = mp.mpf(i)
                total += model[dist][i] * self.value(body, pt, depth + 1)
            return total
        fam, texts = dist
        params = [self.value(_arg(a), point, depth + 1) for a in texts]
        pt = dict(point)
        pt[var] = mp.mpf(0)
        ready, names = self._prepare(body, pt, depth + 1)  # names resolved once, not per node
        if any(n in self.st.defs or self.density(n) is not None for n in names):
            def f(t):  # a definition may depend on the variable: resolve at every node
                return self.value(body, {**point, var: t}, depth + 1)
        else:
            env = E.Env(mp, _exact, names, vectors=dict(point.get(MODEL, {})))

            def f(t):
                names[var] = t
                env.deadline = 0.0
                return E.evaluate(ready, env)
        self.quadrature = True
        return against(fam, params, f)


def _walk(node, bound):
    """(node, bound variable names) pairs; sums and integrals bind their variable."""
    yield node, bound
    inner = bound | {node.var} if hasattr(node, "var") and isinstance(node.var, str) and \
        hasattr(node, "body") else bound
    for c in N.children(node):
        yield from _walk(c, inner if c is getattr(node, "body", None) else bound)


def _rest(factors, i):
    """The factors after position i, as one formula (the body of ``E_p f g``)."""
    rest = factors[i + 1:]
    return rest[0][1] if len(rest) == 1 else N.Mul([("*", rest[0][1])] + rest[1:])


def _bare_expectation(ctx, f, op, i, factors):
    """``E_p`` (no bracket) as factor i of a product with more factors: its expectation."""
    if not (isinstance(f, N.Name) and op == "*" and i + 1 < len(factors) and "[" not in f.name):
        return None
    if f.name == "E":  # E(2X), read by the parser as E·(2X): X a random variable
        letters = {n.name for n in N.walk(_rest(factors, i))
                   if isinstance(n, N.Name) and re.fullmatch(r"[A-Z]", n.name)}
        return (letters.pop(), "rv", None) if len(letters) == 1 else None
    e = ctx.expectation(f.name)
    return e if e is not None and e[2] is None else None


def _bound_data(aud, vector: str) -> bool:
    """p = (0.5, 0.3, 0.2) or p_1, p_2, … given values: p is the document's data, not any p."""
    return vector in getattr(aud, "vectors", {}) or any(
        k.startswith(vector + "_") for k in aud.names)
