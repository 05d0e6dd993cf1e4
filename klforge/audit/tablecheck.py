"""Verdicts on tables (read by :mod:`.tables`): totals, expected counts, marginals.

A table is read as a header row (``<th>``, a rule after it, or a label in it) and a label
column (the column spec's ``|``, or a label below the header); the rest are data cells.
Relations are claimed only where the table's words or its arithmetic make them plain:

* **Totals.**  A row or column labelled *total*, *sum*, *marginal* (or Σ) is the sum of
  the data cells before it: ``Σ cells = total`` is checked at the printed precision (a
  decimal stands for its rounding interval) — ok or error.  An unlabelled last row or
  column (empty label, after a rule or a column bar) is claimed as a total only when every
  one of its cells (at least two) is the sum of its line; then each is *ok*, else nothing
  is said.
* **Expected counts.**  In a table with total row and column that the text before it
  calls *expected*, each cell is row total × column total / grand total (independence).
* **Marginals and conditionals.**  After a joint table (labelled rows and columns, data
  cells all numbers), a one-row or one-column table whose labels are the joint's column
  (row) labels holds the column (row) sums; labelled with the joint's other labels after
  text saying *conditioned on … = c*, it holds the joint's line c divided by its sum.
  Errors are claimed only when the text before says *marginal*/*condition*; otherwise a
  table that matches throughout is *ok* and one that does not is left alone.

Example: an HTML table with a *Total* column ``8 | 0 | 8 | 5 | 21`` gives the finding
``8 + 0 + 8 + 5 = 21`` (ok).  Bounds: linear in the number of cells (≤ 200 × 40 a table).
"""

from __future__ import annotations

import re
from fractions import Fraction

from .tables import Table, label, value

_TOTAL = re.compile(r"^(?:grand)?(?:total|totals|sum|marginals?|σ|\\sum|all)[:.]?$")
_EXPECTED = re.compile(r"\bexpected\b", re.I)
_MARGINAL = re.compile(r"\bmarginal", re.I)
_CONDITION = re.compile(r"\bcondition(?:ed|al)?\b[^.]{0,80}?=\s*\$?\s*([A-Za-z0-9]{1,8})", re.I)
CONTEXT = 400


def _fmt(x: Fraction) -> str:
    return str(x) if x.denominator == 1 else f"{float(x):.6g}"


class Grid:
    """A table as header labels, row labels and a matrix of values (None: not a number)."""

    def __init__(self, t: Table):
        rows = [r for k, r in enumerate(t.rows)   # an empty header row over a rule is kept
                if any(c.text.strip() for c in r) or k == 0 and 0 in t.rules]
        if len(rows) != len(t.rows):
            t.rules = {k for k in t.rules if k == 0} if rows[0] is t.rows[0] else set()
        width = max(len(r) for r in rows)
        self.cells = [r + [None] * (width - len(r)) for r in rows]
        self.vals = [[value(c.text) if c is not None else None for c in r] for r in self.cells]
        first = self.cells[0]
        self.head = bool(any(c is not None and c.header for c in first) or 0 in t.rules or (
            any(c is not None and c.text.strip() and v is None
                for c, v in zip(first, self.vals[0], strict=True))))
        r0 = 1 if self.head else 0
        col0 = [(self.cells[i][0], self.vals[i][0]) for i in range(r0, len(rows))]
        self.lcol = t.label_col or any(c is not None and v is None and label(c)
                                       for c, v in col0) or all(
            c is not None and c.header for c, _ in col0)
        self.r0, self.c0 = r0, 1 if self.lcol else 0
        self.width = width
        self.rules = t.rules

    def col_label(self, j):
        return label(self.cells[0][j]) if self.head else ""

    def row_label(self, i):
        return label(self.cells[i][0]) if self.lcol else ""

    @property
    def data_rows(self):
        return range(self.r0, len(self.cells))

    @property
    def data_cols(self):
        return range(self.c0, self.width)


def judge(aud, text: str, tables: list[Table], state: dict) -> None:
    """Add the findings of ``tables`` (in document order) to ``aud``; ``state`` carries the
    last joint table from one call to the next."""
    for t in tables:
        try:
            g = Grid(t)
        except (ValueError, IndexError):
            continue
        state.setdefault("grids", []).append(g)
        first = next((c.offset for r in t.rows for c in r), t.offset)
        context = text[max(0, t.offset - CONTEXT):first]
        rows, cols = _totals(aud, g)
        if not rows:
            _named_sums(aud, g)
        if rows and cols and _EXPECTED.search(context):
            _expected(aud, g)
        _bind(aud, g, rows)
        joint = state.get("joint")
        if joint is not None and _marginal(aud, g, joint, context):
            continue
        if _is_joint(g, rows, cols):
            state["joint"] = g
            state.setdefault("joints", []).append(g)


_FUNC = re.compile(r"([A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?)(?:\(([A-Za-z])\)|_\{?([a-z])\}?)")


def _bind(aud, g: Grid, total_row: bool) -> None:
    """Columns headed ``p(x)``, ``q(x)``, ``P(X)``, ``p_i`` whose data cells are all numbers
    bind the distribution: sums such as ``\\sum_x p(x)\\ln\\frac{p(x)}{q(x)}`` use them.  A
    column headed by a bare letter (``P``, ``q``, ``p_1``) binds it when its numbers are a
    distribution (non-negative, adding up to 1 within their rounding).  A total row is
    not part of the distribution."""
    vectors = getattr(aud, "vectors", None)
    rows = list(g.data_rows)[:-1] if total_row else list(g.data_rows)
    if not g.head or len(rows) < 2 or vectors is None:
        return
    import mpmath
    for j in g.data_cols:
        cell = g.cells[0][j]
        name = "" if cell is None else re.sub(r"<[^<>]{0,300}>|[\s$]|\\[()]", "", cell.text)
        m, bare = _FUNC.fullmatch(name), _LETTER.fullmatch(name)
        vals = [g.vals[i][j] for i in rows]
        if not (m or bare) or any(v is None for v in vals):
            continue
        if not m and not (all(v.exact >= 0 for v in vals)
                          and sum(v.lo for v in vals) <= 1 <= sum(v.hi for v in vals)):
            continue
        base = (m or bare).group(1).replace("{", "").replace("}", "")
        vectors[base] = [mpmath.mpf(v.exact.numerator) / v.exact.denominator for v in vals]
        aud.version = getattr(aud, "version", 0) + 1


_LETTER = re.compile(r"([A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?)")
_NAMED = re.compile(r"(?:^|[\s{$])(E|V|Var|\\mathbb\{E\}|\\operatorname\{Var\}|\\mathrm\{Var\}|"
                    r"\\text\{Var\})\s*[(\[][^=]{1,20}[)\]]\s*=\s*[^=]*$")


def _named_sums(aud, g: Grid) -> None:
    """Below a column of numbers, a cell ``E(X) = 0.81`` or ``V(X) = 3.4246`` (the other
    cells of its row empty) is the column's sum — an expectation or variance table.  The
    name does not say which column it sums, so only a sum that holds is reported (ok)."""
    for j in g.data_cols:
        run = []
        for i in g.data_rows:
            cell, v = g.cells[i][j], g.vals[i][j]
            if cell is None or v is None:
                break
            if _NAMED.search(cell.text.replace("\n", " ")) and len(run) >= 2 and all(
                    c is None or not c.text.strip() or k == j
                    for k, c in enumerate(g.cells[i]) if k >= g.c0 and g.vals[i][k] is None):
                lo, hi = sum(x.lo for x in run), sum(x.hi for x in run)
                if lo <= v.hi and v.lo <= hi:
                    aud.add(cell.offset + v.at, "ok", " + ".join(x.literal for x in run)
                            + f" = {v.literal}", v.literal, _fmt(sum(x.exact for x in run)),
                            "", "step")
                break
            run.append(v)


def _line_check(g, cells, total, results):
    """Σ cells = total; returns True when it holds.  ``results`` collects (args) to add."""
    vals = [g.vals[i][j] for i, j in cells]
    tv = g.vals[total[0]][total[1]]
    if tv is None or not vals or any(v is None for v in vals):
        return None
    lo, hi = sum(v.lo for v in vals), sum(v.hi for v in vals)
    ok = lo <= tv.hi and tv.lo <= hi
    if not ok and all(v.exact >= 0 for v in vals) and (
            min(v.lo for v in vals) <= tv.hi and tv.lo <= max(v.hi for v in vals)):
        return None  # a "total" within the range of its cells is an average or a rate
    cell = g.cells[total[0]][total[1]]
    relation = " + ".join(v.literal for v in vals) + f" = {tv.literal}"
    results.append((cell.offset + tv.at, "ok" if ok else "error", relation, tv.literal,
                    _fmt(sum(v.exact for v in vals)),
                    "" if ok else "the cells of this line do not add up to its total"))
    return ok


def _totals(aud, g: Grid) -> tuple[bool, bool]:
    """Check total rows and columns; returns (a total row was found, a total column was)."""
    found = [False, False]
    n, w = len(g.cells), g.width
    for axis in (0, 1):  # 0: a total column (sums of rows), 1: a total row
        last = w - 1 if axis == 0 else n - 1
        first_data = g.c0 if axis == 0 else g.r0
        if last - first_data < 2:
            continue
        name = g.col_label(last) if axis == 0 else g.row_label(last)
        claimed = bool(_TOTAL.match(name))
        bare = not name and (last - 1 in g.rules if axis == 1 else True)
        if not claimed and not bare:
            continue
        lines = g.data_rows if axis == 0 else g.data_cols
        results = []
        for k in lines:
            if axis == 0:
                cells, total = [(k, j) for j in range(g.c0, last)], (k, last)
            else:
                cells, total = [(i, k) for i in range(g.r0, last)], (last, k)
            _line_check(g, cells, total, results)
        if not results or not claimed and (len(results) < 2 or any(
                r[1] != "ok" for r in results)):
            continue
        found[axis] = True
        for r in results:
            aud.add(*r, "step")
    return found[1], found[0]


def _expected(aud, g: Grid) -> None:
    """Cells of an expected-count table: row total × column total / grand total."""
    n, w = len(g.cells) - 1, g.width - 1
    grand = g.vals[n][w]
    if grand is None or grand.exact == 0:
        return
    found = []
    for i in range(g.r0, n):
        for j in range(g.c0, w):
            v, r, c = g.vals[i][j], g.vals[i][w], g.vals[n][j]
            if v is None or r is None or c is None:
                continue
            exact = r.exact * c.exact / grand.exact
            if min(r.lo, c.lo, grand.lo) <= 0:
                continue
            ok = r.lo * c.lo / grand.hi <= v.hi and v.lo <= r.hi * c.hi / grand.lo
            found.append((g.cells[i][j].offset + v.at, "ok" if ok else "error",
                          f"{r.literal} × {c.literal} / {grand.literal} = {v.literal}",
                          v.literal, _fmt(exact), "" if ok else "expected count under "
                          "independence is row total × column total / grand total", "step"))
    if 2 * sum(f[1] == "ok" for f in found) > len(found):  # else another null model
        for f in found:
            aud.add(*f)


def _is_joint(g: Grid, rows: bool, cols: bool) -> bool:
    return (g.head and g.lcol and len(g.cells) - g.r0 >= 2 and g.width - g.c0 >= 2
            and all(g.vals[i][j] is not None for i in g.data_rows for j in g.data_cols)
            and len({g.row_label(i) for i in g.data_rows}) == len(g.cells) - g.r0)


def _marginal(aud, g: Grid, joint: Grid, context: str) -> bool:
    """A one-line table after a joint table: its marginal or a conditional (module doc)."""
    jrows = [joint.row_label(i) for i in joint.data_rows]
    jcols = [joint.col_label(j) for j in joint.data_cols]
    if set(jrows) == set(jcols) or not all(jrows) or not all(jcols):
        return False
    if g.head and len(g.cells) - g.r0 == 1:        # one data row, labels across
        labels = [g.col_label(j) for j in g.data_cols]
        cells = [(g.r0, j) for j in g.data_cols]
    elif g.lcol and g.width - g.c0 == 1:           # one data column, labels down
        labels = [g.row_label(i) for i in g.data_rows]
        cells = [(i, g.c0) for i in g.data_rows]
    else:
        return False
    if labels == jcols:
        sums = [sum(joint.vals[i][j].exact for i in joint.data_rows) for j in joint.data_cols]
        what, claimed = "column sum of the joint table", _MARGINAL.search(context)
    elif labels == jrows:
        sums = [sum(joint.vals[i][j].exact for j in joint.data_cols) for i in joint.data_rows]
        what, claimed = "row sum of the joint table", _MARGINAL.search(context)
        cond = _CONDITION.search(context)
        at = cond and cond.group(1).lower()
        if cond and at in jcols and at not in jrows:
            j = joint.c0 + jcols.index(at)
            col = [joint.vals[i][j].exact for i in joint.data_rows]
            if sum(col) == 0:
                return False
            sums = [x / sum(col) for x in col]
            what, claimed = f"joint column {at} divided by its sum", cond
    else:
        return False
    found = []
    for (i, j), exact in zip(cells, sums, strict=True):
        v = g.vals[i][j]
        if v is None:
            return False
        ok = v.lo <= exact <= v.hi
        found.append((g.cells[i][j].offset + v.at, "ok" if ok else "error",
                      f"{what} = {v.literal}", v.literal, _fmt(exact),
                      "" if ok else f"the {what} is {_fmt(exact)}"))
    if not claimed and any(f[1] != "ok" for f in found):
        return False
    for f in found:
        aud.add(*f, "step")
    return True
