"""HTML pages: the TeX behind server-rendered and client-rendered math, located by HTML line.

Read with the standard library's :class:`html.parser.HTMLParser` (tolerant of broken
markup).  Math is

* KaTeX's ``<annotation encoding="application/x-tex">`` (display when inside
  ``katex-display`` or ``<math display="block">``); the rendered glyphs (``katex-html``,
  the MathML around the annotation, MathJax's ``mjx-container``/``MathJax`` output) are
  not read, so no formula is read twice;
* MathJax's ``<script type="math/tex">`` (``; mode=display`` for display);
* ``\\(…\\)``, ``\\[…\\]``, ``$$…$$`` and LaTeX environments in the visible text, and
  ``$…$`` when the page's own MathJax/KaTeX configuration turns it on (``inlineMath`` with
  ``'$'``).

Scripts, styles, ``<code>``/``<pre>``, ``<nav>`` and comments are not prose.  Offsets are
those of the HTML source (entities are replaced by their character padded with spaces, so
lines stay exact).  Headings start a section; list items and a paragraph that opens with
``<strong>``/``<b>`` start a sub-problem.  ``<table>`` rows and cells (``<th>`` a header)
are kept with their source offsets for :mod:`.tablecheck`.

Example: ``html('<p>\\\\(1+1=2\\\\)</p>').segments[0].text == "1+1=2"``.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

from .extract import Extracted, Mark, Segment, display_rows, tex_math
from .tables import MAX_TABLES, Builder

SKIP = {"script", "style", "code", "pre", "textarea", "nav", "svg", "math", "head", "title",
        "noscript", "template", "kbd", "samp", "mjx-container"}
SKIP_CLASSES = {"katex-html", "katex-mathml", "MathJax", "MathJax_Preview", "MathJax_Display",
                "MathJax_SVG", "MathJax_CHTML"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param"}
MAX_DEPTH = 500
_DOLLAR_CONFIG = re.compile(r"inlineMath[\"']?\s*[:=]\s*\[[^\]]*\[\s*[\"']\$[\"']")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def _padded_unescape(text: str) -> str:
    """Entities as their character, padded with spaces to the entity's length."""
    def one(m):
        ch = _html.unescape(m.group())
        ch = " " if ch in ("\xa0", "\u2009", "\u202f") else ch
        return ch + " " * (len(m.group()) - len(ch)) if len(ch) <= len(m.group()) else m.group()
    return _ENTITY.sub(one, text)


class _Scan(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        #: open elements: tag, kind, content start, display
        self.stack: list[tuple[str, str | None, int, bool]] = []
        self.hide: list[tuple[int, int]] = []
        self.math: list[tuple[int, int, bool]] = []
        self.marks: list[Mark] = []
        self.last_open: tuple[str, int] | None = None
        self.hidden = 0   # open elements whose text is not prose (skipped, or math)
        #: open tables (innermost last): builder and the open cell (content start, header)
        self.open_tables: list[tuple[Builder, list]] = []
        self.tables: list = []

    def _at(self) -> int:
        line, col = self.getpos()
        return self.starts[min(line, len(self.starts)) - 1] + col

    def handle_starttag(self, tag, attrs):
        a = self._at()
        raw = self.get_starttag_text() or ""
        b = a + len(raw)
        self.hide.append((a, b))
        attrs = {k: v or "" for k, v in attrs}
        classes = set(attrs.get("class", "").split())
        if re.fullmatch(r"h[1-6]", tag):
            self.marks.append(Mark(a, "section"))
        elif tag in ("li", "dt"):
            self.marks.append(Mark(a, "part"))
        elif tag in ("strong", "b") and self.last_open and self.last_open[0] in ("p", "li") \
                and not self.text[self.last_open[1]:a].strip():
            self.marks.append(Mark(a, "part"))
        self.last_open = (tag, b)
        if tag in ("table", "tr", "td", "th") and not self.hidden:  # not in code, nav…
            self._table_event(tag, a, b)
        if tag in VOID or raw.endswith("/>") or len(self.stack) >= MAX_DEPTH:
            return
        display = bool(self.stack and self.stack[-1][3]) or "katex-display" in classes or (
            tag == "math" and attrs.get("display") == "block")
        kind = None
        typ = attrs.get("type", "").lower()
        if tag == "script" and typ.startswith("math/tex"):
            kind, display = "math", "mode=display" in typ
        elif tag == "annotation" and attrs.get("encoding", "").lower() == "application/x-tex":
            kind = "math"
        elif tag in SKIP or classes & SKIP_CLASSES:
            kind = "skip"
        self.stack.append((tag, kind, b, display))
        self.hidden += bool(kind)

    def _table_event(self, tag: str, a: int, b: int):
        """``<table>``, ``<tr>``, ``<td>``/``<th>`` opened at ``a`` (content from ``b``);
        a cell or row left open closes at the next one, as HTML allows."""
        if tag == "table":
            if len(self.open_tables) < 20:
                self.open_tables.append((Builder(a), []))
            return
        if not self.open_tables:
            return
        self._close_cell(a)
        builder, cell = self.open_tables[-1]
        if tag == "tr":
            builder.row()
        else:
            cell[:] = [b, tag == "th"]

    def _close_cell(self, a: int):
        builder, cell = self.open_tables[-1]
        if cell:
            builder.cell(self.text[cell[0]:a], cell[0], cell[1])
            cell.clear()

    def handle_startendtag(self, tag, attrs):
        self.hide.append((self._at(), self._at() + len(self.get_starttag_text() or "")))

    def handle_endtag(self, tag):
        a = self._at()
        b = self.text.find(">", a)
        b = len(self.text) if b < 0 else b + 1
        self.hide.append((a, b))
        if tag in ("table", "tr", "td", "th") and self.open_tables:
            self._close_cell(a)
            if tag == "table":
                got = self.open_tables.pop()[0].done()
                if got is not None and len(self.tables) < MAX_TABLES:
                    self.tables.append(got)
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                for _, kind, start, display in self.stack[k:]:
                    if kind == "math":
                        self.math.append((start, a, display))
                    self.hidden -= bool(kind)
                del self.stack[k:]
                break

    def handle_data(self, data):
        if self.hidden:
            self._hide_here(len(data))

    def handle_entityref(self, name):
        if self.hidden:
            self._hide_here(len(name) + 2)

    def handle_charref(self, name):
        if self.hidden:
            self._hide_here(len(name) + 3)

    def _hide_here(self, length):
        a = self._at()
        self.hide.append((a, a + length))

    def handle_comment(self, data):
        self._hide_here(len(data) + 7)

    def handle_decl(self, decl):
        self._hide_here(len(decl) + 3)

    def handle_pi(self, data):
        self._hide_here(len(data) + 3)

    def unknown_decl(self, data):
        self._hide_here(len(data) + 9)


def html(text: str) -> Extracted:
    """Math, prose and scope marks of an HTML page (offsets into the HTML source)."""
    return html_until(text)[0]


def html_until(text: str, deadline: float | None = None, step: int = 65_536):
    """:func:`html`, fed to the parser a slice at a time until ``deadline``
    (``time.process_time()``): (Extracted of what was read, offset where reading stopped or
    None)."""
    import time
    scan = _Scan(text)
    stopped = None
    try:
        for a in range(0, len(text), step):
            if deadline is not None and a and time.process_time() > deadline:
                stopped = a
                break
            scan.feed(text[a:a + step])
        else:
            scan.close()
    except Exception:  # html.parser is tolerant; an exotic failure keeps what was read
        pass
    if stopped is not None:
        text = text[:stopped]
    out = Extracted(marks=scan.marks, tables=scan.tables)
    for a, b, display in scan.math:
        body = _padded_unescape(text[a:b])
        if display:
            out.segments += display_rows(body, a)
        else:
            out.segments.append(Segment(body, a, False))
    pieces, pos = [], 0
    for a, b in sorted(scan.hide):
        if b <= pos:
            continue
        a = max(a, pos)
        pieces += [text[pos:a], re.sub(r"[^\n]", " ", text[a:b])]
        pos = b
    pieces.append(text[pos:])
    visible = _padded_unescape("".join(pieces))
    got = tex_math(visible, 0, "md" if _DOLLAR_CONFIG.search(text) else "none")
    out.segments += got.segments
    out.prose = got.prose
    out.segments.sort(key=lambda s: s.offset)
    return out, stopped
