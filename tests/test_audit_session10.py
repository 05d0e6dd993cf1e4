"""Readings and judgments for text nobody in the project wrote (issues 14, 15.6): ``\\Vert``
read as ``\\|``; a divergence of the p and q the text gives as data checked, not taken as a
definition.  Every expected verdict below is a hand label: the values were worked by hand
(D(p‖q) for p uniform on 4 points and q = (0.4, 0.3, 0.2, 0.1) is
¼ ln(0.25⁴/(0.4·0.3·0.2·0.1)) = 0.12178 nats)."""

from __future__ import annotations

from klforge.audit import audit_text
from klforge.audit.latex import parse_chain


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text).findings if f.kind is None]


def test_vert_parallel_and_lvert_read_as_the_double_bar():
    for sep in (r"\Vert", r"\parallel", r"\lVert", r"\|"):
        lhs, _, _ = parse_chain(rf"D_{{\mathrm{{KL}}}}(p{sep} q) = 1")
        assert lhs.name == "D_KL(p||q)", sep


DATA = ("Take $p = (0.25, 0.25, 0.25, 0.25)$ and $q = (0.4, 0.3, 0.2, 0.1)$.\n\n"
        "$$\nD_{\\mathrm{KL}}(p\\Vert q) = 0.25\\left(\\ln\\frac{0.25}{0.4} + "
        "\\ln\\frac{0.25}{0.3} + \\ln\\frac{0.25}{0.2} + \\ln\\frac{0.25}{0.1}\\right)\n$$\n\n")


def test_divergence_of_the_given_data_is_a_claim():
    assert _verdicts(DATA + "So $D_{\\mathrm{KL}}(p\\Vert q) = 0.1218$ nats.\n") == [
        (4, "ok"), (7, "ok")]
    # a slip at the head of the chain: q's 0.4 and 0.3 swapped in the first term
    slip = DATA.replace("\\frac{0.25}{0.4}", "\\frac{0.25}{0.3}", 1)
    assert _verdicts(slip) == [(4, "error")]
    assert _verdicts(DATA
                     + "Hence $D_{\\mathrm{KL}}(p\\Vert q) = 0.1281$.\n") == [
        (4, "ok"), (7, "error")]


def test_infinite_divergence_where_the_support_is_not_covered():
    text = ("Take $p = (0.5, 0.5, 0)$ and $q = (0.25, 0.25, 0.5)$: $D_{\\mathrm{KL}}(p\\|q) = "
            "\\ln 2$ and $D_{\\mathrm{KL}}(q\\|p) = \\infty$.\n\n"
            "A slip: $D_{\\mathrm{KL}}(p\\|q) = \\infty$.\n")
    assert _verdicts(text) == [(1, "ok"), (1, "ok"), (3, "error")]


def test_data_of_another_exercise_or_section_are_not_used():
    text = ("Take $p = (0.5, 0.3, 0.2)$ and $q = (0.2, 0.3, 0.5)$.\n\n"
            ":::{admonition} Exercise 1\n:class: tip\n"
            "Two distributions with $D_{\\mathrm{KL}}(p\\Vert q) = 0.02$ nats: bound TV.\n:::\n\n"
            "## Another section\n\nA model has $D_{\\mathrm{KL}}(p\\|q) = 0.1487$ nats.\n")
    assert _verdicts(text) == []


GAUSS = ("Let $p = \\mathcal N(\\mu_1, \\sigma_1^2)$ and "
         "$q = \\mathcal N(\\mu_2, \\sigma_2^2)$.\n\n")


def test_constant_claimed_in_the_case_a_condition_names():
    # hand labels: equal means alone leave ln(σ₂/σ₁) + σ₁²/(2σ₂²) − ½, not 0 (slip); equal
    # means and variances give 0; equal variances alone leave (μ₁−μ₂)²/(2σ²), not 0 (slip)
    text = GAUSS + ("When $\\mu_1 = \\mu_2$, $D_{\\mathrm{KL}}(p\\Vert q) = 0$.\n\n"
                    "When $\\mu_1 = \\mu_2$ and $\\sigma_1 = \\sigma_2$, "
                    "$D_{\\mathrm{KL}}(p\\Vert q) = 0$.\n\n"
                    "If $\\sigma_1 = \\sigma_2$, then $D_{\\mathrm{KL}}(p\\Vert q) = 0$.\n")
    assert _verdicts(text) == [(3, "error"), (5, "ok"), (7, "error")]


def test_constant_under_a_condition_the_points_cannot_follow_stays_unchecked():
    text = GAUSS + "Whenever $p \\approx q$, $D_{\\mathrm{KL}}(p\\Vert q) = 0$ to first order.\n"
    kinds = [(f.line, f.severity) for f in audit_text(text).findings if f.line == 3]
    assert (3, "error") not in kinds and (3, "ok") not in kinds
