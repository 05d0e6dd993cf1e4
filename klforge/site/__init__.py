"""Sphinx extension for the klforge lesson: formulas, values, figures, kernel reference
pages and the audit come from the engine (``extensions = ["derive.site"]``).

Modules: :mod:`.directives` (``derivation``, ``{kl}``), :mod:`.figures`
(``klforge-figure``), :mod:`.reference` (``kernel-reference``, ``kernel-accuracy``),
:mod:`.auditpage` (per-page audit, ``audit-report``), :mod:`.mathjax` (MathJax served from
the site), :mod:`.cache` (engine results cached by content hash), :mod:`.deps` (which pages
to re-read when the engine or the manifest changes).
"""

from __future__ import annotations

from pathlib import Path

from . import auditpage, cache, deps, mathjax, progress
from .directives import DerivationDirective, ValueRole, format_value
from .figures import KlforgeFigure
from .reference import KernelAccuracy, KernelReference, KernelReferences

__all__ = ["setup", "format_value"]


def _init_cache(app) -> None:
    cache.set_cache_dir(Path(app.doctreedir) / "klforge")


def _sources_relative_bibfiles(app, config) -> None:
    """``bibtex_bibfiles`` are resolved against the sources (content/), not the conf dir, so
    `klforge site --content DIR` builds a copy of the lesson with its own .bib."""
    files = getattr(config, "bibtex_bibfiles", None) or []
    config.bibtex_bibfiles = [f if Path(f).is_absolute() else str(Path(app.srcdir) / f)
                              for f in files]


def _static_files(app, config) -> None:
    """Serve the extension's stylesheet (``static/klforge.css``) with the site."""
    config.html_static_path = [*config.html_static_path, str(Path(__file__).parent / "static")]


def setup(app):
    app.connect("config-inited", _sources_relative_bibfiles, priority=100)
    app.connect("config-inited", _static_files, priority=100)
    app.add_css_file("klforge.css")
    progress.setup(app)
    app.add_directive("derivation", DerivationDirective)
    app.add_role("kl", ValueRole())
    app.add_directive("klforge-figure", KlforgeFigure)
    app.add_directive("kernel-reference", KernelReference)
    app.add_directive("kernel-references", KernelReferences)
    app.add_directive("kernel-accuracy", KernelAccuracy)
    app.add_directive("audit-report", auditpage.AuditReport)
    app.add_node(auditpage.audit_report)
    app.connect("builder-inited", _init_cache, priority=100)
    app.connect("builder-inited", mathjax.builder_inited, priority=600)
    app.connect("source-read", auditpage.audit_source)
    app.connect("env-purge-doc", deps.purge)
    app.connect("env-merge-info", deps.merge)
    app.connect("env-get-outdated", deps.outdated)
    app.connect("env-get-updated", auditpage.report_pages)
    app.connect("doctree-resolved", auditpage.fill_reports)
    return {"version": "0.2", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 2}
