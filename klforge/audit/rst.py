"""reStructuredText: ``:math:`…``` roles and ``.. math::`` directives, by the language's
own block rules (indentation), with exact offsets.

* ``.. math::`` — the argument on the directive line and the indented body are display math;
  option lines (``:label: x``) are blanked; blank lines separate equations, as in docutils.
* ``:math:`…``` — inline math (also written ```…`:math:``).
* Not prose: literal blocks (a paragraph ending in ``::``), ``code``/``code-block``/
  ``sourcecode``/``literalinclude``/``raw``/``ipython``/``jupyter-execute`` directives,
  comments (``..`` followed by anything but a directive), ``literal`` spans.
* Grid and simple tables are read into cells by :mod:`.rsttables` (their text stays prose).
* Scopes: a title (a line underlined with ``=``, ``-``, ``~``, …) starts a section; a
  bullet or enumerated list item, ``(a)``/``b)`` or a bold label opening a paragraph starts
  a sub-problem.

Example: ``rst("Here :math:`1+1=2`.").segments[0].text == "1+1=2"``.  Linear in the
text (one pass over lines; block ends found by indentation).
"""

from __future__ import annotations

import re

from .extract import Extracted, Mark, Prose, Segment, display_rows
from .rsttables import GRID, SIMPLE, rst_table

_DIRECTIVE = re.compile(r"([ \t]*)\.\.[ \t]+([\w:.+-]+)::(.*)")
_COMMENT = re.compile(r"([ \t]*)\.\.(?:[ \t]|$)")
_CODE = {"code", "code-block", "sourcecode", "literalinclude", "raw", "ipython",
         "jupyter-execute", "highlight", "doctest", "testcode", "testoutput", "only",
         "graphviz", "plot", "csv-table", "include", "youtube", "image", "figure"}
_ADORN = re.compile(r"([=\-~`'\"^_*+#:.<>])\1{2,}[ \t]*")
_ITEM = re.compile(r"[ \t]*(?:[*+\-•][ \t]+|(?:\d+|#|[a-zA-Z])[.)][ \t]+|\((?:\d+|[a-z]|"
                   r"[ivx]{1,4})\)[ \t]+|\*\*[^*\n]{1,40}\*\*)")
_ROLE = re.compile(r":math:`(?P<a>[^`]+)`|`(?P<b>[^`]+)`:math:|``[^`]+``")
_OPTION = re.compile(r"[ \t]*:[\w-]+:")
_BORDER = re.compile(r"[ \t]*[+=|-][-=+ \t]*$")


#: where a large document may be cut: a blank line before a line that is not indented
TOP_LEVEL = re.compile(r"\n[ \t]*\n(?=[^\s])")


def rst_pieces(text: str, size: int):
    """:func:`rst` piece by piece, cut between top-level blocks about every ``size``
    characters: (offset, Extracted)."""
    from .extract import chunks
    for a, b in chunks(text, size, TOP_LEVEL):
        yield a, rst(text[a:b]).shift(a)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def rst(text: str) -> Extracted:
    """Math, prose and scope marks of a reStructuredText document."""
    out = Extracted()
    lines = text.split("\n")
    starts, o = [], 0
    for x in lines:
        starts.append(o)
        o += len(x) + 1
    hidden: list[tuple[int, int]] = []        # line ranges that are not prose
    i, n = 0, len(lines)
    prev_blank = True
    while i < n:
        line = lines[i]
        d = _DIRECTIVE.match(line)
        if d or _COMMENT.match(line) and line.strip() != "..":
            base = _indent(line)
            j = _block_end(lines, i + 1, base)
            name = d.group(2).lower() if d else None
            if name == "math":
                out.segments += _math_block(lines, starts, i, j, d)
                hidden.append((i, j))
            elif name is None or name in _CODE:
                hidden.append((i, j))
            else:
                hidden.append((i, i + 1))      # a directive's body is rST: read on
            i = j if (name is None or name in _CODE or name == "math") else i + 1
            prev_blank = False
            continue
        if prev_blank and (GRID.match(line) or SIMPLE.match(line)):
            table, j = rst_table(lines, starts, i)
            if table is not None:       # its text stays prose: its numbers are data
                out.tables.append(table)
                hidden += [(k, k + 1) for k in range(i, j) if _BORDER.match(lines[k])]
                i, prev_blank = j, False
                continue
        if i + 1 < n and line.strip() and _ADORN.fullmatch(lines[i + 1]) and \
                len(lines[i + 1].rstrip()) >= len(line.rstrip()) - 2 and not _indent(line):
            out.marks.append(Mark(starts[i], "section"))
            hidden.append((i + 1, i + 2))
            i, prev_blank = i + 2, False
            continue
        if prev_blank and _ITEM.match(line):
            out.marks.append(Mark(starts[i], "part"))
        if line.rstrip().endswith("::") and not _DIRECTIVE.match(line):
            j = _literal_end(lines, i + 1, _indent(line))
            hidden.append((i + 1, j))
            i, prev_blank = j, False
            continue
        prev_blank = not line.strip()
        i += 1
    prose, h = [], 0
    hidden.sort()
    for k, line in enumerate(lines):
        while h < len(hidden) and hidden[h][1] <= k:
            h += 1
        if h < len(hidden) and hidden[h][0] <= k < hidden[h][1] or _ADORN.fullmatch(line):
            continue
        pos = 0
        for m in _ROLE.finditer(line):
            prose.append(Prose(line[pos:m.start()], starts[k] + pos))
            body = m.group("a") or m.group("b")
            if body:
                at = m.start("a") if m.group("a") else m.start("b")
                out.segments.append(Segment(body, starts[k] + at, False))
            pos = m.end()
        prose.append(Prose(line[pos:], starts[k] + pos))
    out.prose = prose
    out.segments.sort(key=lambda s: s.offset)
    return out


def _block_end(lines, i, base) -> int:
    """First line after an indented block that starts at line ``i`` (more than ``base``)."""
    n = len(lines)
    while i < n and (not lines[i].strip() or _indent(lines[i]) > base):
        i += 1
    while i > 0 and not lines[i - 1].strip():
        i -= 1
    return i


def _literal_end(lines, i, base) -> int:
    n = len(lines)
    k = i
    while k < n and not lines[k].strip():
        k += 1
    if k >= n or _indent(lines[k]) <= base:
        return i                                # not a literal block after all
    return _block_end(lines, k, base)


def _math_block(lines, starts, i, j, d) -> list[Segment]:
    """Equations of a ``.. math::`` directive: its argument, then blank-line-separated
    groups of its body (options blanked)."""
    out = []
    if d.group(3).strip():
        out += display_rows(d.group(3), starts[i] + d.start(3))
    k = i + 1
    while k < j and _OPTION.match(lines[k]):
        k += 1
    group: list[int] = []
    for m in range(k, j + 1):
        if m < j and lines[m].strip():
            group.append(m)
            continue
        if group:
            out += display_rows("\n".join(lines[group[0]:group[-1] + 1]), starts[group[0]])
            group = []
    return out
