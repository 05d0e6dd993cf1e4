"""Score ``klforge audit`` on the formula corpus: planted slips in derivations and controls.

The documents here (``*.md``, ``*.tex``) were written by hand; each labelled relation ends
with its label — ``<!-- control -->`` / ``<!-- slip: kind -->`` in Markdown, ``% control`` /
``% slip: kind`` in LaTeX.  A slip is detected when the audit reports an *error* on its line;
a control is a false positive when the audit reports an error there (an unchecked control is
not a false positive, but it is counted and listed).  Run: ``python tests/formula_corpus/score.py``.
Bars (issue 14): sensitivity ≥ 95 %, specificity ≥ 99 %.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
LABEL = re.compile(r"(?:<!--|%)\s*(?P<label>control|slip:\s*(?P<kind>[\w -]+?))\s*(?:-->)?\s*$")


def labels() -> dict:
    """{(file name, line): "control" | "slip: kind"} read from the documents."""
    out = {}
    for p in sorted(HERE.iterdir()):
        if p.suffix not in (".md", ".tex"):
            continue
        for i, line in enumerate(p.read_text().splitlines(), 1):
            m = LABEL.search(line)
            if m:
                out[(p.name, i)] = re.sub(r"\s+", " ", m.group("label"))
    return out


def score(report) -> dict:
    got = defaultdict(list)
    for f in report.findings:
        got[(Path(f.path).name, f.line)].append(f.severity)
    tp = fn = tn = fp = 0
    missed, false_pos, unchecked, by_kind = [], [], [], Counter()
    for where, label in labels().items():
        verdicts = got.get(where, [])
        if "error" not in verdicts and "ok" not in verdicts:
            unchecked.append((where, label, verdicts))
        if label == "control":
            if "error" in verdicts:
                fp += 1
                false_pos.append((where, verdicts))
            else:
                tn += 1
        else:
            kind = label.split(":", 1)[1].strip()
            if "error" in verdicts:
                tp += 1
                by_kind[kind] += 1
            else:
                fn += 1
                missed.append((where, label, verdicts))
    return {"planted": tp + fn, "controls": tn + fp, "detected": tp, "false_positives": fp,
            "sensitivity": tp / max(1, tp + fn), "specificity": tn / max(1, tn + fp),
            "detected_by_kind": dict(by_kind), "missed": missed,
            "false_positive_lines": false_pos, "unchecked_labelled_lines": unchecked}


def main() -> int:
    from klforge.audit import audit_paths

    s = score(audit_paths([HERE]))
    print(f"formula corpus: {s['planted']} planted slips, {s['controls']} controls")
    print(f"sensitivity {s['sensitivity']:.1%} ({s['detected']}/{s['planted']}), "
          f"specificity {s['specificity']:.1%} "
          f"({s['controls'] - s['false_positives']}/{s['controls']})")
    print("detected by kind: " + ", ".join(f"{k} {v}" for k, v in
                                           sorted(s["detected_by_kind"].items())))
    for where, label, got in s["missed"]:
        print(f"  missed {where[0]}:{where[1]} ({label}): {got or 'no finding'}")
    for where, got in s["false_positive_lines"]:
        print(f"  false positive {where[0]}:{where[1]}: {got}")
    for where, label, got in s["unchecked_labelled_lines"]:
        print(f"  not judged {where[0]}:{where[1]} ({label}): {got or 'no finding'}")
    ok = s["sensitivity"] >= 0.95 and s["specificity"] >= 0.99
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
