"""Free vectors P and Q of one relation are a pair of distributions (klforge/audit/symbols.py):
Σ_i P(i) log(P(i)/Q(i)) is a KL divergence, ≥ 0 (Gibbs), and Jensen's step
−Σ P log(Q/P) ≥ −log Σ P·(Q/P) = −log Σ Q = 0 holds.  Hand labels; the reversed inequality
is the slip."""

from klforge.audit import audit_text
from klforge.audit.symbols import pmf_pair


def _severities(text):
    return [f.severity for f in audit_text(text, "md").findings if f.kind != "definition"]


def test_p_and_q_vectors_are_drawn_as_distributions():
    jensen = ("By Jensen, $$-\\sum_i P(i) \\log \\frac{Q(i)}{P(i)} \\geq "
              "-\\log \\sum_i P(i) \\frac{Q(i)}{P(i)}$$\n")
    gibbs = "$$\\sum_i P(i) \\log \\frac{P(i)}{Q(i)} \\geq 0$$\n"
    assert _severities(jensen) == ["ok"]   # was an error at random real vectors
    assert _severities(gibbs) == ["ok"]    # was a "condition" (false at real vectors)


def test_the_reversed_jensen_step_is_an_error():
    wrong = ("$$-\\sum_i P(i) \\log \\frac{Q(i)}{P(i)} \\leq "
             "-\\log \\sum_i P(i) \\frac{Q(i)}{P(i)}$$\n")
    assert "error" in _severities(wrong)


def test_only_the_pair_is_a_pair():
    assert pmf_pair(["P", "Q"]) and pmf_pair(["Q", "P", "z"])
    assert not pmf_pair(["P"]) and not pmf_pair(["p", "q"]) and not pmf_pair(["P", "R"])
