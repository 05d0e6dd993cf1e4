"""The audit's constructs beyond scalar identities (issue 14): O(δ^k) remainders, ≈ between
formulas, vectors and matrices, expectations under a multivariate normal, derivatives,
gradients, limits, exponential families, the ELBO's latent model and the regularised policy.
Every expected verdict is a hand label (textbook identities, and slips planted in them); each
construct also has a time bound, measured in CPU seconds of this process."""

import time
from pathlib import Path

import pytest

from klforge.audit import audit_paths, audit_text

SECONDS = 3.0   # per document of a few relations, CPU time (the machine is shared)


def findings(text):
    start = time.process_time()
    fs = audit_text(text).findings
    spent = time.process_time() - start
    assert spent < SECONDS, f"{spent:.2f} s of CPU for {text[:60]!r}"
    return [f for f in fs if f.kind not in ("condition", "definition")]


def verdict(text):
    fs = findings(text)
    assert len(fs) == 1, [(f.relation, f.severity, f.message) for f in fs]
    return fs[0]


@pytest.mark.parametrize("text, severity", [
    (r"$$\ln(1 + \delta) = \delta - \frac{\delta^2}{2} + O(\delta^3)$$", "ok"),
    (r"$$\ln(1 + \delta) = \delta - \delta^2 + O(\delta^3)$$", "error"),        # dropped ½
    (r"$$r - 1 - \ln r \approx \frac12 (r - 1)^2$$", "ok"),
    (r"$$r - 1 - \ln r \approx (r - 1)^2$$", "error"),                          # dropped ½
    (r"$$\frac{1}{\sqrt{1 - u}} \approx 1 + 2u$$", "error"),                     # wrong slope
])
def test_remainders_and_approximations(text, severity):
    f = verdict(text)
    assert f.severity == severity, f.message
    if severity == "error":
        assert "grows as" in f.message or "tends to" in f.message  # the point or the ratio


def test_an_approximation_with_no_limit_point_says_which_points_were_tried():
    f = verdict(r"$$\ln x \approx x^2 + 3$$")
    assert f.severity == "unchecked" and "tried x → 0+" in f.message


MVN = r"For $p = \mathcal{N}(\mu_p, \Sigma_p)$ and $q = \mathcal{N}(\mu_q, \Sigma_q)$: "


@pytest.mark.parametrize("formula, severity", [
    (r"\mathbb{E}_p[\ln q(x)] = -\frac{n}{2}\ln(2\pi) - \frac12\ln\det\Sigma_q"
     r" - \frac12\operatorname{tr}(\Sigma_q^{-1}\Sigma_p)"
     r" - \frac12(\mu_p-\mu_q)^\top\Sigma_q^{-1}(\mu_p-\mu_q)", "ok"),
    (r"\mathbb{E}_p[\ln q(x)] = -\frac{n}{2}\ln(2\pi) - \ln\det\Sigma_q"       # dropped ½
     r" - \frac12\operatorname{tr}(\Sigma_q^{-1}\Sigma_p)"
     r" - \frac12(\mu_p-\mu_q)^\top\Sigma_q^{-1}(\mu_p-\mu_q)", "error"),
    (r"(AB)^\top = B^\top A^\top", "ok"),
    (r"(AB)^\top = A^\top B^\top", "error"),                                   # wrong transpose
])
def test_vectors_matrices_and_normal_expectations(formula, severity):
    f = verdict(MVN + f"\n\n$${formula}$$")
    assert f.severity == severity, f.message
    if severity == "error":
        assert "at n = " in f.message and "the left side is" in f.message  # counterexample


def test_a_matrix_the_prose_describes_is_not_a_random_one():
    f = verdict(r"$$-\frac12\ln\det\Sigma_p = -\frac12\ln(1 - \rho^2)$$")
    assert f.severity == "unchecked" and "described in the prose" in f.message


@pytest.mark.parametrize("text, severity", [
    (r"In the logit $\eta = \ln\frac{p}{1-p}$: $$\frac{dp}{d\eta} = p(1-p)$$", "ok"),
    (r"In the logit $\eta = \ln\frac{p}{1-p}$: $$\frac{dp}{d\eta} = -p(1-p)$$", "error"),
    (r"$$\lim_{t\to 0^+} t\ln t = 0$$", "ok"),
    (r"$$\lim_{t\to 0^+} t\ln t = 1$$", "error"),
    (r"$$\nabla_b D_{\mathrm{KL}}(\operatorname{softmax}(a)\|\operatorname{softmax}(b)) = "
     r"\operatorname{softmax}(b) - \operatorname{softmax}(a)$$", "ok"),
    (r"$$\nabla_b D_{\mathrm{KL}}(\operatorname{softmax}(a)\|\operatorname{softmax}(b)) = "
     r"\operatorname{softmax}(a) - \operatorname{softmax}(b)$$", "error"),    # wrong sign
])
def test_derivatives_gradients_and_limits(text, severity):
    assert verdict(text).severity == severity


def test_a_gradient_of_an_abstract_function_says_so():
    f = verdict(r"$$\nabla_\theta f = 0$$")
    assert f.severity == "unchecked" and "abstract" in f.message and "gradient" in f.message


@pytest.mark.parametrize("formula, severity", [
    (r"F(\eta) = \nabla^2 A(\eta)", "ok"),
    (r"F(\eta) = \nabla A(\eta)", "error"),
    (r"D_{\mathrm{KL}}(p_{\eta_p}\|p_{\eta_q}) = A(\eta_q) - A(\eta_p)"
     r" - (\eta_q - \eta_p)^\top\nabla A(\eta_p)", "ok"),
    (r"D_{\mathrm{KL}}(p_{\eta_p}\|p_{\eta_q}) = A(\eta_q) - A(\eta_p)"
     r" - (\eta_q - \eta_p)^\top\nabla A(\eta_q)", "error"),
])
def test_exponential_family_identities_on_members(formula, severity):
    f = verdict(f"$${formula}$$")
    assert f.severity == severity, f.message
    assert ("Bernoulli" in f.message) if severity == "ok" else ("member" in f.message)


@pytest.mark.parametrize("formula, severity", [
    (r"\ln p(x) = \mathrm{ELBO}(q) + D_{\mathrm{KL}}(q\|p(z\mid x))", "ok"),
    (r"\ln p(x) = \mathrm{ELBO}(q) - D_{\mathrm{KL}}(q\|p(z\mid x))", "error"),
    (r"\mathrm{TV} \le \sqrt{D_{\mathrm{KL}}/2}", "ok"),
    (r"\mathrm{TV} \ge \sqrt{D_{\mathrm{KL}}/2}", "error"),
])
def test_the_elbo_and_bounds_between_divergences(formula, severity):
    assert verdict(f"$${formula}$$").severity == severity


POLICY = (r"With $Z = \sum_y \pi_{\mathrm{ref}}(y)e^{r(y)/\beta}$ and "
          r"$\pi^* = \pi_{\mathrm{ref}}e^{r/\beta}/Z$:" "\n\n")


@pytest.mark.parametrize("formula, severity", [
    (r"r(y) = \beta\ln\frac{\pi^*(y)}{\pi_{\mathrm{ref}}(y)} + \beta\ln Z", "ok"),
    (r"r(y) = \beta\ln\frac{\pi^*(y)}{\pi_{\mathrm{ref}}(y)} - \beta\ln Z", "error"),
])
def test_the_regularised_policy(formula, severity):
    assert verdict(POLICY + f"$${formula}$$").severity == severity


def test_a_new_name_given_an_unreadable_formula_is_a_definition_once():
    fs = audit_text("$$m = \\max_i z_i$$\n\n$$m = \\max_j z_j$$\n").findings
    assert [f.kind for f in fs] == ["definition", None]
    assert "a maximum" in fs[0].message and "a maximum" in fs[1].message


def test_the_lesson_audit_stays_fast_and_clean():
    content = Path(__file__).resolve().parents[1] / "content"
    start = time.process_time()
    report = audit_paths([content])
    spent = time.process_time() - start
    assert spent < 10, f"{spent:.1f} s of CPU for the lesson"  # measured 4.2 s (2026-12-01)
    assert not [f for f in report.findings if f.severity == "error"]
