"""The parser's operators (klforge/audit/operators.py): a sum's scope, superscript labels and
the factor beside the number after a slash.  References are worked out by hand in the comments."""

from klforge.audit import audit_text
from klforge.audit.latex import parse_chain


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_sum_runs_on_over_terms_that_use_its_index():
    # log Π π_i^{y_i}(1−π_i)^{1−y_i} = Σ_i [y_i log π_i + (1−y_i) log(1−π_i)]: the term after
    # "+" uses the index i, so it is inside the sum (was read as a free y_i: a false alarm)
    ok = ("$$\\log \\prod_{i=1}^n \\pi_i^{y_i} (1 - \\pi_i)^{1 - y_i} = "
          "\\sum_{i=1}^n y_i \\log(\\pi_i) + (1 - y_i) \\log (1 - \\pi_i)$$\n")
    assert _errors(ok) == []
    # evaluable: Σ (x_i + y_i)² = Σ x_i² + 2 x_i y_i + y_i² holds; with 3 x_i y_i it does not
    good = ("$$\\sum_{i=1}^n (x_i + y_i)^2 = \\sum_{i=1}^n x_i^2 + 2 x_i y_i + y_i^2$$\n")
    assert _errors(good) == []
    assert len(_errors(good.replace("+ 2 x_i", "+ 3 x_i"))) == 1
    # a second sum re-binds its index: −Σ_k p_k log q_k = −Σ_k p_k log p_k + Σ_k … stays two sums
    two = ("$$-\\sum_k p_k \\log q_k = -\\sum_k p_k \\log p_k + "
           "\\sum_k p_k \\log \\frac{p_k}{q_k}$$\n")
    assert _errors(two) == []


def test_superscript_in_parentheses_is_a_label():
    # X^{(N)} = Σ_{i=1}^N X_i defines the N-th partial sum; it was read as X to the power N
    # and judged against a sum of a random vector (an error)
    text = ("Let $X^{(N)}$ be the count after $N$ trials:\n\n"
            "$$\nX^{(N)} = \\sum_{i=1}^N X_i.\n$$\n\n"
            "The update is $\\theta^{(t+1)} = \\theta^{(t)} - \\eta g$.\n")
    assert _errors(text) == []
    assert parse_chain("X^{(N)} = 1")[0].name == "X^(N)"
    assert type(parse_chain("x^{2} = 1")[0]).__name__ == "Pow"   # a power stays a power


def test_parenthesised_power_is_not_a_label():
    # x^{(a-1)} x = x^a, not x^{a+1} (review H5): a power with a parameter, an error again
    assert _errors("Finally $x^{(a-1)} x = x^{a+1}$ always.\n") == [
        (1, "(x^(a − 1))·x = x^(a + 1)")]
    assert _errors("Finally $x^{(a-1)} x = x^{a}$ always.\n") == []
    # x^{(1/2)} is √x (a power, not a new name): x^{(1/2)} = x^{0.6} is wrong (at x = 4:
    # 2 vs 2.297)
    assert type(parse_chain("x^{(1/2)} = 1")[0]).__name__ == "Pow"
    assert type(parse_chain("x^{(\\alpha-1)} = 1")[0]).__name__ == "Pow"
    assert len(_errors("We have $x^{(1/2)} = x^{0.6}$.\n")) == 1
    # index-like labels: a name, an integer, an index name ± an integer
    for label in ("i", "12", "t+1", "N-1", "k"):
        assert parse_chain(f"x^{{({label})}} = 1")[0].name == f"x^({label})"


def test_factor_beside_the_number_after_a_slash_is_ambiguous():
    # e^{-(r-s)^2/2(.25)} = e^{-(r-s)^2/(.5)}: meant as /(2·0.25) (the next step divides by
    # 0.5); read (…/2)·0.25 it failed — an error before, unchecked (ambiguous) now
    text = "$$ e^{-(r-s)^2/2(.25)} = e^{-(r-s)^2/(.5)} $$\n"
    found = [(f.severity, f.message[:20]) for f in audit_text(text, "md").findings]
    assert found == [("unchecked", "ambiguous as written")]
    # wrong under both readings (/(0.4)): still an error
    assert len(_errors(text.replace("(.5)", "(.4)"))) == 1
