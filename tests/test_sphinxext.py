"""The Sphinx extension on a small test root (sphinx.testing fixtures)."""
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("myst_parser")
from sphinx.testing.util import SphinxTestApp  # noqa: E402

ROOT = Path(__file__).parent / "roots" / "test-lesson"


@pytest.fixture
def make(tmp_path):
    apps = []

    def build(index_text=None, warningiserror=False):
        src = tmp_path / f"src{len(apps)}"
        shutil.copytree(ROOT, src)
        if index_text is not None:
            (src / "index.md").write_text(index_text)
        app = SphinxTestApp("html", srcdir=src, warningiserror=warningiserror)
        apps.append(app)
        app.build()
        return app, (Path(app.outdir) / "index.html").read_text()
    yield build
    for app in apps:
        app.cleanup()


def test_directive_role_and_clean_audit(make):
    app, html = make()
    assert "0.1487" in html and "0.533" in html  # {kl} values, from the engine
    assert "rm1mlog" in html or "operatorname{rm1mlog}" in html  # the stable form
    assert 'id="equation-eq-kl-normal"' in html
    assert app._warning.getvalue() == ""


def test_a_wrong_number_fails_the_strict_build(make):
    text = (ROOT / "index.md").read_text().replace("= 0.2514", "= 0.2541")
    app, _ = make(text)
    warnings = app._warning.getvalue()
    assert "index.md:12" in warnings and "audit:" in warnings and "0.2541" in warnings


def test_unknown_names_are_located_errors(make):
    text = "# T\n\n```{derivation} kl_nope\n```\n\nValue {kl}`k9.nope`.\n"
    app, _ = make(text)
    warnings = app._warning.getvalue()
    assert "index.md:3" in warnings and "no derivation named 'kl_nope'" in warnings
    assert "index.md:6" in warnings and "unknown value 'k9.nope'" in warnings


def test_format_value_rounds_half_even_from_50_digits():
    import mpmath

    from klforge.site import format_value
    with mpmath.workdps(50):
        assert format_value(mpmath.mpf("0.14870173205942262"), ".4f") == "0.1487"
        assert format_value(mpmath.mpf(1) / 8, ".2f") == "0.12"  # half-even, exact 0.125
        assert format_value(mpmath.mpf(2) / 3, ".3e") == "6.667e-1"


def test_kernel_reference_and_accuracy_come_from_the_manifest(make):
    import json

    manifest = json.loads((Path(__file__).parents[1] / "kernels" / "manifest.json").read_text())
    text = "# T\n\n```{kernel-reference} kl_bernoulli\n```\n\n```{kernel-accuracy}\n```\n"
    app, html = make(text)
    assert app._warning.getvalue() == ""
    row = manifest["kernels"]["kl_bernoulli/float64"]
    assert f"{row['max_ulp']:.3g}" in html and "kernels.kl_bernoulli(p," in html
    assert "Special values" in html


def test_reference_figure_and_report_directives_report_bad_input_at_their_line(make):
    text = ("# T\n\n```{kernel-reference} kl_nope\n```\n\n```{kernel-reference} fisher_normal\n"
            "```\n\n```{klforge-figure} no-such-figure\n```\n\n```{audit-report}\n```\n")
    app, html = make(text)
    warnings = app._warning.getvalue()
    assert "index.md:3" in warnings and "no derivation named 'kl_nope'" in warnings
    assert "index.md:6" in warnings and "fisher_normal has no kernel" in warnings
    assert "index.md:9" in warnings and "no figure named 'no-such-figure'" in warnings
    assert "numeric claims" in html  # the report rendered (this page has none)


def test_the_audit_report_counts_and_lists_unchecked_numeric_claims_apart(make):
    text = ("# T\n\nThe gradient is $dL/dp = -0.6/p + 0.4/(1-p)$ and the score has\n"
            "$\\nabla_\\theta\\int p_\\theta = 0$; for $p > 0$,\n"
            "$0.92 \\ln\\frac{0.92}{0.70} = 0.2514$.\n\n```{audit-report}\n```\n")
    app, html = make(text)
    assert app._warning.getvalue() == ""
    plain = re.sub(r"<[^>]+>", "", html)
    assert re.search(r"read 4 relations on 1 pages: 1 ok, 0 errors, 0 warnings, 2 unchecked "
                     r"\(1 of them numeric claims", plain), plain
    assert "1 conditions and 0 definitions" in plain
    numeric = plain[plain.index("Unchecked numeric claims"):plain.index("Every claim")]
    from klforge.audit import audit_text

    findings = audit_text(text, "md", "index.md").findings
    why = next(f.message for f in findings if "0.6/p" in f.relation)
    score = next(f.relation for f in findings if "theta" in f.relation)[:7]  # ∇_theta (printed)
    assert "0.6/p" in numeric and why[:40] in numeric and score not in numeric
    assert score in plain[plain.index("Every claim"):]


def test_what_counts_as_an_unchecked_numeric_claim():
    from klforge.site.auditpage import is_numeric

    def f(relation, stated, severity="unchecked", kind=None):
        return {"relation": relation, "stated": stated, "severity": severity, "kind": kind}

    assert is_numeric(f("tr(Sigma) = 2", "2"))
    assert is_numeric(f("ln(det(S)) = −ln(1 − 0.64)", "−ln(1 − 0.64)"))
    assert not is_numeric(f("Σ_S q = 1", "1"))  # a normalisation, not a number
    assert not is_numeric(f("E[T] = \\nabla A", "\\nabla A"))
    assert not is_numeric(f("x = 0.5", "0.5", kind="definition"))
    assert not is_numeric(f("0.9 = 0.9", "0.9", severity="ok"))


TYPED = r"\lambda_p\ln\frac{\lambda_p}{\lambda_q} - \lambda_p + \lambda_q"


def test_a_typed_formula_is_shown_and_the_derived_one_folded(make):
    text = f"# T\n\n```{{derivation}} kl_poisson\n:typeset: {TYPED}\n```\n"
    app, html = make(text)
    assert app._warning.getvalue() == ""
    assert r"\lambda_p\ln\frac{\lambda_p}{\lambda_q}" in html  # the author's form
    assert '<details class="klforge-derived">' in html  # SymPy's, folded


def test_a_wrong_matrix_form_fails_the_build_at_its_line(make):
    mvn = (r"\frac12\left[\operatorname{tr}(\Sigma_q^{-1}\Sigma_p) + (\mu_q-\mu_p)^\top"
           r"\Sigma_q^{-1}(\mu_q-\mu_p) - n + \ln\frac{\det\Sigma_q}{\det\Sigma_p}\right]")
    good = f"# T\n\nIntro.\n\n```{{derivation}} kl_mvn\n:typeset: {mvn}\n```\n"
    app, html = make(good)
    assert app._warning.getvalue() == "" and r"\operatorname{tr}" in html
    app, _ = make(good.replace("- n +", "- 2n +"))
    warnings = app._warning.getvalue()
    assert "index.md:5" in warnings and "derivation kl_mvn: :typeset:" in warnings, warnings
    assert "differs from the derivation at Lp_00" in warnings


def test_step_labels_are_typeset_math(make):
    text = "# T\n\n```{derivation} natgrad_poisson_usual\n:show: steps\n```\n"
    app, html = make(text)
    assert app._warning.getvalue() == ""
    assert "Natural-gradient direction <span class=\"math notranslate nohighlight\">" \
           r"\(F^{-1} g\)</span>:" in html, html[html.find("Natural-gradient"):][:300]


@pytest.mark.parametrize("typed,why", [
    (TYPED.replace(r"- \lambda_p", r"+ \lambda_p"), "differs from the derivation"),
    (TYPED.replace(r"\lambda_q", r"\lambda_r", 1), "which the derivation does not"),
    (TYPED + r" + \det", "cannot read the typed form"),
])
def test_a_wrong_typed_formula_fails_the_build_at_its_line(make, typed, why):
    text = f"# T\n\nIntro.\n\n```{{derivation}} kl_poisson\n:typeset: {typed}\n```\n"
    app, _ = make(text)
    warnings = app._warning.getvalue()
    assert "index.md:5" in warnings and "derivation kl_poisson: :typeset:" in warnings, warnings
    assert why in warnings
