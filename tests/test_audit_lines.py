"""Integrals over the line and half-line, densities and functions the text defines, and the
KL divergence of multivariate normals through their names (issue 14/15 residue).

References: values checked by hand (∫x²λe^{-λx} dx = 2/λ², h(Exp(λ)) = 1 − ln λ, Laplace
entropy 1 + ln 2b, D_KL(Exp(η)‖Exp(λ)) = ln(η/λ) + λ/η − 1), and the multivariate-normal KL
closed form; every wrong formula differs from the right one by one planted slip and must be
an error."""

import mpmath
import pytest

from klforge.audit import audit_text, calculus
from klforge.audit import nodes as N
from klforge.audit.freesymbols import DIMENSION, declared, dimension_words


def claims(text):
    """(line, severity) of every finding that is a claim (no definitions, no conditions)."""
    return [(f.line, f.severity) for f in audit_text(text).findings
            if f.kind not in ("definition", "condition")]


# -- quadrature over infinite ranges -----------------------------------------------------


@pytest.mark.parametrize("f, a, b, exact", [
    (lambda t: mpmath.exp(-t ** 2 / 2), -mpmath.inf, mpmath.inf,
     lambda: mpmath.sqrt(2 * mpmath.pi)),
    (lambda t: t ** 2 * 3 * mpmath.exp(-3 * t), 0, mpmath.inf, lambda: mpmath.mpf(2) / 9),
    (lambda t: 1 / (1 + t ** 2), -mpmath.inf, mpmath.inf, lambda: +mpmath.pi),  # a slow tail
    (lambda t: mpmath.exp(-abs(t - 1)) / 2, -mpmath.inf, mpmath.inf, lambda: mpmath.mpf(1)),
])
def test_quadrature_over_infinite_ranges_matches_hand_values(f, a, b, exact):
    """Hand values; mpmath's own infinite-range map is off by 1.3e-5 on the Laplace density
    with its kink at 1 (checked while writing this test), the cut-and-split rule is not."""
    with mpmath.mp.workdps(60):
        value, err = calculus.quadrature(f, mpmath.mpf(a), mpmath.mpf(b))
        exact = exact()
        assert abs(value - exact) < mpmath.mpf(10) ** -25 * max(1, abs(exact)), (value, exact)
    assert err < mpmath.mpf(10) ** -20


def test_an_integrand_the_evaluator_refuses_far_out_is_cut_where_it_vanishes():
    def f(t):  # e^{-t²} refused beyond |t| = 100, as the evaluator refuses tiny exponents
        if abs(t) > 100:
            raise N.NotEvaluable("value too large to check")
        return mpmath.exp(-t ** 2)
    value, _ = calculus.quadrature(f, -mpmath.inf, mpmath.inf)
    assert abs(value - mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -40


def test_a_growing_integrand_is_not_cut():
    def f(t):
        if abs(t) > 100:
            raise N.NotEvaluable("value too large to check")
        return mpmath.exp(t)
    with pytest.raises(N.NotEvaluable):
        calculus.quadrature(f, mpmath.mpf(0), mpmath.inf)


def test_integrals_with_infinite_bounds_are_judged():
    text = (r"$\int_{-\infty}^{\infty} e^{-x^2/2}\,dx = \sqrt{2\pi}$." "\n\n"
            r"For $s>0$, $\int_{-\infty}^{+\infty} e^{-x^2/(2s^2)}\,\mathrm{d}x = s\sqrt{2\pi}$."
            "\n\n"
            r"For $\lambda>0$, $\int_0^\infty x\,\lambda e^{-\lambda x}\,dx = \frac{1}{\lambda}$."
            "\n\n"
            r"Also $\int_0^{\infty} x^2\lambda e^{-\lambda x}\,\mathrm{d}x = \frac{1}{\lambda^2}$.")
    assert claims(text) == [(1, "ok"), (3, "ok"), (5, "ok"), (7, "error")]


# -- densities and functions the text defines, inside integrals and divergences -----------

EXP = (r"Let $p(x)=\lambda e^{-\lambda x}$ and $q(x)=\eta e^{-\eta x}$ for $x\ge 0$, with "
       r"$\lambda,\eta>0$." "\n\n")


def test_kl_of_densities_the_text_defines_is_their_integral_over_the_stated_range():
    right = EXP + (r"$$D_{KL}(q\|p) = \int_0^\infty q(x)\ln\frac{q(x)}{p(x)}\,dx = "
                   r"\ln\frac{\eta}{\lambda} + \frac{\lambda}{\eta} - 1$$")
    assert [s for _, s in claims(right)] == ["ok", "ok"]
    wrong = EXP + r"$$D_{KL}(p\|q) = \ln\frac{\eta}{\lambda} + \frac{\eta}{\lambda} - 1$$"
    assert [s for _, s in claims(wrong)] == ["error"]


def test_entropy_integrals_of_defined_densities():
    text = (r"With $\ell(x) = \frac{1}{2b}e^{-|x|/b}$, $b>0$:" "\n\n"
            r"$$-\int_{-\infty}^{\infty}\ell(x)\ln \ell(x)\,dx = 1 + \ln(2b)$$" "\n\n"
            r"$$-\int_{-\infty}^{\infty}\ell(x)\ln \ell(x)\,dx = 1 + \ln b$$")
    assert [s for _, s in claims(text)] == ["ok", "error"]


def test_named_gaussian_densities_inside_an_integral_are_not_any_distributions():
    text = (r"Let $p(x) = \mathcal{N}(x;\mu_1,\sigma^2)$ and $q(x) = \mathcal{N}(x;\mu_2,"
            r"\sigma^2)$ with $\sigma>0$." "\n\n"
            r"$$D_{\mathrm{KL}}(p\,\|\,q) = \int_{-\infty}^{\infty} p(x)\log\frac{p(x)}{q(x)}"
            r"\,\mathrm{d}x = \frac{(\mu_1-\mu_2)^2}{2\sigma^2}$$" "\n\n"
            r"$$\int_{-\infty}^{\infty} p(x)\log\frac{p(x)}{q(x)}\,dx = "
            r"\frac{(\mu_1-\mu_2)^2}{\sigma^2}$$")
    assert [s for _, s in claims(text)] == ["ok", "ok", "error"]


def test_a_density_written_out_with_a_bar_is_read():
    text = (r"$$-\int \mathcal{N}(x\mid\mu,\sigma^2)\,\ln \mathcal{N}(x\mid\mu,\sigma^2)\,dx"
            r" = \frac{1}{2}\ln\left(2\pi\sigma^2\right) + \frac12$$" "\n\n"
            r"$$-\int \mathcal{N}(x\mid\mu,\sigma^2)\,\ln \mathcal{N}(x\mid\mu,\sigma^2)\,dx"
            r" = \frac{1}{2}\ln\left(2\pi\sigma^2\right) + 1$$")
    assert [s for _, s in claims(text)] == ["ok", "error"]


def test_where_one_defined_density_is_below_another_is_a_condition_not_a_claim():
    text = (r"Let $p(x) = 2e^{-2x}$ and $q(x) = e^{-x}$ for $x \ge 0$. The integrand is "
            r"negative wherever $p(x) < q(x)$, here on all of $x > \ln 2$.")
    assert all(s != "error" for _, s in claims(text))


# -- multivariate normals through their names ---------------------------------------------

KL_RIGHT = (r"\frac{1}{2}\left[\operatorname{tr}\left(\Sigma_2^{-1}\Sigma_1\right) + (\mu_2-\mu_1)"
            r"^\top\Sigma_2^{-1}(\mu_2-\mu_1) - k + \ln\frac{\det\Sigma_2}{\det\Sigma_1}\right]")


def test_mvn_kl_through_aliases_on_a_declared_space():
    head = (r"Let $p = \mathcal{N}(\mu_1, \Sigma_1)$ and $q = \mathcal{N}(\mu_2, \Sigma_2)$ on "
            r"$\mathbb{R}^k$." "\n\n")
    assert claims(head + rf"$$\mathrm{{KL}}(p\|q) = {KL_RIGHT}$$") == [(3, "ok")]
    bars = KL_RIGHT.replace(r"\ln\frac{\det\Sigma_2}{\det\Sigma_1}",
                            r"\ln|\Sigma_2| - \ln|\Sigma_1|")
    assert claims(head + rf"$$\mathrm{{KL}}(p\|q) = {bars}$$") == [(3, "ok")]
    flipped = KL_RIGHT.replace(r"\frac{\det\Sigma_2}{\det\Sigma_1}",
                               r"\frac{|\Sigma_1|}{|\Sigma_2|}")
    assert claims(head + rf"$$\mathrm{{KL}}(p\|q) = {flipped}$$") == [(3, "error")]


def test_mvn_kl_with_a_zero_mean_identity_prior_a_T_transpose_and_prose_dimension():
    head = (r"Let $q = \mathcal N(\mathbf m, \mathbf S)$ and $p = \mathcal N(\mathbf 0, "
            r"\mathbf I)$ in $d$ dimensions." "\n\n")
    right = r"$$D_{\mathrm{KL}}(q\|p) = \frac12\left(\operatorname{tr}\mathbf S + \mathbf m^T" \
            r"\mathbf m - d - \log\det\mathbf S\right)$$"
    wrong = right.replace(r"- \log\det", r"+ \log\det")
    assert claims(head + right) == [(3, "ok")]
    assert claims(head + wrong) == [(3, "error")]


def test_dimension_declarations():
    assert declared(r"Gaussians on \mathbb{R}^k")[DIMENSION] == "k"
    assert declared(r"x \in \mathbb R^{d}")[DIMENSION] == "d"
    assert dimension_words("For p in d", " dimensions: the KL is") == {DIMENSION: "d"}
    assert dimension_words("a D", "-dimensional Gaussian") == {DIMENSION: "D"}
    assert dimension_words("of dimension ", "k") == {DIMENSION: "k"}
    assert dimension_words("the value x", " is positive") == {}


# -- masses, means and sums as outside derivations write them ------------------------------


def test_a_poisson_log_ratio_at_an_outcome():
    head = (r"For $P = \mathrm{Poisson}(\lambda_1)$, $Q = \mathrm{Poisson}(\lambda_2)$, "
            r"$\lambda_1, \lambda_2 > 0$:" "\n\n")
    right = r"$\log\frac{P(k)}{Q(k)} = k\log\frac{\lambda_1}{\lambda_2} - \lambda_1 + \lambda_2$"
    wrong = r"$\log\frac{P(k)}{Q(k)} = k\log\frac{\lambda_1}{\lambda_2} + \lambda_1 - \lambda_2$"
    assert claims(head + right) == [(3, "ok")]
    assert claims(head + wrong) == [(3, "error")]


def test_the_mean_under_a_density_the_text_defines():
    text = (r"Let $p(x)=\lambda e^{-\lambda x}$ for $x\ge 0$, $\lambda>0$. Then "
            r"$\mathbb{E}_p[x] = 1/\lambda$ and $\mathbb{E}_{p}[x^2] = 1/\lambda^2$.")
    assert [s for _, s in claims(text)] == ["ok", "error"]  # E[x²] = 2/λ²


def test_the_entropy_of_a_coin_named_by_its_parameter():
    head = r"Let $P=\mathrm{Bern}(p)$ and $Q=\mathrm{Bern}(q)$ with $0<p,q<1$." "\n\n"
    right = r"$p\ln p + (1-p)\ln(1-p) - p\ln q = -H(p) - p\ln q$"
    wrong = r"$p\ln p + (1-p)\ln(1-p) - p\ln q = H(p) - p\ln q$"
    assert claims(head + right) == [(3, "ok")]
    assert claims(head + wrong) == [(3, "error")]


def test_sums_up_to_the_number_of_outcomes_are_over_any_distribution():
    right = r"$H(p,q) = -\sum_{k=1}^K p_k \log q_k$"
    wrong = r"$H(p,q) = -\sum_{k=1}^K p_k \log p_k$"
    assert [s for _, s in claims(right)] == ["ok"]
    assert [s for _, s in claims(wrong)] == ["error"]
    # K elsewhere in the relation is a number the text means, not the size of any support
    assert all(s != "error" for _, s in claims(r"$\sum_{k=1}^K \frac{1}{K} = 1$"))


def test_a_declared_variable_is_found_inside_a_fraction():
    text = (r"For $x \sim \mathcal{N}(\mu, \sigma^2)$ with $\sigma > 0$, "
            r"$\mathbb{E}\left[\left(\frac{x-\mu}{\sigma^2}\right)^2\right] = \frac{1}{\sigma^2}$"
            r" and $\mathbb{E}\left[\left(\frac{x-\mu}{\sigma}\right)^2\right] = \sigma^2$.")
    assert [s for _, s in claims(text)] == ["ok", "error"]


def test_sums_over_the_outcomes_of_named_discrete_families():
    head = r"Let $P=\mathrm{Bern}(p)$ and $Q=\mathrm{Bern}(q)$ with $0<p,q<1$." "\n\n"
    right = (r"$\sum_{x\in\{0,1\}} P(x)\ln\frac{P(x)}{Q(x)} = p\ln\frac{p}{q} + "
             r"(1-p)\ln\frac{1-p}{1-q}$")
    wrong = (r"$\sum_{x\in\{0,1\}} P(x)\ln\frac{P(x)}{Q(x)} = p\ln\frac{p}{q} + "
             r"(1-p)\ln\frac{1-q}{1-p}$")
    assert claims(head + right) == [(3, "ok")]
    assert claims(head + wrong) == [(3, "error")]
    pois = (r"For $P = \mathrm{Poisson}(\lambda)$, $\lambda > 0$: "
            r"$\sum_{k=0}^{\infty} k\,P(k) = \lambda$ and $\sum_{k=0}^{\infty} k^2 P(k) = "
            r"\lambda^2$.")
    assert [s for _, s in claims(pois)] == ["ok", "error"]  # E[k²] = λ² + λ
