"""The ``klforge`` command line.

Main job: ``klforge site`` (the lesson, its kernel reference and audit report).  Beside it:
``audit`` (check course text), ``derive`` (print derivations), ``warm`` (compile the kernels);
maintainer commands: ``emit`` (regenerate the kernels), ``verify`` (ULPs against mpmath) and
``bench`` (speed against peers).  Errors are one line on stderr: exit 2 for usage errors
(unknown names, unreadable input), 1 for a failed check.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time


class UsageError(Exception):
    """A bad argument, reported in one line with exit status 2 before any work is done."""


def select_names(arg: str | None, known, what: str, option: str = "--select") -> list[str] | None:
    """The comma-separated names of ``arg`` checked against ``known``; ``None`` for all.

    An unknown name is a :class:`UsageError` naming the close matches, e.g.
    ``--select: unknown kernel 'kl_norml' (did you mean kl_normal, kl_normal_std?)``.
    """
    if not arg:
        return None
    names = [n.strip() for n in arg.split(",") if n.strip()]
    known = sorted(known)
    for n in names:
        if n not in known:
            close = difflib.get_close_matches(n, known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known)}"
            raise UsageError(f"{option}: unknown {what} {n!r} ({hint})")
    return names


class _DefaultsFormatter(argparse.HelpFormatter):
    """Shows each option's default in its help, where it has a meaningful one."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.default not in (None, False, argparse.SUPPRESS) and "default" not in text
                and action.option_strings):
            text += " (default: %(default)s)"
        return text


def _kernel_names() -> list[str]:
    """The generated kernels' names (numpy + numba only; no SymPy, nothing compiled)."""
    from . import kernels

    return list(kernels.__all__)


def _cmd_derive(args) -> int:
    from .derive.core import get, names

    known = names()
    if args.list or not (args.name or args.all):
        for n in known:
            print(n)
        if not args.list:
            print(f"\n{len(known)} derivations; `klforge derive NAME` prints one, "
                  "`klforge derive --all` prints all (slow: each is derived by SymPy)",
                  file=sys.stderr)
        return 0
    import sympy as sp

    targets = known if args.all else select_names(args.name, known, "derivation", "NAME")
    show = sp.latex if args.latex else sp.pretty
    for n in targets:
        d = get(n)
        print(f"== {d.name}: {d.title}")
        print("parameters: " + ", ".join(f"{p.name} ({p.domain})" for p in d.params))
        print("definition:\n" + show(d.definition))
        for i, s in enumerate(d.steps, 1):
            print(f"step {i}: {s.text}\n{show(s.expr)}")
        print("closed form:\n" + show(d.closed_form))
        if d.stable_form is not None:
            for sym, val in d.stable_form.bindings:
                print(f"  let {sym} = {show(val)}")
            print("stable form:\n" + show(d.stable_form.result))
        for c in d.checks:
            print(f"check: {c.name} — {c.method} {c.detail}".rstrip())
        if d.kernel:
            print(f"kernel: klforge.kernels.{d.kernel}")
        print()
    return 0


def _cmd_emit(args) -> int:
    select = select_names(args.select, _kernel_names(), "kernel")
    from .emit import DEFAULT_OUT, StaleError, emit

    try:
        print(emit(args.out or DEFAULT_OUT, select=select, check=args.check))
        if select is None and args.out is None:  # every generated file of the checkout
            print(_emit_known_forms(check=args.check))
    except StaleError as e:
        print(f"klforge emit: {e}", file=sys.stderr)
        return 1
    return 0


def _emit_known_forms(check: bool) -> str:
    """Write (or with ``check``, compare) the audit's generated engine forms
    (``klforge/audit/_known_forms.py``: the closed forms as mpmath expressions, so the audit
    checks typed formulas without SymPy); returns a status line."""
    from .audit import known
    from .emit import write_or_check

    return write_or_check(known.output_path(), known.generate(), check)


def _cmd_verify(args) -> int:
    select = select_names(args.select, _kernel_names(), "kernel")
    from . import verify

    if args.markdown:
        import json

        from ._io import MANIFEST

        print(verify.markdown_table(json.loads(MANIFEST.read_text())))
        return 0
    print(verify.HEADER_ROW)
    _, _, failures = verify.run(select=select, quick=args.quick, write=not args.no_write,
                                write_manifest=args.write_manifest)
    if failures:
        names = ", ".join(sorted({f"{f.kernel}/{f.dtype}" for f in failures}))
        print(f"klforge verify: {len(failures)} kernel/dtype pair(s) above their bar: {names}",
              file=sys.stderr)
        return 1
    return 0


def _cmd_audit(args) -> int:
    from .audit import AuditInputError, audit_paths
    from .audit.report import to_json, to_sarif, to_table

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = ((lambda i, n, path: print(f"[{i}/{n}] {path}", file=sys.stderr, flush=True))
                if show else None)
    try:
        report = audit_paths(args.paths, progress=progress)
        fixes, texts = _audit_fixes(args, report)
    except AuditInputError as e:
        print(f"klforge audit: {e}", file=sys.stderr)
        return 2
    if args.diff:
        from .audit import fix

        for path, (old, new) in texts.items():
            if old != new:
                sys.stdout.write(fix.diff(path, old, new))
        return 1 if any(old != new for old, new in texts.values()) else 0
    if args.fix:
        from ._io import write_atomic

        changed = [p for p, (old, new) in texts.items() if old != new]
        for p in changed:
            write_atomic(p, texts[p][1])
        print(f"klforge audit: fixed {len(fixes)} number(s) in {len(changed)} file(s)",
              file=sys.stderr)
        report = audit_paths(args.paths)
    text = {"table": lambda: to_table(report, show_ok=args.show_ok),
            "json": lambda: to_json(report), "sarif": lambda: to_sarif(report)}[args.format]()
    if args.format == "sarif" and fixes and not args.fix:
        from .audit import fix

        text = fix.sarif_fixes(text, report, {p: old for p, (old, _) in texts.items()})
    if args.output:
        from pathlib import Path

        from ._io import write_atomic

        write_atomic(Path(args.output), text + "\n")
    else:
        print(text)
    s = report.summary
    return 1 if s["errors"] or (args.strict and s["warnings"]) else 0


def _audit_fixes(args, report):
    """Fixes of the files with a wrong number (for --fix, --diff, and the JSON/SARIF
    ``fix``): ([Fix], {path: (text, fixed text)})."""
    if not (args.fix or args.diff or args.format in ("json", "sarif")):
        return [], {}
    from pathlib import Path

    from .audit import fix
    from .audit.api import SUFFIXES, read_document

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


def _cmd_bench(args) -> int:
    from pathlib import Path

    from . import bench

    try:
        threads = tuple(int(t) for t in args.threads.split(","))
    except ValueError:
        raise UsageError(
            f"--threads: expected comma-separated integers, not {args.threads!r}") from None
    if any(t < 1 for t in threads):
        raise UsageError(f"--threads: thread counts must be ≥ 1, not {args.threads!r}")
    select = select_names(args.select, {w.name for w in bench.workloads(True)}, "workload")
    print(f"writing bench.json and bench.png to {Path(args.out).resolve()}", flush=True)
    report = bench.run(Path(args.out), quick=args.quick, repeat=args.repeat, threads=threads,
                       select=select)
    print(f"wrote {Path(args.out) / 'bench.json'}")
    for miss in report["bar_misses"]:
        print(f"bar missed: {miss}")
    return 1 if (args.check and report["bar_misses"]) else 0


def _cmd_site(args) -> int:
    import os
    from pathlib import Path

    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("klforge site: Sphinx is not installed (pip install -e '.[docs]')", file=sys.stderr)
        return 2
    from ._io import ROOT

    content, conf = Path(args.content) if args.content else ROOT / "content", ROOT / "docs"
    if not (content / "index.md").exists() or not (conf / "conf.py").exists():
        print(f"klforge site: no lesson sources at {content} (needs index.md and docs/conf.py)",
              file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else ROOT / "docs" / "_build" / "html"
    argv = ["-b", "html", "-W", "-n", "--keep-going", "-q", "-c", str(conf), str(content), str(out)]
    if args.clean and out.exists():
        if any(out.iterdir()) and not (out / ".buildinfo").exists():
            print(f"klforge site: --clean: {out} is not a Sphinx output directory (no "
                  ".buildinfo); not removing it", file=sys.stderr)
            return 2
        import shutil

        shutil.rmtree(out)  # the output, its doctrees and the engine cache inside them
    if args.progress:
        os.environ["KLFORGE_PROGRESS"] = "1"
        print(f"[site] building {content} → {out}", file=sys.stderr, flush=True)
    rc = build_main(argv)
    if rc:
        print("klforge site: the build failed (warnings are errors; see file:line above)",
              file=sys.stderr)
        return 1
    print(f"wrote {out / 'index.html'}")
    return 0


def _cmd_warm(args) -> int:
    from . import kernels

    names = select_names(args.select, kernels.__all__, "kernel")
    tty = sys.stdout.isatty()

    def bar(i, total, name, seconds, width=30):
        done = width * i // total
        print(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total} {name:<24}{seconds:5.1f} s",
              end="" if tty else "\n", flush=True)

    start = time.perf_counter()
    done = kernels.warm(names, progress=bar)
    print(f"{chr(10) if tty else ''}compiled or loaded {len(done)} kernel(s) in "
          f"{time.perf_counter() - start:.1f} s (numba's cache: kernels/__pycache__, or "
          "$NUMBA_CACHE_DIR)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    fmt = _DefaultsFormatter
    p = argparse.ArgumentParser(prog="klforge", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"klforge {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    si = sub.add_parser("site", formatter_class=fmt,
                        help="the main job: build the lesson site (strict: -W -n)",
                        description="Render content/ with Sphinx and docs/conf.py; formulas and "
                        "values come from the engine, every page is audited, and any warning "
                        "(broken reference, unknown role, wrong number) fails the build.")
    si.add_argument("--out", help="output directory (default: docs/_build/html)")
    si.add_argument("--clean", action="store_true",
                    help="remove the previous output (with its doctrees and engine cache) first")
    si.add_argument("--content", help="lesson sources (default: content/)")
    si.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                    help="per-phase progress lines with timings on stderr")
    si.set_defaults(func=_cmd_site)
    d = sub.add_parser("derive", formatter_class=fmt,
                       help="print a derivation (definition, steps, closed and stable form)")
    d.add_argument("name", nargs="?", help="derivation name; without it, the list of names")
    d.add_argument("--list", action="store_true", help="list the derivations' names and exit")
    d.add_argument("--all", action="store_true", help="print every derivation (slow)")
    d.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    d.set_defaults(func=_cmd_derive)
    w = sub.add_parser("warm", formatter_class=fmt,
                       help="compile (or load from numba's cache) every kernel, with progress")
    w.add_argument("--select", help="comma-separated kernel names (default: all)")
    w.set_defaults(func=_cmd_warm)
    e = sub.add_parser("emit", formatter_class=fmt,
                       help="maintainer: write the numba kernels (and the audit's engine forms) "
                       "from the derivations")
    e.add_argument("--check", action="store_true", help="fail (exit 1) if kernels/ is stale")
    e.add_argument("--out", help="output directory (default: kernels/)")
    e.add_argument("--select", help="comma-separated kernel names (default: all)")
    e.set_defaults(func=_cmd_emit)
    v = sub.add_parser("verify", formatter_class=fmt,
                       help="maintainer: ULP errors of every kernel against mpmath (50 digits)")
    v.add_argument("--select", help="comma-separated kernel names (default: all)")
    v.add_argument("--quick", action="store_true", help="fewer points (smoke run)")
    v.add_argument("--no-write", action="store_true", help="write no manifest at all")
    v.add_argument("--write-manifest", action="store_true",
                   help="write the committed kernels/manifest.json (maintainers) instead of "
                   "build/klforge/manifest.json ($KLFORGE_BUILD_DIR)")
    v.add_argument("--markdown", action="store_true",
                   help="print the committed manifest as a Markdown table and exit")
    v.set_defaults(func=_cmd_verify)
    a = sub.add_parser("audit", formatter_class=fmt,
                       help="check the numeric claims of course text (.md .qmd .tex .ipynb "
                       ".html .rst)",
                       description="Check every equation chain, rounded intermediate and stated "
                       "result in Markdown/MyST, Quarto, LaTeX, Jupyter notebooks, HTML and "
                       "reStructuredText files (directories recursively). Exit "
                       "1 on any error (with --strict, any warning), 2 on unreadable input.")
    a.add_argument("paths", nargs="+", help="files or directories")
    a.add_argument("--format", choices=("table", "json", "sarif"), default="table")
    a.add_argument("--output", "-o", help="write the report to this file (atomically)")
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
    a.set_defaults(func=_cmd_audit)
    b = sub.add_parser("bench", formatter_class=fmt,
                       help="maintainer: time the kernels against torch/scipy in the same run",
                       description="Medians of alternating runs; ratios against peers; "
                       "streaming throughput as a share of the read bandwidth measured in the "
                       "same run. Writes bench.json and bench.png.")
    b.add_argument("--out", default="bench-results", help="output directory")
    b.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    b.add_argument("--repeat", type=int, default=7, help="rounds per workload (median)")
    b.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    b.add_argument("--select", help="comma-separated workload names")
    b.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    b.set_defaults(func=_cmd_bench)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `klforge derive --list | head`
        sys.stderr.close()
        return 0
    except KeyError as e:
        print(f"klforge {args.command}: {e.args[0]}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 2
    except ArithmeticError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
