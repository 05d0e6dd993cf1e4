"""Audit documents: ``audit_text`` for one text, ``audit_paths`` for files and directories.

Formats (by suffix): Markdown/MyST (``.md``, ``.markdown``, ``.myst``), Quarto and R
Markdown (``.qmd``, ``.Rmd``), LaTeX (``.tex``), Jupyter notebooks (``.ipynb``: findings
carry ``cell``, ``line`` is then the line within the cell), HTML (``.html``, ``.htm``) and
reStructuredText (``.rst``).
Each format's reader (see :mod:`.extract`) finds the math; :mod:`.layout` feeds it to the
:class:`~.check.Auditor` as an author lays a solution out.

Bounds: a document is audited for at most :data:`BUDGET` seconds of CPU time
(``$KLFORGE_AUDIT_BUDGET``; CPU, not wall-clock, so a busy machine gives the same verdicts)
— the rest is reported as one *unchecked* finding naming the line where auditing stopped —
and large documents are read in chunks of about :data:`CHUNK` characters (Markdown, LaTeX
and rST cut at block boundaries; HTML fed to its parser a slice at a time for a third of
the budget), so a 10 MB page neither hangs nor is read whole before the budget runs out.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import mpmath

from . import extract, layout
from .check import Auditor, Finding
from .latex import parse_chain
from .nodes import DPS

SUFFIXES = {".md": "md", ".markdown": "md", ".myst": "md", ".qmd": "qmd", ".rmd": "qmd",
            ".Rmd": "qmd", ".tex": "tex",
            ".ipynb": "ipynb", ".html": "html", ".htm": "html", ".rst": "rst"}
FORMATS = ("md", "qmd", "tex", "ipynb", "html", "rst")
SEVERITIES = ("error", "warning", "ok", "unchecked")
BUDGET = float(os.environ.get("KLFORGE_AUDIT_BUDGET", "6"))
CHUNK = 400_000


class AuditInputError(Exception):
    """An unreadable input (missing, binary, not UTF-8, unknown format): exit status 2."""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    @property
    def summary(self) -> dict:
        count = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        kinds = {k: sum(getattr(f, "kind", None) == k for f in self.findings)
                 for k in ("condition", "definition")}  # unchecked relations stating no claim
        return {"files": self.files,
                "checked": count["ok"] + count["error"] + count["warning"],
                "ok": count["ok"], "errors": count["error"], "warnings": count["warning"],
                "unchecked": count["unchecked"] - sum(kinds.values()),
                "conditions": kinds["condition"], "definitions": kinds["definition"]}

    def extend(self, other: Report):
        self.findings += other.findings
        self.files += other.files


_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: a code block longer than this is skipped whole rather than parsed (it holds no math)
MAX_CHUNK = 4 * CHUNK


def _markdown_chunks(text: str):
    """(offset, chunk) of a Markdown text cut at blank lines outside code fences (one chunk
    for any ordinary document; see :func:`.extract.chunks`).  A code block that would make
    a chunk longer than :data:`MAX_CHUNK` is skipped (code is not audited); one never
    closed runs to the end of the document, as CommonMark reads it."""
    pos = 0
    for _, b in extract.chunks(text, CHUNK, _BLANK_LINE):
        if b <= pos:
            continue
        end, opener = b, None
        for f in _FENCE.finditer(text, pos, end):
            opener = None if opener is not None else f.start()
        while opener is not None and end < len(text):
            if end - pos > MAX_CHUNK:
                if opener > pos:
                    yield pos, text[pos:opener]
                close = _FENCE.search(text, text.find("\n", opener) + 1 or len(text))
                pos = len(text) if close is None else (text.find("\n", close.end()) + 1
                                                       or len(text))
                break
            m = _BLANK_LINE.search(text, end)
            new_end = m.end() if m else len(text)
            for f in _FENCE.finditer(text, end, new_end):
                opener = None if opener is not None else f.start()
            end = new_end
        else:
            yield pos, text[pos:end]
            pos = end


def _pieces(text: str, fmt: str, deadline: float):
    """The document's math, piece by piece: (offset where the piece starts, extracted,
    offset where reading stopped at the deadline or None)."""
    if fmt in ("md", "qmd", "ipynb"):
        from .markdown import markdown
        for base, chunk in _markdown_chunks(text):
            yield base, markdown(chunk).shift(base), None
    elif fmt == "tex":
        for base, got in extract.latex_pieces(text, CHUNK):
            yield base, got, None
    elif fmt == "html":
        from .htmlpage import html_until
        got, stopped = html_until(text, deadline - 2 * BUDGET / 3)  # a third to read
        yield 0, got, stopped
    else:
        from .rst import rst_pieces
        for base, got in rst_pieces(text, CHUNK):
            yield base, got, None


def audit_text(text: str, fmt: str = "md", path: str = "<text>") -> Report:
    """Audit one document's text; ``fmt`` is one of :data:`FORMATS` (``"md"`` for
    Markdown/MyST, ``"ipynb"`` for a notebook's JSON text, …)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    cells = nb = None
    if fmt == "ipynb":
        from .notebook import NotebookError, read
        try:
            nb = text
            text, cells = read(text)
        except NotebookError as e:
            raise AuditInputError(f"{path}: {e}") from None
    deadline = time.process_time() + BUDGET
    lines = extract.LineIndex(text)
    aud = Auditor(path, lines.line)
    aud.source = text  # the text after the math: a value the build inserts (roles.py)
    stop = None
    with mpmath.mp.workdps(DPS):  # comparisons of 60-digit values happen at 60 digits
        for base, doc, cut in _pieces(text, fmt, deadline):  # read and audited by chunks
            stop = base if time.process_time() > deadline else layout.run(
                aud, text, doc, parse_chain, deadline)
            stop = stop if stop is not None else cut
            if stop is not None:
                break
    if stop is not None:
        aud.add(stop, "unchecked", "(rest of the document)", None, None,
                f"time budget of {BUDGET:g} s exhausted: the document was not audited from "
                f"here on", "parse")
    if cells is not None:
        _to_cells(aud.findings, cells)
        from .outputs import judge
        aud.findings += judge(json.loads(nb), aud.findings, path,  # restated outputs
                              max(deadline, time.process_time() + 1))
    return Report(aud.findings, 1)


_LINE_REF = re.compile(r"\bline (\d+)\b")


def _to_cells(findings, cells) -> None:
    """Lines of a notebook's joined markdown → (cell, line within the cell), messages too."""
    def ref(m):
        cell, line = cells.cell_line(int(m.group(1)))
        return f"cell {cell}, line {line}" if cell is not None else m.group()
    for f in findings:
        f.cell, f.line = cells.cell_line(f.line)
        f.line = max(1, f.line)
        f.message = _LINE_REF.sub(ref, f.message)


def read_document(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise AuditInputError(f"{path}: cannot read ({e.strerror or e})") from None
    if b"\0" in raw[:8192]:
        raise AuditInputError(f"{path}: binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise AuditInputError(f"{path}:{line}:{col}: not UTF-8 (invalid byte "
                              f"0x{raw[e.start]:02x} at offset {e.start})") from None


def collect(paths) -> list[Path]:
    """Files to audit: given files as they are, directories searched recursively for the
    known suffixes (hidden directories, ``_build`` and ``.ipynb_checkpoints`` skipped)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_build")))
                out += [Path(root) / f for f in sorted(files)
                        if Path(f).suffix.lower() in SUFFIXES]
        elif p.exists():
            if p.suffix.lower() not in SUFFIXES:
                raise AuditInputError(f"{p}: unknown format (expected one of "
                                      f"{' '.join(sorted(SUFFIXES))})")
            out.append(p)
        else:
            raise AuditInputError(f"{p}: no such file or directory")
    return out


def audit_paths(paths, progress=None) -> Report:
    """Audit files and directories; ``progress(i, n, path)`` is called before each file."""
    files = collect(paths)
    report = Report()
    for i, f in enumerate(files, 1):
        if progress:
            progress(i, len(files), f)
        report.extend(audit_text(read_document(f), SUFFIXES[f.suffix.lower()], str(f)))
    return report
