"""Known quantities: a hand-typeset closed form checked against the engine's derivation.

A left side such as ``D_{KL}(\\mathcal N(\\mu_1,\\sigma_1^2)\\|\\mathcal N(\\mu_2,\\sigma_2^2))``,
``H(\\mathrm{Bern}(p))`` or ``H(\\mathrm{Pois}(\\lambda), \\mathrm{Pois}(\\mu))`` names a quantity
the engine derives (``klforge.derive.get("kl_normal").closed_form``).  The audit must not
import SymPy (pre-commit start-up cost), so :func:`generate` prints the engine's closed forms
once as mpmath expressions into ``_known_forms.py`` (header with the hash of the derive/
sources; ``tests/test_audit_identity.py`` fails when it is stale), and :func:`value` evaluates
them at the parameters the document writes.

Families and the parameters as written come from the registry (a family's KL spec declares
``written``, e.g. ``("Gamma",)``): ``N(μ, σ²)`` (mean, *variance*), ``Bern(p)``, ``Pois(λ)``,
``Exp(λ)`` (rate), ``Gamma(α, β)`` (shape, rate), ``Beta(α, β)``, ``Geom(p)``,
``Laplace(μ, b)``, … — the engine's parameters in order, except the normal's variance.
Example: ``value("KL(Bern(p)||Bern(q))", {"p": .3, "q": .6})`` is 0.1837… (nats).

Regenerate: ``python -m klforge.audit.known``.
"""

from __future__ import annotations

import hashlib
import re

import mpmath

QUANTITIES = ("kl", "entropy", "cross_entropy")
OUTPUT = "_known_forms.py"

_KL = re.compile(r"^(?:D_?KL|D_?\{KL\}|KL|D)\((?P<p>.+?)(?:\|\||Vert|\|)(?P<q>.+)\)$")
_H = re.compile(r"^(?:H|h|H_?\{?\w*\}?)\((?P<args>.+)\)$")
_DIST = re.compile(r"^(?P<fam>[A-Za-z]+)\((?P<args>.*)\)$")


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments: ``"mu,sigma^2"`` → ``["mu", "sigma^2"]``."""
    out, level, cur = [], 0, ""
    for ch in text:
        if ch == "," and level == 0:
            out.append(cur)
            cur = ""
            continue
        level += ch in "({["
        level -= ch in ")}]"
        cur += ch
    out.append(cur)
    return [a.strip() for a in out]


def distribution(text: str):
    """``"N(mu,sigma^2)"`` → ``("normal", ["mu", "sigma^2"])``; None if not a known family."""
    from ._known_forms import ARITY, FAMILIES  # generated from the registry

    m = _DIST.match(text.strip())
    if not m or m.group("fam") not in FAMILIES:
        return None
    fam = FAMILIES[m.group("fam")]
    args = split_args(m.group("args"))
    return (fam, args) if len(args) == ARITY[fam] else None


def parse(name: str):
    """The engine quantity a name denotes: ``(derivation, [(family, arg texts), …])``."""
    name = name.replace(" ", "")
    m = _KL.match(name)
    if m:
        p, q = distribution(m.group("p")), distribution(m.group("q"))
        if p and q and p[0] == q[0]:
            return f"kl_{p[0]}", [p, q]
        return None
    m = _H.match(name)
    if m:
        dists = [distribution(a) for a in split_args(m.group("args"))]
        if len(dists) == 1 and dists[0]:
            return f"entropy_{dists[0][0]}", dists
        if len(dists) == 2 and all(dists) and dists[0][0] == dists[1][0]:
            return f"cross_entropy_{dists[0][0]}", dists
    return None


def engine_args(family: str, written: list):
    """Parameters as written (values) → the engine's parameters: N(μ, σ²) → (μ, σ)."""
    if family == "normal":
        mu, var = written
        if var <= 0:
            raise ValueError("a normal variance must be positive")
        return [mu, mpmath.sqrt(var)]
    return list(written)


def __getattr__(name):
    """``FAMILIES`` (how a family is written in text → the engine's family name) and
    ``ARITY`` (parameters as written), generated from the registry into ``_known_forms``."""
    if name in ("FAMILIES", "ARITY"):
        from . import _known_forms

        return getattr(_known_forms, name)
    raise AttributeError(name)


def value(derivation: str, args: list):
    """The engine's closed form of ``derivation`` at the engine parameters ``args``."""
    from ._known_forms import FORMS

    return FORMS[derivation](*args)


def available() -> set[str]:
    from ._known_forms import FORMS

    return set(FORMS)


# -- generation (imports SymPy and the engine; never at audit time) -------------------------
def source_hash() -> str:
    """SHA-256 of the engine's sources (derive/**/*.py) and of this generator."""
    from pathlib import Path

    from .._io import DERIVE_DIR

    h = hashlib.sha256()
    for f in sorted([*DERIVE_DIR.rglob("*.py"), Path(__file__)]):
        h.update(f"{f.parent.name}/{f.name}".encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _printer():
    from sympy.printing.pycode import MpmathPrinter

    class Printer(MpmathPrinter):
        def _print_polygamma(self, e):
            return f"mpmath.polygamma({self._print(e.args[0])}, {self._print(e.args[1])})"

        def _print_gamma(self, e):
            return f"mpmath.gamma({self._print(e.args[0])})"

        def _print_loggamma(self, e):
            return f"mpmath.loggamma({self._print(e.args[0])})"

        def _print_factorial(self, e):
            return f"mpmath.factorial({self._print(e.args[0])})"

        def _print_Sum(self, e):
            (k, a, b), = e.limits
            hi = "mpmath.inf" if b.is_infinite else self._print(b)
            return (f"mpmath.nsum(lambda {self._print(k)}: {self._print(e.function)}, "
                    f"[{self._print(a)}, {hi}])")

    return Printer({"fully_qualified_modules": True, "strict": True})


def generate() -> str:
    """The text of ``_known_forms.py``: each engine closed form as an mpmath lambda, checked
    against SymPy's own evaluation at one interior point before it is written."""
    import sympy as sp

    from klforge.derive import get
    from klforge.derive.core import names, specs

    printer = _printer()
    families, arity = {}, {}
    for spec in specs().values():
        if spec.written:
            fam = spec.kernel.removeprefix("kl_")
            arity[fam] = len(get(spec.kernel).params) // 2
            families.update(dict.fromkeys(spec.written, fam))
    lines = ['"""generated by klforge.audit.known.generate() — do not edit.',
             "",
             "The engine's closed forms (klforge.derive) as mpmath expressions, and how each",
             "family is written in text (its KL spec's ``written``), so that the audit can check",
             'typed formulas without importing SymPy."""',
             "# ruff: noqa: E501", "", "import mpmath", "", f'SOURCE_HASH = "{source_hash()}"', "",
             f"FAMILIES = {dict(sorted(families.items()))!r}",
             f"ARITY = {dict(sorted(arity.items()))!r}", "",
             "FORMS = {"]
    available_names = set(names())
    for fam in sorted(arity):
        for q in QUANTITIES:
            if f"{q}_{fam}" not in available_names:
                continue
            d = get(f"{q}_{fam}")
            params = [p.name for p in d.params]
            body = printer.doprint(d.closed_form)
            code = f"lambda {', '.join(params)}: {body}"
            fn = eval(code, {"mpmath": mpmath})  # our own printed text, checked just below
            point = {p.symbol: sp.Rational(3 + 2 * i, 10) for i, p in enumerate(d.params)}
            with mpmath.workdps(30):
                want = mpmath.mpf(str(sp.N(d.closed_form.subs(point), 30)))
                got = fn(*[mpmath.mpf(v.p) / v.q for v in point.values()])
            if abs(got - want) > mpmath.mpf(10) ** -20 * max(1, abs(want)):
                raise AssertionError(f"{d.name}: printed form disagrees with SymPy")
            lines.append(f"    {d.name!r}: {code},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def output_path():
    from pathlib import Path

    return Path(__file__).with_name(OUTPUT)


def write() -> None:
    from .._io import write_atomic

    write_atomic(output_path(), generate())


if __name__ == "__main__":
    write()
    print(f"wrote {output_path()}")
