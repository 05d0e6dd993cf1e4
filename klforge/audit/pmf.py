r"""Distributions given value by value, and the entropies stated from them.

Solutions list a distribution's values, often several equal ones in one chain, then state
its entropy::

    p_{Y_1}(l)=p_{Y_1}(r)=p_{Y_1}(n)=1/3          and $H(Y_1)=\log{3}$
    p_{Y_3|Y_2,Y_1}(l|n,l)=p_{Y_3|Y_2,Y_1}(r|n,l)=\frac{1}{2},  p_{Y_3|Y_2,Y_1}(n|n,l)=0
    H(Y_3|Y_2=n,Y_1=l)=\log{2}=1

A binding ``p_{V}(x) = … = value``, ``p_{V|W,U}(x|a,b) = … = value`` or
``P(V=x \vert C) = value`` (every member but the last such a name; the value a number or a
fraction) records the value of V = x, given W = a, U = b (or C).  When the recorded values of
one variable under one condition add up to exactly 1, the distribution is complete: each
line that gave values of it gets an *ok* ("adds up to 1", once), and a
later ``H(V) = …`` or ``H(V|W=a,U=b) = …`` (every member but the last an entropy name, the
last an expression without names) is checked against its entropy in the document's log
base (bits and nats tried while no base is known; a mismatch is then left alone): *ok*,
or an *error* naming the distribution's line.  Values are forgotten at a heading; a complete
distribution given under an earlier heading still serves its entropy, for an *ok* only (the
names may mean something else there).

Example: after ``$p_X(a)=1/4$, $p_X(b)=3/4$`` (ok: adds up to 1), ``$H(X)=0.811$`` is ok
in bits.  Bounds: at most :data:`MAX_VALUES` values are kept; statements are matched by
anchored regular expressions of bounded repetition, and an expression is evaluated once.
"""

from __future__ import annotations

import re

import mpmath

from . import evaluate as E
from . import nodes as N
from .tables import value

MAX_VALUES = 400
_SUB = r"\{?\s*(?P<v>[A-Z](?:_\{?\d\}?)?)\s*(?:\|\s*(?P<w>[A-Z](?:_\{?\d\}?)?(?:\s*,\s*[A-Z]" \
       r"(?:_\{?\d\}?)?){0,3}))?\s*\}?"
_PNAME = re.compile(r"p_" + _SUB + r"\(\s*(?P<x>\w{1,6})\s*(?:\|\s*(?P<a>\w{1,6}(?:\s*,\s*\w{1,6})"
                    r"{0,3}))?\s*\)")
_HNAME = re.compile(r"H\(\s*(?P<v>[A-Z](?:_\{?\d\}?)?)\s*(?:\|(?P<c>[^()|]{1,60}))?\)")


def _var(text: str) -> str:
    return re.sub(r"[{}\s]", "", text)


def _key(m) -> tuple | None:
    """(variable, ((conditioning variable, value), …)) of a p-name match, or None."""
    given = [_var(w) for w in (m.group("w") or "").split(",") if w.strip()]
    vals = [a.strip() for a in (m.group("a") or "").split(",") if a.strip()]
    if len(given) != len(vals):
        return None
    return _var(m.group("v")), tuple(zip(given, vals, strict=True))


_PEQ = re.compile(r"(?:P|p|\\Pr|Pr)\s*\(\s*(?P<v>[A-Za-z](?:_\{?\w{1,4}\}?)?)\s*=\s*"
                  r"(?P<x>[\w.]{1,12})\s*(?:\||\\vert|\\mid)\s*(?P<c>[^()=]{1,30}?)\s*\)")


def _pkey(text: str):
    """(key, outcome) of ``p_{V|W}(x|a)`` or ``P(V = x | C)``; None for anything else."""
    m = _PNAME.fullmatch(text)
    if m:
        key = _key(m)
        return None if key is None else (key, m.group("x"))
    m = _PEQ.fullmatch(text)
    if m:
        return (_var(m.group("v")), (("|", re.sub(r"\s+", "", m.group("c"))),)), m.group("x")
    return None


def _members(text: str) -> list[str]:
    """The members of a chain of equalities (``=`` and ``&=&``), outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "({"
        depth -= ch in ")}"
        if ch == "=" and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [m.replace("&", " ").strip().rstrip(".,;") for m in out]


class Distributions:
    """Values of distributions given so far in a section, and the verdicts on them."""

    def __init__(self):
        self.values: dict = {}      # key → {outcome: (Fraction, offset, value as written)}
        self.reported: set = set()  # (key, line) given its "adds up to 1"
        self.earlier: dict = {}     # complete distributions of earlier sections
        self.section = -1

    def statement(self, aud, text: str, offset: int, section: int) -> None:
        if section != self.section:
            for key, dist in self.values.items():  # complete ones stay known, for ok only
                if sum(p for p, *_ in dist.values()) == 1:
                    self.earlier[key] = dist
            self.section, self.values, self.reported = section, {}, set()
        if "=" not in text or len(text) > 400:
            return
        members = _members(text)
        if len(members) < 2:
            return
        last_eq = max(text.rfind("="), 0) + 1
        offset += last_eq + len(text[last_eq:]) - len(text[last_eq:].lstrip(" \t\n&"))
        names = [_pkey(x) for x in members[:-1]]
        if all(names):
            self._bind(aud, names, members[-1], offset)
            return
        hs = [_HNAME.fullmatch(x) for x in members[:-1]]
        if all(hs):
            self._entropy(aud, hs, members[-1], offset)

    def _bind(self, aud, names, last, offset):
        v = value(last)
        if v is None or not 0 <= v.exact <= 1:  # decimals count as written (0.25)
            return
        keys = set()
        for key, outcome in names:
            if sum(map(len, self.values.values())) >= MAX_VALUES:
                return
            self.values.setdefault(key, {})[outcome] = (v.exact, offset, last.strip())
            keys.add(key)
        for key in keys:
            dist = self.values[key]
            if len(dist) < 2 or sum(p for p, *_ in dist.values()) != 1:
                continue
            shown = ", ".join(f"{x}: {p}" for x, (p, *_) in dist.items())
            lines = {}
            for p, at, written in dist.values():  # each line that gave values of it
                lines.setdefault(aud.line_of(at), (at, written, p))
            for line, (at, written, p) in lines.items():
                if (key, line) in self.reported:
                    continue
                self.reported.add((key, line))
                aud.add(at, "ok", written[:160], written, str(p),
                        f"the distribution of {_show(key)} ({shown}) adds up to 1", "step")

    def _entropy(self, aud, hs, last, offset):
        for m in hs:
            cond = ()
            if m.group("c"):
                parts = [c.split("=") for c in m.group("c").split(",")]
                if any(len(p) != 2 for p in parts):
                    return
                cond = tuple((_var(a), b.strip()) for a, b in parts)
            key = (_var(m.group("v")), cond)
            dist, strict = self.values.get(key), True
            if not dist or sum(p for p, *_ in dist.values()) != 1:
                dist, strict = self.earlier.get(key), False  # under an earlier heading
                if not dist or len(self.earlier) > MAX_VALUES:
                    continue
            self._verdict(aud, m, dist, last, offset, strict)

    def _verdict(self, aud, m, dist, last, offset, strict=True):
        from .latex import parse_chain
        try:
            items = parse_chain(last)
        except Exception:  # Unsupported: an expression this module does not read
            return
        if len(items) != 1 or any(isinstance(n, (N.Name, N.Var)) for n in N.walk(items[0])):
            return
        base = getattr(aud, "log_base", "unknown")
        bases = [2, None] if base == "unknown" else [base]
        h = -sum(mpmath.mpf(p.numerator) / p.denominator
                 * mpmath.log(mpmath.mpf(p.numerator) / p.denominator)
                 for p, *_ in dist.values() if p)
        line = aud.line_of(min(o for _, o, _ in dist.values()))
        for b in bases:
            try:
                stated = E.evaluate(items[0], E.Env(mpmath.mp, _literal, {}, log_base=None
                                                    if b is None else mpmath.mpf(b)))
            except N.NotEvaluable:
                return
            want = h if b is None else h / mpmath.log(b)
            v = value(last)
            lo, hi = ((mpmath.mpf(v.lo.numerator) / v.lo.denominator,
                       mpmath.mpf(v.hi.numerator) / v.hi.denominator) if v is not None
                      else (stated, stated))
            slack = mpmath.mpf(10) ** -30 * (1 + abs(want))
            if lo - slack <= want <= hi + slack:
                aud.add(offset, "ok", f"{m.group()} = {last}"[:160], last, mpmath.nstr(want, 8),
                        f"the entropy of the distribution given at line {line}", "step")
                return
        if base != "unknown" and strict:
            aud.add(offset, "error", f"{m.group()} = {last}"[:160], last, mpmath.nstr(want, 8),
                    f"the distribution given at line {line} has entropy "
                    f"{mpmath.nstr(want, 6)}", "step")


def _literal(n: N.Num):
    return mpmath.mpf(n.value.numerator) / n.value.denominator


def _show(key) -> str:
    var, cond = key
    return var if not cond else f"{var} given " + ", ".join(f"{a}={b}" for a, b in cond)


def distributions(aud) -> Distributions:
    return aud.__dict__.setdefault("distributions_given", Distributions())
