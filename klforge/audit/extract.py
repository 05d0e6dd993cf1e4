"""Find the math in a document, with exact source offsets: the common pieces and LaTeX.

Every format's reader (:mod:`.markdown` for Markdown/MyST/Quarto, :mod:`.notebook`,
:mod:`.htmlpage`, :mod:`.rst`, :func:`latex` here) returns an :class:`Extracted`:

* :class:`Segment` — one piece of math, its text and its offset in the document, display or
  inline.  Offsets are exact, so every finding points at its source line: markup that is
  dropped (``&``, ``\\label``, a blockquote's ``>``) is blanked to spaces, never removed.
* :class:`Prose` — everything else, with code, comments and math blanked; decimal numbers in
  prose (problem statements, tables) are data that later checks treat as exact.
* :class:`Mark` — where a new scope starts: ``"section"`` (a heading: names are forgotten)
  or ``"part"`` (a sub-problem — ``a)``, ``(ii)``, a list item, a bold label such as
  **Solution** — where a name given new data is rebound, not contradicted).

Example: ``latex(r"Let $p = 0.5$ % $q = 1$")`` has one inline segment ``p = 0.5`` at
offset 5; the comment is blanked.  Bounds: scanning is linear (a delimiter that is never
closed is remembered, not searched for again), and display blocks are split into rows by
a scan that keeps nesting depth with a counter.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .tables import tex_tables


@dataclass
class Segment:
    text: str
    offset: int
    display: bool


@dataclass
class Prose:
    text: str
    offset: int


@dataclass
class Mark:
    offset: int
    kind: str          # "section" | "part"


@dataclass
class Extracted:
    segments: list[Segment] = field(default_factory=list)
    prose: list[Prose] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    tables: list = field(default_factory=list)   # :class:`.tables.Table`, read by the format

    def extend(self, other: Extracted):
        self.segments += other.segments
        self.prose += other.prose
        self.marks += other.marks
        self.tables += other.tables
        return self

    def shift(self, base: int):
        """Every offset moved by ``base`` (a piece read on its own)."""
        for item in self.segments + self.prose + self.marks:
            item.offset += base
        for t in self.tables:
            t.offset += base
            for row in t.rows:
                for c in row:
                    c.offset += base
        return self


_BLANK_CMDS = re.compile(r"\\(?:label|tag\*?|eqref|ref)\s*\{[^{}]*\}|\\(?:nonumber|notag|hline"
                         r"|pause|medskip|smallskip|bigskip|noindent)\b"
                         r"|\\(?:onslide|only|uncover|visible|alt)\s*<[^>\n]{0,20}>"
                         r"|\\(?:vspace|hspace)\*?\{[^{}]*\}"
                         r"|\\(?:short)?intertext\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}"
                         r"|\\(?:begin|end)\{(?:aligned|alignedat|split|gathered|array|"
                         r"align|eqnarray|equation|gather|multline|flalign|alignat|"
                         r"tabular)\*?\}(?:\{[^{}]*\})?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])|(?<![\w.])-?\d+(?![\w.])")
#: a row that begins with one of these continues the previous row's expression
_CONTINUES = re.compile(r"\s*(?:[+\-−]|\\cdot\b|\\times\b|\\quad\s*[+\-])")
_MATRIX = re.compile(r"\\(begin|end)\{([pbvBV]?matrix|smallmatrix|cases|dcases|tabular)\*?\}")
_ROW_SEP = re.compile(r"\\\\(?:\s*\[[^\]\n]{0,20}\])?|\\cr\b")


def blank(text: str, pattern) -> str:
    """Replace every match of ``pattern`` by spaces of the same length (newlines kept)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


class LineIndex:
    """Offset → 1-based line number."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def start(self, line: int) -> int:
        """Offset where a 1-based line starts (clamped to the text)."""
        return self.starts[max(0, min(line, len(self.starts)) - 1)]


_SIZED = re.compile(r"\\(?:left|[bB]igg?l)(?![A-Za-z])|\\(?:right|[bB]igg?r)(?![A-Za-z])")


def _open_delimiters(row: str) -> int:
    """Sized delimiters a row opens (``\\left(``, ``\\Bigl[``) minus those it closes."""
    return sum(1 if m.group().startswith(("\\left", "\\bigl", "\\Bigl", "\\biggl", "\\Biggl"))
               else -1 for m in _SIZED.finditer(row))


def display_rows(body: str, offset: int) -> list[Segment]:
    """A display block as the rows an author wrote: split at ``\\\\`` and ``\\cr`` outside
    matrices and ``cases``, alignment ``&`` blanked, ``\\label``/``\\tag``/``array``
    wrappers blanked; a row that begins with ``+``/``−``/``\\cdot`` continues the row before
    (a long right-hand side broken over lines)."""
    body = blank(body, _BLANK_CMDS)
    depth, cuts = 0, []
    marks = [(m.start(), 1 if m.group(1) == "begin" else -1) for m in _MATRIX.finditer(body)]
    seps = [(m.start(), m.end()) for m in _ROW_SEP.finditer(body)]
    events = sorted([(p, 0, d) for p, d in marks] + [(a, 1, b) for a, b in seps])
    for pos, kind, arg in events:
        if kind == 0:
            depth = max(0, depth + arg)
        elif depth == 0:
            cuts.append((pos, arg))
    out, start = [], 0
    text = list(body)
    for a, b in cuts:
        rest = body[b:b + 40].replace("&", " ")
        text[a:b] = " " * (b - a)
        if _CONTINUES.match(rest) or _open_delimiters(body[start:a]) > 0:
            continue  # a right-hand side broken over rows, or inside an open \Bigl[ … \Bigr]
        out.append((start, a))
        start = b
    out.append((start, len(body)))
    joined = "".join(text).replace("&", " ")
    return [Segment(joined[a:b], offset + a, True) for a, b in out if joined[a:b].strip()]


# -- LaTeX ------------------------------------------------------------------------------
_VERBATIM = re.compile(r"\\begin\{(verbatim|Verbatim|lstlisting|minted|comment|filecontents)"
                       r"\*?\}.*?\\end\{\1\*?\}", re.S)
_VERB = re.compile(r"\\(?:verb|lstinline)\*?([^\w\s{])[^\n]*?\1|\\(?:lstinline|mintinline)"
                   r"(?:\{[^{}\n]*\})?\{[^{}\n]*\}")
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")
_ENVS = ("equation", "align", "eqnarray", "gather", "multline", "math", "displaymath",
         "flalign", "alignat", "dmath")
_OPEN = re.compile(r"\\begin\{(" + "|".join(_ENVS) + r")(\*?)\}(?:\{\d+\})?|\$\$|\\\[|\\\(|"
                   r"(?<!\\)\$")
_TEX_SECTION = re.compile(r"\\(?:chapter|section|subsection|subsubsection)\*?\s*[\[{]")
#: a beamer frame is a sub-problem, not a section: slides carry an example across frames
_TEX_PART = re.compile(r"\\item\b|\\begin\{frame\}|\\(?:paragraph|subparagraph)\*?\s*\{"
                       r"|^[ \t]*(?:\\noindent\s*)?(?:\\textbf\{|\{\\bf\s|\\bf\s)"
                       r"|^[ \t]*(?:\\noindent\s*)?\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)[ \t]", re.M)


def _strip_tex(text: str) -> str:
    """Comments, verbatim environments, ``\\verb`` and the preamble blanked."""
    text = _COMMENT.sub(lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))), text)
    text = blank(text, _VERBATIM)
    text = blank(text, _VERB)
    begin = text.find("\\begin{document}")
    if begin > 0:
        text = re.sub(r"[^\n]", " ", text[:begin]) + text[begin:]
    return text


def tex_math(text: str, base: int = 0, dollars: str = "tex") -> Extracted:
    """Math and prose of LaTeX-flavoured text.  ``dollars``: ``"tex"`` (any ``$…$``, as TeX
    reads it), ``"md"`` (no space inside the delimiters, not before a digit: ``$5 and $10``
    is prose) or ``"none"`` (only ``\\(…\\)``, ``\\[…\\]``, ``$$…$$`` and environments)."""
    out = Extracted()
    pos, search, never = 0, 0, set()   # never: closers that do not occur after some point
    skip = 0                           # the closing delimiter at pos, blanked in the prose
    n = len(text)
    while search < n:
        m = _OPEN.search(text, search)
        if not m:
            break
        tok = m.group()
        if tok == "$" and dollars == "none":
            search = m.end()
            continue
        if m.group(1):
            close = f"\\end{{{m.group(1)}{m.group(2)}}}"
        else:
            close = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}[tok]
        start = m.end()
        end = -1 if close in never else _find_close(text, start, close, dollars)
        if end < 0:
            if close != "$":
                never.add(close)
            search = m.end()
            continue
        if dollars == "tex" and _PARA.search(text, start, end) or (
                m.group(1) and text.find(f"\\begin{{{m.group(1)}", start, end) >= 0):
            search = m.end()  # TeX ends math at a blank line; an environment opened again
            continue          # before it closes is a typo for its end: an unclosed opener
        body = text[start:end]
        if tok == "$" and dollars == "md" and (not body or body[0].isspace() or
                                               body[-1].isspace() or
                                               text[end + 1:end + 2].isdigit()):
            search = m.end()
            continue
        out.prose.append(Prose(" " * skip + text[pos + skip:m.start()], base + pos))
        if tok in ("$", "\\("):
            out.segments.append(Segment(body, base + start, False))
        else:
            out.segments += display_rows(body, base + start)
        pos, skip = end, len(close)  # prose resumes where the math ends (its delimiter blank)
        search = end + len(close)
    out.prose.append(Prose(" " * skip + text[pos + skip:], base + pos))
    return out


_PARA = re.compile(r"\n[ \t]*\n")


def _find_close(text: str, start: int, close: str, dollars: str) -> int:
    """Where ``close`` occurs after ``start``; an inline ``$`` closes before a blank line
    and not when escaped."""
    if close != "$":
        return text.find(close, start)
    i = start
    while True:
        j = text.find("$", i)
        if j < 0 or _PARA.search(text, max(start, i - 1), j):
            return -1
        k = j
        while k > start and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:
            return j
        i = j + 1


def latex(text: str) -> Extracted:
    """Math of a LaTeX document: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` and the math
    environments; comments, ``verbatim``/``lstlisting``/``minted`` and ``\\verb`` skipped.
    Sections start a scope; ``\\item``, a beamer frame, ``\\paragraph``, a bold label or
    ``(a)``/``(ii)`` at the start of a line start a sub-problem."""
    out = Extracted()
    for _, piece in latex_pieces(text, len(text) + 1):
        out.extend(piece)
    return out


def latex_pieces(text: str, size: int):
    """:func:`latex` piece by piece, cut at blank lines (TeX math never spans one) about
    every ``size`` characters: (offset, Extracted) — a large document is read lazily."""
    clean = _strip_tex(text)
    for a, b in chunks(clean, size, _PARA):
        out = tex_math(clean[a:b], a, "tex")
        for p in out.prose:
            out.marks += [Mark(p.offset + m.start(), "section")
                          for m in _TEX_SECTION.finditer(p.text)]
            out.marks += [Mark(p.offset + m.start(), "part") for m in _TEX_PART.finditer(p.text)]
        out.tables = tex_tables(clean[a:b], a)
        yield a, out


def chunks(text: str, size: int, boundary, first: int = 32_768):
    """(start, end) pieces each ending at a match of ``boundary`` (or the end of the
    text): a text of at most ``size`` characters is one piece; a longer one is cut into
    pieces that grow from ``first`` to ``size`` characters (so the first is read fast)."""
    pos, step = 0, (size if len(text) <= size else min(first, size))
    while pos < len(text):
        m = boundary.search(text, pos + step) if len(text) - pos > step else None
        end = m.end() if m else len(text)
        yield pos, end
        pos, step = end, min(size, 2 * step)


def split_prose(prose: list[Prose], cuts: list[int]) -> list[Prose]:
    """Prose cut at the given offsets (e.g. where each piece of math ends, so that the prose
    right after a formula — "≈ 0.69", "i.e. 7.8 %" — is a piece of its own)."""
    cuts = sorted(set(cuts))
    out = []
    for p in prose:
        a, end = p.offset, p.offset + len(p.text)
        k = bisect.bisect_right(cuts, a)
        while k < len(cuts) and cuts[k] < end:
            out.append(Prose(p.text[a - p.offset:cuts[k] - p.offset], a))
            a = cuts[k]
            k += 1
        out.append(Prose(p.text[a - p.offset:], a))
    return [p for p in out if p.text]


def prose_numbers(prose: list[Prose]) -> list[tuple[int, str]]:
    """(offset, literal) of the decimal numbers in prose: data, read exactly."""
    return [(p.offset + m.start(), m.group()) for p in prose for m in _NUMBER.finditer(p.text)]
