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


def test_sign_column_of_a_table_continues_the_rows_value():
    # hand labels: ½(ln ρ)² ≥ 0 and ρ − 1 − ln ρ ≥ 0 hold for every ρ > 0 (ln ρ ≤ ρ − 1)
    md = ("With $\\rho = q/p$:\n\n| estimator | value | unbiased? | sign |\n|---|---|---|---|\n"
          "| $k_2$ | $\\tfrac12(\\ln\\rho)^2$ | no (bias for nearby $p, q$) | $\\ge 0$ |\n"
          "| $k_3$ | $(\\rho - 1) - \\ln\\rho$ | yes | $\\ge 0$ |\n")
    assert _verdicts(md) == [(5, "ok"), (6, "ok")]
    tex = ("With $\\rho = q/p$:\n\\begin{tabular}{ll}\n$(\\rho - 1) - \\ln\\rho$ & $\\ge 0$ \\\\\n"
           "\\end{tabular}\n")
    assert _verdicts(tex) == [(3, "ok")]
    # a cell on the next row does not continue this row's value
    assert [f.message for f in audit_text("| $x^2$ | a |\n| b | $\\ge 0$ |\n").findings
            if f.line == 2] == ["continues a chain, but no display math precedes it"]


def test_expectations_under_a_named_gaussian_encoder():
    # hand labels: for z ~ N(μ, σ²), E[(x − z)²] = (x − μ)² + σ² (bias² + variance), and
    # E[ln N(x; z, s²)] = −½ln(2πs²) − ((x − μ)² + σ²)/(2s²); the slips drop σ² or the 2
    text = ("Prior $p(z) = \\mathcal{N}(0, 1)$, likelihood $p(x \\mid z) = \\mathcal{N}(z, s^2)$, "
            "encoder $q(z \\mid x) = \\mathcal{N}(\\mu, \\sigma^2)$.\n\n"
            "For $z \\sim q$, $\\mathbb{E}_q[(x - z)^2] = (x-\\mu)^2 + \\sigma^2$.\n\n"
            "Slip: $\\mathbb{E}_q[(x - z)^2] = (x-\\mu)^2$.\n\n"
            "$\\mathbb{E}_q[\\ln p(x\\mid z)] = -\\frac12\\ln(2\\pi s^2) - "
            "\\frac{(x-\\mu)^2 + \\sigma^2}{2s^2}$.\n\n"
            "Slip: $\\mathbb{E}_q[\\ln p(x\\mid z)] = -\\frac12\\ln(2\\pi s^2) - "
            "\\frac{(x-\\mu)^2 + \\sigma^2}{s^2}$.\n\n"
            "$D_{\\mathrm{KL}}(q\\|p(z)) = \\frac12(\\sigma^2 + \\mu^2 - 1 - \\ln\\sigma^2)$.\n")
    assert _verdicts(text) == [(3, "ok"), (5, "error"), (7, "ok"), (9, "error"), (11, "ok")]


def test_a_named_distribution_without_its_variable_written():
    # q = N(μ, σ²) and "z ~ q": E_q integrates over z (it integrated over x before)
    text = ("Let $q = \\mathcal{N}(\\mu, \\sigma^2)$. For $z \\sim q$, "
            "$\\mathbb{E}_q[(x - z)^2] = (x-\\mu)^2 + \\sigma^2$.\n")
    assert _verdicts(text) == [(1, "ok")]


def test_scores_of_a_declared_density():
    # hand labels: ∂/∂μ ln N(x; μ, σ²) = (x − μ)/σ², ∂/∂σ = (x − μ)²/σ³ − 1/σ; the slips flip
    # the sign or drop the square of σ
    text = ("Let $q = \\mathcal N(\\mu, \\sigma^2)$.\n\n"
            "$\\frac{\\partial}{\\partial\\mu}\\log q(x) = \\frac{x-\\mu}{\\sigma^2}$ and "
            "$\\frac{\\partial}{\\partial\\sigma}\\log q(x) = \\frac{(x-\\mu)^2}{\\sigma^3} - "
            "\\frac{1}{\\sigma}$.\n\n"
            "$\\frac{\\partial}{\\partial\\mu}\\log q(x) = \\frac{\\mu - x}{\\sigma^2}$.\n\n"
            "$\\nabla_\\mu \\ln q(x) = \\frac{x - \\mu}{\\sigma^2}$ and "
            "$\\frac{\\partial \\ln q(x)}{\\partial \\mu} = \\frac{x - \\mu}{\\sigma}$.\n\n"
            "For $p(x) = \\lambda e^{-\\lambda x}$, $\\partial_\\lambda \\ln p(x) = "
            "\\frac{1}{\\lambda} - x$.\n")
    assert _verdicts(text) == [(3, "ok"), (3, "ok"), (5, "error"), (7, "ok"), (7, "error"),
                               (9, "ok")]


def test_double_sums_over_a_joint_distribution():
    # hand labels: I(X;Y) = Σ p(x,y) ln[p(x,y)/(p(x)p(y))] = Σ p(x,y) ln[p(x|y)/p(x)];
    # H(X|Y) = −Σ p(x,y) ln p(x|y); dividing by p(y) instead of p(x) is a slip
    text = ("$$I(X;Y) = \\sum_{x,y} p(x,y)\\ln\\frac{p(x,y)}{p(x)p(y)}$$\n\n"
            "$$I(X;Y) = \\sum_x\\sum_y p(x,y)\\ln\\frac{p(x|y)}{p(x)}$$\n\n"
            "$$I(X;Y) = \\sum_{x,y} p(x,y)\\ln\\frac{p(x|y)}{p(y)}$$\n\n"
            "$$H(X|Y) = -\\sum_{x,y} p(x,y)\\ln p(x|y)$$\n\n"
            "$$\\sum_{x,y} p(x,y) = 1$$\n")
    assert _verdicts(text) == [(1, "ok"), (3, "ok"), (5, "error"), (7, "ok"), (9, "ok")]
    lhs, _, _ = parse_chain(r"\sum_{x,y} p(x,y) = 1")
    assert (lhs.var, lhs.body.var) == ("x", "y")


def test_constructs_that_were_parse_errors():
    # an absolute value as a factor, an indicator, a gradient in several parameters: read, and
    # left unchecked with the reason (abstract functions), not "unexpected '|'"
    for text, reason in (
            (r"$p_Y(y) = p_X(f^{-1}(y))\,|\det J_{f^{-1}}(y)|$", "undefined functions p_Y"),
            (r"$\hat q(x',z) = \mathbb{1}[x' = x]\,q_{t+1}(z)$", "undefined functions hat(q)"),
            (r"$\nabla_{\mu,\sigma}\mathbb{E}_q[f(z)] = \mathbb{E}_\epsilon[\nabla_{\mu,\sigma} "
             r"f(\mu+\sigma\epsilon)]$", "several parameters")):
        (f,) = audit_text(text).findings
        assert f.severity == "unchecked" and reason in f.message, (text, f.message)
    # |x| + |y| ≥ |x + y| still reads as three absolute values; a|b| is a product
    assert _verdicts(r"$|x| + |y| \ge |x + y|$ and $2|x| = |2x|$ and $2|x| = |3x|$") == [
        (1, "ok"), (1, "ok"), (1, "error")]


def test_a_prime_on_a_function_at_an_argument():
    # A'(η_p), f''(1): names (a derivative at a point), not "unexpected \"'\""; f''(t) of a
    # defined f at its own variable is still its second derivative (hand: (t ln t)'' = 1/t)
    lhs = parse_chain(r"(\eta_q - \eta_p)A'(\eta_p) = 1")[0]
    assert "A'(eta_p)" in [getattr(f, "name", None) for _, f in lhs.factors]
    assert isinstance(parse_chain(r"\frac{f''(1)}{2}\chi^2 = 1")[0], type(lhs))
    text = ("Let $f(t) = t\\log t$ for $t > 0$. Then $f''(t) = 1/t$.\n\n"
            "And $f''(t) = 1/t^2$.\n")
    assert _verdicts(text) == [(1, "ok"), (3, "error")]


def test_general_statements_about_p_and_q_after_an_example():
    # "D(p‖q) = 0 only when p = q" and "D ≈ ½χ²" speak of any p, q, not of the example's data:
    # no error at the data (they hold, or are approximations, in general); a value of the data
    # that is wrong (ln(0.25/0.4) is one term of the sum) is an error
    text = DATA + ("Recall that $D_{\\mathrm{KL}}(p\\Vert q) = 0$ only when $p = q$.\n\n"
                   "$D_{\\mathrm{KL}}(p \\| q) = 0$ if and only if $p = q$.\n\n"
                   "For nearby distributions $D_{\\mathrm{KL}}(p\\Vert q) \\approx "
                   "\\tfrac12\\chi^2(p\\Vert q)$.\n\n"
                   "A slip: $D_{\\mathrm{KL}}(p\\Vert q) = \\ln\\frac{0.25}{0.4}$.\n")
    assert [v for v in _verdicts(text) if v[1] == "error"] == [(13, "error")]
    # the same for a condition after the claim in the Gaussian case
    text = GAUSS + ("If $\\sigma_1 = \\sigma_2$, then $D_{\\mathrm{KL}}(p\\|q) = 0$ exactly when "
                    "$\\mu_1 = \\mu_2$.\n")
    assert [v for v in _verdicts(text) if v[1] == "error"] == []


def test_the_latent_model_still_judges_general_elbo_identities():
    # hand labels: ln p(x) = ELBO(q) + D(q‖p(z|x)) and ln p(x) ≥ E_q[ln p(x|z)] − D(q‖p(z)) hold
    # for every latent model, Gaussian or not; D(q‖p(z)) reads the prior N(0, 1), not the
    # evidence N(0, 1 + s²) named after it
    text = ("Let $p(z) = \\mathcal{N}(0, 1)$ and $p(x \\mid z) = \\mathcal{N}(z, s^2)$, so "
            "$p(x) = \\mathcal{N}(0, 1 + s^2)$; the encoder is "
            "$q(z \\mid x) = \\mathcal{N}(\\mu, \\sigma^2)$.\n\n"
            "$D_{\\mathrm{KL}}(q \\Vert p(z)) = "
            "\\frac12(\\sigma^2 + \\mu^2 - 1 - \\ln\\sigma^2)$.\n\n"
            "$\\ln p(x) \\ge \\mathbb{E}_q[\\ln p(x \\mid z)] - "
            "D_{\\mathrm{KL}}(q \\Vert p(z))$.\n\n"
            "$\\ln p(x) = \\mathrm{ELBO}(q) + D_{\\mathrm{KL}}(q \\Vert p(z \\mid x))$.\n")
    assert _verdicts(text) == [(3, "ok"), (5, "ok"), (7, "ok")]


def test_a_shift_d_inside_a_named_distribution_is_a_symbol():
    # hand label: D(N(μ, σ²) ‖ N(μ + d, σ²)) = d²/(2σ²); without the 2 it is a slip
    kl = "$D_{\\mathrm{KL}}(\\mathcal N(\\mu,\\sigma^2)\\|\\mathcal N(\\mu+d,\\sigma^2)) = "
    assert _verdicts(kl + "\\frac{d^2}{2\\sigma^2}$\n\n" + kl + "\\frac{d^2}{\\sigma^2}$\n") == [
        (1, "ok"), (3, "error")]


def test_a_divergence_of_the_data_in_bits():
    # hand labels: D(p‖q) for p = (0.24, 0.76), q = (0.08, 0.92) is 0.17091 bits (0.11846 nats):
    # written with log₂ or with the unit bits it is checked in bits
    text = ("Take $p = (0.24, 0.76)$ and $q = (0.08, 0.92)$.\n\n"
            "$D_{\\mathrm{KL}}(p\\|q) = 0.24\\log_2\\frac{0.24}{0.08} + "
            "0.76\\log_2\\frac{0.76}{0.92}$\n\n"
            "so $D_{\\mathrm{KL}}(p\\|q) = 0.1709\\text{ bits}$, not "
            "$D_{\\mathrm{KL}}(p\\|q) = 0.1185\\text{ bits}$.\n")
    assert _verdicts(text) == [(3, "ok"), (5, "ok"), (5, "error")]
