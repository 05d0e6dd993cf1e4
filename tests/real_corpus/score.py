"""Score ``klforge audit`` on real course documents labelled by hand.

The documents live beside the project, in ``../shared/real-corpus/set*/`` (override with
``$KLFORGE_REAL_CORPUS``); each set has ``labels.json`` (see that directory's README).  The
figures are the README's:

* **error precision** = errors on relations labelled wrong ÷ all errors on the documents;
* **recall** = relations labelled wrong (not ``"scope": "semantic"``) that get an error or a
  warning ÷ those relations (semantic slips are reported apart);
* **coverage** = labelled relations that get a verdict (ok, warning, error) ÷ labelled relations.

Findings are matched to labels by (file, cell, line) — ``cell`` is ``None`` outside notebooks.
Several relations may share a line; the findings of a line are matched one to one with its
relations, so a line with two labelled relations and one verdict covers one of them, and a
line with one wrong relation and three errors scores one right error and two wrong ones.
(A secondary, looser coverage counts every label of a line that has any verdict — a chain
step checked term by term covers the term relations labelled on its line.)
Formats the auditor cannot read score 0 coverage.

Run: ``python tests/real_corpus/score.py [--json] [--quiet]``.  Without ``--quiet`` the
report lists every error on an unlabelled (or correct-labelled) line and every missed wrong
label, so work can be driven from it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERDICTS = ("ok", "warning", "error")


def corpus_dir() -> Path:
    return Path(os.environ.get("KLFORGE_REAL_CORPUS") or ROOT.parent / "shared" / "real-corpus")


def load_labels(base: Path) -> dict[Path, dict]:
    """{document path: its labels entry} over every ``set*/labels.json``."""
    out = {}
    for lab in sorted(base.glob("set*/labels.json")):
        for name, entry in json.loads(lab.read_text()).items():
            out[lab.parent / name] = entry
    return out


def audit_document(path: Path):
    """(findings, None) or ([], reason) when the auditor cannot read the document."""
    from klforge.audit import AuditInputError, audit_paths
    try:
        return audit_paths([path]).findings, None
    except AuditInputError as e:
        return [], str(e)


def _key(cell, line):
    return (None if cell is None else int(cell), int(line))


def score_document(entry: dict, findings) -> dict:
    """Counts for one document, and the lines that drive work (false errors, missed slips)."""
    rels = defaultdict(list)
    for r in entry["relations"]:
        rels[_key(r.get("cell"), r["line"])].append(r)
    found = defaultdict(list)
    for f in findings:
        found[_key(getattr(f, "cell", None), f.line)].append(f)
    c = Counter()
    false_errors, missed, uncovered = [], [], []
    for key in set(rels) | set(found):
        rs, fs = rels.get(key, []), found.get(key, [])
        sev = Counter(f.severity for f in fs)
        wrong = [r for r in rs if not r["correct"]]
        slips = [r for r in wrong if r.get("scope") != "semantic"]
        semantic = [r for r in wrong if r.get("scope") == "semantic"]
        c["labelled"] += len(rs)
        c["covered"] += min(len(rs), sum(sev[v] for v in VERDICTS))
        c["covered_by_line"] += len(rs) if any(sev[v] for v in VERDICTS) else 0
        c["errors"] += sev["error"]
        true_err = min(sev["error"], len(wrong))
        c["true_errors"] += true_err
        flags = sev["error"] + sev["warning"]
        c["slips"] += len(slips)
        c["slips_flagged"] += min(len(slips), flags)
        c["semantic"] += len(semantic)
        c["semantic_flagged"] += min(len(semantic), max(0, flags - len(slips)))
        for f in [f for f in fs if f.severity == "error"][true_err:]:
            false_errors.append({"cell": key[0], "line": key[1], "relation": f.relation,
                                 "message": f.message,
                                 "labels": [r["text"] for r in rs]})
        if len(slips) > flags:
            for r in slips[flags:]:
                missed.append({"cell": key[0], "line": key[1], "text": r["text"],
                               "exact": r.get("exact"), "note": r.get("note", ""),
                               "got": sorted(f.severity for f in fs)})
        n_verdicts = sum(sev[v] for v in VERDICTS)
        for r in rs[n_verdicts:]:
            uncovered.append({"cell": key[0], "line": key[1], "text": r["text"],
                              "got": [(f.severity, f.message[:80]) for f in fs]})
    return {"counts": dict(c), "false_errors": sorted(false_errors, key=_order),
            "missed": sorted(missed, key=_order), "uncovered": sorted(uncovered, key=_order)}


def _order(d):
    return (-1 if d["cell"] is None else d["cell"], d["line"])


def figures(c: dict) -> dict:
    """The three figures (None when undefined: no errors / no slips / no labels)."""
    return {"precision": c.get("true_errors", 0) / c["errors"] if c.get("errors") else None,
            "recall": c.get("slips_flagged", 0) / c["slips"] if c.get("slips") else None,
            "coverage": c.get("covered", 0) / c["labelled"] if c.get("labelled") else None,
            "coverage_by_line": (c.get("covered_by_line", 0) / c["labelled"]
                                 if c.get("labelled") else None),
            "semantic_recall": (c.get("semantic_flagged", 0) / c["semantic"]
                                if c.get("semantic") else None)}


def score(base: Path | None = None) -> dict:
    """Audit every labelled document and score it; per document, per set and in total."""
    base = base or corpus_dir()
    docs, sets, total = {}, defaultdict(Counter), Counter()
    for path, entry in load_labels(base).items():
        findings, unread = audit_document(path)
        d = score_document(entry, findings)
        d["unread"] = unread
        d["figures"] = figures(d["counts"])
        docs[f"{path.parent.name}/{path.name}"] = d
        sets[path.parent.name].update(d["counts"])
        total.update(d["counts"])
    return {"corpus": str(base), "documents": docs,
            "sets": {s: {"counts": dict(c), "figures": figures(c)}
                     for s, c in sorted(sets.items())},
            "total": {"counts": dict(total), "figures": figures(total)}}


def _pct(x):
    return "   —  " if x is None else f"{100 * x:5.1f}%"


def _row(name, c, f):
    return (f"{name:<78} {_pct(f['precision'])}"
            f" {c.get('true_errors', 0):>3}/{c.get('errors', 0):<3}"
            f" {_pct(f['recall'])} {c.get('slips_flagged', 0):>3}/{c.get('slips', 0):<3}"
            f" {_pct(f['coverage'])} {c.get('covered', 0):>3}/{c.get('labelled', 0):<3}")


def render(s: dict, quiet: bool = False) -> str:
    out = [f"{'document':<78} {'precision':>14} {'recall':>14} {'coverage':>14}"]
    for name, d in s["documents"].items():
        out.append(_row(name, d["counts"], d["figures"]) + ("  (not read)" if d["unread"] else ""))
    out.append("")
    for name, d in s["sets"].items():
        out.append(_row(name, d["counts"], d["figures"]))
    t = s["total"]
    out.append(_row("TOTAL", t["counts"], t["figures"]))
    sem = t["counts"]
    out.append(f"semantic slips (reported apart): {sem.get('semantic_flagged', 0)}/"
               f"{sem.get('semantic', 0)} flagged")
    out.append(f"coverage counting every label of a line that has a verdict (secondary): "
               f"{_pct(t['figures']['coverage_by_line']).strip()} "
               f"{sem.get('covered_by_line', 0)}/{sem.get('labelled', 0)}")
    if not quiet:
        for name, d in s["documents"].items():
            for kind, title in (("false_errors", "error on an unlabelled/correct line"),
                                ("missed", "missed wrong label")):
                for x in d[kind]:
                    where = f"{name}:" + (f"cell {x['cell']}:" if x["cell"] is not None else "")
                    where += f"{x['line']}"
                    rest = {k: v for k, v in x.items() if k not in ("cell", "line")}
                    out.append(f"{title}: {where}  {json.dumps(rest, ensure_ascii=False)}")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the full score as JSON")
    ap.add_argument("--quiet", action="store_true", help="figures only, no work list")
    ap.add_argument("--uncovered", action="store_true",
                    help="also list labelled relations that got no verdict")
    args = ap.parse_args(argv)
    base = corpus_dir()
    if not base.is_dir():
        print(f"score.py: no real corpus at {base} (set $KLFORGE_REAL_CORPUS)", file=sys.stderr)
        return 2
    s = score(base)
    if args.json:
        print(json.dumps(s, indent=1, ensure_ascii=False))
        return 0
    print(render(s, args.quiet))
    if args.uncovered:
        for name, d in s["documents"].items():
            for x in d["uncovered"]:
                cell = f"cell {x['cell']}:" if x["cell"] is not None else ""
                print(f"uncovered: {name}:{cell}{x['line']}  {x['text']}  {x['got']}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
