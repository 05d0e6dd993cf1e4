"""A data set listed in math and its stated mean (sample.py).  References by hand: the mean
of 7 − √2, 6, 6, 7, 7, 7, 8, 8, 7 + √2 is 63/9 = 7; of 1, 2, 3, 6 it is 3."""

from klforge.audit import audit_text


def _means(text):
    return [(f.line, f.severity) for f in audit_text(text, "md").findings
            if "mean of the" in f.message]


def test_mean_of_a_listed_sample():
    text = ("Our data:\n\n$$ 7 - \\sqrt{2}, 6, 6, 7, 7, 7, 8, 8, 7 + \\sqrt{2}$$\n\n"
            "The sample average is $\\bar{x} = 7$.\n")
    assert _means(text) == [(5, "ok")]
    assert _means("$1, 2, 3, 6$ so $\\overline{x} = 3$\n") == [(1, "ok")]


def test_other_means_and_far_lists_get_nothing():
    assert _means("$1, 2, 3, 6$ so $\\bar{x} = 4$\n") == []     # ok-only: no verdict
    far = "$1, 2, 3, 6$\n\n" + "Text.\n\n" * 5 + "$\\bar{x} = 3$\n"
    assert _means(far) == []
    assert _means("$p_1, p_2, p_3$ and $\\bar{x} = 3$\n") == []  # names, not values
