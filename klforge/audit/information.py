"""Entropies and mutual information stated from a joint distribution the text gave as a grid.

Information-theory solutions give a joint distribution as a bare grid of numbers, named in
the sentence before it, and then state its entropies::

    so that the marginal distribution $p(X,Y)$ is
    \\begin{array}{cc}1/4&1/4\\\\1/4&1/4\\end{array}
    and $H(X,Y)=2$ with $H(X)=1$ and $H(Y)=1$, so $I(X,Y)=0$

A joint given entry by entry (``p(a,b)=0``, ``p(b,b)=3/4``, … — see :mod:`.joint`; X is
the first argument) serves the same statements, and ``H(X|Y=b)`` (the entropy of X in the
column b) too.  A grid without labels whose entries are all numbers adding up to exactly 1,
preceded
(within :data:`CONTEXT` characters) by ``p(X,Y)`` or ``p(X,Y|Z=a)``, is a joint of X (rows)
and Y (columns), conditioned on Z = a in the second form.  A later statement in the same
section that is just ``NAME = number`` is checked against it:

* ``H(X)``, ``H(Y)``, ``H(X,Y)``, ``H(X|Y)``, ``H(Y|X)``, ``I(X;Y)`` (``I(X,Y)``) — of the
  latest unconditioned joint of X and Y;
* the same with ``|Z=a`` added inside (``H(X|Z=a)``, ``I(X;Y|Z=a)``) — of the joint given
  Z = a;
* a joint ``p(X,Y)`` given after the joints ``p(X,Y|Z=z)`` is checked as their marginal
  Σ_z p_Z(z) p(X,Y|Z=z) (with the stated p_Z; entry by entry, exactly);
* ``H(X|Z)``, ``I(X;Y|Z)`` — the average over the joints given Z = z, weighted by the
  marginal ``p_Z(z)`` the text stated (``p_Z(a)=p_Z(b)=1/2``); without it, only when every
  conditional value is the same (then the weights do not matter).

Entropy is in the document's log base (:mod:`.context`: stated or decided by its first
chain); with no base known yet, base 2 and e are tried and a mismatch with both is left
unchecked.  A stated decimal stands for its rounding interval.  Verdicts: *ok* when the
value holds, *error* (naming the joint's line and the value) when it does not and the base
is known.

Example: after the grid above (base 2), ``$I(X,Y)=0$`` is ok and ``$H(X)=2$`` an error
("H(X) of the joint given at line 2 is 1").  Bounds: grids of at most 20 × 20 entries, at
most :data:`MAX_JOINTS` joints kept; statements are matched by anchored regular
expressions of bounded repetition.
"""

from __future__ import annotations

import re

import mpmath

from .tables import value

CONTEXT, MAX_JOINTS, MAX_SIDE = 160, 50, 20
_VAR = r"\s*([A-Z])(?:_\{?\d\}?)?\s*"
_NAMED = re.compile(r"p\s*\(" + _VAR + r"," + _VAR + r"(?:(?:\||\\mid|\\vert)" + _VAR
                    + r"=\s*(\w{1,6})\s*)?\)")
_STATE = re.compile(r"\s*(?P<f>H|I)\s*\((?P<a>[^()=|;,]{1,12})(?P<sep>[;,]\s*[^()=|;,]{1,12})?"
                    r"(?:(?:\||\\mid|\\vert)(?P<c>[^()=|;,]{1,12})(?:=\s*(?P<z>\w{1,6}))?)?\)"
                    r"\s*=\s*(?P<v>[^=]{1,40}?)[\s.,;]*")
_MARGINAL = re.compile(r"\s*(?:p_\{?([A-Z])\}?\(\s*(\w{1,6})\s*\)\s*=\s*)+(?P<v>[^=]{1,30}?)"
                       r"[\s.,;]*")
_ONE_MARGINAL = re.compile(r"p_\{?([A-Z])\}?\(\s*(\w{1,6})\s*\)")


class PlainJoint:
    """p(x, y) as a matrix (rows x, columns y), its variables and what it is given."""

    def __init__(self, p, xy, cond, offset, labels=None):
        self.p, self.xy, self.cond, self.offset = p, xy, cond, offset
        self.labels = labels    # (row labels, column labels) of a joint given by its entries

    def given(self, var: str, label: str):
        """H(other variable | var = label) in nats, from the labelled entries; or None."""
        if self.labels is None or var not in self.xy:
            return None
        rows, cols = self.labels
        if var == self.xy[1] and label in cols:
            j = cols.index(label)
            ps = [r[j] for r in self.p]
        elif var == self.xy[0] and label in rows:
            ps = list(self.p[rows.index(label)])
        else:
            return None
        total = sum(ps)
        if not total:
            return None
        return _entropy([x / total for x in ps])

    def h(self, which: str):
        """Entropy (natural units) of the rows ("x"), the columns ("y") or the joint."""
        if which == "x":
            ps = [sum(r) for r in self.p]
        elif which == "y":
            ps = [sum(r[j] for r in self.p) for j in range(len(self.p[0]))]
        else:
            ps = [v for r in self.p for v in r]
        return _entropy(ps)

    def quantity(self, f: str, a: str, b: str | None):
        """H(a), H(a,b), H(a|b), I(a;b) in nats, or None when a name is not its variable."""
        axis = {self.xy[0]: "x", self.xy[1]: "y"}
        if a not in axis or (b is not None and (b not in axis or b == a)):
            return None
        if f == "I":
            return None if b is None else self.h("x") + self.h("y") - self.h("xy")
        return self.h(axis[a]) if b is None else self.h("xy")


def _entropy(ps):
    """−Σ p ln p of exact fractions (0 ln 0 = 0), in nats."""
    return -sum(mpmath.mpf(v.numerator) / v.denominator
                * mpmath.log(mpmath.mpf(v.numerator) / v.denominator) for v in ps if v)


def from_entries(joint, offset: int) -> PlainJoint | None:
    """A joint the text gave entry by entry (``p(a,b) = 0``, … see :mod:`.joint`) as a
    joint of X (first argument) and Y, labelled by the values."""
    if joint is None:
        return None
    p = [[joint.p[r, c] for c in joint.cols] for r in joint.rows]
    return PlainJoint(p, ("X", "Y"), None, offset, (list(joint.rows), list(joint.cols)))


def plain_joint(g, text: str) -> PlainJoint | None:
    """A grid of :mod:`.tablecheck` with no labels, all numbers, adding up to exactly 1,
    named ``p(X,Y)`` or ``p(X,Y|Z=a)`` just before it; else None."""
    if g.head or g.lcol or not 2 <= len(g.cells) <= MAX_SIDE or not 2 <= g.width <= MAX_SIDE:
        return None
    vals = [[g.vals[i][j] for j in range(g.width)] for i in range(len(g.cells))]
    if any(v is None or v.decimals or v.exact < 0 for r in vals for v in r):
        return None
    p = [[v.exact for v in r] for r in vals]
    if sum(sum(r) for r in p) != 1:
        return None
    first = next(c for r in g.cells for c in r if c is not None)
    names = list(_NAMED.finditer(text[max(0, first.offset - CONTEXT):first.offset]))
    if not names:
        return None
    m = names[-1]
    cond = (m.group(3), m.group(4)) if m.group(3) else None
    return PlainJoint(p, (m.group(1), m.group(2)), cond, first.offset)


class Information:
    """The plain joints of a document and the entropies stated from them."""

    def __init__(self):
        self.joints: list[PlainJoint] = []
        self.marginals: dict = {}
        self.checked: set = set()   # joints whose marginal relation has been judged
        self.section = 0

    def add(self, joint: PlainJoint | None) -> None:
        if joint is not None and len(self.joints) < MAX_JOINTS:
            self.joints.append(joint)

    def _marginal_grids(self, aud, section: int, offset: int) -> None:
        """A joint p(X,Y) given after joints p(X,Y|Z=z) of the same shape is their marginal:
        Σ_z p_Z(z) p(X,Y|Z=z), with p_Z as stated (checked once the text reaches past it)."""
        for j in self.joints:
            if j.cond is not None or j.offset >= offset or j.offset < section or id(j) in \
                    self.checked:
                continue
            self.checked.add(id(j))
            given = {}
            for g in self.joints:
                if (g.cond is not None and g.offset < j.offset and g.offset >= section
                        and g.xy == j.xy and len(g.p) == len(j.p) and len(g.p[0]) == len(j.p[0])):
                    given[g.cond] = g
            zs = {c[0] for c in given}
            if len(given) < 2 or len(zs) != 1:
                continue
            z = zs.pop()
            weights = {c: self.marginals.get((z, c[1])) for c in given}
            if any(w is None for w in weights.values()) or sum(weights.values()) != 1:
                continue
            want = [[sum(weights[c] * g.p[r][k] for c, g in given.items())
                     for k in range(len(j.p[0]))] for r in range(len(j.p))]
            lines = ", ".join(str(aud.line_of(g.offset)) for g in given.values())
            rel = f"p({j.xy[0]},{j.xy[1]}) = Σ_{z} p_{z}·p({j.xy[0]},{j.xy[1]}|{z})"
            if want == j.p:
                aud.add(j.offset, "ok", rel, None, None, f"the marginal of the joints given at "
                        f"lines {lines}", "step")
            else:
                shown = "; ".join(", ".join(str(x) for x in row) for row in want)
                aud.add(j.offset, "error", rel, None, shown, f"the marginal of the joints given "
                        f"at lines {lines} is [{shown}]", "step")

    def statement(self, aud, seg_text: str, offset: int, section: int, entries=None,
                  entries_at: int = 0) -> None:
        """Check ``seg_text`` if it states an entropy of a joint given in this section
        (``entries``: the joint the text gave entry by entry, if any, last at
        ``entries_at``)."""
        if section != self.section:
            self.section, self.marginals = section, {}
        self._marginal_grids(aud, section, offset)
        m = _MARGINAL.fullmatch(seg_text)
        if m:
            v = value(m.group("v"))
            if v is not None and not v.decimals:
                for var, lab in _ONE_MARGINAL.findall(seg_text[:m.start("v")]):
                    self.marginals[var, lab] = v.exact
            return
        m = _STATE.fullmatch(seg_text)
        if not m:
            return
        v = value(m.group("v"))
        joints = [j for j in self.joints if section <= j.offset < offset]
        entry_joint = from_entries(entries, entries_at)
        if entry_joint is not None and section <= entries_at < offset:
            joints = sorted(joints + [entry_joint], key=lambda j: j.offset)
        if v is None or not joints:
            return
        got = self._value(m, joints)
        if got is None:
            return
        nats, where = got
        self._verdict(aud, offset, m, v, nats, where)

    def _value(self, m, joints):
        f, a = m.group("f"), m.group("a").strip()
        b = m.group("sep")[1:].strip() if m.group("sep") else None
        c, z = (m.group("c") or "").strip() or None, m.group("z")
        if f == "I" and b is None:
            return None
        if c is not None and z is None and b is None and f == "H":   # H(X|Y) or H(X|Z)
            plain = [j for j in joints if j.cond is None and {a, c} == set(j.xy)]
            if plain:
                j = plain[-1]
                return j.quantity("H", a, c) - j.quantity("H", c, None), [j]
            b, c = None, c
        if c is None:
            plain = [j for j in joints if j.cond is None]
            if not plain:
                return None
            x = plain[-1].quantity(f, a, b)
            return None if x is None else (x, [plain[-1]])
        if z is not None:
            given = [j for j in joints if j.cond == (c, z)]
            if not given and b is None and f == "H":  # H(X|Y=b) of a labelled joint of X, Y
                own = [j for j in joints if j.cond is None and {a, c} == set(j.xy)]
                x = own[-1].given(c, z) if own else None
                return None if x is None else (x, [own[-1]])
            if not given:
                return None
            x = given[-1].quantity(f, a, b)
            return None if x is None else (x, [given[-1]])
        latest = {}
        for j in joints:
            if j.cond is not None and j.cond[0] == c:
                latest[j.cond[1]] = j
        if len(latest) < 2:
            return None
        parts = {lab: j.quantity(f, a, b) for lab, j in latest.items()}
        if any(x is None for x in parts.values()):
            return None
        weights = {lab: self.marginals.get((c, lab)) for lab in latest}
        if all(w is not None for w in weights.values()) and sum(weights.values()) == 1:
            total = sum(mpmath.mpf(w.numerator) / w.denominator * parts[lab]
                        for lab, w in weights.items())
        elif max(parts.values()) - min(parts.values()) < mpmath.mpf(10) ** -30:
            total = next(iter(parts.values()))
        else:
            return None
        return total, list(latest.values())

    @staticmethod
    def _verdict(aud, offset, m, v, nats, joints):
        base = getattr(aud, "log_base", "unknown")
        bases = [2, None] if base == "unknown" else [base]
        lo = mpmath.mpf(v.lo.numerator) / v.lo.denominator
        hi = mpmath.mpf(v.hi.numerator) / v.hi.denominator
        slack = mpmath.mpf(10) ** -30
        values = [nats if b is None else nats / mpmath.log(b) for b in bases]
        lines = ", ".join(str(aud.line_of(j.offset)) for j in joints)
        rel = m.group().strip()[:160]
        if any(lo - slack <= x <= hi + slack for x in values):
            aud.add(offset + m.start("v"), "ok", rel, v.literal, mpmath.nstr(values[0], 8),
                    "", "step")
        elif base != "unknown":
            unit = {2: " bits", None: " nats"}.get(base, "")
            shown = mpmath.nstr(values[0], 6)
            where = "joint" if len(joints) == 1 else "joints"
            aud.add(offset + m.start("v"), "error", rel, v.literal, shown,
                    f"{m.group('f')}(…) of the {where} given at line {lines} is {shown}{unit}",
                    "step")


def information(aud) -> Information:
    return aud.__dict__.setdefault("information", Information())
