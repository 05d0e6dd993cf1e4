"""Every page is audited as it is read; the ``audit-report`` page lists every claim.

* ``source-read`` hook: :func:`derive.audit.audit_text` runs on the page's source; each
  error becomes a Sphinx warning at ``file:line`` (type ``klforge.audit``), so the strict
  build fails on a wrong number typed into the lesson.  All findings (ok, warning, error,
  unchecked) are kept in the environment.
* ``audit-report`` directive: the counts (ok / errors / warnings / unchecked / conditions /
  definitions) per page and in all, the unchecked *numeric* claims (:func:`is_numeric`)
  listed apart with the auditor's reason, and a table of every claim with its verdict,
  filled in after all pages are read (the page is re-read on every build, so it never
  shows stale verdicts).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .deps import uses
from .reference import table

logger = logging.getLogger(__name__)
VERDICTS = ("ok", "error", "warning", "unchecked", "condition", "definition")


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


def is_numeric(f: dict) -> bool:
    """Whether an unchecked finding is a numeric claim — a number the audit could not check:
    the relation holds a decimal numeral (``0.51083``, ``\\ln 0.36``) or states an integer
    other than 0 and 1 (``tr(Σ_q⁻¹Σ_p) = 2``; ``= 0`` and ``= 1`` are identities and
    normalisations).  Conditions and definitions are never claims."""
    if _verdict(f) != "unchecked":
        return False
    stated = (f.get("stated") or "").strip()
    return bool(re.search(r"\d\.\d", f["relation"]) or re.fullmatch(r"[2-9]|[1-9]\d+", stated))


def counts(findings: list[dict]) -> Counter:
    """The verdicts of ``findings`` (VERDICTS) and ``numeric``, the unchecked numeric claims."""
    c = Counter(_verdict(f) for f in findings)
    c["numeric"] = sum(map(is_numeric, findings))
    return c


def _report(app, fromdoc, findings) -> list[nodes.Node]:
    docs = sorted(d for d in findings if d in app.env.found_docs)
    every = [f for d in docs for f in findings[d]]
    totals = counts(every)
    summary = [[d, *(str(counts(findings[d])[v]) for v in VERDICTS)]
               for d in docs if findings[d]]
    summary.append(["all pages", *(str(totals[v]) for v in VERDICTS)])
    out: list[nodes.Node] = [
        nodes.paragraph(text=(
            f"When this site was built, klforge audit read {len(every)} relations on "
            f"{len(summary) - 1} pages: {totals['ok']} ok, {totals['error']} errors, "
            f"{totals['warning']} warnings, {totals['unchecked']} unchecked "
            f"({totals['numeric']} of them numeric claims, listed below with the reason), "
            f"{totals['condition']} conditions and {totals['definition']} definitions "
            "(labelled as such; they are not claims).")),
        table(["page", *VERDICTS], summary, widths=[4, 1, 1, 1, 1, 1, 1])]
    numeric = [[_link(app, fromdoc, d, f["line"]), _literal(f["relation"]), f["message"]]
               for d in docs for f in findings[d] if is_numeric(f)]
    out.append(nodes.rubric(text="Unchecked numeric claims"))
    out.append(table(["where", "claim", "why it is not checked"], numeric, widths=[2, 5, 5])
               if numeric else nodes.paragraph(text="None: every number in the lesson was "
                                                    "checked."))
    rows = [[_link(app, fromdoc, d, f["line"]), _literal(f["relation"]), _verdict(f),
             f["message"]] for d in docs for f in findings[d]]
    out.append(nodes.rubric(text="Every claim"))
    out.append(table(["where", "claim", "verdict", "detail"], rows, widths=[2, 5, 1, 4]))
    return out


def _literal(text: str) -> nodes.paragraph:
    para = nodes.paragraph()
    para += nodes.literal(text=text)
    return para
