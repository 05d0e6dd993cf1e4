"""Rates stated in prose, restated as probabilities in math (rates.py).  References by
hand: 2.3 % = 0.023; 1 in 10,000 = 10⁻⁴; 3 out of 8 = 0.375."""

from klforge.audit import audit_text


def _rates(text):
    return [(f.line, f.severity, f.stated) for f in audit_text(text, "md").findings
            if "the rate the text gives" in f.message]


def test_percent_and_one_in_n():
    text = ("The false positive rate is 2.3%. One in 10,000 people, i.e. 1 in 10,000, have "
            "it.\n\nSo $P(D|\\bar H) = 0.023$ and $P(H) = 10^{-4}$.\n")
    assert _rates(text) == [(3, "ok", "0.023"), (3, "ok", "10^(−4)")]
    assert _rates("Of the balls, 3 out of 8 are red.\n\n$P(R) = 0.375$\n") == [
        (3, "ok", "0.375")]


def test_no_match_no_other_heading_no_verdict():
    assert _rates("The rate is 2.3%.\n\n$P(D) = 0.03$\n") == []        # not the rate
    assert _rates("The rate is 2.3%.\n\n# Another example\n\n$P(D) = 0.023$\n") == []
    assert _rates("The rate is 2.3%.\n\n$x = 0.023$\n") == []          # not a probability
