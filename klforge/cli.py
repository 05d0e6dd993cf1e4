"""The ``klforge`` command line: derive, emit, verify, audit."""

from __future__ import annotations

import argparse
import sys

import sympy as sp


def _cmd_derive(args) -> int:
    from .derive.core import get, names

    targets = [args.name] if args.name else names()
    for n in targets:
        d = get(n)
        show = sp.latex if args.latex else sp.pretty
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
            print(f"kernel: kernels.{d.kernel}")
        print()
    return 0


def _cmd_emit(args) -> int:
    from .emit import DEFAULT_OUT, StaleError, emit

    select = args.select.split(",") if args.select else None
    try:
        print(emit(args.out or DEFAULT_OUT, select=select, check=args.check))
    except StaleError as e:
        print(f"klforge emit: {e}", file=sys.stderr)
        return 1
    return 0


def _cmd_verify(args) -> int:
    from . import verify

    if args.markdown:
        import json

        from .emit import DEFAULT_OUT

        print(verify.markdown_table(json.loads((DEFAULT_OUT / "manifest.json").read_text())))
        return 0
    select = args.select.split(",") if args.select else None
    print(verify.HEADER_ROW)
    _, _, failures = verify.run(select=select, quick=args.quick, write=not args.no_write)
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
    except AuditInputError as e:
        print(f"klforge audit: {e}", file=sys.stderr)
        return 2
    text = {"table": lambda: to_table(report, show_ok=args.show_ok), "json": lambda: to_json(report),
            "sarif": lambda: to_sarif(report)}[args.format]()
    if args.output:
        from pathlib import Path

        from ._io import write_atomic

        write_atomic(Path(args.output), text + "\n")
    else:
        print(text)
    s = report.summary
    return 1 if s["errors"] or (args.strict and s["warnings"]) else 0


def _cmd_bench(args) -> int:
    from pathlib import Path

    from . import bench

    threads = tuple(int(t) for t in args.threads.split(","))
    select = args.select.split(",") if args.select else None
    report = bench.run(Path(args.out), quick=args.quick, repeat=args.repeat, threads=threads,
                       select=select)
    print(f"wrote {Path(args.out) / 'bench.json'}")
    for miss in report["bar_misses"]:
        print(f"bar missed: {miss}")
    return 1 if (args.check and report["bar_misses"]) else 0


def _cmd_site(args) -> int:
    from pathlib import Path

    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("klforge site: Sphinx is not installed (pip install -e '.[docs]')", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[1]
    content, conf = Path(args.content) if args.content else root / "content", root / "docs"
    if not (content / "index.md").exists() or not (conf / "conf.py").exists():
        print(f"klforge site: no lesson sources at {content} (needs index.md and docs/conf.py)",
              file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else root / "docs" / "_build" / "html"
    argv = ["-b", "html", "-W", "-n", "--keep-going", "-q", "-c", str(conf), str(content), str(out)]
    if args.clean and out.exists():
        if any(out.iterdir()) and not (out / ".buildinfo").exists():
            print(f"klforge site: --clean: {out} is not a Sphinx output directory (no "
                  ".buildinfo); not removing it", file=sys.stderr)
            return 2
        import shutil

        shutil.rmtree(out)  # the output, its doctrees and the engine cache inside them
    rc = build_main(argv)
    if rc:
        print("klforge site: the build failed (warnings are errors; see file:line above)",
              file=sys.stderr)
        return 1
    print(f"wrote {out / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="klforge", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("derive", help="print a derivation (definition, steps, closed and stable form)")
    d.add_argument("name", nargs="?", help="derivation name (default: all); see `klforge derive --list`")
    d.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    d.set_defaults(func=_cmd_derive)
    e = sub.add_parser("emit", help="write the numba kernels from the derivations")
    e.add_argument("--check", action="store_true", help="fail (exit 1) if kernels/ is stale")
    e.add_argument("--out", help="output directory (default: kernels/)")
    e.add_argument("--select", help="comma-separated kernel names")
    e.set_defaults(func=_cmd_emit)
    v = sub.add_parser("verify", help="ULP errors of every kernel against mpmath (50 digits)")
    v.add_argument("--select", help="comma-separated kernel names")
    v.add_argument("--quick", action="store_true", help="fewer points (smoke run)")
    v.add_argument("--no-write", action="store_true", help="do not update kernels/manifest.json")
    v.add_argument("--markdown", action="store_true",
                   help="print the committed manifest as a Markdown table and exit")
    v.set_defaults(func=_cmd_verify)
    a = sub.add_parser("audit", help="check the numeric claims of course text (.md, .tex)",
                       description="Check every equation chain, rounded intermediate and stated "
                       "result in Markdown/MyST and LaTeX files (directories recursively). Exit "
                       "1 on any error (with --strict, any warning), 2 on unreadable input.")
    a.add_argument("paths", nargs="+", help="files or directories")
    a.add_argument("--format", choices=("table", "json", "sarif"), default="table")
    a.add_argument("--output", "-o", help="write the report to this file (atomically)")
    a.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    a.add_argument("--show-ok", action="store_true", help="list ok relations in the table")
    a.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="per-file progress on stderr (default: when stderr is a terminal)")
    a.set_defaults(func=_cmd_audit)
    b = sub.add_parser("bench", help="time the kernels against torch/scipy in the same run",
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
    si = sub.add_parser("site", help="build the lesson site from content/ (strict: -W -n)",
                        description="Render content/ with Sphinx and docs/conf.py; formulas and "
                        "values come from the engine, every page is audited, and any warning "
                        "(broken reference, unknown role, wrong number) fails the build.")
    si.add_argument("--out", help="output directory (default: docs/_build/html)")
    si.add_argument("--clean", action="store_true",
                    help="remove the previous output (with its doctrees and engine cache) first")
    si.add_argument("--content", help="lesson sources (default: content/)")
    si.set_defaults(func=_cmd_site)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
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
