r"""How a formula's names are read before it is evaluated (a mixin of :class:`.expect.Context`).

The parser flattens calls into names (``n(n+1)``, ``KL(pVertq)``, ``E_xsimp([…)``); this
module reads them back:

* ``n(n+1)`` → n·(n+1) when the head is a plain symbol (:func:`.distributions.call_as_product`);
* with ``p = N(μ₁, σ₁²)`` stated, ``KL(p||q)`` → ``KL(N(mu_1,sigma_1^2)||…)``, ``E_p`` →
  ``E_N(mu_1,sigma_1^2)`` and ``p(x)`` → the density of p at x (:meth:`Reading.aliased`,
  :meth:`Reading.density`);
* with ``r_i = q_i/p_i`` stated, ``r(i)`` in a sum → ``q(i)/p(i)`` (elementwise definitions);
* ``\mathbb{E}_{x\sim d}[f]`` and ``\mathbb{E}_p f`` → (variable, distribution, body), the
  body re-read from the math's raw text (:meth:`Reading.expectation`).
"""

from __future__ import annotations

import re

from . import known
from . import nodes as N
from .distributions import call_as_product
from .distributions import parameter as _arg

MODEL = "\0model"
_E = re.compile(r"^E_\{?(?:(?P<var>[A-Za-z]\w*?)(?:sim|~))?(?P<dist>[^\[]+?)\}?"
                r"(?P<br>\(?\[.*)?$")  # E_xsimN(mu,sigma^2)[x^2], E_xsimp([…) from \left[


class Reading:
    """Needs ``self.aud`` (the auditor), ``self.st`` (identity state), ``self.raw``."""

    def products(self, node):
        """``n(n+1)`` read as a name call by the parser: a symbol times a parenthesis when
        the head is a plain symbol that is not a function of the text; ``r_i`` in a sum, with
        ``r_i = q_i/p_i`` defined, becomes ``q_i/p_i`` (elementwise definitions)."""
        def rec(n):
            if isinstance(n, N.Index):
                return self._elementwise(n) or n
            if isinstance(n, N.Name):
                aliased = self.aliased(n.name)
                if aliased != n.name:
                    return N.Name(aliased, n.pos, src=n.src)  # keeps its text (E_p[…])
                if (n.name in self.aud.names or n.name in self.st.defs
                        or self.function_call(n.name) is not None
                        or known.parse(n.name) is not None
                        or self.expectation(n.name) is not None):
                    return n
                product = call_as_product(n.name, n.pos)
                return product if product is not None else n
            return N.map_children(n, rec)
        return rec(node)

    def aliased(self, name: str) -> str:
        """``KL(p||q)``, ``E_p``, ``E_xsimp`` with ``p = N(μ₁, σ₁²)`` stated: the distribution
        written in place of its name (``KL(N(mu_1,sigma_1^2)||…)``); ``H(p)`` with ``P =
        Bern(p)`` stated (p a coin's parameter, not a distribution): ``H(Bern(p))``."""
        aliases = getattr(self.st, "aliases", {})
        if getattr(self, "latent", False):  # the random latent model: q(z|x) is its own q
            given = {k.split("(")[0] for k in getattr(self.st, "conditionals", {}) if "|" in k}
            aliases = {k: v for k, v in aliases.items() if k not in given}
        if not aliases or name in aliases:
            return name
        out = name
        coin = re.fullmatch(r"H\((\w+)\)", name)
        if coin and coin.group(1) not in aliases and any(
                known.distribution(v) == ("bernoulli", [coin.group(1)]) for v in aliases.values()):
            self.used_aliases = True  # H(p) after P = Bern(p): the coin's entropy
            return f"H(Bern({coin.group(1)}))"
        if re.match(r"^(?:D_?KL|KL|D|H)\(", out):
            out = out.replace("Vert", "||")
            for k, v in ({} if getattr(self, "latent", False) else getattr(
                    self.st, "conditionals", {})).items():  # p(z) = N(0, 1) and p(x) = N(0, 2)
                if "|" not in k:
                    out = re.sub(r"(?<=[(,|])" + re.escape(k) + r"(?=[),|])", v, out)
            for k, v in aliases.items():
                var = self._alias_var(k)  # p(z) for p(z) = N(0, 1)
                at = rf"(?:\({re.escape(var)}\))?" if var else ""
                out = re.sub(r"(?<=[(,|])" + re.escape(k) + at + r"(?=[),|])", v, out)
        m = re.match(r"^E_\{?(?:(\w+?)(?:sim|~))?(\w+)(?=\}?(?:\[|\(\[|$))", out)
        if m and m.group(2) in aliases:
            var = "" if m.group(1) else self._alias_var(m.group(2))  # E_q, z ~ q: over z
            out = (out[:m.start(2)] + (f"{var}sim" if var else "") + aliases[m.group(2)]
                   + out[m.end(2):])
        if out != name.replace("Vert", "||") and out != name:
            self.used_aliases = True
            return out
        return name

    def _alias_var(self, dist: str) -> str | None:
        """The variable of a named distribution: ``z`` after ``q(z|x) = \\mathcal N(…)`` or
        ``z \\sim q``; None when the text gave none (or in the random latent model)."""
        from .declarations import SIM
        if getattr(self, "latent", False):
            return None
        said = getattr(self.aud, "declared", {}).get(SIM + dist)
        return said or getattr(self.st, "alias_vars", {}).get(dist)

    def density(self, name: str):
        """``p(x)`` with ``p = N(μ, σ²)`` stated, or ``N(x|mu,sigma^2)`` written out: (family,
        parameter texts, argument text)."""
        m = re.fullmatch(r"(\w+)\(([A-Za-z]\w*)\)", name)
        aliases = getattr(self.st, "aliases", {})
        given = getattr(self.st, "conditionals", {}).get(name)  # p(x|z) = N(z, s²) stated
        if given is not None and known.distribution(given) is not None:
            return (*known.distribution(given), re.split(r"[|)]", name[name.index("(") + 1:])[0])
        at = re.fullmatch(r"([A-Za-z]\w*\(([A-Za-z]\w*)[;|].*\))", name)  # N(x|mu,sigma^2)
        if at and known.distribution(at.group(1)) is not None:
            fam, args = known.distribution(at.group(1))
            return fam, args, at.group(2)
        if not m or m.group(1) not in aliases:
            return None
        fam, args = known.distribution(aliases[m.group(1)])
        return fam, args, m.group(2)

    def _elementwise(self, n):
        """Index ``r(i)`` whose vector has a definition ``r_j = f(p_j, q_j)``: f with the
        j-th elements as Index nodes of the sum's variable; None without a definition."""
        for key, body in self.st.defs.items():
            m = re.fullmatch(re.escape(n.vector) + r"(?:_\{?(\w)\}?|\((\w)\))", key)
            if not m:
                continue
            j = m.group(1) or m.group(2)
            pat = re.compile(r"(\w+?)(?:_\{?" + j + r"\}?|\(" + j + r"\))")
            return _indexed(body, pat, n.var)
        return None

    def expectation(self, name: str, pos: int | None = None):
        """(var, distribution, body node or None) of an ``E_…`` name; None otherwise.
        ``E[X^2]`` without a subscript: the random variable X (distribution ``"rv"``)."""
        rv = self.random_variable(name, "E")
        if rv is not None:
            return rv[0], "rv", rv[1]
        m = _E.match(name)
        if not m:
            return None
        dist = m.group("dist")
        if dist in ("p", "q"):
            d = dist
        else:
            d = known.distribution(dist)
            if d is None:
                return None
        body = None
        if m.group("br") and pos is not None:
            body = self._bracket_body(pos)
        return m.group("var"), d, body

    def random_variable(self, name: str, head: str):
        """``E[aX+b]`` / ``Var(X)`` (``head`` E or Var): (the variable's letter, the body) when
        the body has exactly one capital letter; None otherwise."""
        m = re.fullmatch(re.escape(head) + r"(?:\[(.+)\]|\((.+)\))", name)
        if not m:
            return None
        body = m.group(1) or m.group(2)
        letters = set(re.findall(r"(?<![A-Z\\])[A-Z](?![A-Za-z_])", body))  # aX + b: X
        if len(letters) != 1 or re.search(r"[A-Z]_", body):  # X_1 + X_2: several variables
            return None
        try:
            return letters.pop(), _arg(body)
        except N.NotEvaluable:
            return None

    def _bracket_body(self, pos):
        text, i, depth = self.raw, pos, 0
        while i < len(text):
            ch = text[i]
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "[" and depth == 0:
                break
            i += 1
        start, level = i + 1, 0
        for j in range(i, len(text)):
            level += text[j] == "["
            level -= text[j] == "]"
            if level == 0:
                body = re.sub(r"\\right\s*$", "", text[start:j].strip())
                try:
                    return self.products(_arg(body))
                except N.NotEvaluable:
                    return None
        return None



def _indexed(x, pat, var):
    """``x`` with names ``p_j``/``p(j)`` (``pat``) replaced by the Index p(var)."""
    if isinstance(x, N.Name) and (k := pat.fullmatch(x.name)):
        return N.Index(k.group(1), var, x.pos)
    return N.map_children(x, lambda c: _indexed(c, pat, var))


