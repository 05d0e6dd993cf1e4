"""klforge.site.typeset: an author's LaTeX is read into SymPy and checked equal to the
derivation at 50 digits; references are the engine's closed forms and hand-typed textbook
formulas (Cover & Thomas, Bishop), never the code under test."""
import pytest
import sympy as sp

from klforge.site.typeset import TypesetError, check, parse

TEXTBOOK = {
    "kl_normal": r"\ln\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}"
                 r"{2\sigma_q^2} - \frac12",
    "kl_exponential": r"\ln\frac{\lambda_p}{\lambda_q} + \frac{\lambda_q}{\lambda_p} - 1",
    "kl_bernoulli": r"p\ln\frac{p}{q} + (1 - p)\ln\frac{1 - p}{1 - q}",
    "kl_gamma": r"(\alpha_p - \alpha_q)\psi(\alpha_p) - \ln\Gamma(\alpha_p) + \ln\Gamma(\alpha_q)"
                r" + \alpha_q\ln\frac{\lambda_p}{\lambda_q} + \alpha_p\frac{\lambda_q - \lambda_p}"
                r"{\lambda_p}",
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_forms_equal_the_derivations(name):
    assert check(name, TEXTBOOK[name]) is None


@pytest.mark.parametrize("slip", [
    (r"- \frac12", r"- 1"),                 # a wrong constant
    (r"{2\sigma_q^2}", r"{\sigma_q^2}"),    # a dropped factor
    (r"\frac{\sigma_q}{\sigma_p}", r"\frac{\sigma_p}{\sigma_q}"),  # swapped arguments
    (r"(\mu_p - \mu_q)^2", r"(\mu_p - \mu_q)^3"),  # a wrong power
])
def test_a_slip_in_the_typed_gaussian_is_found_with_the_point(slip):
    old, new = slip
    typed = TEXTBOOK["kl_normal"].replace(old, new)
    assert typed != TEXTBOOK["kl_normal"]
    why = check("kl_normal", typed)
    assert why and "differs from the derivation at" in why and "typed" in why


def test_the_grammar():
    x, y, s = sp.symbols("x y sigma_p")
    assert parse(r"\frac12 x") == x / 2
    assert parse(r"x^12") == 2 * x  # one character without braces, as in TeX
    assert parse(r"\tfrac{x}{y} + \left(x - y\right)^{2}") == x / y + (x - y) ** 2
    assert parse(r"\ln\sigma_{p}^2 \cdot 3") == 3 * sp.log(s ** 2)
    assert parse(r"\psi(x) - \ln\Gamma(y)") == sp.digamma(x) - sp.log(sp.gamma(y))
    for bad in (r"\int x", r"\sum_{ij} x", r"(x", r"x + \det"):
        with pytest.raises(TypesetError):
            parse(bad)


def test_a_symbol_is_matched_through_its_print():
    # the engine's kl_normal_std is in the log-variance ℓ, printed ln σ²; elbo_normal's
    # noise variance is printed s²: typed σ² and s² mean them
    vae = r"\frac12\left(\mu^2 + \sigma^2 - 1 - \ln\sigma^2\right)"
    assert check("kl_normal_std", vae) is None
    assert "differs" in check("kl_normal_std", vae.replace(r"- \ln", r"+ \ln"))
    evidence = r"-\frac12\ln\left(2\pi(1 + s^2)\right) - \frac{x^2}{2(1 + s^2)}"
    assert check("log_evidence_normal", evidence) is None
    assert "differs" in check("log_evidence_normal", evidence.replace("x^2", "x"))


def test_a_typed_sum_runs_over_the_derivations_indices():
    assert check("kl_categorical", r"\sum_{i} p_i\ln\frac{p_i}{q_i}") is None
    assert check("entropy_categorical", r"-\sum_i p_i\ln p_i") is None
    swapped = check("kl_categorical", r"\sum_{i} q_i\ln\frac{q_i}{p_i}")
    assert swapped and "differs from the derivation" in swapped
    assert "which the derivation does not" in check("entropy_categorical", r"-\sum_i p_i\ln q_i")


# Murphy PML (2022) eq. 5.77 / Bishop PRML ex. 2.13 — hand-typed, with Σ = LLᵀ
MVN = (r"\frac12\left[\operatorname{tr}(\Sigma_q^{-1}\Sigma_p) + (\mu_q - \mu_p)^\top"
       r"\Sigma_q^{-1}(\mu_q - \mu_p) - n + \ln\frac{\det\Sigma_q}{\det\Sigma_p}\right]")
# the Dirichlet's KL and entropy (Penny 2001; Bishop PRML B.17–B.18), α_0 = Σ_j α_j written out
DIRICHLET = (r"\ln\Gamma\Big(\sum_i\alpha_{p,i}\Big) - \ln\Gamma\Big(\sum_i\alpha_{q,i}\Big)"
             r" + \sum_i\ln\frac{\Gamma(\alpha_{q,i})}{\Gamma(\alpha_{p,i})}"
             r" + \sum_i(\alpha_{p,i} - \alpha_{q,i})\Big[\psi(\alpha_{p,i})"
             r" - \psi\Big(\sum_j\alpha_{p,j}\Big)\Big]")
DIRICHLET_H = (r"\sum_i\ln\Gamma(\alpha_{p,i}) - \ln\Gamma\Big(\sum_i\alpha_{p,i}\Big)"
               r" + \sum_i(\alpha_{p,i} - 1)\Big[\psi\Big(\sum_j\alpha_{p,j}\Big)"
               r" - \psi(\alpha_{p,i})\Big]")


def test_the_matrix_form_of_the_mvn_kl_equals_the_entrywise_derivation():
    assert check("kl_mvn", MVN) is None


@pytest.mark.parametrize("old,new", [
    ("- n", "- 2n"),                                                   # dimension term
    (r"\Sigma_q^{-1}\Sigma_p)", r"\Sigma_p^{-1}\Sigma_q)"),            # trace the wrong way
    (r"\det\Sigma_q}{\det\Sigma_p}", r"\det\Sigma_p}{\det\Sigma_q}"),  # log-det ratio flipped
    (r"(\mu_q - \mu_p)^\top\Sigma_q^{-1}", r"(\mu_q - \mu_p)^\top\Sigma_p^{-1}"),  # wrong metric
])
def test_a_slip_in_the_mvn_form_is_found(old, new):
    typed = MVN.replace(old, new)
    assert typed != MVN
    assert "differs from the derivation" in check("kl_mvn", typed)


def test_mismatched_shapes_and_matrix_results_are_named():
    dropped = check("kl_mvn", MVN.replace(r"(\mu_q - \mu_p)^\top", r"(\mu_q - \mu_p)"))
    assert "shapes do not agree" in dropped
    assert "matrix, not a number" in check("kl_mvn", r"\Sigma_p")
    assert "not a square matrix" in check("kl_mvn", r"\det\mu_p")
    assert "transpose of a number" in check("kl_poisson", r"\lambda_p^\top")


def test_the_dirichlet_forms_with_sums_over_components():
    assert check("kl_dirichlet", DIRICHLET) is None
    assert check("entropy_dirichlet", DIRICHLET_H) is None
    assert "differs" in check("kl_dirichlet", DIRICHLET.replace(r"\psi(\alpha_{p,i})",
                                                                r"\psi(\alpha_{q,i})"))
    assert "differs" in check("entropy_dirichlet", DIRICHLET_H.replace("- 1)", "- 2)"))
    assert "no indexed symbol" in check("kl_dirichlet", DIRICHLET + r" + \sum_i x")


def test_the_site_and_audit_readers_agree_on_the_lessons_scalar_forms():
    """Two independent readers of the same LaTeX: this grammar (into SymPy) and the audit's
    (klforge.audit.latex, valued by mpmath through klforge.audit.expect) give the same value at
    random points, 40 digits, on every scalar :typeset: form of the lesson (sums over the
    derivation's indices and matrix forms are this grammar's alone; see typeset_grammar)."""
    import random
    import re
    from pathlib import Path
    from types import SimpleNamespace

    import mpmath

    from klforge.audit import expect, parse_chain

    root = Path(__file__).resolve().parents[1] / "content"
    forms = sorted({m.group(1).strip() for p in root.glob("*.md")
                    for m in re.finditer(r"^:typeset:(.*)$", p.read_text(), re.M)})
    scalar = [t for t in forms if not re.search(r"\\sum|\\det|\\operatorname|\^\\top", t)]
    assert len(scalar) >= 8, scalar
    rng = random.Random(7)
    for tex in scalar:
        typed = parse(tex)
        (node,) = parse_chain(tex)
        ctx = expect.Context(SimpleNamespace(names={}, vectors={}),
                             SimpleNamespace(defs={}, domains={}))
        syms = sorted(typed.free_symbols, key=str)
        f = sp.lambdify(syms, typed, "mpmath")
        with mpmath.workdps(60):
            for _ in range(3):
                pt = {str(s): mpmath.mpf(rng.uniform(0.2, 0.9)) for s in syms}
                a, b = f(*(pt[str(s)] for s in syms)), ctx.value(node, pt)
                assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(a)), (tex, a, b)
