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
