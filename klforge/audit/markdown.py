"""Markdown, MyST and Quarto: the math is found by the parser that renders the text.

markdown-it-py with the plugins myst-parser itself uses (``dollarmath`` with ``$$`` inline,
``amsmath``, ``colon_fence``, ``front_matter``, MyST blocks and roles, ``deflist``, tables)
decides what is math, so ``$x = 1$`` inside an indented code block, a code fence, a code
span or an HTML comment is not audited, while ```` ```{math} ````/``:::{math}`` blocks,
``{math}`…` `` roles and top-level ``\\begin{align}`` are.  ``\\(…\\)`` and ``\\[…\\]`` in
prose (Jupyter and MathJax read them) are math too.  Directives whose body is Markdown
(``:::{dropdown}``, ``{note}``, Quarto ``::: {.callout-note}``) are read recursively;
code directives (``{code-cell}``, Quarto ``{python}``) are skipped.

Offsets are exact: each token's text is located in the source by a cursor that only moves
forward (linear), container prefixes (``>`` of a blockquote) are blanked, never removed.
Headings start a section; list items, ``(a)``/``b)``/``(iii)`` and bold labels
(**Part 2**, **Solution**) at the start of a paragraph start a sub-problem.

The parser and what its tokens mean (code directives, sub-problem labels, directive options)
are in :mod:`.mdparser`; this module walks the tokens.

Example: ``markdown("Let $p = 0.5$.\\n\\n    $q = 1$\\n").segments`` is the one segment
``p = 0.5`` — the second line is an indented code block.
"""

from __future__ import annotations

import bisect
import re

from .extract import Extracted, Mark, Prose, Segment, display_rows, tex_math
from .mdparser import (
    CODE_DIRECTIVES,
    MAX_NESTING,
    TABLE_EVENTS,
    is_label,
    options_blanked,
    parser,
)
from .tables import MAX_TABLES, Builder

#: a container prefix (indent, the ``>`` of a blockquote) after a newline, blanked in math
_PREFIX = re.compile(r"(?<=\n)[ \t>]+")


def markdown(text: str, depth: int = 0) -> Extracted:
    """Math, prose and scope marks of a Markdown/MyST/Quarto text (offsets into ``text``)."""
    return _Reader(text, depth).run()


class _Reader:
    """One pass over the tokens of ``text``, collecting into ``self.out``."""

    def __init__(self, text: str, depth: int):
        self.text, self.depth = text, depth
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.out = Extracted()
        self.blanks: list[tuple[int, int]] = []   # source ranges that are not prose
        self.cursor = 0
        self.limit = len(text)
        self.table: Builder | None = None   # the pipe table being read
        self.cell: bool | None = None        # inside a cell: is it a header cell
        self.row_cursor = 0

    def line_start(self, line0: int) -> int:
        return self.starts[min(line0, len(self.starts) - 1)] if line0 < len(self.starts) \
            else len(self.text)

    def region(self, tok) -> tuple[int, int]:
        a, b = tok.map
        return self.line_start(a), self.line_start(b) if b < len(self.starts) else len(self.text)

    def run(self) -> Extracted:
        tokens = parser().parse(self.text)
        first_inline = False
        for tok in tokens:
            t = tok.type
            if t == "heading_open":
                self.out.marks.append(Mark(self.region(tok)[0], "section"))
            elif t in ("list_item_open", "dt_open"):
                self.out.marks.append(Mark(self.region(tok)[0], "part"))
            elif t == "paragraph_open":
                first_inline = True
            elif t in TABLE_EVENTS:
                self.table_event(tok)
            elif t == "inline":
                if self.cell is not None:
                    self.table_cell(tok)
                self.inline(tok, first_inline)
                first_inline = False
            elif t in ("math_block", "math_block_label"):
                self.math_block(tok)
            elif t == "amsmath":  # its map stops before the \end line: use the content
                a0, b0 = self.region(tok)[0], self.line_start(tok.map[1] + 1)
                a = self.text.find(tok.content, a0, b0 + 1)
                a, b = (a, a + len(tok.content)) if a >= 0 else (a0, b0)
                self.blanks.append((a, b))
                body = _PREFIX.sub(lambda m: " " * len(m.group()), "\n" + self.text[a:b])[1:]
                self.out.segments += tex_math(body, a, "none").segments
            elif t in ("fence", "colon_fence"):
                self.fence(tok)
            elif t in ("code_block", "front_matter"):
                self.blanks.append(self.region(tok))
            elif t == "html_block":
                self.html_block(tok)
        self.prose()
        return self.out

    # -- pipe tables ------------------------------------------------------------------------
    def table_event(self, tok):
        """Rows and cells of a pipe table (markdown-it's ``table`` rule), for
        :mod:`.tablecheck`; a cell's offset is where its content is on the row's line."""
        t = tok.type
        if t == "table_open":
            self.table = Builder(self.region(tok)[0])
        elif self.table is None:
            return
        elif t == "tr_open":
            self.table.row()
            self.row_cursor = self.region(tok)[0]
        elif t in ("th_open", "td_open"):
            self.cell = t == "th_open"
        elif t in ("th_close", "td_close"):
            self.cell = None
        elif t == "table_close":
            got = self.table.done()
            if got is not None and len(self.out.tables) < MAX_TABLES:
                self.out.tables.append(got)
            self.table = self.cell = None

    def table_cell(self, tok):
        end = self.text.find("\n", self.row_cursor)
        end = len(self.text) if end < 0 else end
        k = self.text.find(tok.content, self.row_cursor, end) if tok.content else -1
        k = self.row_cursor if k < 0 else k
        self.table.cell(tok.content, k, bool(self.cell))
        self.row_cursor = k + len(tok.content) if k >= self.row_cursor else self.row_cursor

    # -- inline content -------------------------------------------------------------------
    def find(self, delim: str, content: str, close: str | None = None) -> tuple[int, int] | None:
        """Locate ``delim content close`` at or after the cursor; (content start, end)."""
        body = r"\n[ \t>]*".join(re.escape(x) for x in content.split("\n"))
        m = re.compile(re.escape(delim) + "(" + body + ")" + re.escape(close or delim)).search(
            self.text, self.cursor, self.limit)  # within the paragraph: linear overall
        if not m:
            return None
        self.cursor = m.end()
        self.blanks.append((m.start(), m.end()))
        return m.start(1), m.end(1)

    def segment(self, a: int, b: int, display: bool):
        body = _PREFIX.sub(lambda m: " " * len(m.group()), self.text[a:b])
        if display:
            self.out.segments += display_rows(body, a)
        else:
            self.out.segments.append(Segment(body, a, False))

    def inline(self, tok, first: bool):
        start, self.limit = self.region(tok)
        self.cursor = max(self.cursor, start)
        kids = tok.children or []
        if first and is_label(kids, tok.content):
            self.out.marks.append(Mark(start, "part"))
        for c in kids:
            if c.type in ("math_inline", "math_inline_double"):
                delim = c.markup or ("$$" if c.type.endswith("double") else "$")
                at = self.find(delim, c.content)
                if at:
                    self.segment(*at, display=c.type.endswith("double"))
            elif c.type == "myst_role":
                name = c.meta.get("name", "")
                at = self.find("{" + name + "}`", c.content, "`")
                if at and name == "math":
                    self.segment(*at, display=False)
            elif c.type == "code_inline":
                self.code_span(c.markup)
            elif c.type == "html_inline" and c.content.startswith("<!--"):
                self.find("", c.content)

    def code_span(self, ticks: str):
        """Blank a code span: a run of exactly ``ticks`` up to the next such run (its
        content is normalised by the parser, so it is not searched for)."""
        run = re.compile(r"(?<!`)" + ticks + r"(?!`)")
        a = run.search(self.text, self.cursor, self.limit)
        b = run.search(self.text, a.end(), self.limit) if a else None
        if a and b:
            self.blanks.append((a.start(), b.end()))
            self.cursor = b.end()

    # -- blocks ---------------------------------------------------------------------------
    def math_block(self, tok):
        a, b = self.region(tok)
        self.blanks.append((a, b))
        open_ = self.text.find("$$", a, b)
        close = self.text.rfind("$$", open_ + 2, b)
        if open_ >= 0:
            self.segment(open_ + 2, close if close > open_ else b, display=True)

    def fence(self, tok):
        a, b = self.region(tok)
        self.blanks.append((a, b))
        info = tok.info.strip()
        name = re.match(r"\{([\w:.-]+)", info)
        name = name.group(1) if name else None
        if name is None and not info.startswith("{"):
            return  # ```python, ```: code
        body_a = self.line_start(tok.map[0] + 1)
        last = self.line_start(tok.map[1] - 1)
        closed = self.text[last:b].strip().startswith(tok.markup[:3])
        body_b = last if closed and last >= body_a else b
        body = options_blanked(self.text[body_a:body_b])
        if name == "math":
            self.out.segments += display_rows(body, body_a)
        elif (name or "").lower() not in CODE_DIRECTIVES and self.depth < MAX_NESTING:
            self.nested(body, body_a)

    def nested(self, body: str, base: int):
        """A directive's Markdown body, dedented as the parser sees it, offsets mapped back."""
        lines = body.split("\n")
        cut = min((len(x) - len(x.lstrip(" \t>")) for x in lines if x.strip()), default=0)
        view = "\n".join(x[cut:] for x in lines)
        sub = markdown(view, self.depth + 1)
        starts, vstarts, o, v = [], [], base, 0
        for x in lines:
            starts.append(o + min(cut, len(x)))
            vstarts.append(v)
            o += len(x) + 1
            v += len(x[cut:]) + 1
        def orig(off):
            j = max(0, bisect.bisect_right(vstarts, off) - 1)
            return starts[j] + off - vstarts[j]
        for s in sub.segments:
            a, b = orig(s.offset), orig(s.offset + len(s.text))
            raw = list(self.text[a:b])
            for k, ch in enumerate(s.text):  # keep what display_rows blanked (&, \\, aligned)
                if ch == " " and raw[orig(s.offset + k) - a] != "\n":
                    raw[orig(s.offset + k) - a] = " "
            self.out.segments.append(Segment(_PREFIX.sub(lambda m: " " * len(m.group()),
                                                         "".join(raw)), a, s.display))
        for p in sub.prose:
            for m in re.finditer(r"[^\n]+", p.text):
                self.out.prose.append(Prose(m.group(), orig(p.offset + m.start())))
        self.out.marks += [Mark(orig(m.offset), m.kind) for m in sub.marks]

    def html_block(self, tok):
        a, b = self.region(tok)
        chunk = self.text[a:b]
        self.blanks.append((a, b))
        # what a browser shows: comments, scripts and tags blanked; math in it is typeset
        chunk = re.sub(r"<!--.*?(?:-->|$)|<(script|style)\b.*?(?:</\1\s*>|$)|<[^>]*>",
                       lambda m: re.sub(r"[^\n]", " ", m.group()), chunk, flags=re.S | re.I)
        got = tex_math(chunk, a, "md")
        self.out.segments += got.segments
        self.out.prose += got.prose

    def prose(self):
        """The text outside math, code and comments: numbers there are data; ``\\(…\\)``
        and ``\\[…\\]`` left in it are math."""
        pieces, pos = [], 0
        for a, b in sorted(self.blanks):
            if b <= pos:
                continue
            a = max(a, pos)
            pieces.append(self.text[pos:a])
            pieces.append(re.sub(r"[^\n]", " ", self.text[a:b]))
            pos = b
        pieces.append(self.text[pos:])
        got = tex_math("".join(pieces), 0, "none")
        self.out.segments += got.segments
        self.out.prose += got.prose
