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


NOT_FIXABLE = {
    "wrong-inequality": "a wrong-way inequality: the relation is wrong, not a number",
    "wrong-unit": "a unit word its logarithms do not produce: the word is wrong, not the number",
}


def corpus_labels() -> dict:
    expected = json.loads((HERE / "expected.json").read_text())
    expected.update(json.loads((HERE / "handwritten.json").read_text()))
    return expected


def planted(file_labels: dict) -> dict[int, str]:
    """line → kind of the planted mistake (``error:misrounded``, ``mixed:ok,error:wrong-unit``)."""
    return {int(line): label.rpartition("error:")[2] for line, label in file_labels.items()
            if "error:" in label}


def chain_lines(file_labels: dict, line: int) -> list[int]:
    """A planted line and the later steps of its chain (labelled ``after``)."""
    out, rows = [line], sorted((int(k), v) for k, v in file_labels.items())
    for k, label in rows:
        if k > line:
            if label != "after":
                break
            out.append(k)
    return out


def fix_score(fixed_report, fixes: dict | None = None) -> dict:
    """The --fix bar on the audit of the fixed corpus (``fixed_report``, file names as in
    the corpus): fixable documents that pass, fixable planted errors whose chain has no error
    left, errors left on lines not planted with a non-fixable mistake, fixes (``fixes``:
    name → list of :class:`klforge.audit.fix.Fix`) on correct control lines, and the
    non-fixable documents with their reasons."""
    errors = defaultdict(set)
    for f in fixed_report.findings:
        if f.severity == "error":
            errors[Path(f.path).name].add(f.line)
    docs, not_fixable, unfixed, unexplained = [], {}, [], []
    fixable_errors = 0
    for fname, file_labels in corpus_labels().items():
        kinds = planted(file_labels)
        reasons = sorted({f"line {k}: {NOT_FIXABLE[v]}" for k, v in kinds.items()
                          if v in NOT_FIXABLE})
        if reasons:
            not_fixable[fname] = reasons
        elif kinds:
            docs.append(fname)
        for line, kind in kinds.items():
            if kind in NOT_FIXABLE:
                continue
            fixable_errors += 1
            if errors[fname] & set(chain_lines(file_labels, line)):
                unfixed.append(f"{fname}:{line} ({kind})")
        allowed = {k for k, v in kinds.items() if v in NOT_FIXABLE}
        unexplained += [f"{fname}:{k}" for k in sorted(errors[fname] - allowed)]
    clean = [d for d in docs if not errors[d]]
    touched = [f"{name}:{f.line}" for name, fx in (fixes or {}).items() for f in fx
               if corpus_labels().get(name, {}).get(str(f.line)) == "ok"]
    return {"fixable_documents": len(docs), "clean": len(clean),
            "dirty": sorted(set(docs) - set(clean)), "fixable_errors": fixable_errors,
            "unfixed": unfixed, "unexplained_errors": unexplained, "not_fixable": not_fixable,
            "touched_controls": touched}


def fixed_corpus():
    """Each corpus document as ``klforge audit --fix`` writes it (``fix.propose``, which the
    CLI applies; a test checks they agree): {name: (old text, fixes, new text)}."""
    from klforge.audit import fix
    out = {}
    for p in sorted(HERE.iterdir()):
        if p.suffix in (".md", ".tex"):
            old = p.read_text(encoding="utf-8")
            fixes, new = fix.propose(old, p.suffix[1:], p.name)
            out[p.name] = (old, fixes, new)
    return out


def outside_spans_equal(old: str, fixes, new: str) -> bool:
    """Byte-compare: the fixed text is the old one with only the fixes' spans replaced."""
    pos_old = pos_new = 0
    for f in sorted(fixes, key=lambda f: f.start):
        gap = f.start - pos_old
        if old[pos_old:f.start] != new[pos_new:pos_new + gap] or \
                new[pos_new + gap:pos_new + gap + len(f.new)] != f.new:
            return False
        pos_new += gap + len(f.new)
        pos_old = f.end
    return old[pos_old:] == new[pos_new:]


def score(report) -> dict:
    expected = corpus_labels()
    verdicts = defaultdict(list)
    for f in report.findings:
        verdicts[(Path(f.path).name, f.line)].append(f.kind or f.severity)  # a definition
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
    from klforge.audit.api import Report, audit_text

    s = score(audit_paths([HERE]))
    print(f"seeded-error corpus: {s['planted']} planted mistakes, {s['controls']} correct "
          f"relations")
    print(f"sensitivity {s['sensitivity']:.1%} ({s['detected']}/{s['planted']}), specificity "
          f"{s['specificity']:.1%} ({s['controls'] - s['false_positives']}/{s['controls']})")
    for k in ("missed", "false_positive_lines", "warnings_on_controls", "unchecked_scored_lines"):
        if s[k]:
            print(f"{k}: {s[k]}")
    fixed = fixed_corpus()
    report = Report()
    for name, (_, _, new) in fixed.items():
        report.extend(audit_text(new, name.rpartition(".")[2], name))
    x = fix_score(report, {name: fixes for name, (_, fixes, _) in fixed.items()})
    spans = [n for n, (old, f, new) in fixed.items() if not outside_spans_equal(old, f, new)]
    changed = sum(len(f) for _, f, _ in fixed.values())
    print(f"fix: {x['clean']}/{x['fixable_documents']} fixable documents clean; "
          f"{x['fixable_errors'] - len(x['unfixed'])}/{x['fixable_errors']} fixable planted "
          f"errors fixed down their chains; {changed} numbers changed in "
          f"{sum(bool(f) for _, f, _ in fixed.values())} files, "
          f"{len(x['touched_controls'])} on control lines, "
          f"{'nothing' if not spans else spans} changed outside the spans")
    reasons = defaultdict(list)
    for name, why in x["not_fixable"].items():
        for r in why:
            line, _, reason = r.partition(": ")
            reasons[reason].append(f"{name}:{line.split()[1]}")
    print(f"not fixable: {len(x['not_fixable'])} documents — " + "; ".join(
        f"{reason} ({', '.join(where)})" for reason, where in reasons.items()))
    for k in ("dirty", "unfixed", "unexplained_errors", "touched_controls"):
        if x[k]:
            print(f"fix {k}: {x[k]}")
    fix_ok = x["clean"] == x["fixable_documents"] and not x["unfixed"] and not spans and \
        not x["unexplained_errors"] and not x["touched_controls"]
    return 0 if s["sensitivity"] >= 0.95 and s["specificity"] >= 0.99 and fix_ok else 1


if __name__ == "__main__":
    sys.exit(main())
