r"""Functions and densities the text defines, and integrals over them (a mixin of
:class:`.expect.Context`).

* A function defined by the text, ``p(x) = \lambda e^{-\lambda x}``, ``\ell(x) =
  \frac{1}{2b}e^{-|x|/b}``, ``f(\theta) = \theta^2 e^{-\theta}`` (recorded by
  :func:`record`): a later ``p(t)``, ``f(2\theta)`` is its body at that argument.
* An integral whose body depends on its variable through such names — ``\int_0^\infty
  q(x)\ln\frac{q(x)}{p(x)}\,dx`` with p, q defined, ``\int_{-\infty}^{\infty} p(x)\log\frac{p(x)}
  {q(x)}\,dx`` with ``p = \mathcal N(x;\mu_1,\sigma^2)`` stated, ``\int \mathcal N(x\mid\mu,
  \sigma^2)\ln\mathcal N(x\mid\mu,\sigma^2)\,dx`` — is evaluated by quadrature
  (:func:`.calculus.quadrature`), the names resolved at every node.
* ``D_{KL}(p\|q)``, ``KL(q\|p)``, ``H(p)``, ``h(p)`` of two such densities of one variable are
  ∫ p ln(p/q) and −∫ p ln p over that variable's domain as the text states it (``x \ge 0``:
  the half-line), else the whole line.

Formula, domain: ∫_a^b g(x) dx with a, b from the text (±∞ allowed); g evaluated at 60 digits,
the quadrature at ``DPS`` digits, so a relation with such an integral is compared to the
quadrature tolerance (:data:`.distributions.QUAD_TOL`).
Example: with ``p(x) = \lambda e^{-\lambda x}``, ``q(x) = \eta e^{-\eta x}`` and ``x \ge 0``,
``D_{KL}(q\|p)`` at λ = 1, η = 2 is ln 2 − 1/2 ≈ 0.1931.
"""

from __future__ import annotations

import re

import mpmath

from . import calculus, known
from . import evaluate as E
from . import nodes as N
from .distributions import density
from .freesymbols import parameter as _arg

MODEL = "\0model"  # the key of the finite models in a point (as :data:`.reading.MODEL`)

mp = mpmath.mp
DPS = 15                         # digits of a quadrature inside an identity test
TOLERANCE = mpmath.mpf(10) ** -13
#: heads that name quantities of distributions, never a function the text defines
_FUNCTIONALS = {"H", "D", "I", "E", "KL", "D_KL", "DKL", "Var", "Cov", "Pr", "P_r"}
_CALL = re.compile(r"^([A-Za-z]\w*?)\((.+)\)$")
_PAIR = re.compile(r"^(?:D_?KL|KL|D)\(([A-Za-z]\w*)(?:\|\||Vert)([A-Za-z]\w*)\)$")
_SELF = re.compile(r"^[Hh]\(([A-Za-z]\w*)\)$")


def record(st, prev, node) -> bool:
    """``p(x) = formula`` with x a plain variable of the formula: remember ``p`` as the
    function x ↦ formula (``st.fdefs``); True when recorded."""
    m = re.fullmatch(r"([A-Za-z]\w*)\(([A-Za-z]\w*)\)", getattr(prev, "name", "") or "")
    if not m or m.group(1) in _FUNCTIONALS:
        return False
    var = m.group(2)
    if not any(isinstance(n, N.Name) and n.name == var for n in N.walk(node)):
        return False
    st.__dict__.setdefault("fdefs", {})[m.group(1)] = (var, node)
    return True


def _exact(n: N.Num):
    return mp.mpf(n.value.numerator) / n.value.denominator


def _substitute(node, var, arg):
    """``node`` with the symbol ``var`` replaced by the formula ``arg``."""
    if isinstance(node, N.Name) and node.name == var:
        return arg
    return N.map_children(node, lambda c: _substitute(c, var, arg))


def _named_calls(node, var):
    """``P(x)`` read as an index of data in a sum over x, as the name it was written:
    a density value of an aliased family (:meth:`.reading.Reading.density`)."""
    if isinstance(node, N.Index) and node.var == var:
        return N.Name(f"{node.vector}({var})", node.pos)
    if isinstance(node, N.Var) and node.name == var:
        return N.Name(var, node.pos)
    return N.map_children(node, lambda c: _named_calls(c, var))


def _named_var(node, var):
    """The body with the integral's bound variable (a :class:`.nodes.Var`) as a name again,
    so that the names around it (``p(x)``) and the point agree on its value."""
    if isinstance(node, N.Var) and node.name == var:
        return N.Name(var, node.pos)
    return N.map_children(node, lambda c: _named_var(c, var))


class TextDensities:
    """Needs ``self.st``, ``self.aud``, ``self.value``, ``self.analyse``, ``self.density``."""

    def _fdefs(self) -> dict:
        if getattr(self, "functions_off", False):
            return {}
        return getattr(self.st, "fdefs", {})

    def condition_on_variable(self, op, *sides) -> bool:
        """``p(x) < q(x)`` with p, q defined: where the inequality holds is a condition on x
        ("negative wherever p(x) < q(x)"), not a claim for every x — the functions are then
        not expanded (the relation is read as before they were defined)."""
        if op not in ("<", ">", "≤", "≥") or not any(
                isinstance(s, N.Name) and self.function_call(s.name) is not None
                for s in sides):
            return False
        self.functions_off = True
        return True

    def function_call(self, name: str):
        """(parameter, body, argument node) of ``f(arg)`` with f defined by the text."""
        m = _CALL.match(name)
        if not m or m.group(1) not in self._fdefs() or m.group(1) in getattr(
                self.st, "aliases", {}):
            return None
        var, body = self._fdefs()[m.group(1)]
        try:
            arg = _arg(m.group(2))
        except N.NotEvaluable:
            return None
        return var, body, arg

    def text_functional(self, name: str):
        """(variable, integrand node) of D_KL(p||q) / H(p) of densities the text defines as
        functions of one variable; None otherwise."""
        pair, single = _PAIR.match(name), _SELF.match(name)
        heads = pair.groups() if pair else single.groups() if single else ()
        defs = [self._fdefs().get(h) for h in heads]
        if not heads or any(d is None for d in defs) or len({d[0] for d in defs}) != 1:
            return None
        var = defs[0][0]
        at = [N.Name(f"{h}({var})") for h in heads]
        if pair:
            body = N.Mul([("*", at[0]), ("*", N.Func("ln", N.Mul([("*", at[0]), ("/", at[1])])))])
        else:
            body = N.Neg(N.Mul([("*", at[0]), ("*", N.Func("ln", at[0]))]))
        return var, body

    def depends_on_variable(self, node) -> bool:
        """Does an integral's body name its variable inside another name (``p(x)``,
        ``N(x|mu,sigma^2)``, ``ell(x)``) that the text defines?"""
        if not isinstance(node, N.Integral) or node.lo is None:
            return False
        pat = re.compile(rf"(?<![A-Za-z]){re.escape(node.var)}(?![A-Za-z0-9])")
        return any(isinstance(n, N.Name) and n.name != node.var and pat.search(n.name)
                   and n.name not in self.aud.names and (
                       self.function_call(n.name) is not None or self.density(n.name)
                       is not None) for n in N.walk(node.body))

    def family_sum(self, node) -> bool:
        """``\\sum_{x\\in\\{0,1\\}} P(x)\\ln\\frac{P(x)}{Q(x)}`` after ``P = \\mathrm{Bern}(p)``: a
        sum over the outcomes of discrete families the text named (Bernoulli, Poisson)."""
        if not isinstance(node, N.Sum) or node.kind != "sum":
            return False
        used = {i.vector for i in N.walk(node.body) if isinstance(i, N.Index)
                and i.var == node.var}
        return bool(used) and all(self._discrete(v) is not None for v in used)

    def _discrete(self, name):
        """The family of a name aliased to a Bernoulli or Poisson distribution, else None."""
        text = getattr(self.st, "aliases", {}).get(name)
        fam = known.distribution(text) if text else None
        return fam[0] if fam and fam[0] in ("bernoulli", "poisson") else None

    def family_sum_value(self, node, point, depth):
        """The sum over the outcomes: 0, 1 for a Bernoulli, 0, 1, 2, … for a Poisson (mpmath's
        nsum), or the bounds written."""
        body = _named_calls(node.body, node.var)
        fams = {self._discrete(i.vector) for i in N.walk(node.body) if isinstance(i, N.Index)}

        def f(k):
            return self.value(body, {**point, node.var: mp.mpf(k)}, depth + 1)

        lo = 0 if node.lo is None else int(self.value(node.lo, point, depth + 1))
        infinite = "poisson" in fams if node.hi is None else (
            isinstance(node.hi, N.Const) and node.hi.name == "inf")
        if not infinite:
            hi = 1 if node.hi is None else int(self.value(node.hi, point, depth + 1))
            return mp.fsum(f(k) for k in range(lo, hi + 1))
        self.quadrature = True  # a series: compared at the quadrature tolerance
        with mp.workdps(DPS):
            return mp.nsum(f, [lo, mp.inf])

    def support(self, var):
        """The variable's range as the text bounds it (``x \\ge 0``), else the whole line."""
        lo, hi = self.st.domains.get(var, (None, None))
        return (mp.mpf(lo) if lo is not None else -mp.inf,
                mp.mpf(hi) if hi is not None else mp.inf)

    def expand(self, node, depth=0):
        """``node`` with every call of a function the text defines replaced by its body at the
        argument (``p(x)`` → λe^{-λx}), so an integrand is read once, not at every node."""
        if depth > 8:
            raise N.NotEvaluable("definitions refer to each other")
        if isinstance(node, N.Name) and (fc := self.function_call(node.name)) is not None:
            var, body, arg = fc
            return self.expand(_substitute(body, var, arg), depth + 1)
        return N.map_children(node, lambda c: self.expand(c, depth))

    def integral_value(self, var, lo, hi, body, point, depth):
        """∫_lo^hi body d(var) at ``point``: the body's names resolved once, those that
        depend on the variable (a density ``p(x)`` of a named family) at each node."""
        body = self.expand(_named_var(body, var))
        pat = re.compile(rf"(?<![A-Za-z]){re.escape(var)}(?![A-Za-z0-9])")
        ready, names = self._prepare(body, {**point, var: mp.mpf(0.5)}, depth + 1)
        moving = [n for n in names if n != var and pat.search(n)]
        env = E.Env(mp, _exact, names, vectors=dict(point.get(MODEL, {})),
                    log_base=None if self.log_base is None else mp.mpf(self.log_base))

        fixed = {}  # r(v) with r = N(v; m, t²): the family and its parameters, read once
        for n in moving:
            dn = self.density(n)
            if dn is not None and dn[2] == var:
                fixed[n] = dn[0], [self.value(_arg(a), point, depth + 1) for a in dn[1]]

        def f(t):
            names[var] = t
            for n in moving:
                names[n] = density(*fixed[n], t) if n in fixed else self.resolve(
                    n, {**point, var: t}, depth + 1)
            env.deadline = 0.0
            return E.evaluate(ready, env)

        self.quadrature = True
        value, err = calculus.quadrature(f, lo, hi, dps=DPS, tol=TOLERANCE,
                                         center=self._center(moving, point, depth))
        if not mp.isfinite(value) or err > TOLERANCE * max(1, abs(value)) * 10 ** 5:
            raise N.NotEvaluable(f"the integral did not converge (error estimate "
                                 f"{mpmath.nstr(err, 3)})")
        return value

    def _center(self, names, point, depth):
        """(mean, spread) of the first density of a named family among ``names``
        (``r(v)`` with r = N(v; m, t²): (m, t); an exponential: (1/λ, 1/λ)); None otherwise."""
        for n in names:
            dn = self.density(n)
            if dn is None:
                continue
            params = [self.value(_arg(a), point, depth + 1) for a in dn[1]]
            if dn[0] == "normal" and len(params) == 2 and params[1] > 0:
                return params[0], mp.sqrt(params[1])
            if dn[0] == "exponential" and params and params[0] > 0:
                return 1 / params[0], 1 / params[0]
        return None

    def integral_node_value(self, node, point, depth):
        """An :class:`.nodes.Integral` of the text (bounds from its scripts) at ``point``."""
        ends = []
        for b in (node.lo, node.hi):
            sign, inner = 1, b
            while isinstance(inner, N.Neg):
                sign, inner = -sign, inner.arg
            ends.append(sign * mp.inf if isinstance(inner, N.Const) and inner.name == "inf"
                        else self.value(b, point, depth + 1))
        return self.integral_value(node.var, ends[0], ends[1], node.body, point, depth)

    def density_mean(self, head, var, body, point, depth):
        """E_p[f(var)] for a density p the text defines as a function: ∫ f(t) p(t) dt over
        the range the text states for p's variable."""
        fvar = self._fdefs()[head][0]
        t = fvar if var == fvar else var
        integrand = N.Mul([("*", body if var == t else _substitute(body, var, N.Name(t))),
                           ("*", N.Name(f"{head}({t})"))])
        lo, hi = self.support(fvar)
        return self.integral_value(t, lo, hi, integrand, point, depth)

    def functional_value(self, name, point, depth):
        """D_KL / H of densities the text defines (see :meth:`text_functional`)."""
        var, body = self.text_functional(name)
        lo, hi = self.support(var)
        return self.integral_value(var, lo, hi, body, point, depth)

    def text_symbols(self, name, bound, depth):
        """(free, special, bad) of a call of a defined function or a functional of defined
        densities (for :meth:`.freesymbols.FreeSymbols._classify`); None for other names."""
        fc = self.function_call(name)
        if fc is not None:
            var, body, arg = fc
            f1, s1, b1 = self.analyse(body, bound | {var}, depth + 1)
            f2, s2, b2 = self.analyse(arg, bound, depth + 1)
            return f1 | f2, s1 or s2, b1 + b2
        tf = self.text_functional(name)
        if tf is not None:
            var, body = tf
            free, _, bad = self.analyse(body, bound | {var}, depth + 1)
            return free, True, bad
        return None
