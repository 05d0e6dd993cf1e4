"""reStructuredText grid and simple tables, read by docutils' own table parsers.

:func:`rst_table` is called at a line that may open a table — a grid table's border
``+----+----+`` or a simple table's ``=====  =====`` — and returns the
:class:`~.tables.Table` (cells with exact source offsets, header rows marked) and the
line after it.  docutils (:mod:`docutils.parsers.rst.tableparser`) decides the structure,
so spans and multi-line cells are read as Sphinx renders them; a cell's offset is where the
first line of its text stands in the source.

Example: the lines ``["=== ===", " a   b", "=== ===", " 1   2", "=== ==="]`` give a table
of two rows, the first a header.  Bounds: a table is at most :data:`MAX_LINES` lines
(longer ones are not read as tables); docutils' parsers are linear in the table's size.
"""

from __future__ import annotations

import re

from .tables import MAX_COLS, MAX_ROWS, Cell, Table

GRID = re.compile(r"[ \t]*\+(?:-+\+){1,40}[ \t]*$")
SIMPLE = re.compile(r"[ \t]*=+(?:[ \t]+=+){1,40}[ \t]*$")
MAX_LINES = 2000


def rst_table(lines: list[str], starts: list[int], i: int) -> tuple[Table | None, int]:
    """The table whose first border is line ``i`` (or None) and the line after its block."""
    try:
        from docutils.parsers.rst import tableparser
        from docutils.statemachine import StringList
    except ImportError:  # docutils is a dependency; without it the table stays prose
        return None, i + 1
    j = i
    while j < len(lines) and lines[j].strip() and j - i < MAX_LINES:
        j += 1
    if j - i >= MAX_LINES or j - i < 3:
        return None, i + 1
    indent = len(lines[i]) - len(lines[i].lstrip())
    block = [x[indent:] for x in lines[i:j]]
    grid = bool(GRID.match(lines[i]))
    if not grid:  # a simple table may hold blank lines: it ends at its last border
        j = _simple_end(lines, i)
        block = [x[indent:] for x in lines[i:j]]
    parser = tableparser.GridTableParser() if grid else tableparser.SimpleTableParser()
    try:
        _, head, body = parser.parse(StringList(block))
    except Exception:  # docutils' TableMarkupError and friends: not a table we can read
        return None, j
    table = Table(offset=starts[i])
    for rows, header in ((head, True), (body, False)):
        for row in rows[:MAX_ROWS]:
            cells = []
            for cell in row[:MAX_COLS]:
                if cell is None:
                    continue
                _, _, line0, text_lines = cell
                cells.append(_cell(lines, starts, i + line0, list(text_lines), header))
            table.rows.append(cells)
    if head:
        table.rules.add(len(head) - 1)
    return (table if len(table.rows) >= 2 else None), j


def _simple_end(lines: list[str], i: int) -> int:
    """Line after a simple table opening at ``i``: its third border (or second when there is
    no header), within :data:`MAX_LINES`."""
    borders = [i]
    k = i + 1
    while k < len(lines) and k - i < MAX_LINES:
        if SIMPLE.match(lines[k]):
            borders.append(k)
            if len(borders) == 3 or (k + 1 >= len(lines) or not lines[k + 1].strip()):
                return k + 1
        k += 1
    return k


def _cell(lines, starts, line_no: int, text_lines: list[str], header: bool) -> Cell:
    text = "\n".join(text_lines)
    first = next((x.strip() for x in text_lines if x.strip()), "")
    skip = next((k for k, x in enumerate(text_lines) if x.strip()), 0)
    row = min(line_no + skip, len(lines) - 1)
    col = lines[row].find(first) if first else -1
    return Cell(text.strip(), starts[row] + max(col, 0), header)
