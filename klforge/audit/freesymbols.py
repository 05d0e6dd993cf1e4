"""Which symbols a formula depends on, before it is evaluated (a mixin of
:class:`.expect.Context`): the free symbols of a formula — its plain symbols, and markers for
whole distributions p, q (``\\0p``, ``\\0q``: the finite model of :mod:`.symbols`), a random
variable on a few values (``E[X]``, ``Var(X)``), a joint distribution (``H(X|Y)``), a free real
vector (``z`` in ``\\sum_i e^{z_i}``), the latent model and the regularised policy problem —
whether it uses engine or model quantities, and which names the text leaves undefined.
Recorded definitions are expanded; a symbol alone in a distribution's parameter slot takes the
slot's domain (``N(\\mu, \\sigma^2)``: σ² positive), as a hint for sampling.

Example: for ``D_{KL}(p\\|q) = \\sum_x p(x)\\ln\\frac{p(x)}{q(x)}``, ``free`` of the left side
is ``({"\\0p", "\\0q"}, True)``; of ``\\mu^2 + \\sigma^2``, ``({"mu", "sigma"}, False)``.
"""

from __future__ import annotations

import re

from . import jointsums, known, latent, policy
from . import nodes as N
from . import symbols as S
from .declarations import DIMENSION, declared, dimension_words  # noqa: F401 (re-exported)
from .distributions import parameter as _parameter
from .distributions import special

__all__ = ["JOINT", "MARKERS", "RV", "SLOTS", "VECTOR", "FreeSymbols"]

MARKERS = {"p": "\0p", "q": "\0q"}
RV = "\0rv"        # marker of a random variable X on a few values (E[X], Var(X))
JOINT = "\0xy"    # marker of the random joint distribution of X, Y
VECTOR = "\0v:"  # marker of a free real vector (z in \sum_i e^{z_i})
#: the domain of each parameter slot as written (N(μ, σ²): the variance is positive)
SLOTS = {"normal": ("real", "positive"), "bernoulli": ("probability",),
         "poisson": ("positive",), "exponential": ("positive",),
         "gamma": ("positive", "positive"), "beta": ("positive", "positive")}


def parameter(text: str):
    """A distribution's parameter as a formula; the variable written before a semicolon
    (``N(x;mu,sigma^2)``, ``N(x|mu,sigma^2)`` — the density of x) is not a parameter:
    ``"x;mu_1"`` → μ₁."""
    return _parameter(re.sub(r"^[A-Za-z]\w*[;|]", "", text))


_arg = parameter


class FreeSymbols:
    """Needs ``self.aud`` (the auditor), ``self.st`` (identity state), the flags of
    :class:`.expect.Context` and the readings of :class:`.reading.Reading`."""

    def is_quantity(self, name: str) -> bool:
        if self.policy and policy.known(name) and name != "pi^*":
            return True  # J(π) = …, r(y) = …: claims about the problem, not definitions
        if self.latent and latent.known(name) and latent._canon(name) is None:
            return True  # D_KL(q||p(z|x)), ELBO(q); not p(z|x) = p(x,z)/p(x), a definition
        if self.random_variable(name, "Var") is not None:
            return True
        if self.text_functional(name) is not None:  # D_KL(g||f) of g(u), f(u) defined
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
            if jointsums.is_joint_sum(n):  # Σ_{x,y} p(x,y) …: any joint distribution
                free.add(JOINT)
                special[0] = True
                return
            if isinstance(n, N.Mul):
                for i, (op, f) in enumerate(n.factors):
                    e = _bare_expectation(self, f, op, i, n.factors)
                    if e is not None:
                        take(self._expectation_symbols((*e[:2], _rest(n.factors, i)), b, depth))
                        return
                    rec(f, b)
                return
            if isinstance(n, N.Index):
                if self._discrete(n.vector) is not None:  # P(x) in Σ_x, P = Bern(p): p
                    take(self.analyse(N.Name(f"{n.vector}({n.var})"), b | {n.var}, depth + 1))
                    return
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
        if self.latent and n.name in ("KL", "D_KL", "DKL", "D") and n.name not in self.st.defs \
                and n.name not in self.aud.names:  # ln p(x) = ELBO + KL: which two?
            return set(), False, [f"{n.name} without its two distributions"]
        if self.policy and (policy.known(n.name) or (n.name == "Z" and "Z" not in self.st.defs)):
            return self._policy_symbols(), True, []  # r(y) = β ln(π*(y)/π_ref(y)) + β ln Z
        if self.latent and latent.known(n.name) and n.name not in self.st.defs:
            return {latent.MARK}, True, []  # ln p(x) = ELBO(q) + D_KL(q||p(z|x))
        if n.name in self.st.defs:
            self.used_definitions = True
            return self.analyse(self._definition(n.name), b, depth + 1)
        if (body := self.indexed_definition(n.name)) is not None:
            self.used_definitions = True
            return self.analyse(body, b, depth + 1)
        k = known.parse(n.name)
        if k is not None:
            for fam, args in k[1]:
                self._hint(fam, args)
            return self._union([self.analyse(_arg(a), b, depth + 1)
                                for _, args in k[1] for a in args], True)
        if (ts := self.text_symbols(n.name, b, depth)) is not None:  # p(t), D_KL(q||p) of
            self.used_definitions = True                            # p(x), q(x) defined
            return ts
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
        e = self.expectation(n.name, n.pos, getattr(n, "src", None))
        if e is not None:
            return self._expectation_symbols(e, b, depth)
        if n.name == "e":  # Euler's number, as in 2\pi e\sigma^2
            return set(), False, []
        if n.name == "d" and getattr(self, "shift_d", False):  # N(μ + d, σ²): a shift d
            return {"d"}, False, []
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

    def products(self, node):
        """As :meth:`.reading.Reading.products`, and a power binds tighter than the product a
        call was read as: ``\\lambda_1(x-\\mu_1)^2`` is λ₁·(x − μ₁)², not (λ₁(x − μ₁))²."""
        def rec(n):
            if isinstance(n, N.Pow) and isinstance(n.base, N.Name):
                m = super(FreeSymbols, self).products(n.base)
                if isinstance(m, N.Mul) and len(m.factors) == 2:
                    return N.Mul([m.factors[0], ("*", N.Pow(m.factors[1][1], rec(n.exp)))])
            return N.map_children(n, rec)
        return super().products(rec(node))

    def indexed_definition(self, name):
        """``λ_1`` under a definition ``λ_i = 1/σ_i^2`` written for a letter index: the body
        with that index replaced (1/σ_1²); None when there is no such definition.
        Example: with ``r_j = q_j/p_j`` defined, ``r_2`` is ``q_2/p_2``."""
        m = re.fullmatch(r"(\w+?)_\{?(\d+)\}?", name)
        if not m or name in self.st.defs:
            return None
        for j in "ijkmn":
            body = self.st.defs.get(f"{m.group(1)}_{j}")
            if body is not None:
                pat = re.compile(r"(\w+?)_\{?" + j + r"\}?")
                return _subscript(body, pat, m.group(2))
        return None

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
        if isinstance(dist, str) and dist in self._fdefs():  # E_p[x] with p(x) = λe^{-λx}
            f1, _, b1 = self.analyse(body, bound | {var or "x"}, depth + 1)
            fvar, fbody = self._fdefs()[dist]
            f2, _, b2 = self.analyse(fbody, bound | {fvar}, depth + 1)
            return f1 | f2, True, b1 + b2
        if isinstance(dist, str):
            inner = bound | {"p", "q", "p(x)", "q(x)", var or "x"}
            f, _, b = self.analyse(body, inner, depth + 1)
            return f | {MARKERS["p"], MARKERS["q"]}, True, b
        fam, args = dist
        self._hint(fam, args)
        subs = [self.analyse(_arg(a), bound, depth + 1) for a in args]
        implicit = {_implicit_var(body, args)} - {None} if var is None else set()
        subs.append(self.analyse(body, bound | {var or "x"} | implicit, depth + 1))
        return self._union(subs, True)

    def _hint(self, fam, args):
        """A symbol written alone in a parameter slot takes the slot's domain."""
        for kind, text in zip(SLOTS[fam], args, strict=False):
            m = re.fullmatch(r"\\?([A-Za-z]+(?:_\{?\w+\}?)?)(\^2)?", text.strip())
            if m:
                self.hints.setdefault(m.group(1).replace("{", "").replace("}", ""), kind)


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


def _subscript(node, pat, index: str):
    """``node`` with every name ``x_j`` (``pat``) written ``x_<index>``."""
    if isinstance(node, N.Name) and (k := pat.fullmatch(node.name)):
        return N.Name(f"{k.group(1)}_{index}", node.pos)
    return N.map_children(node, lambda c: _subscript(c, pat, index))


def _implicit_var(body, texts) -> str | None:
    """The variable of ``E_P[k]`` written without one: the one single-letter name of the body
    not in P's parameters (else its one capital: ``E_q[Z^2/2]``, Z the variable itself); None
    when there is no such name, several, or the body uses x."""
    names = {n.name for n in N.walk(body) if isinstance(n, N.Name)}
    params = {c for t in texts for c in re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", t)}
    letters = ({n for n in names if re.fullmatch(r"[a-z]", n)} - params
               or {n for n in names if re.fullmatch(r"[A-Z]", n)} - params)
    return letters.pop() if len(letters) == 1 and "x" not in letters else None
