"""Find the math in a document: Markdown/MyST or LaTeX, with exact source offsets.

A :class:`Segment` is one piece of math (its text and its offset in the document) and
whether it is display math.  Everything else is prose; decimal numbers in prose (problem
statements, tables) are data that later checks treat as exact.  Offsets are kept exact so
that every finding points at its source line: markup that is dropped (``&``, ``\\label``)
is blanked to spaces, never removed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


@dataclass
class Segment:
    text: str
    offset: int
    display: bool


@dataclass
class Prose:
    text: str
    offset: int


_BLANK_CMDS = re.compile(r"\\(?:label|tag|eqref|ref)\s*\{[^{}]*\}|\\(?:nonumber|notag)\b")
_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])|(?<![\w.])-?\d+(?![\w.])")


def _blank(text: str, pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


class LineIndex:
    """Offset → 1-based line number."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def _split_rows(body: str, offset: int) -> list[Segment]:
    """Rows of an align-like environment (separated by ``\\\\``), alignment ``&`` blanked."""
    body = _blank(body, _BLANK_CMDS).replace("&", " ")
    out, start = [], 0
    for m in re.finditer(r"\\\\(?:\[[^\]]*\])?", body):
        out.append(Segment(body[start:m.start()], offset + start, True))
        start = m.end()
    out.append(Segment(body[start:], offset + start, True))
    return [s for s in out if s.text.strip()]


_ENVS = r"(equation|align|eqnarray|gather|multline|math|displaymath)\*?"


def _tex_like(text: str, base: int, inline_dollars: bool) -> tuple[list, list]:
    """Math and prose of a LaTeX-flavoured text (also used for Markdown paragraphs)."""
    segs, prose = [], []
    pattern = re.compile(
        r"(?P<env>\\begin\{(?P<name>" + _ENVS + r")\}(?P<ebody>.*?)\\end\{(?P=name)\})"
        r"|(?P<dd>(?<!\\)\$\$(?P<ddbody>.*?)(?<!\\)\$\$)"
        r"|(?P<br>\\\[(?P<brbody>.*?)\\\])"
        r"|(?P<pa>\\\((?P<pabody>.*?)\\\))"
        + (r"|(?P<d>(?<![\\$])\$(?=[^\s$])(?P<dbody>(?:\\.|[^$\\\n]|\n(?!\s*\n))*?)"
           r"(?<=[^\s\\])\$(?![\d$]))" if inline_dollars else ""),
        re.DOTALL)
    pos = 0
    for m in pattern.finditer(text):
        prose.append(Prose(text[pos:m.start()], base + pos))
        pos = m.end()
        if m.group("env"):
            start = m.start("ebody")
            name = m.group("name")
            if name.startswith(("align", "eqnarray", "gather")):
                segs.extend(_split_rows(m.group("ebody"), base + start))
            else:
                segs.append(Segment(_blank(m.group("ebody"), _BLANK_CMDS), base + start, True))
        elif m.group("dd") is not None:
            segs.append(Segment(_blank(m.group("ddbody"), _BLANK_CMDS), base + m.start("ddbody"), True))
        elif m.group("br"):
            segs.append(Segment(_blank(m.group("brbody"), _BLANK_CMDS), base + m.start("brbody"), True))
        elif m.group("pa"):
            segs.append(Segment(m.group("pabody"), base + m.start("pabody"), False))
        else:
            segs.append(Segment(m.group("dbody"), base + m.start("dbody"), False))
    prose.append(Prose(text[pos:], base + pos))
    return segs, prose


def _strip_tex_comments(text: str) -> str:
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group()), text)


_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n", re.M)


def markdown(text: str) -> tuple[list[Segment], list[Prose]]:
    """Math of a Markdown/MyST document: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``,
    LaTeX environments, and ```` ```{math} ```` directives; code fences and inline code
    are skipped."""
    segs, prose = [], []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        chunk_end = m.start() if m else len(text)
        chunk = text[pos:chunk_end]
        # MyST {math}`…` roles are math; other inline code spans are blanked so that `$x$`
        # inside code is not math
        for r in re.finditer(r"\{math\}`([^`\n]+)`", chunk):
            segs.append(Segment(r.group(1), pos + r.start(1), False))
        chunk = re.sub(r"(\{math\})?(`+)(?!`).+?(?<!`)\2(?!`)", lambda c: " " * len(c.group()),
                       chunk)
        s, p = _tex_like(chunk, pos, inline_dollars=True)
        segs += s
        prose += p
        if not m:
            break
        close = re.compile(r"^[ \t]*" + re.escape(m.group("fence")[0]) + "{" +
                           str(len(m.group("fence"))) + r",}[ \t]*$", re.M)
        c = close.search(text, m.end())
        body_end = c.start() if c else len(text)
        info = m.group("info").strip()
        if info.startswith("{math}"):
            body_start = m.end()
            body = text[body_start:body_end]
            # directive options (":label: x") are blanked
            body = re.sub(r"^[ \t]*:[\w-]+:[^\n]*", lambda o: " " * len(o.group()), body, flags=re.M)
            segs.extend(_split_rows(body, body_start) if "\\\\" in body else
                        [Segment(_blank(body, _BLANK_CMDS), body_start, True)])
        pos = c.end() if c else len(text)
    segs.sort(key=lambda s: s.offset)
    return segs, prose


def latex(text: str) -> tuple[list[Segment], list[Prose]]:
    """Math of a LaTeX document (comments blanked)."""
    return _tex_like(_strip_tex_comments(text), 0, inline_dollars=True)


def prose_numbers(prose: list[Prose]) -> list[tuple[int, str]]:
    """(offset, literal) of the decimal numbers in prose: data, read exactly."""
    return [(p.offset + m.start(), m.group()) for p in prose for m in _NUMBER.finditer(p.text)]
