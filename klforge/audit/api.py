"""Audit documents: ``audit_text`` for one text, ``audit_paths`` for files and directories."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import mpmath

from . import extract
from .check import Auditor, Finding
from .latex import parse_chain
from .nodes import DPS

SUFFIXES = {".md": "md", ".markdown": "md", ".myst": "md", ".tex": "tex"}
SEVERITIES = ("error", "warning", "ok", "unchecked")


class AuditInputError(Exception):
    """An unreadable input (missing, binary, not UTF-8, unknown format): exit status 2."""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    @property
    def summary(self) -> dict:
        count = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        return {"files": self.files,
                "checked": count["ok"] + count["error"] + count["warning"],
                "ok": count["ok"], "errors": count["error"], "warnings": count["warning"],
                "unchecked": count["unchecked"]}

    def extend(self, other: Report):
        self.findings += other.findings
        self.files += other.files


#: where a section starts: named quantities are scoped to their section
SECTION = {"md": re.compile(r"^#{1,6}[ \t]", re.M),
           "tex": re.compile(r"\\(?:sub)*section\*?\{|\\chapter\*?\{")}


def audit_text(text: str, fmt: str = "md", path: str = "<text>") -> Report:
    """Audit one document's text; ``fmt`` is ``"md"`` (Markdown/MyST) or ``"tex"``."""
    if fmt not in ("md", "tex"):
        raise ValueError(f"fmt must be 'md' or 'tex', not {fmt!r}")
    segs, prose = (extract.markdown if fmt == "md" else extract.latex)(text)
    lines = extract.LineIndex(text)
    aud = Auditor(path, lines.line)
    events = [(off, 0, lit) for off, lit in extract.prose_numbers(prose)]
    events += [(s.offset, 1, s) for s in segs]
    spans = [(p.offset, p.offset + len(p.text)) for p in prose]
    events += [(m.start(), -1, None) for m in SECTION[fmt].finditer(text)
               if any(a <= m.start() < b for a, b in spans)]  # not inside code or math
    events.sort(key=lambda e: (e[0], e[1]))
    with mpmath.mp.workdps(DPS):  # comparisons of 60-digit values happen at 60 digits
        _run(aud, events)
    return Report(aud.findings, 1)


def _run(aud: Auditor, events) -> None:
    for _, kind, item in events:
        if kind == -1:  # a new section: names such as D_KL(p||q) may mean something new
            aud.names.clear()
            aud.chain = None
        elif kind == 0:
            aud.prose_number(item)
        else:
            try:
                aud.segment(item.text, item.offset, item.display, parse_chain)
            except Exception as e:  # a bug must not hide the rest of the report
                aud.chain = None
                aud.add(item.offset, "unchecked", item.text.strip(), None, None,
                        f"internal error: {type(e).__name__}: {e}", "parse")


def read_document(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise AuditInputError(f"{path}: cannot read ({e.strerror or e})") from None
    if b"\0" in raw[:8192]:
        raise AuditInputError(f"{path}: binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AuditInputError(f"{path}: not UTF-8 (invalid byte at offset {e.start})") from None


def collect(paths) -> list[Path]:
    """Files to audit: given files as they are, directories searched recursively for
    ``.md``/``.tex`` (hidden directories and ``_build`` skipped)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_build")))
                out += [Path(root) / f for f in sorted(files) if Path(f).suffix in SUFFIXES]
        elif p.exists():
            if p.suffix not in SUFFIXES:
                raise AuditInputError(f"{p}: unknown format (expected .md or .tex)")
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
        report.extend(audit_text(read_document(f), SUFFIXES[f.suffix], str(f)))
    return report
