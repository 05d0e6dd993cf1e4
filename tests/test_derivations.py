"""Derivations agree with independent references (mpmath quadrature / textbook formulas)."""
import mpmath
import pytest
import sympy as sp
from klforge.derive import get, names


def _num(expr, subs):
    return mpmath.mpf(sp.N(expr.subs(subs), 50))


def test_kl_normal_matches_quadrature():
    d = get("kl_normal")
    mu_p, s_p, mu_q, s_q = d.symbols
    vals = {mu_p: sp.Rational(3, 10), s_p: sp.Rational(7, 5), mu_q: -1, s_q: sp.Rational(1, 2)}
    pdf = lambda x, m, s: mpmath.npdf(x, m, s)
    a, b, c = mpmath.mpf(3) / 10, mpmath.mpf(7) / 5, mpmath.mpf(1) / 2
    ref = mpmath.quad(
        lambda x: pdf(x, a, b) * (mpmath.log(pdf(x, a, b)) - mpmath.log(pdf(x, -1, c))),
        [-mpmath.inf, mpmath.inf])
    assert abs(_num(d.closed_form, vals) - ref) < mpmath.mpf(10) ** -30


def test_stable_forms_round_trip_at_random_points():
    for n in ("kl_normal", "kl_exponential", "kl_gamma", "kl_bernoulli", "kl_poisson",
              "kl_normal_std"):
        d = get(n)
        assert any(c.name == "stable form = closed form" for c in d.checks), n


@pytest.mark.parametrize("name", ["kl_normal", "kl_poisson", "kl_exponential", "kl_gamma",
                                  "kl_beta", "kl_bernoulli"])
def test_bregman_checked_against_definition(name):
    assert any("Bregman" in c.name for c in get(name).checks)


def test_fisher_normal_is_diag():
    f = get("fisher_normal").closed_form
    mu, s = get("fisher_normal").symbols
    assert sp.simplify(f - sp.diag(1 / s**2, 2 / s**2)) == sp.zeros(2)


def test_vae_gap_identity_checked():
    assert any("KL(q ‖ p(z|x))" in c.name for c in get("elbo_normal").checks)


def test_policy_value_checked():
    d = get("kl_regularized_policy")
    assert any("value" in c.name for c in d.checks)


def test_every_kernel_derivation_has_a_stable_form():
    for n in names():
        d = get(n)
        if d.kernel:
            assert d.stable_form is not None, n
