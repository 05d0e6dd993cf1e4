"""Tables as authors write them: cells with exact source offsets, and the numbers in them.

Every reader returns :class:`Table` objects — rows of :class:`Cell` (its source text and
offset; ``header`` for ``<th>``/a Markdown header row) — that :mod:`.tablecheck` judges:

* LaTeX ``tabular``/``array`` (:func:`tex_tables`): rows split at ``\\\\``, cells at ``&``
  (``\\&`` is text); ``\\hline`` after a row is remembered as a rule, the column
  specification's ``|`` after the first column marks a label column.
* HTML ``<table>`` and Markdown pipe tables: built by :mod:`.htmlpage` and
  :mod:`.markdown` from their parsers' events with :class:`Builder`.

A cell's number (:func:`value`) is what it states: ``0.35``, ``1,000``, ``12%``, ``1/8``,
``\\frac{11}{24}``, ``\\color{blue}{0.008}``, or the last member of the relation it holds
(``\\frac{(8-4.35)^2}{4.35} = 3.06`` states 3.06).  A decimal stands for the interval it
rounds to, and so does a percentage (``33%`` for a third); integers (counts) and fractions are
exact.

Example: ``tex_tables(r"\\begin{tabular}{c|c} & p\\\\ \\hline a & 1/2 \\end{tabular}")``
is one table of two rows; ``value("1/2").exact == Fraction(1, 2)``.
Bounds: at most :data:`MAX_ROWS` rows × :data:`MAX_COLS` columns per table and
:data:`MAX_TABLES` tables per piece; a cell longer than :data:`MAX_CELL` characters holds
no number; numerals of more than 40 digits are not read.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from fractions import Fraction

MAX_ROWS, MAX_COLS, MAX_TABLES, MAX_CELL = 200, 40, 500, 400


@dataclass
class Cell:
    text: str
    offset: int
    header: bool = False


@dataclass
class Table:
    rows: list[list[Cell]] = field(default_factory=list)
    offset: int = 0
    rules: set[int] = field(default_factory=set)   # row indices followed by a rule (\hline)
    label_col: bool = False                         # the column spec marks column 0 a label


@dataclass
class Value:
    exact: Fraction
    lo: Fraction
    hi: Fraction
    literal: str
    decimals: int          # digits after the point (0: integer or fraction)
    at: int                # offset of the literal within the cell's text


_TAGS = re.compile(r"<[^<>]{0,300}>")
_DROP = re.compile(r"\\(?:color|textcolor)\s*\{[A-Za-z]{1,20}\}|\\(?:mathbf|textbf|boldsymbol|"
                   r"bm|mathrm|text|textrm|mathit|displaystyle|left|right|T|quad|qquad)\b"
                   r"|\\[,;:! ]|\\\(|\\\)|\\\[|\\\]|\$|\*\*|&nbsp;|\\%|~")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]{1,60})\}\s*\{([^{}]{1,60})\}|\\[dt]?frac\s*(\d)(\d)")
_REL = re.compile(r"=|\\approx|≈|\\simeq")
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d{1,40})(?:\.\d{1,40})?|\.\d{1,40}"
_VALUE = re.compile(rf"([-−]?)({_NUM})(?:/({_NUM}))?(%?)")


def value(text: str) -> Value | None:
    """The number a cell states, or None (a label, an empty cell, a formula)."""
    if len(text) > MAX_CELL:
        return None
    rels = list(_REL.finditer(text))
    start = rels[-1].end() if rels else 0
    body = _TAGS.sub(" ", text[start:])
    body = _DROP.sub(" ", body)
    body = _FRAC.sub(lambda m: f"{m.group(1) or m.group(3)}/{m.group(2) or m.group(4)}", body)
    body = re.sub(r"[{}\s]", "", body).replace("\u2212", "-")
    m = _VALUE.fullmatch(body)
    if not m:
        return None
    num = m.group(2).replace(",", "")
    decimals = len(num.split(".")[1]) if "." in num else 0
    exact = Fraction(num)
    if m.group(3):
        den = Fraction(m.group(3).replace(",", ""))
        if den == 0 or "." in m.group(3) or decimals:
            return None
        exact /= den
    if m.group(1):
        exact = -exact
    # a decimal stands for its rounding interval; so does a percentage (33 % of a third)
    half = Fraction(1, 2 * 10 ** decimals) if decimals or m.group(4) and not m.group(3) \
        else Fraction(0)
    digits = re.search(r"\d", m.group(2))
    at = _locate(text, start, m.group(2)[:digits.end()] if digits else "")
    return Value(exact, exact - half, exact + half, m.group(), decimals, at)


def _locate(text: str, start: int, head: str) -> int:
    k = text.find(head, start) if head else -1
    return k if k >= 0 else start


def label(cell: Cell | None) -> str:
    """A cell's text as a label: markup, math delimiters and spaces dropped, lower case."""
    if cell is None:
        return ""
    body = _DROP.sub(" ", _TAGS.sub(" ", cell.text))
    return re.sub(r"[{}\s]", "", body).lower()


class Builder:
    """Collects a table from a parser's events: :meth:`row`, :meth:`cell`, :meth:`done`."""

    def __init__(self, offset: int):
        self.table = Table(offset=offset)
        self.full = False           # MAX_ROWS rows read: the rest of the table is not kept

    def row(self):
        if len(self.table.rows) < MAX_ROWS:
            self.table.rows.append([])
        else:
            self.full = True

    def cell(self, text: str, offset: int, header: bool = False):
        if not self.table.rows:
            self.row()
        cells = self.table.rows[-1]
        if len(cells) < MAX_COLS and not self.full:
            cells.append(Cell(text, offset, header))

    def done(self) -> Table | None:
        rows = [r for r in self.table.rows if r]
        self.table.rows = rows
        return self.table if len(rows) >= 2 else None


# -- LaTeX tabular / array ----------------------------------------------------------------
_BEGIN = re.compile(r"\\begin\{(tabular|array)\*?\}\s*(?:\[[a-z]{0,3}\]\s*)?")
_ROW_END = re.compile(r"\\\\(?:\s*\[[^\]\n]{0,20}\])?|\\cr\b")
_RULE = re.compile(r"\\(?:hline|midrule|toprule|bottomrule|cline\{[^{}]{0,20}\})")
_AMP = re.compile(r"(?<!\\)&")


def _braced(text: str, pos: int, limit: int = 200) -> int:
    """End of the brace group opening at ``pos`` (``{…}``, nested), or -1."""
    if pos >= len(text) or text[pos] != "{":
        return -1
    depth = 0
    for k in range(pos, min(len(text), pos + limit)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return k + 1
    return -1


def tex_tables(text: str, base: int = 0, within=None) -> list[Table]:
    """The ``tabular``/``array`` environments of ``text`` (offsets + ``base``); ``within``
    ((begin, end) → bool), if given, keeps only the tables it accepts (e.g. those read as
    math by the document's own reader).  Linear: every ``\\begin`` and ``\\end`` is found
    once and matched by bisection."""
    begins = list(_BEGIN.finditer(text))
    if not begins:
        return []
    starts = [m.start() for m in begins]
    ends = {env: [m.start() for m in re.finditer(rf"\\end\{{{env}\*?\}}", text)]
            for env in ("tabular", "array")}
    out: list[Table] = []
    for k, m in enumerate(begins):
        if len(out) >= MAX_TABLES:
            break
        closes = ends[m.group(1)]
        c = bisect.bisect_left(closes, m.end())
        spec_end = _braced(text, m.end())
        if c == len(closes) or spec_end < 0:
            continue                      # unclosed: not read as a table
        close = closes[c]
        if k + 1 < len(starts) and starts[k + 1] < close:
            continue                      # nested: not read as a table
        if within is not None and not within(base + m.start(), base + close):
            continue
        spec = text[m.end() + 1:spec_end - 1]
        table = Table(offset=base + m.start(),
                      label_col=bool(re.match(r"\s*\|?\s*[lcr]\s*\|", spec)))
        a = spec_end
        rows = itertools.islice(_ROW_END.finditer(text, spec_end, close), MAX_ROWS + 1)
        for rm in itertools.chain(rows, [None]):
            b = rm.start() if rm else close
            _tex_row(table, text, a, b, base)
            a = rm.end() if rm else close
            if len(table.rows) >= MAX_ROWS:
                break
        if len(table.rows) >= 2:
            out.append(table)
    return out


def _tex_row(table: Table, text: str, a: int, b: int, base: int) -> None:
    body = text[a:b]
    if _RULE.search(body) and table.rows and not _RULE.sub("", body).strip(" \t\n&"):
        table.rules.add(len(table.rows) - 1)   # a rule alone on its row: after the last row
        return
    for rule in _RULE.finditer(body):           # a rule opening the row: after the last row
        if table.rows and not body[:rule.start()].strip():
            table.rules.add(len(table.rows) - 1)
        body = body[:rule.start()] + " " * (rule.end() - rule.start()) + body[rule.end():]
    if not body.strip():
        return
    cells, start = [], 0
    for amp in list(_AMP.finditer(body)) + [None]:
        end = amp.start() if amp else len(body)
        cells.append(Cell(body[start:end], base + a + start))
        start = end + 1
        if len(cells) >= MAX_COLS:
            break
    table.rows.append(cells)
