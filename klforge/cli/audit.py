"""``klforge audit PATH… [--format table|json|sarif] [-o FILE] [--strict] [--show-ok]
[--progress] [--fix|--diff]``: check the numbers, formulas and derivation steps of course
text; exit 1 on an error (with ``--strict``, a warning too), 2 on unreadable input.
Example: ``klforge audit content --format json -o audit.json``.

An unreadable document (binary, not UTF-8, a broken notebook) is named on stderr after the
report of the others, exit 2.  Usage errors (exit 2, one line, before any document is
judged): a path with no documents in it (in CI a wrong path must not be a green check);
``-o`` naming one of the inputs, a directory, or a file in a directory that does not exist
(``-o`` never creates directories) or cannot be written.  ``-o`` replaces a regular file
atomically, keeping its mode, and writes a device or pipe (``-o /dev/stdout``) directly.
"""

from __future__ import annotations

import os
import sys


def register(sub, fmt) -> None:
    import argparse

    a = sub.add_parser("audit", formatter_class=fmt,
                       help="check the numeric claims of course text (.md .qmd .tex .ipynb "
                       ".html .rst)",
                       description="Check every equation chain, rounded intermediate and stated "
                       "result in Markdown/MyST, Quarto, LaTeX, Jupyter notebooks, HTML and "
                       "reStructuredText files (directories recursively). Exit "
                       "1 on any error (with --strict, any warning), 2 on unreadable input.")
    a.add_argument("paths", nargs="+", help="files or directories (each must hold a document)")
    a.add_argument("--format", choices=("table", "json", "sarif"), default="table",
                   help="report format: a table for people, JSON (audit.schema.json) or SARIF "
                   "2.1.0 for code scanning")
    a.add_argument("--output", "-o", metavar="FILE",
                   help="write the report to FILE (atomically; not one of the inputs; its "
                   "directory must exist) (default: standard output)")
    a.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    a.add_argument("--show-ok", action="store_true", help="list ok relations in the table")
    a.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="per-file progress on stderr (default: when stderr is a terminal)")
    g = a.add_mutually_exclusive_group()
    g.add_argument("--fix", action="store_true",
                   help="rewrite wrong numbers that have exactly one correct replacement "
                   "(atomically, only those spans), then report on the fixed files")
    g.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff instead of writing them (exit 1 "
                   "if there are any)")
    a.set_defaults(func=run)


def run(args) -> int:
    from ..audit import AuditInputError
    from ..audit.report import to_json, to_sarif, to_table

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = ((lambda i, n, path: print(f"[{i}/{n}] {path}", file=sys.stderr, flush=True))
                if show else None)
    try:
        files = documents(args.paths)
        if args.output:
            check_output(args.output, files)
        report, unreadable = audit_files(files, progress=progress)
        if unreadable and not report.files:  # nothing readable: the reasons are the output
            for reason in unreadable:
                print(f"klforge audit: {reason}", file=sys.stderr)
            return 2
        fixes, texts = _fixes(args, report)
    except AuditInputError as e:
        print(f"klforge audit: {e}", file=sys.stderr)
        return 2
    if args.diff:
        from ..audit import fix

        for path, (old, new) in texts.items():
            if old != new:
                sys.stdout.write(fix.diff(path, old, new))
        if _report_unreadable(unreadable, len(files)):
            return 2
        return 1 if any(old != new for old, new in texts.values()) else 0
    if args.fix:
        from .._io import write_atomic

        changed = [p for p, (old, new) in texts.items() if old != new]
        for p in changed:
            write_atomic(p, texts[p][1])
        print(f"klforge audit: fixed {len(fixes)} number(s) in {len(changed)} file(s)",
              file=sys.stderr)
        report, _ = audit_files(files)
    text = {"table": lambda: to_table(report, show_ok=args.show_ok),
            "json": lambda: to_json(report), "sarif": lambda: to_sarif(report)}[args.format]()
    if args.format == "sarif" and fixes and not args.fix:
        from ..audit import fix

        text = fix.sarif_fixes(text, report, {p: old for p, (old, _) in texts.items()})
    if args.output:
        write_output(args.output, text + "\n")
    else:
        print(text)
    if _report_unreadable(unreadable, len(files)):
        return 2
    s = report.summary
    return 1 if s["errors"] or (args.strict and s["warnings"]) else 0


def _report_unreadable(unreadable: list, total: int) -> bool:
    """Name each unreadable file on stderr (after the report of the others) and count them."""
    for reason in unreadable:
        print(f"klforge audit: {reason}", file=sys.stderr)
    if unreadable:
        print(f"klforge audit: {len(unreadable)} of {total} file(s) unreadable, not audited",
              file=sys.stderr)
    return bool(unreadable)


def audit_files(files, progress=None):
    """Audit each file on its own, so one unreadable document (binary, not UTF-8, a broken
    notebook) does not hide the findings of the others: ``(report, [reason, …])``."""
    from ..audit import AuditInputError, Report, audit_paths

    report, unreadable = Report(), []
    for i, f in enumerate(files, 1):
        if progress:
            progress(i, len(files), f)
        try:
            report.extend(audit_paths([f]))
        except AuditInputError as e:
            unreadable.append(str(e))
    return report, unreadable


def documents(paths) -> list:
    """The documents to audit, path by path (files as given, directories searched
    recursively); a path that yields none is an :class:`AuditInputError`, e.g.
    ``emptydir: no documents (.htm .html .ipynb .markdown .md .myst .qmd .rmd .rst .tex)
    found``."""
    from ..audit.api import SUFFIXES, AuditInputError, collect

    files = []
    for p in paths:
        found = collect([p])
        if not found:
            known = " ".join(sorted({s.lower() for s in SUFFIXES}))
            raise AuditInputError(f"{p}: no documents ({known}) found")
        files += found
    seen = {}  # one entry per file, not per spelling: a.md and ./sub/../a.md are one
    for f in files:
        seen.setdefault(os.path.realpath(f), f)
    return list(seen.values())


def stream_fd(path) -> int | None:
    """The descriptor an ``-o`` names when it is a stream of this process (``-``,
    ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``), else None.  Such a
    path is written through the descriptor itself: reopening it would truncate a file the
    shell opened for appending (``-o /dev/stdout >> log.txt``)."""
    import re

    name = str(path)
    if name in ("-", "/dev/stdout"):
        return 1
    if name == "/dev/stderr":
        return 2
    m = re.fullmatch(r"/(?:dev/fd|proc/self/fd)/(\d+)", name)
    return int(m.group(1)) if m else None


def _writes_in_place(path) -> bool:
    """A device, pipe or socket (``/dev/stdout``, ``/dev/null``): written directly, since it
    cannot be replaced by a file."""
    import os
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path)
    except OSError:
        return False


def check_output(out: str, files) -> None:
    """Refuse an ``-o`` the report cannot or must not go to, before any work: one of the
    inputs, a directory, a missing directory (never created: a typo would scatter reports),
    or a directory where no file can be created."""
    import os
    import tempfile
    from pathlib import Path

    from .common import UsageError

    p = Path(out)
    if stream_fd(out) is not None or _writes_in_place(p):
        return
    if p.is_dir():
        raise UsageError(f"-o {out}: cannot write: is a directory")
    if p.exists() and any(os.path.samefile(p, f) for f in files if f.exists()):
        raise UsageError(f"-o {out}: is one of the inputs (the report would replace it)")
    parent = p.parent
    if not parent.is_dir():
        raise UsageError(f"-o {out}: cannot write: directory {parent} does not exist "
                         "(-o creates no directories)")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as e:
        raise UsageError(f"-o {out}: cannot write: no file can be created in {parent} "
                         f"({e.strerror or e})") from None


def write_output(out: str, text: str) -> None:
    """The report to ``out``: a regular file atomically (keeping its mode), a device or pipe
    directly; an error names the argument (``-o out.json: cannot write: …``)."""
    import os
    import sys

    from .._io import write_atomic
    from .common import UsageError

    try:
        fd = stream_fd(out)
        if fd is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            data = text.encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
        elif _writes_in_place(out):
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            write_atomic(out, text)
    except OSError as e:
        raise UsageError(f"-o {out}: cannot write: {e.strerror or e}") from None


def _fixes(args, report):
    """Fixes of the files with a wrong number (for --fix, --diff, and the JSON/SARIF
    ``fix``): ([Fix], {path: (text, fixed text)})."""
    if not (args.fix or args.diff or args.format in ("json", "sarif")):
        return [], {}
    from pathlib import Path

    from ..audit import fix
    from ..audit.api import SUFFIXES, read_document

    fixes, texts = [], {}
    for path in dict.fromkeys(f.path for f in report.findings
                              if f.severity in ("error", "warning")):
        fmt = SUFFIXES.get(Path(path).suffix)
        if fmt not in ("md", "tex"):
            continue  # spans are offsets in plain text files only
        old = read_document(Path(path))
        try:
            found, new = fix.propose(old, fmt, path)
        except Exception as e:  # a bug in a fix must not lose the report
            print(f"klforge audit: {path}: no fixes proposed (internal error: {e!r})",
                  file=sys.stderr)
            continue
        fixes += found
        texts[path] = (old, new)
    fix.annotate(report, fixes)
    return fixes, texts
