"""Jupyter notebooks: the markdown cells, read as one Markdown document.

The markdown cells (in order; code cells and their outputs are not prose) are joined into
one text, each followed by a blank line, so that names and chains carry from cell to cell
as a reader follows them; :class:`CellMap` turns an offset in that text back into
(cell index, line within the cell) — the cell index counts all cells, from 0, as Jupyter
numbers them in the file; lines are 1-based.

Example: a notebook whose cell 3 is ``"$1 + 1 = 3$"`` gives a finding with ``cell=3``,
``line=1``.  Bad JSON or a file without ``cells`` is a :class:`NotebookError` (one line).
"""

from __future__ import annotations

import bisect
import json
import re


class NotebookError(ValueError):
    """Not a Jupyter notebook (the message names the problem)."""


class CellMap:
    """Offsets of the joined text → (cell, 1-based line within the cell)."""

    def __init__(self, cells: list[tuple[int, int]], text: str):
        self.cells = cells                       # (cell index, start offset), by offset
        self.offsets = [o for _, o in cells]
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(self, offset: int) -> tuple[int | None, int]:
        k = bisect.bisect_right(self.offsets, offset) - 1
        line = bisect.bisect_right(self.starts, offset)
        if k < 0:
            return None, line
        cell, start = self.cells[k]
        return cell, line - bisect.bisect_right(self.starts, start) + 1

    def cell_line(self, line: int) -> tuple[int | None, int]:
        """A 1-based line of the joined text → (cell, line within the cell)."""
        return self.locate(self.starts[max(0, min(line, len(self.starts)) - 1)])


def read(raw: str) -> tuple[str, CellMap]:
    """The joined markdown of a notebook's text, and the map back to its cells."""
    try:
        nb = json.loads(raw)
    except json.JSONDecodeError as e:
        raise NotebookError(f"not a Jupyter notebook (invalid JSON at line {e.lineno}: "
                            f"{e.msg})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no list of cells)")
    parts, cells, pos = [], [], 0
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            continue
        cells.append((i, pos))
        chunk = src + ("\n\n" if not src.endswith("\n") else "\n")
        parts.append(chunk)
        pos += len(chunk)
    text = "".join(parts)
    return text, CellMap(cells, text)
