"""``klforge site [--out DIR] [--clean] [--content DIR] [--no-progress]``: the main job —
render the lesson (content/ → docs/_build/html) with Sphinx, strict (``-W -n``); every page
is audited while read, so a wrong number fails the build at its file:line.  The doctrees and
the engine cache go beside the output (``DIR.doctrees``), so ``DIR`` holds only the site.
Example: ``klforge site --clean``.
"""

from __future__ import annotations

import sys


def register(sub, fmt) -> None:
    import argparse

    si = sub.add_parser("site", formatter_class=fmt,
                        help="the main job: build the lesson site (strict: -W -n)",
                        description="Render content/ with Sphinx and docs/conf.py; formulas and "
                        "values come from the engine, every page is audited, and any warning "
                        "(broken reference, unknown role, wrong number) fails the build.")
    si.add_argument("--out", metavar="DIR", help="output directory (default: docs/_build/html)")
    si.add_argument("--clean", action="store_true",
                    help="remove the previous output and its doctrees (DIR.doctrees, with the "
                    "engine cache) first")
    si.add_argument("--content", metavar="DIR", help="lesson sources (default: content/)")
    si.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                    help="progress on stderr: one line per phase and per page read, with "
                    "timings")
    si.set_defaults(func=run)


def run(args) -> int:
    import os
    from pathlib import Path

    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("klforge site: Sphinx is not installed (in a checkout of klforge, which holds the "
              "lesson: pip install -e '.[docs]')", file=sys.stderr)
        return 2
    from .._io import ROOT

    content, conf = Path(args.content) if args.content else ROOT / "content", ROOT / "docs"
    if not (content / "index.md").exists() or not (conf / "conf.py").exists():
        print(f"klforge site: no lesson sources at {content} (needs index.md and docs/conf.py)",
              file=sys.stderr)
        return 2
    out = (Path(args.out) if args.out else ROOT / "docs" / "_build" / "html").resolve()
    doctrees = doctree_dir(out)
    argv = ["-b", "html", "-W", "-n", "--keep-going", "-q", "-c", str(conf), "-d", str(doctrees),
            str(content), str(out)]
    import shutil

    if args.clean and out.exists():
        if any(out.iterdir()) and not (out / ".buildinfo").exists():
            print(f"klforge site: --clean: {out} is not a Sphinx output directory (no "
                  ".buildinfo); not removing it", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    if args.clean and doctrees.is_dir():
        if any(doctrees.iterdir()) and not (doctrees / "environment.pickle").exists():
            print(f"klforge site: --clean: {doctrees} is not Sphinx's doctree directory (no "
                  "environment.pickle); not removing it", file=sys.stderr)
            return 2
        shutil.rmtree(doctrees)  # the doctrees and the engine cache inside them
    if (out / ".buildinfo").exists() and (out / ".doctrees").is_dir():
        shutil.rmtree(out / ".doctrees")  # an older layout's doctrees, inside the published tree
    from ..site.progress import quiet_root_logging

    quiet_root_logging()  # before Sphinx imports anything that calls logging.basicConfig
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


def doctree_dir(out):
    """Sphinx's doctrees (and the engine cache inside them) beside the output, not in it, so
    the output can be published as it is: ``docs/_build/html`` → ``docs/_build/html.doctrees``
    (``.gitignore``d with ``docs/_build``)."""
    return out.with_name(out.name + ".doctrees")
