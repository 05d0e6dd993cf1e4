"""Per-phase progress lines for ``klforge site``: what the build is doing and how long each
phase took, on stderr, e.g. ::

    [site] MathJax ready                       0.4 s
    [site] read 31 pages (engine, audit)      38.2 s
    [site] wrote 31 pages                      6.1 s
    [site] done                               45.0 s

Active when ``$KLFORGE_PROGRESS`` is set (the ``klforge site`` command sets it, Sphinx runs
quietly under ``-q``); a plain ``sphinx-build`` prints Sphinx's own progress instead.
"""

from __future__ import annotations

import os
import sys
import time

_T: dict[str, float] = {}


def _line(what: str, since: str) -> None:
    now = time.perf_counter()
    print(f"[site] {what:<40}{now - _T.get(since, now):7.1f} s", file=sys.stderr, flush=True)
    _T["last"] = now


def _on() -> bool:
    return bool(os.environ.get("KLFORGE_PROGRESS"))


def start(app) -> None:
    if _on():
        _T["start"] = _T["last"] = time.perf_counter()


def mathjax_ready(app) -> None:
    if _on():
        _line("MathJax ready", "last")


def before_read(app, env, docnames) -> None:
    if _on():
        _T["read"] = time.perf_counter()
        n = len(docnames)
        print(f"[site] reading {n} page(s) (engine values, figures, audit) …", file=sys.stderr,
              flush=True)


def read_done(app, env) -> None:
    if _on() and "read" in _T:
        _line("read (engine values, figures, audit)", "read")
        _T["write"] = time.perf_counter()


def finished(app, exception) -> None:
    if _on() and exception is None:
        if "write" in _T:
            _line("wrote HTML", "write")
        _line("done", "start")


def setup(app) -> None:
    app.connect("builder-inited", start, priority=0)
    app.connect("builder-inited", mathjax_ready, priority=900)  # after mathjax (600)
    app.connect("env-before-read-docs", before_read)
    app.connect("env-updated", read_done)
    app.connect("build-finished", finished)
