"""Every page is audited as it is read; the ``audit-report`` page lists every claim.

* ``source-read`` hook: :func:`derive.audit.audit_text` runs on the page's source; each
  error becomes a Sphinx warning at ``file:line`` (type ``klforge.audit``), so the strict
  build fails on a wrong number typed into the lesson.  All findings (ok, warning, error,
  unchecked) are kept in the environment.
* ``audit-report`` directive: a summary per page and a table of every checked claim with
  its verdict, filled in after all pages are read (the page is re-read on every build, so
  it never shows stale verdicts).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .deps import uses
from .reference import table

logger = logging.getLogger(__name__)
VERDICTS = ("ok", "warning", "error", "unchecked", "condition", "definition")


def _verdict(f: dict) -> str:
    """A condition or definition (an unchecked finding's ``kind``) is not an unread claim."""
    return f.get("kind") or f["severity"]


def audit_source(app, docname: str, source: list[str]) -> None:
    """``source-read``: audit the page; errors become warnings at file:line."""
    from ..audit import audit_text

    path = Path(app.env.doc2path(docname))
    fmt = "tex" if path.suffix == ".tex" else "md"
    report = audit_text(source[0], fmt, str(path))
    app.env.__dict__.setdefault("klforge_audit", {})[docname] = [
        f.as_dict() for f in report.findings]
    for f in report.findings:
        if f.severity == "error":
            logger.warning(f"audit: {f.relation}: {f.message}", location=(docname, f.line),
                           type="klforge", subtype="audit")


class audit_report(nodes.General, nodes.Element):
    """Placeholder, replaced by the report at doctree-resolved."""


class AuditReport(SphinxDirective):
    has_content = False

    def run(self):
        uses(self.env, "audit-report")
        return [audit_report()]


def report_pages(app, env) -> list[str]:
    """``env-get-updated``: the report pages are rebuilt on every build."""
    return sorted(d for d, used in getattr(env, "klforge_deps", {}).items()
                  if "audit-report" in used)


def fill_reports(app, doctree, docname) -> None:
    """``doctree-resolved``: replace each placeholder with the lesson's audit."""
    findings = getattr(app.env, "klforge_audit", {})
    for node in list(doctree.findall(audit_report)):
        node.replace_self(_report(app, docname, findings))


def _link(app, fromdoc, doc, line):
    uri = app.builder.get_relative_uri(fromdoc, doc) if hasattr(app.builder, "get_relative_uri") \
        else doc
    para = nodes.paragraph()
    para += nodes.reference("", f"{doc}:{line}", refuri=uri, internal=True)
    return para


def _report(app, fromdoc, findings) -> list[nodes.Node]:
    docs = sorted(d for d in findings if d in app.env.found_docs)
    totals = Counter(_verdict(f) for d in docs for f in findings[d])
    summary = [[d, *(str(sum(_verdict(f) == v for f in findings[d])) for v in VERDICTS)]
               for d in docs if findings[d]]
    summary.append(["all pages", *(str(totals[v]) for v in VERDICTS)])
    out: list[nodes.Node] = [
        nodes.paragraph(text=f"{sum(totals.values())} numeric claims on {len(summary) - 1} "
                             f"pages were checked by klforge audit when this site was built: "
                             + ", ".join(f"{totals[v]} {v}" for v in VERDICTS) + "."),
        table(["page", *VERDICTS], summary, widths=[4, 1, 1, 1, 1, 1, 1])]
    rows = []
    for d in docs:
        for f in findings[d]:
            rel = nodes.paragraph()
            rel += nodes.literal(text=f["relation"])
            rows.append([_link(app, fromdoc, d, f["line"]), rel, _verdict(f), f["message"]])
    out.append(nodes.rubric(text="Every claim"))
    out.append(table(["where", "claim", "verdict", "detail"], rows, widths=[2, 5, 1, 4]))
    return out
