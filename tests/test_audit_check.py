"""Verdicts of the auditor on small documents whose right answers are known by hand."""
import pytest

from klforge.audit import audit_text

K1 = r"""Let p = (0.92, 0.08) and q = (0.70, 0.30).

$$
D_{\mathrm{KL}}(p\|q) = 0.92 \ln\frac{0.92}{0.70} + 0.08 \ln\frac{0.08}{0.30}
$$
$$
= 0.92(0.2733) + 0.08(-1.3218)
$$
$$
= 0.2514 - 0.1057 = 0.1457 \text{ nats}
$$
"""


def verdicts(text, fmt="md"):
    """(line, verdict) of every finding; a definition's verdict is "definition" (issue 14: every
    relation gets one finding, ``x = 0.5`` and ``D = 0.92 ln …`` at a chain's head too)."""
    return [(f.line, f.kind or f.severity) for f in audit_text(text, fmt).findings]


def only(text, fmt="md"):
    """The one claim of ``text``: its definitions (``Let $x = 0.3$``) are set aside."""
    (f,) = [f for f in audit_text(text, fmt).findings if f.kind != "definition"]
    return f


def test_a_correct_chain_across_blocks_is_ok_with_lines():
    assert verdicts(K1) == [(4, "definition"), (7, "ok"), (10, "ok"), (10, "ok")]


def test_a_wrong_term_is_named():
    f = audit_text(K1.replace("0.92(0.2733)", "0.92(0.274)")).findings[1]
    assert f.severity == "error" and f.line == 7
    assert "ln(0.92/0.70) = 0.27329…, written 0.274" in f.message


def test_an_inherited_error_points_at_its_origin():
    text = "$$D = 0.92 \\ln\\frac{0.92}{0.70}$$\n$$= 0.92(0.274)$$\n$$= 0.2521$$\n"
    head, first, second = audit_text(text).findings
    assert head.kind == "definition" and head.relation.startswith("D = ")
    assert first.severity == second.severity == "error" and second.line == 3
    assert "inherits the error introduced at line 2" in second.message


def test_an_inherited_intermediate_step_is_a_warning_and_one_error_per_line():
    text = "$0.92 \\ln\\frac{0.92}{0.70} = 0.92(0.274) = 0.2521$"
    assert [f.severity for f in audit_text(text).findings] == ["error", "warning"]


def test_small_weight_mis_rounding_is_caught_term_by_term():
    f = only("$0.92 \\ln\\frac{0.92}{0.70} + 0.08 \\ln\\frac{0.08}{0.30}"
             " = 0.92(0.2733) + 0.08(-1.3219)$")
    assert f.severity == "error" and "written −1.3219" in f.message


def test_reordered_terms_are_not_an_error():
    f = only("$0.92 \\ln\\frac{0.92}{0.70} + 0.08 \\ln\\frac{0.08}{0.30}"
             " = 0.08(-1.3218) + 0.92(0.2733)$")
    assert f.severity == "ok"


@pytest.mark.parametrize("stated,severity", [
    ("0.6931", "ok"), ("0.693", "ok"), ("0.69", "ok"), ("0.7", "ok"),
    ("0.6932", "warning"), ("0.694", "warning"),       # a final digit off by one
    ("0.6933", "error"), ("0.695", "error"), ("0.5", "error"), ("-0.6931", "error"),
    ("0.69314\\ldots", "ok"), ("0.69315\\ldots", "warning"), ("0.69317\\ldots", "error"),
])
def test_rounding_aware_final_values(stated, severity):
    assert only(f"$\\ln 2 = {stated}$").severity == severity


def test_accumulated_rounding_is_a_warning_not_an_error():
    # 0.0839 − 0.0633 = 0.0206 exactly, but the exact chain value 0.020691… rounds to 0.0207
    text = ("$0.27 \\ln\\frac{0.27}{0.19} - 0.27\\ln\\frac{0.27}{0.2} = 0.0949 - 0.0810 "
            "= 0.0139$")
    fs = audit_text(text).findings
    assert all(f.severity in ("ok", "warning") for f in fs)


def test_data_and_rational_literals_are_exact():
    # 0.5 repeats \frac{1}{2} of the definition: exact, so a wrong final value is an error
    text = "$\\frac{1}{2} + \\ln 2 = 0.5 + 0.6931 = 1.1941$"
    assert [f.severity for f in audit_text(text).findings if f.check == "step"] == ["ok", "error"]


@pytest.mark.parametrize("tex,severity", [
    ("\\ln 2 < 0.7", "ok"), ("e^{-1} > 0.5", "error"), ("0.1 + 0.2 \\le 0.3", "ok"),
    ("0.1 + 0.2 < 0.3", "error"), ("\\ln 2 \\ge 0.69", "ok"),
    ("1.000 \\le 1", "ok"),
])
def test_inequalities(tex, severity):
    assert only(f"${tex}$").severity == severity


def test_undecidable_inequality_is_a_warning():
    # 0.3333 stands for [0.33325, 0.33335], which straddles 1/3
    text = "$\\frac{1}{3} = 0.3333 \\le \\frac{1}{3}$"
    assert [f.severity for f in audit_text(text).findings] == ["ok", "warning"]


def test_units():
    assert only("$\\log_2 8 = 3 \\text{ bits}$").severity == "ok"
    f = only("$\\ln 8 = 2.0794 \\text{ bits}$")
    assert f.severity == "error" and f.check == "unit" and "labelled bits" in f.message


def test_named_quantities_are_remembered():
    text = K1 + ("\nSo $D_{\\mathrm{KL}}(p\\|q) \\approx 0.15$, not "
                 "$D_{\\mathrm{KL}}(p\\|q) = 0.2$.\n")
    *_, ok, bad = audit_text(text).findings
    assert ok.severity == "ok" and bad.severity == "error" and bad.check == "name"
    assert "contradicts D_KL(p||q) = 0.1457 (line 10" in bad.message


def test_names_are_usable_in_later_expressions():
    text = K1 + "\n$$H(p,q) = D_{\\mathrm{KL}}(p\\|q) + 0.2788 = 0.4245$$\n"
    assert audit_text(text).findings[-1].severity == "ok"


def test_unchecked_is_listed_with_reason_never_passed():
    fs = audit_text("$x^2 = 4$ and $\\oint_0^1 x\\,dx = 0.5$ and $10^{10^{10}} = 1$").findings
    assert [f.severity for f in fs] == ["unchecked"] * 3
    assert " x" in fs[0].message and "\\oint" in fs[1].message
    assert "too large" in fs[2].message


def test_inline_continuation_without_display_is_unchecked():
    f = only("Then $= 0.5$.")
    assert f.severity == "unchecked" and "continues" in f.message


def test_markdown_extraction_skips_code_and_prices():
    text = ("It costs $5 and $10 today.\n\n```python\nx = '$1 = 2$'\n```\n\n"
            "Inline `$1 = 2$` code. But $1 + 1 = 2$.\n\n"
            "```{math}\n:label: eq1\n2 \\cdot 3 = 6\n```\n")
    fs = audit_text(text).findings
    assert [(f.line, f.severity) for f in fs] == [(7, "ok"), (11, "ok")]


def test_latex_align_rows_chain_and_comments():
    text = ("\\begin{align}\n  \\ln 4 &= 2 \\ln 2 \\label{a} \\\\\n  &= 1.3863 \\nonumber \\\\\n"
            "  &= 1.4 % 1.3863 rounded\n\\end{align}\n% $1 = 2$ in a comment\n"
            "\\begin{equation} e^{0} = 1 \\end{equation}\n")
    assert verdicts(text, "tex") == [(2, "ok"), (3, "ok"), (4, "ok"), (7, "ok")]


def test_brackets_and_parens_math():
    text = "\\[ 2 + 2 = 5 \\] and \\( 3 \\cdot 3 = 9 \\)"
    assert [f.severity for f in audit_text(text).findings] == ["error", "ok"]


def test_stackrel_question():
    assert only("$\\frac{1}{4} \\stackrel{?}{=} 0.25$").severity == "ok"
    assert only("$\\frac{1}{3} \\stackrel{?}{=} 0.25$").severity == "error"


def test_myst_math_role_is_math():
    f = only("As {math}`\\ln 4 = 1.3863` shows, and `$1 = 2$` is code.")
    assert f.severity == "ok" and f.relation == "ln(4) = 1.3863"


def test_a_condition_on_a_variable_is_unchecked_not_judged():
    # `p = 0` in a table of cases, then `p > 0`: a condition, not a false claim
    text = "| $p = 0$ | zero |\n| $p > 0$ | finite |\n\nwhen $q_i = 0 < p_i$ it is infinite\n"
    found = [(f.relation, f.severity, f.message) for f in audit_text(text).findings]
    assert [s for _, s, _ in found if s != "unchecked"] == []
    assert any("condition on a variable" in m for _, _, m in found)


def test_a_datum_name_is_rebound_by_a_later_example_but_a_computed_name_is_not():
    # a bare numeric binding is a definition finding (issue 14; this expected none before)
    rebound = "Take $x = 0.5$. Later, a new example: $x = 0.9$."
    assert [f.kind for f in audit_text(rebound).findings] == ["definition", "definition"]
    computed = "$y = 0.5 + 0.25 = 0.75$. Later: $y = 0.95$."
    assert verdicts(computed) == [(1, "definition"), (1, "ok"), (1, "error")]


def test_an_inequality_between_computed_names_is_still_judged():
    text = "$a = 0.5\\ln 2 = 0.3466$ and $b = 0.25\\ln 2 = 0.1733$, so $b \\ge a$."
    assert [f.severity for f in audit_text(text).findings][-1] == "error"


@pytest.mark.parametrize("fmt,text", [
    ("md", "# A\n\n$x = 0.5 + 0.25 = 0.75$\n\n## B\n\n$x = 0.1 + 0.2 = 0.3$\n"),
    ("tex", r"\section{A} $x = 0.5 + 0.25 = 0.75$ \section{B} $x = 0.1 + 0.2 = 0.3$"),
])
def test_names_are_scoped_to_their_section(fmt, text):
    assert [v for _, v in verdicts(text, fmt)] == ["definition", "ok", "definition", "ok"]


def test_a_hash_comment_in_a_code_fence_is_not_a_section():
    text = "$x = 0.5 + 0.25 = 0.75$\n\n```python\n# comment\n```\n\n$x = 0.1 + 0.2 = 0.3$\n"
    assert [v for _, v in verdicts(text)][:3] == ["definition", "ok", "error"]


def test_a_wrong_step_at_a_bound_value_is_an_error_naming_the_binding():
    # x = 0.3 binds x (a definition); x² + 1 = 1.09 by hand, so 1.9 is wrong at that point
    assert [v for _, v in verdicts("Let $x = 0.3$. Then $x^2 + 1 = 1.09$.")] \
        == ["definition", "ok"]
    f = only("Let $x = 0.3$. Then $x^2 + 1 = 1.9$.")
    assert f.severity == "error" and f.message.endswith("(at x = 0.3, line 1)")
    text = "Let $x = 0.3$.\n\n$$\nf = x^2 + 2x = 0.69\n$$\n\n$$\ng = x^2 + 2x = 0.79\n$$\n"
    assert verdicts(text) == [(1, "definition"), (4, "definition"), (4, "ok"),
                              (8, "definition"), (8, "error")]  # f, g named, then claimed


@pytest.mark.parametrize("value,severity", [("0.375", "ok"), ("0.25", "error")])
def test_a_formula_at_bound_values_is_a_claim_not_new_values(value, severity):
    # σ₁ = 1, σ₂ = 2: σ₁²/(2σ₂²) − ½ = 1/8 − 1/2 = −0.375 by hand, so ln 2 − 0.25 is wrong —
    # not "new values substituted": the right side is not the formula with numbers for σ
    text = (r"Let $\sigma_1 = 1$ and $\sigma_2 = 2$. $$D = \ln\frac{\sigma_2}{\sigma_1} + "
            r"\frac{\sigma_1^2}{2\sigma_2^2} - \frac12 = \ln 2 - " + value + "$$")
    (f,) = [f for f in audit_text(text).findings if f.relation.startswith("ln(sigma_2")]
    assert f.severity == severity
    if severity == "error":
        assert "written ln(2) − 0.25 (at sigma_2 = 2, sigma_1 = 1, line 1)" in f.message


def test_new_numbers_in_place_of_bound_symbols_are_a_new_example():
    text = (r"Let $\alpha = 0.05$ and $m = 10$. With more tests, "
            r"$\frac{\alpha}{m} = \frac{0.05}{20}$.")
    f = only(text)
    assert f.severity == "unchecked" and f.message == "new values substituted for alpha, m"


@pytest.mark.parametrize("value,severity", [("7", "ok"), ("6", "error")])
def test_a_value_of_a_formula_at_bound_symbols_is_checked_against_the_formula(value, severity):
    # y = 3x + 1 defined before x is given a value; at x = 2 it is 7 by hand
    findings = audit_text(f"Let $y = 3x + 1$. At $x = 2$, $y = {value}$.").findings
    assert [f.kind for f in findings][0] == "definition"
    assert [f.kind for f in findings][1] == "definition"  # x = 2
    (f,) = findings[2:]
    assert f.severity == severity and "at x = 2, line 1" in f.message
    if severity == "error":
        assert f.message == "y = 3·x + 1 is 7.0 at x = 2, line 1, written 6"
    # with x left free the number binds y, as before: no claim to check, two definitions
    assert [f.kind for f in audit_text(f"Let $y = 3x + 1$. Then $y = {value}$.").findings] \
        == ["definition", "definition"]


def test_an_identity_at_a_bound_symbol_names_the_binding_with_its_counterexample():
    # μ = 2: (x − μ)² = x² − 4x + 4 by hand, so x² − 4x + 2 is wrong at every x
    text = "$$\n\\mu = 2\n$$\n\n$$\n(x - \\mu)^2 = x^2 - 2\\mu x + \\mu^2 = x^2 - 4x + %s\n$$\n"
    assert [v for _, v in verdicts(text % "4")] == ["definition", "ok", "ok"]
    mu, ok, wrong = audit_text(text % "2").findings
    assert mu.kind == "definition" and mu.relation == "mu = 2"
    assert ok.severity == "ok" and wrong.severity == "error"
    assert wrong.message.startswith("does not hold: at x = ") and \
        "(with mu = 2, line 2) the left side is" in wrong.message
