"""Score ``klforge audit`` on the seeded-error corpus: sensitivity and specificity.

A planted mistake is detected when the auditor reports an *error* on its line; a control
line is a false positive when the auditor reports an error there.  Warnings and unchecked
verdicts on scored lines are counted and printed too.  Run: ``python tests/audit_corpus/score.py``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def score(report) -> dict:
    expected = json.loads((HERE / "expected.json").read_text())
    expected.update(json.loads((HERE / "handwritten.json").read_text()))
    verdicts = defaultdict(list)
    for f in report.findings:
        verdicts[(Path(f.path).name, f.line)].append(f.severity)
    tp = fn = tn = fp = 0
    missed, false_pos, warned, unchecked = [], [], [], []
    for fname, labels in expected.items():
        for line, label in labels.items():
            got = verdicts.get((fname, int(line)), [])
            where = f"{fname}:{line}"
            if "unchecked" in got or not got:
                unchecked.append((where, label, got))
            if label.startswith("mixed:"):  # one correct and one planted relation on a line
                tp, fn = (tp + 1, fn) if "error" in got else (tp, fn + 1)
                tn, fp = (tn + 1, fp) if "ok" in got else (tn, fp + 1)
                if "error" not in got:
                    missed.append((where, label, got))
            elif label.startswith("error"):
                if "error" in got:
                    tp += 1
                else:
                    fn += 1
                    missed.append((where, label, got))
            elif label == "ok":
                if "error" in got:
                    fp += 1
                    false_pos.append((where, got))
                else:
                    tn += 1
                    if "warning" in got:
                        warned.append(where)
    return {"planted": tp + fn, "controls": tn + fp, "detected": tp, "false_positives": fp,
            "sensitivity": tp / max(1, tp + fn), "specificity": tn / max(1, tn + fp),
            "missed": missed, "false_positive_lines": false_pos, "warnings_on_controls": warned,
            "unchecked_scored_lines": unchecked}


def main() -> int:
    from klforge.audit import audit_paths

    s = score(audit_paths([HERE]))
    print(f"seeded-error corpus: {s['planted']} planted mistakes, {s['controls']} correct "
          f"relations")
    print(f"sensitivity {s['sensitivity']:.1%} ({s['detected']}/{s['planted']}), specificity "
          f"{s['specificity']:.1%} ({s['controls'] - s['false_positives']}/{s['controls']})")
    for k in ("missed", "false_positive_lines", "warnings_on_controls", "unchecked_scored_lines"):
        if s[k]:
            print(f"{k}: {s[k]}")
    return 0 if s["sensitivity"] >= 0.95 and s["specificity"] >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())
