"""klforge.site.steplabels: a derivation's step label is shown with its mathematics typeset.
References are hand-written LaTeX for labels the engine uses, never the converter's output."""
import re

import pytest

from klforge.site.steplabels import split, to_latex

HAND = {
    "Natural-gradient direction F⁻¹ g": [("text", "Natural-gradient direction "),
                                          ("math", "F^{-1} g")],
    "Log-partition A(θ) = log ∫ h(x) exp(η·T(x)) dx": [
        ("text", "Log-partition "),
        ("math", r"A(\theta ) = \log \int h(x) \exp (\eta \cdot T(x)) \,dx")],
    "Gap log p(x) − ELBO = KL(q ‖ posterior)": [
        ("text", "Gap "),
        ("math", r"\log p(x) - \mathrm{ELBO} = \mathrm{KL}(q \,\|\, \text{posterior})")],
    "Exact posterior mean and variance (complete the square)": [
        ("text", "Exact posterior mean and variance (complete the square)")],
    "Pulled back to (μ, log σ): Jᵀ F J": [("text", "Pulled back to "),
                                          ("math", r"(\mu , \log \sigma )"), ("text", ": "),
                                          ("math", r"J^{\top} F J")],
    "E_p[log p] = −n/2 − ½ log det(2πΣ_p)": [
        ("math", r"E_{p}[\log p] = -n/2 - \tfrac{1}{2} \log \det (2\pi \Sigma _{p})")],
    "F = ∇²_θ A − Σ_i E[T_i] ∇²_θ η_i": [
        ("math", r"F = \nabla ^{2}_{\theta} A - \sum _{i} E[T_{i}] \nabla ^{2}_{\theta} "
                 r"\eta _{i}")],
    "Stable form with D = L_q⁻¹(L_p − L_q), w = L_q⁻¹(μ_p − μ_q)": [
        ("text", "Stable form with "), ("math", r"D = L_{q}^{-1}(L_{p} - L_{q})"),
        ("text", ", "), ("math", r"w = L_{q}^{-1}(\mu _{p} - \mu _{q})")],
    "Checked against the definition (numeric (mpmath quadrature, 50 digits))": [
        ("text", "Checked against the definition (numeric (mpmath quadrature, 50 digits))")],
    "S0 = E_p[expm1mx(e)] ≥ 0": [("math", r"S_{0} = E_{p}[\mathtt{expm1mx}(e)] \ge 0")],
    "log(p_i/q_i) = a_i − LSE(a)": [
        ("math", r"\log (p_{i}/q_{i}) = a_{i} - \operatorname{LSE}(a)")],
}


@pytest.mark.parametrize("label", sorted(HAND))
def test_hand_typeset_labels(label):
    assert split(label) == HAND[label]


def test_sigma_is_a_sum_before_an_index_and_a_matrix_before_p():
    assert to_latex("Σ_i x_i") == r"\sum _{i} x_{i}"
    assert to_latex("ψ(Σα)") == r"\psi (\sum \alpha )"
    assert to_latex("tr(AΣ_q)") == r"\operatorname{tr}(A\Sigma _{q})"


def test_a_character_without_latex_is_named():
    with pytest.raises(ValueError, match="no LaTeX for '☃'"):
        to_latex("x ☃ y")
    with pytest.raises(ValueError, match="subscript"):
        to_latex("x_ ")


def test_every_engine_label_converts_to_balanced_ascii_latex():
    """Every step label of every registered derivation: math pieces are ASCII LaTeX with
    balanced braces, no prose word is left bare in a formula, and the pieces keep every word
    of the label in order."""
    from klforge.derive.core import get, names

    labels = {s.text for n in names() for s in get(n).steps}
    assert len(labels) > 20
    for label in labels:
        pieces = split(label)
        words = re.findall(r"[A-Za-z]{4,}", label)
        shown = " ".join(p for _, p in pieces)
        for w in words:
            assert w in shown, (label, w)
        for kind, piece in pieces:
            if kind != "math":
                continue
            assert piece.isascii(), (label, piece)
            assert piece.count("{") == piece.count("}"), (label, piece)
            bare = re.sub(r"\\(text|mathtt|operatorname|mathrm)\{[^}]*\}|\\[A-Za-z]+", "",
                          piece)
            assert not re.search(r"[A-Za-z]{4,}", bare), (label, piece)
