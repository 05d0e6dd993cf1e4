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

Which symbols a formula depends on is worked out first (:mod:`.freesymbols`); this module
draws the points and evaluates there (mpmath, 60 digits; intervals for the rounding checks).
Example: ``\\mathbb{E}_{x\\sim\\mathcal{N}(\\mu,\\sigma^2)}[x^2]`` at μ = 1, σ = 2 is 5.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import mpmath

from . import evaluate as E
from . import jointsums, known, latent, policy
from . import nodes as N
from . import symbols as S
from .distributions import QUAD_TOL, against, density, special
from .expectbody import ExpectationBodies
from .freesymbols import (
    JOINT,
    MARKERS,
    RV,
    SLOTS,
    VECTOR,
    FreeSymbols,
    _bare_expectation,
    _implicit_var,
    _rest,
)
from .freesymbols import parameter as _arg
from .reading import MODEL, Reading
from .textdensities import TextDensities

__all__ = ["JOINT", "MARKERS", "MODEL", "QUAD_TOL", "RV", "SLOTS", "VECTOR", "Context"]

mp, iv = mpmath.mp, mpmath.iv


def _exact(n: N.Num):
    return mp.mpf(n.value.numerator) / n.value.denominator


class Context(ExpectationBodies, FreeSymbols, Reading, TextDensities):
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
            if S.pmf_pair(n[len(VECTOR):] for n in names if n.startswith(VECTOR)):
                pt[MODEL].update(zip(S.PMF_PAIR, S.finite_model(rng).values(), strict=True))
        return pt

    def value(self, node, point, depth=0):
        """Value of ``node`` at ``point`` (mp, 60 digits)."""
        node, names = self._prepare(node, point, depth)
        if any(isinstance(n, N.Integral) for n in N.walk(node)):
            self.quadrature = True  # compared to QUAD_TOL at QUAD_POINTS points, as E[…]
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
        if (body := self.indexed_definition(name)) is not None:  # λ_1 with λ_i = 1/σ_i²
            return self.value(body, point, depth + 1)
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
        if v is None:
            v = S.joint_functional(name, point.get(MODEL, {}).get("xy"))
        if v is not None:  # in nats; D, H, I in bits where every logarithm is log₂ (not TV, χ²)
            log = re.match(r"(?:D_?KL|KL|D|H|I)(?:\(|$)", S.BARE.get(name, name))
            return v / mp.log(2) if self.bits and log else v
        rv = self.random_variable(name, "Var")
        if rv is not None and "rv" in point.get(MODEL, {}):
            square = N.Pow(rv[1], N.Num(Fraction(2), "2", 0, 0))
            mean = self._expectation_value((rv[0], "rv", rv[1]), point, depth + 1)
            return self._expectation_value((rv[0], "rv", square), point, depth + 1) - mean ** 2
        if (fc := self.function_call(name)) is not None:  # p(t) with p(x) = … defined
            return self.value(fc[1], {**point, fc[0]: self.value(fc[2], point, depth + 1)},
                              depth + 1)
        if self.text_functional(name) is not None:  # D_KL(q||p) of p(x), q(x) defined
            return self.functional_value(name, point, depth)
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
            if jointsums.is_joint_sum(n):  # Σ_{x,y} p(x,y) …: in the random joint model
                key = f"\0E{len(values)}"
                values[key] = jointsums.value(self, n, point, depth)
                return N.Name(key)
            if self.depends_on_variable(n) or _infinite(n) or self.family_sum(n):
                key = f"\0E{len(values)}"  # ∫ p ln(p/q) dx, p, q defined; Σ_x over Bern(p)
                values[key] = (self.family_sum_value if isinstance(n, N.Sum) else
                               self.integral_node_value)(n, point, depth)
                return N.Name(key)
            if isinstance(n, N.Name):
                e = self.expectation(n.name, n.pos, n.src)
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
        if isinstance(dist, str) and dist in self._fdefs():  # E_p[f] of a density p(x) = …
            return self.density_mean(dist, var, body, point, depth)
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
        if e[0] is None:  # g = N(u; c, v²): u; E_P[k] over P = Poisson(λ): k is the variable
            named = re.match(r"([A-Za-z]\w*);", texts[0]) if texts else None
            var = named.group(1) if named else _implicit_var(body, texts) or var
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


def _infinite(node) -> bool:
    """An integral with an infinite bound (evaluated at the quadrature tolerance)."""
    return isinstance(node, N.Integral) and node.lo is not None and any(
        isinstance(b, N.Const) and b.name == "inf" or isinstance(b, N.Neg) and isinstance(
            b.arg, N.Const) and b.arg.name == "inf" for b in (node.lo, node.hi))


def _walk(node, bound):
    """(node, bound variable names) pairs; sums and integrals bind their variable."""
    yield node, bound
    inner = bound | {node.var} if hasattr(node, "var") and isinstance(node.var, str) and \
        hasattr(node, "body") else bound
    for c in N.children(node):
        yield from _walk(c, inner if c is getattr(node, "body", None) else bound)
