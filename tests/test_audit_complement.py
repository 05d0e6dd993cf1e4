"""The complement rule (complement.py): P(not A) = 1 − P(A).  References by hand:
1 − 0.02 = 0.98; 1 − 0.014 = 0.986; 1 − 0.80 = 0.20."""

from klforge.audit import audit_text


def _verdicts(text, fmt="md"):
    return [(f.severity, f.stated) for f in audit_text(text, fmt).findings
            if f.relation.startswith(("P(", "p(", "pr(")) and "1 −" in f.relation]


def test_written_complements():
    for comp in ("\\text{not } A", "A^c", "\\bar{A}", "\\overline{A}", "\\neg A", "A'"):
        assert _verdicts(f"Prevalence $P(A) = 0.02$.\n\nSo $P({comp}) = 0.98$.\n") == [
            ("ok", "0.98")], comp
    assert _verdicts("Prevalence $P(A) = 0.02$.\n\nSo $P(A^c) = 0.97$.\n") == [
        ("error", "0.97")]


def test_either_way_round_and_under_a_condition():
    text = ("The false negative rate is $\\pr(\\overline{D}|H) = 0.014$.\n\n"
            "By the sum rule $\\pr(D|H) = 0.986$.\n")
    assert _verdicts(text) == [("ok", "0.986")]
    # another condition is another distribution: no verdict
    assert _verdicts("$\\pr(\\overline{D}|H) = 0.014$ and $\\pr(D|G) = 0.5$.\n") == []


def test_binary_outcomes_ok_only():
    ok = ("$P(M=\\textrm{pos} \\vert C=\\textrm{yes}) = 0.80$ and so\n\n"
          "$P(M=\\textrm{neg} \\vert C=\\textrm{yes}) = 0.20$\n")
    assert _verdicts(ok) == [("ok", "0.20")]
    # pos/neg may not be the only outcomes (e.g. "inconclusive"): no error
    assert _verdicts(ok.replace("0.20", "0.15")) == []


def test_unrelated_events_get_nothing():
    assert _verdicts("$P(A) = 0.02$ and $P(B) = 0.5$.\n") == []
