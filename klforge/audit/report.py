"""Render an audit report: a readable table, JSON (schema in ``audit.schema.json``), SARIF.

JSON: ``{"version", "findings": [{path, line, severity, relation, stated, computed,
message, check, kind}], "summary": {files, checked, ok, errors, warnings, unchecked,
conditions, definitions}}``; ``line`` is the 1-based line where the checked relation's
right-hand side begins.  An unchecked finding whose ``kind`` is "condition" (``p > 0``) or
"definition" (``s^2 = 0.25``) states no claim: the table shows that kind as its verdict, SARIF
reports it as a note with the kind in its properties, and the summary counts it apart from the
relations left unchecked for a reason.
"""

from __future__ import annotations

import json
from importlib import resources

from .api import Report

SCHEMA_VERSION = "1.0"
SARIF_LEVEL = {"error": "error", "warning": "warning", "unchecked": "note", "ok": "none"}
RULES = {
    "step": "A step of an equation chain is inconsistent beyond the rounding of its numbers.",
    "inequality": "An inequality between evaluable sides is false or undecidable.",
    "name": "A value stated for a named quantity contradicts an earlier one.",
    "unit": "A value is labelled in a unit its logarithms do not produce.",
    "parse": "A relation could not be read by the whitelisted LaTeX front end.",
}


def schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("audit.schema.json").read_text())


def to_json(report: Report) -> str:
    return json.dumps({"version": SCHEMA_VERSION,
                       "findings": [f.as_dict() for f in report.findings],
                       "summary": report.summary}, indent=2, ensure_ascii=False)


def to_sarif(report: Report) -> str:
    results = []
    for f in report.findings:
        if f.severity == "ok":
            continue
        text = f.message + (f" (stated {f.stated}, computed {f.computed})"
                            if f.computed and f.stated else "")
        results.append({
            "ruleId": f"klforge.{f.check}",
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.relation}: {text}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path},
                "region": {"startLine": f.line}}}],
            **({"properties": props} if (props := _properties(f)) else {}),
        })
    run = {"tool": {"driver": {
        "name": "klforge audit", "informationUri": "https://example.invalid/klforge",
        "rules": [{"id": f"klforge.{k}", "shortDescription": {"text": v}}
                  for k, v in RULES.items()]}},
        "results": results}
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                       "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)


def _properties(f) -> dict:
    props = {"cell": getattr(f, "cell", None), "kind": getattr(f, "kind", None)}
    return {k: v for k, v in props.items() if v is not None}


def verdict(f) -> str:
    """The verdict a reader sees: the severity, or "condition"/"definition" for a relation
    that states no claim."""
    return getattr(f, "kind", None) or f.severity


def location(f) -> str:
    """``file:line``, or ``file.ipynb:cell 3:line 2`` for a notebook."""
    cell = getattr(f, "cell", None)
    return f"{f.path}:{f.line}" if cell is None else f"{f.path}:cell {cell}:line {f.line}"


def _clip(text, width):
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[:width - 1] + "…"


def to_table(report: Report, show_ok: bool = False) -> str:
    rows = [f for f in report.findings if show_ok or f.severity != "ok"]
    head = ("location", "verdict", "relation", "stated", "computed", "message")
    cells = [(location(f), verdict(f), _clip(f.relation, 48), _clip(f.stated, 14),
              _clip(f.computed, 16), f.message) for f in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(head[:-1])]
    lines = (["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)) + "  message"]
             if cells else [])
    for c in cells:
        lines.append("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=False)) + "  " + c[-1])
    s = report.summary
    lines.append(f"{s['files']} file(s): {s['checked']} relation{'' if s['checked'] == 1 else 's'} "
                 f"checked — {s['ok']} ok, "
                 f"{s['errors']} error(s), {s['warnings']} warning(s); {s['unchecked']} unchecked"
                 + (f"; {s['conditions']} condition(s) and {s['definitions']} definition(s), "
                    "not claims" if s.get("conditions") or s.get("definitions") else ""))
    return "\n".join(lines)
