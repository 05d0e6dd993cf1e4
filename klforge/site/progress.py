"""Progress lines for ``klforge site``: what the build is doing and how long it took, on
stderr — per phase, and per page inside the read phase (engine values, figures and the audit
of each page: the part that takes minutes on a loaded machine), e.g. ::

    [site] MathJax ready                       0.4 s
    [site] reading 34 page(s) (engine values, figures, audit) …
    [site] read  1/34 01-information               2.1 s  (2.1 s)
    [site] read  2/34 02-entropy                   4.0 s  (6.1 s)
    …
    [site] read (engine values, figures, audit)  38.2 s
    [site] wrote HTML                             6.1 s
    [site] done                                  45.0 s

Each page line gives that page's time and, in brackets, the time since reading began.
Active when ``$KLFORGE_PROGRESS`` is set (the ``klforge site`` command sets it, Sphinx runs
quietly under ``-q``); a plain ``sphinx-build`` prints Sphinx's own progress instead.

:func:`quiet_root_logging` keeps libraries' INFO records off stderr: the pygments style
plugin ``accessible-pygments`` (a furo dependency, imported when Sphinx looks a style up)
calls ``logging.basicConfig(level=INFO)`` on import, after which matplotlib's
"generated new fontManager" and similar lines leaked into the build's output.
"""

from __future__ import annotations

import logging
import os
import sys
import time

_T: dict[str, float] = {}
_PAGES: dict[str, object] = {}


def quiet_root_logging() -> None:
    """Give the root logger a handler that prints warnings and worse (as Python's
    last-resort handler would), so a library's later ``logging.basicConfig(level=INFO)``
    is a no-op; nothing is changed if the program configured logging itself."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)


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
        _T["read"] = _T["page"] = time.perf_counter()
        _PAGES["docnames"], _PAGES["done"] = docnames, 0  # the list other handlers may extend
        n = len(docnames)
        print(f"[site] reading {n} page(s) (engine values, figures, audit) …", file=sys.stderr,
              flush=True)


def page_read(app, doctree) -> None:
    """One line per page read: ``[site] read 12/34 03-kl  4.1 s  (41.2 s)``."""
    if not (_on() and "read" in _T):
        return
    now = time.perf_counter()
    done = int(_PAGES.get("done", 0)) + 1
    _PAGES["done"] = done
    total = max(len(_PAGES.get("docnames") or ()), done)
    width = len(str(total))
    name = getattr(app.env, "docname", None) or "?"
    print(f"[site] read {done:>{width}}/{total} {name:<{33 - 2 * width}}"
          f"{now - _T['page']:7.1f} s  ({now - _T['read']:.1f} s)", file=sys.stderr, flush=True)
    _T["page"] = now


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
    quiet_root_logging()
    app.connect("builder-inited", start, priority=0)
    app.connect("builder-inited", mathjax_ready, priority=900)  # after mathjax (600)
    app.connect("env-before-read-docs", before_read, priority=900)  # after others add pages
    app.connect("doctree-read", page_read, priority=900)  # after the page's own handlers
    app.connect("env-updated", read_done)
    app.connect("build-finished", finished)
