"""A false ≠ (klforge/audit/verdicts.py, klforge/audit/quoted.py): an error unless the prose
quotes it as an example or an impossible event.  The equalities are worked out by hand:
C(4,2) = 6, 3·4 = 12, 2^10 = 1024, 2 + 2 = 4."""

from klforge.audit import audit_text


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_equal_numbers_said_unequal_under_events_are_a_quoted_example():
    # "2 + 2 ≠ 4 has an infinite amount of information", a sub-item of "Low likelihood events
    # …": an impossible event named as an example, not a claim
    text = ("* Low likelihood events have a lot of information.\n"
            "    * $2 + 2 \\neq 4$ has an infinite amount of information.\n")
    found = [(f.severity, f.message) for f in audit_text(text, "md").findings]
    assert len(found) == 1 and found[0][0] == "unchecked" and "'events'" in found[0][1]
    assert _errors("The impossible event $1 + 1 \\neq 2$ has probability 0.\n") == []
    assert _errors("A wrong step, e.g. $2 \\times 3 \\neq 6$, is flagged.\n") == []
    # a false ≤ between numbers is still an error
    assert len(_errors("Since $0.3 + 0.5 \\le 0.7$, the bound holds.\n")) == 1


def test_false_neq_without_a_cue_is_an_error():
    # review H1: no word frames these as examples; each ≠ is false arithmetic
    for text in ("Note that $\\binom{4}{2} \\neq 6$, so the count differs.\n",
                 "Since $3 \\times 4 \\neq 12$ we conclude otherwise.\n",
                 "And $2^{10} \\neq 1024$ exactly.\n"):
        found = [f for f in audit_text(text, "md").findings if f.severity == "error"]
        assert len(found) == 1 and "inequality is false" in found[0].message, text
    # a true ≠ is ok
    assert _errors("Here $2 + 2 \\neq 5$.\n") == []
