"""A difference stated in prose after two results (prose.difference).  References by hand:
11/4 − (3/4)·log2 3 = 1.561278, log2 3 = 1.584963, their difference 0.023684 (rounds to
0.02; 0.03 is the difference of the rounded 1.59 and 1.56)."""

from klforge.audit import audit_text

TWO = ("All logs are base 2. In fact $\\frac{11}{4}-\\frac{3}{4}\\log 3 \\approx 1.56$ and "
       "$\\log 3 \\approx 1.58$, so the difference is only about CLAIM.\n")


def _with(claim):
    return TWO.replace("CLAIM", claim)


def _diff(text):
    return [(f.severity, f.stated) for f in audit_text(text, "md").findings
            if "difference" in f.message or "differ by" in f.message]


def test_difference_in_math_after_the_lead():
    assert _diff(_with("$0.02$")) == [("ok", "difference ≈ 0.02")]
    assert _diff(_with("$.03$")) == [("warning", "difference ≈ .03")]
    assert _diff(_with("$0.5$")) == []   # far from every pair: not judged, never an error


def test_difference_in_prose():
    got = _diff(_with("0.024 bits"))
    assert [s for s, _ in got] == ["ok"]


def test_no_results_no_verdict():
    assert _diff("The difference is about $0.03$.\n") == []
