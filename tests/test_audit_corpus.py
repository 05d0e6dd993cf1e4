"""The seeded-error corpus: committed files are what the generator writes, and the auditor
meets its bars on it (sensitivity ≥ 95 %, specificity ≥ 99 %)."""
import json
from pathlib import Path

from klforge.audit import audit_paths
from tests.audit_corpus import generate, score

CORPUS = Path(generate.__file__).parent


def test_committed_corpus_is_what_the_generator_writes(tmp_path):
    generate.main(tmp_path)
    for f in tmp_path.iterdir():
        assert f.read_text() == (CORPUS / f.name).read_text(), f.name


def test_corpus_is_large_and_varied():
    expected = json.loads((CORPUS / "expected.json").read_text())
    expected.update(json.loads((CORPUS / "handwritten.json").read_text()))
    labels = [v for d in expected.values() for v in d.values()]
    kinds = {v.split(":")[1] for v in labels if v.startswith("error")}
    assert any(f.startswith("handwritten") for f in expected)
    assert sum(v != "after" for v in labels) >= 150
    assert kinds >= {"wrong-step", "misrounded", "wrong-final", "wrong-inequality", "wrong-unit",
                     "wrong-term", "wrong-name"}
    assert any(f.endswith(".tex") for f in expected) and any(f.endswith(".md") for f in expected)


def test_sensitivity_and_specificity(capsys):
    s = score.score(audit_paths([CORPUS]))
    with capsys.disabled():
        print(f"\naudit corpus: sensitivity {s['sensitivity']:.1%} of {s['planted']}, "
              f"specificity {s['specificity']:.1%} of {s['controls']}")
    assert s["sensitivity"] >= 0.95, s["missed"]
    assert s["specificity"] >= 0.99, s["false_positive_lines"]
    assert not s["unchecked_scored_lines"], s["unchecked_scored_lines"]
