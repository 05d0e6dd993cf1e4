"""Author-typed formulas, verified against the engine's derivation.

A page may show a closed form as a textbook sets it — grouped terms, ψ, Γ, ½ — instead of
SymPy's expanded output::

    ```{derivation} kl_poisson
    :typeset: \\lambda_p\\ln\\frac{\\lambda_p}{\\lambda_q} - \\lambda_p + \\lambda_q
    ```

:func:`parse` reads the typed LaTeX (a small whitelisted grammar: numbers, symbols with
subscripts, ``+ - \\cdot / ^``, implicit products, ``\\frac \\tfrac \\dfrac``, ``\\sqrt``,
brackets and ``\\left … \\right``, ``\\ln \\log \\exp \\psi \\Gamma``, and ``\\sum_i`` over
the derivation's indexed symbols) into SymPy;
:func:`check` evaluates it and the derivation's closed form at 50 digits (mpmath) at
random points of the parameters' domains and returns None when they agree everywhere, or a
one-line reason (the first point where they differ, with both values).  Symbols are matched
by how the lesson prints them: the engine's ``rate_p`` is printed ``\\lambda_p``, so the
typed ``\\lambda_p`` means it.

Example: ``check("kl_exponential", r"\\ln\\frac{\\lambda_p}{\\lambda_q}
+ \\frac{\\lambda_q}{\\lambda_p} - 1")`` → None; ending in ``- 2`` instead, it returns the point
and the two values.
"""

from __future__ import annotations

import random
import re

import mpmath
import sympy as sp

DIGITS = 50
POINTS = 12
MIN_VALID = 6
TOL = mpmath.mpf(10) ** -40
#: sampling ranges per parameter domain (derive.core.DOMAINS)
RANGES = {"real": (-2.5, 2.5), "positive": (0.2, 4.0), "nonnegative": (0.0, 4.0),
          "unit_interval": (0.03, 0.97), "open_unit_interval": (0.03, 0.97)}
SKIP = {r"\,", r"\;", r"\!", r"\quad", r"\qquad", r"\left", r"\right", r"\big", r"\Big",
        r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", "&", r"\\", r"\displaystyle"}
FUNCS = {r"\ln": sp.log, r"\log": sp.log, r"\exp": sp.exp, r"\psi": sp.digamma,
         r"\Gamma": sp.gamma, r"\sqrt": sp.sqrt}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\[,;!\\]|\d+(?:\.\d+)?|\S")


class TypesetError(ValueError):
    """The typed LaTeX cannot be read (the message names the problem)."""


def canonical(tex: str) -> str:
    """A symbol's printed LaTeX as a plain name: ``{\\lambda}_{p}`` → ``lambda_p``."""
    return re.sub(r"\\([A-Za-z]+)", r"\1", tex.replace("{", "").replace("}", "")).strip()


class _Parser:
    def __init__(self, text: str):
        self.toks = [t for t in _TOKEN.findall(text.replace(r"\begin{aligned}", "")
                                               .replace(r"\end{aligned}", ""))
                     if t not in SKIP]
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected=None):
        t = self.peek()
        if t is None or (expected is not None and t != expected):
            raise TypesetError(f"expected {expected or 'more'} at token {self.i + 1}, "
                               f"found {t or 'the end'}")
        self.i += 1
        return t

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self):
        sign = -1 if self.peek() == "-" else 1
        if self.peek() in ("+", "-"):
            self.take()
        value = self.sum() if self.peek() == r"\sum" else self.power()
        while (t := self.peek()) is not None and t not in ("+", "-", ")", "]", "}", "|"):
            if t == r"\sum":  # a sum takes the rest of the term as its body
                return sign * value * self.sum()
            if t in (r"\cdot", r"\times"):
                self.take()
                value = value * self.power()
            elif t == "/":
                self.take()
                value = value / self.power()
            else:
                value = value * self.power()
        return sign * value

    def sum(self):
        """``\\sum_{i}`` (bounds, if written, are ignored: the sum runs over the indices of
        the derivation's symbols, x_0 … x_{n-1}) followed by the rest of the term."""
        self.take(r"\sum")
        self.take("_")
        index = canonical(self._sub()).split("=")[0]
        if self.peek() == "^":
            self.take()
            self.group_or_char()
        if not re.fullmatch(r"[A-Za-z]", index):
            raise TypesetError(f"a sum's index must be one letter, not {index!r}")
        return sp.Function(f"SUM_{index}")(self.term())

    def power(self):
        base = self.atom()
        if self.peek() == "^":
            self.take()
            base = base ** self.group_or_char()
        return base

    def group_or_char(self):
        if self.peek() == "{":
            return self.group()
        return self._one_char()

    def _one_char(self):
        """A script or \\frac argument without braces is one character: x^12 is x^1·2."""
        t = self.take()
        if t[0].isdigit():
            self.toks[self.i - 1:self.i] = list(t)
            return sp.Integer(t[0])
        return self._symbol(t)

    def group(self):
        self.take("{")
        value = self.expr()
        self.take("}")
        return value

    def _frac_part(self):
        return self.group() if self.peek() == "{" else self._one_char()

    def atom(self):
        t = self.take()
        if re.fullmatch(r"\d+(?:\.\d+)?", t):
            return sp.Rational(t)
        if t in ("(", "["):
            value = self.expr()
            self.take(")" if t == "(" else "]")
            return value
        if t == "{":
            value = self.expr()
            self.take("}")
            return value
        if t in (r"\frac", r"\tfrac", r"\dfrac"):
            num = self._frac_part()
            return num / self._frac_part()
        if t in FUNCS:
            if t == r"\sqrt" and self.peek() == "{":
                return sp.sqrt(self.group())
            arg = self.power() if self.peek() not in ("(", "[") else self.atom()
            return FUNCS[t](arg)
        if t == r"\pi":
            return sp.pi
        return self._symbol(t)

    def _symbol(self, t):
        if not re.fullmatch(r"[A-Za-z]|\\[A-Za-z]+", t) or t in (r"\sum", r"\int", r"\det"):
            raise TypesetError(f"unsupported {t!r} at token {self.i}")
        name = t.lstrip("\\")
        if self.peek() == "_":
            self.take()
            name += "_" + canonical(self._sub())
        return sp.Symbol(name)

    def _sub(self):
        if self.peek() != "{":
            return self.take()
        depth, out = 0, []
        while True:
            t = self.take()
            depth += (t == "{") - (t == "}")
            out.append(t)
            if depth == 0:
                return "".join(out)


def as_printed(tex: str) -> sp.Expr:
    """An engine symbol as the lesson prints it, read back: ``{\\lambda}_{p}`` → λ_p,
    ``s^{2}`` → s², ``\\log\\sigma^{2}`` → ln σ²; a print the grammar cannot read becomes
    one symbol named by :func:`canonical`."""
    try:
        return parse(re.sub(r"\{(\\[A-Za-z]+)\}", r"\1", tex))
    except TypesetError:
        return sp.Symbol(canonical(tex))


def parse(tex: str) -> sp.Expr:
    """The typed LaTeX as a SymPy expression; TypesetError names what cannot be read."""
    p = _Parser(tex)
    value = p.expr()
    if p.peek() is not None:
        raise TypesetError(f"unexpected {p.peek()!r} at token {p.i + 1}")
    return value


def verified(name: str, tex: str) -> str | None:
    """:func:`check`, cached per engine hash, typed text and this module's source."""
    import hashlib
    from pathlib import Path

    from . import cache

    key = hashlib.sha256((tex + Path(__file__).read_text()).encode()).hexdigest()[:16]
    return cache.cached_json("typeset", f"{name}-{key}",
                             lambda: {"error": check(name, tex)})["error"]


def _expand_sums(expr, symbols):
    """Each ``SUM_i(body)`` from :meth:`_Parser.sum` as the explicit sum over the indices
    k of the symbols named ``x_k``: ``x_i`` in the body becomes ``x_k``."""
    indices = sorted({int(m.group(1)) for s in symbols
                      if (m := re.fullmatch(r".+_(\d+)", str(s)))})

    def expand(f):
        i = f.func.__name__[len("SUM_"):]
        body = _expand_sums(f.args[0], symbols)
        bound = [s for s in body.free_symbols if str(s).endswith("_" + i)]
        return sp.Add(*(body.subs({s: sp.Symbol(str(s)[:-len(i)] + str(k)) for s in bound},
                                  simultaneous=True) for k in indices))

    sums = [f for f in expr.atoms(sp.Function) if f.func.__name__.startswith("SUM_")]
    return expr.xreplace({f: expand(f) for f in sums}) if sums else expr


def check(name: str, tex: str, seed: int = 0) -> str | None:
    """None when the typed ``tex`` equals derivation ``name``'s closed form at 50 digits at
    random points of its parameters' domains; otherwise a one-line reason."""
    from ..derive.core import get
    from .printing import LessonPrinter

    d = get(name)
    derived = d.closed_form
    try:
        typed = parse(tex)
    except TypesetError as e:
        return f"cannot read the typed form: {e}"
    printer = LessonPrinter({"ln_notation": True})
    domains = {p.symbol: p.domain for p in d.params}
    shown, base_domain = {}, {}
    for s in derived.free_symbols:  # each engine symbol as the lesson prints it
        e = as_printed(printer.doprint(s))
        shown[s] = e
        for b in e.free_symbols:  # σ of a printed σ² or log σ² is positive
            base_domain[b] = domains.get(s, "positive") if e == b else "positive"
    derived = derived.subs(shown, simultaneous=True)
    typed = _expand_sums(typed, derived.free_symbols)
    unknown = sorted(str(s) for s in typed.free_symbols - derived.free_symbols)
    if unknown:
        return (f"the typed form uses {', '.join(unknown)}, which the derivation does not; "
                f"its symbols are {', '.join(sorted(map(str, derived.free_symbols)))}")
    syms = sorted(derived.free_symbols, key=str)
    domains = base_domain
    f_typed = sp.lambdify(syms, typed, "mpmath")
    f_derived = sp.lambdify(syms, derived, "mpmath")
    rng, valid = random.Random(seed), 0
    with mpmath.workdps(DIGITS + 10):
        for _ in range(4 * POINTS):
            point = [mpmath.mpf(rng.uniform(*RANGES.get(domains.get(s, "positive"),
                                                       RANGES["positive"]))) for s in syms]
            try:
                a, b = f_typed(*point), f_derived(*point)
            except (ValueError, ZeroDivisionError, TypeError):
                continue
            if not (mpmath.isfinite(a) and mpmath.isfinite(b)) or mpmath.im(a) or mpmath.im(b):
                continue
            valid += 1
            if abs(a - b) > TOL * max(1, abs(b)):
                at = ", ".join(f"{s} = {mpmath.nstr(v, 6)}" for s, v in zip(syms, point,
                                                                             strict=True))
                return (f"the typed form differs from the derivation at {at}: typed "
                        f"{mpmath.nstr(a, 12)}, derived {mpmath.nstr(b, 12)}")
            if valid >= POINTS:
                return None
    return None if valid >= MIN_VALID else (
        f"only {valid} of {4 * POINTS} random points could be evaluated")
