"""Marginals and conditionals stated in math from a joint distribution the document gave.

A *joint* is either a table read by :mod:`.tablecheck` (labelled rows and columns, numbers
that add up to 1) or a complete grid of bindings ``p(a,b) = 0``, ``p(b,b) = 3/4``, …
written in math (every pair of the values seen, adding up to 1; the first argument is X,
the second Y, as in ``p(x,y)``).  Later math in the same section that states

* a marginal — ``p_X(a) = 1/8``, ``p_{Y}(1) = 1/2``, ``P(X=a) = 1/8`` — or
* a conditional — ``p(a|b) = 1/2`` (X given Y), ``p(y=1|x=a) = 8/11``

is checked against the joint: a marginal is the sum of its row or column, a conditional
the joint entry divided by the marginal of what it is conditioned on.  For a table the
row and column labels must be disjoint, and a label says which line is meant.  The
verdict is *ok* when the stated value (a decimal standing for its rounding interval)
holds; an error is reported only when the text within :data:`NEAR` characters before
says *marginal* or *conditional* — otherwise a mismatch is left alone (it may be another
distribution).

Example: after ``$p(a,a)=1/8$, $p(a,b)=0$, $p(b,a)=1/8$, $p(b,b)=3/4$``, the statement
``$p_X(b)=7/8$`` is ok (3/4 + 1/8).  Bounds: at most :data:`MAX_ENTRIES` bindings are kept;
each segment is scanned once by regular expressions of bounded repetition.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .tables import value

MAX_ENTRIES, NEAR = 400, 300
_P = r"(?:p|P|\\Pr|\\pr|\\mathbb\{P\}|\\mathrm\{P\})"
_VAL = r"(\\[dt]?frac\s*\{\d{1,9}\}\s*\{\d{1,9}\}|\d{1,9}(?:\.\d{1,12})?(?:\s*/\s*\d{1,9})?)"
_END = r"(?![\d.]|\s*[+\-*/^(_]|\s*\\(?:times|cdot|frac|log|ln))"
_LAB = r"\{?\s*([A-Za-z0-9]{1,6})\s*\}?"
_PAIR = re.compile(_P + r"(?:_\{?[A-Za-z,]{1,5}\}?)?\s*\(\s*" + _LAB + r"\s*,\s*" + _LAB
                   + r"\s*\)\s*=\s*" + _VAL + _END)
_MARG = re.compile(_P + r"\s*(?:_\s*\{?\s*([A-Za-z])(?:_\{?\d\}?)?\s*\}?\s*\(\s*" + _LAB
                   + r"\s*\)|\(\s*([A-Za-z])\s*=\s*" + _LAB + r"\s*\))\s*=\s*" + _VAL + _END)
_COND = re.compile(_P + r"(?:_\{?[A-Za-z|]{1,5}\}?)?\s*\(\s*(?:([A-Za-z])\s*=\s*)?" + _LAB
                   + r"\s*(?:\||\\mid|\\vert)\s*(?:([A-Za-z])\s*=\s*)?" + _LAB + r"\s*\)\s*=\s*"
                   + _VAL + _END)
_CLAIM = re.compile(r"marginal|conditional|condition", re.I)


class Joint:
    """p(r, c) over row labels and column labels; ``by_label``: labels say the axis."""

    def __init__(self, rows, cols, p, offset, by_label):
        self.rows, self.cols, self.p = rows, cols, p
        self.offset, self.by_label = offset, by_label

    def row_sum(self, r):
        return sum(self.p[r, c] for c in self.cols)

    def col_sum(self, c):
        return sum(self.p[r, c] for r in self.rows)


def from_grid(g) -> Joint | None:
    """A joint table (see :mod:`.tablecheck`) whose entries add up to 1, labels disjoint."""
    rows = [g.row_label(i) for i in g.data_rows]
    cols = [g.col_label(j) for j in g.data_cols]
    if not all(rows) or not all(cols) or set(rows) & set(cols) or len(set(rows)) < len(rows) \
            or len(set(cols)) < len(cols):
        return None
    p = {(r, c): g.vals[i][j].exact for r, i in zip(rows, g.data_rows, strict=True)
         for c, j in zip(cols, g.data_cols, strict=True)}
    if sum(p.values()) != 1:
        return None
    first = g.cells[0][0] or next(c for c in g.cells[0] if c is not None)
    return Joint(rows, cols, p, first.offset, True)


class Tracker:
    """The joints of a document so far and the statements checked against them."""

    def __init__(self):
        self.joints: list[Joint] = []
        self.pairs: dict = {}
        self.pairs_offset = 0
        self.section = 0

    def new_section(self, offset: int):
        self.section = offset
        self.pairs = {}

    def segment(self, aud, text: str, seg_text: str, offset: int) -> None:
        for m in _PAIR.finditer(seg_text):
            v = value(m.group(3))
            if v is not None and len(self.pairs) < MAX_ENTRIES:
                self.pairs[m.group(1).lower(), m.group(2).lower()] = v.exact
                self.pairs_offset = offset   # where the entries were last given
        joint = self._current(offset)
        if joint is None:
            return
        claimed = bool(_CLAIM.search(text[max(0, offset - NEAR):offset]))
        for m in _MARG.finditer(seg_text):
            var = (m.group(1) or m.group(3)).lower()
            lab = (m.group(2) or m.group(4)).lower()
            exact = self._marginal(joint, var, lab)
            self._verdict(aud, offset, m, 5, exact, claimed, f"marginal of {lab}")
        for m in _COND.finditer(seg_text):
            exact = self._conditional(joint, m)
            self._verdict(aud, offset, m, 5, exact, claimed, "conditional")

    def _current(self, offset):
        pairs = self._pairs_joint()
        tables = [j for j in self.joints if self.section <= j.offset < offset]
        return pairs or (tables[-1] if tables else None)

    def _pairs_joint(self):
        us = sorted({u for u, _ in self.pairs})
        vs = sorted({v for _, v in self.pairs})
        if len(us) < 2 or len(vs) < 2 or len(self.pairs) != len(us) * len(vs) or \
                sum(self.pairs.values()) != 1:
            return None
        return Joint(us, vs, self.pairs, -1, False)

    @staticmethod
    def _marginal(joint, var, lab):
        if joint.by_label:
            if lab in joint.rows:
                return joint.row_sum(lab)
            return joint.col_sum(lab) if lab in joint.cols else None
        if var == "x" and lab in joint.rows:
            return joint.row_sum(lab)
        return joint.col_sum(lab) if var == "y" and lab in joint.cols else None

    @staticmethod
    def _conditional(joint, m):
        a, b = m.group(2).lower(), m.group(4).lower()
        if joint.by_label:
            if a in joint.rows and b in joint.cols and joint.col_sum(b):
                return joint.p[a, b] / joint.col_sum(b)
            if a in joint.cols and b in joint.rows and joint.row_sum(b):
                return joint.p[b, a] / joint.row_sum(b)
            return None
        first = (m.group(1) or "x").lower()
        if first == "x" and a in joint.rows and b in joint.cols and joint.col_sum(b):
            return joint.p[a, b] / joint.col_sum(b)          # p(x=a | y=b)
        if first == "y" and a in joint.cols and b in joint.rows and joint.row_sum(b):
            return joint.p[b, a] / joint.row_sum(b)          # p(y=a | x=b)
        return None

    @staticmethod
    def _verdict(aud, offset, m, group, exact: Fraction | None, claimed, what):
        v = value(m.group(group))
        if exact is None or v is None:
            return
        ok = v.lo <= exact <= v.hi
        if not ok and not claimed:
            return
        shown = str(exact) if exact.denominator < 10_000 else f"{float(exact):.6g}"
        aud.add(offset + m.start(group), "ok" if ok else "error", m.group().strip()[:160],
                v.literal, shown, "" if ok else f"the {what} of the joint distribution given "
                f"earlier is {shown}", "step")
