"""How far a condition reaches (klforge/audit/conditions.py, reachstate.py): a variable's family
named after "if" holds for its sentence; one stated plainly ("Let Y ~ …") holds on.  Hand
labels: E[Y²] = μ² + σ² for Y ~ N(μ, σ²); E[Y²] = μ² is the slip (it holds only at σ = 0)."""

from klforge.audit import audit_text

IF = "If $Y \\sim \\mathcal{N}(\\mu, \\sigma^2)$, then\n\n$$E[Y^2] = \\mu^2 + \\sigma^2$$\n\n"
LET = "Let $Y \\sim \\mathcal{N}(\\mu, \\sigma^2)$.\n\n$$E[Y^2] = \\mu^2 + \\sigma^2$$\n\n"
LATER = "Another topic, in a new paragraph.\n\n$$E[Y^2] = \\mu^2$$\n"


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text, "md").findings
            if f.relation.startswith("E[Y^2]")]


def test_a_family_named_after_if_holds_for_its_sentence_only():
    # within the "if" sentence the family is used (ok); two paragraphs on, E[Y²] is about
    # whatever Y is there, not the normal of the case (was an error at random μ, σ)
    found = _verdicts(IF + LATER)
    assert found[0] == (3, "ok")
    assert found[1][1] != "error"


def test_a_slip_in_the_case_sentence_is_still_found():
    slip = "If $Y \\sim \\mathcal{N}(\\mu, \\sigma^2)$, then\n\n$$E[Y^2] = \\mu^2$$\n"
    assert _verdicts(slip) == [(3, "error")]


def test_a_family_stated_plainly_holds_on():
    # "Let Y ~ N(μ, σ²)." is not a case: two paragraphs on, E[Y²] = μ² is still a slip
    assert _verdicts(LET + LATER) == [(3, "ok"), (7, "error")]
