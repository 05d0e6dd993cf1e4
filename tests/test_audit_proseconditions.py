"""A case named in words before a relation (klforge/audit/proseconditions.py): the relation
is unchecked only when the sentence names a case random distributions do not follow
(independence, a function of another variable, …), not after any "when" or "because"."""
import pytest

from klforge.audit import audit_text


def _verdicts(text):
    return [(f.severity, f.kind) for f in audit_text(text, "md").findings if "H(" in f.relation]


@pytest.mark.parametrize("opening", [
    "When we expand the joint entropy,", "Because of the chain rule,",
    "In the case of two variables,", "Since entropy is additive over steps,"])
def test_a_cue_word_without_a_case_hides_no_slip(opening):
    # H(X,Y) = H(X) − H(Y|X) is the chain rule misstated (the sign): an error at random
    # joint distributions whatever the sentence opens with
    (verdict,) = _verdicts(opening + " $H(X,Y) = H(X) - H(Y|X)$.\n")
    assert verdict[0] == "error", (opening, verdict)


@pytest.mark.parametrize("text", [
    "Since $X$ and $Y$ are independent, $H(X,Y) = H(X) + H(Y)$.\n",
    "If $X = Y$, then $H(X,Y) = H(X)$.\n",
    "When $Y$ is a function of $X$, $I(X;Y) = H(Y)$ and $H(X,Y) = H(X)$.\n",
    "$Y = g(X)$ 이면 $H(X,Y) = H(X)$.\n",
])
def test_a_case_in_words_or_math_is_a_condition(text):
    assert all(v == ("unchecked", "condition") for v in _verdicts(text)), _verdicts(text)


def test_a_display_straddling_the_window_is_not_read_as_prose():
    # the 400-character look-back starts inside a display math block: its "$$" must not be
    # paired the wrong way round (prose blanked, math read as words)
    display = "$$\n" + " + ".join(f"a_{{{i}}}" for i in range(120)) + " = s \\text{ if }\n$$\n"
    text = display + "We expand: $H(X,Y) = H(X) - H(Y|X)$.\n"
    (verdict,) = _verdicts(text)
    assert verdict[0] == "error", verdict


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_case_named_in_words_is_not_judged():
    # H(X,Y) = H(X) + H(Y) holds for independent X, Y only; I(X;Y) = H(Y) when Y is a
    # function of X; at random joint distributions both fail, so they were false alarms
    text = ("At one extreme, if the two variables are independent, then "
            "$H(X, Y) = H(X) + H(Y)$.\n\n"
            "When $Y$ is a deterministic function of $X$, we get\n\n"
            "$$I(X;Y) = H(Y).$$\n\n"
            "증명: $Y = g(X)$ 이면 $H(Y) \\le H(X)$.\n")
    found = [(f.line, f.severity, f.kind) for f in audit_text(text, "md").findings
             if "H(" in f.relation]
    assert found == [(1, "unchecked", "condition"), (5, "unchecked", "condition"),
                     (7, "unchecked", "condition")]


def test_same_slip_without_a_case_is_still_an_error():
    # no case in words before it (the "if" is in the previous sentence): the chain rule
    # misstated as H(X,Y) = H(X) + H(Y) is an error at random distributions
    text = ("Entropy is largest if the law is uniform. The chain rule gives "
            "$H(X, Y) = H(X) + H(Y)$ for any pair.\n\n"
            "If you read one line, read this one:\n\nThe chain rule: $H(X,Y) = H(X) + H(Y|X)$.\n")
    assert [line for line, _ in _errors(text)] == [1]


def test_a_constant_named_in_passing_is_not_a_case():
    # "c is a constant" names no case of the relation: the sign slip H(X,Y) = H(X) − H(Y|X)
    # after it is still an error
    (verdict,) = _verdicts("If $c$ is a constant, then $H(X,Y) = H(X) - H(Y|X)$.\n")
    assert verdict[0] == "error", verdict
