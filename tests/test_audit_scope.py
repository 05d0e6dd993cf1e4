"""How far definitions and conditions reach, as a reader takes them (issues 14 and 15).

Hand-labelled cases; every expected verdict is worked by hand in the comment beside it:
* a definition inside a parenthetical example, an example/exercise block or an "e.g." clause
  ends with it;
* a relation after "when", "if", "provided", "for", … is a condition, and the case it states
  (σ_1 = σ_2 = σ) is the one the sentence's claim is judged in — to the end of the sentence;
* "$A$, which equals $B$" is the claim A = B;
* f′ and f″ of a function the text defined are evaluated (mpmath.diff).
"""
import textwrap

from klforge.audit import audit_text
from klforge.audit.conditions import is_condition, word_before
from klforge.audit.latex import parse_chain
from klforge.audit.scopes import regions, sentence_end


def findings(text, fmt="md"):
    return audit_text(textwrap.dedent(text).lstrip(), fmt).findings


def verdict(fs, relation):
    """The verdict (kind or severity) of the one finding whose relation starts so."""
    got = [f.kind or f.severity for f in fs if f.relation.startswith(relation)]
    assert len(got) == 1, (relation, [(f.relation, f.severity) for f in fs])
    return got[0]


def test_a_parenthetical_example_does_not_bind_the_page():
    # after the example, p and q are symbols again: "when p > q" is a condition (with p = 0.3,
    # q = 0.5 still bound it read 0.3 > 0.5), and p(1 − p) ≤ 1/4 holds for every p
    fs = findings(r"""
        For Bernoulli laws $p$ and $q$ (for instance, take $p = 0.3$ and $q = 0.5$:
        then $0.3\ln 0.6 + 0.7\ln 1.4 \approx 0.0823$) the divergence is not symmetric.

        It grows with $p$ when $p > q$. The variance obeys $p(1-p) \le \tfrac14$.
        """)
    assert verdict(fs, "0.3·ln(0.6) + 0.7·ln(1.4) ≈ 0.0823") == "ok"
    assert verdict(fs, "p > q") == "condition"
    ok = [f for f in fs if f.relation.startswith("p·(1 − p) ≤")]
    assert ok and ok[0].severity == "ok" and "random" not in ok[0].message or "points" in \
        ok[0].message


def test_an_exercise_block_keeps_its_data_through_its_solution_only():
    # the exercise's λ₁ = 2, λ₂ = 1 reach the solution (2 ln 2 − 1 = 0.3863), not the text after
    fs = findings(r"""
        :::{admonition} Exercise
        Take $\lambda_1 = 2$ and $\lambda_2 = 1$.
        :::

        :::{dropdown} Solution
        $D = \lambda_1\ln\frac{\lambda_1}{\lambda_2} - \lambda_1 + \lambda_2 = 0.3863$.
        :::

        In general $\lambda_1 \ln\frac{\lambda_1}{\lambda_2} - \lambda_1 + \lambda_2 \ge 0$.
        """)
    assert verdict(fs, "lambda_1·ln(lambda_1/lambda_2) − lambda_1 + lambda_2 = 0.3863") == "ok"
    general = [f for f in fs if f.relation.endswith("≥ 0")]
    # a general inequality: searched at random points (with λ bound it was one number)
    assert general and general[0].severity == "ok" and "points" in general[0].message


def test_a_wrong_value_in_an_example_is_still_an_error():
    # 0.3 ln 0.6 + 0.7 ln 1.4 = 0.08228…, not 0.0923
    fs = findings(r"""
        (For example, with $p = 0.3$: $0.3\ln 0.6 + 0.7\ln 1.4 = 0.0923$.)
        """)
    assert verdict(fs, "0.3·ln(0.6) + 0.7·ln(1.4) = 0.0923") == "error"


def test_when_a_chain_of_symbols_is_a_condition_and_the_claim_is_judged_under_it():
    # KL(N(μ₁,σ²)‖N(μ₂,σ²)) = (μ₁ − μ₂)²/(2σ²): true when σ₁ = σ₂ = σ; /σ² would be wrong
    text = r"""
        For $p = \mathcal N(\mu_1, \sigma_1^2)$ and $q = \mathcal N(\mu_2, \sigma_2^2)$
        with $\sigma_1, \sigma_2 > 0$: in particular, when $\sigma_1 = \sigma_2 = \sigma$,
        $$D_{\mathrm{KL}}(p\|q) = \frac{(\mu_1-\mu_2)^2}{%s}.$$
        """
    fs = findings(text % r"2\sigma^2")
    assert verdict(fs, "sigma_1 = sigma_2") == "condition"
    assert verdict(fs, "sigma_2 = sigma") == "condition"
    assert verdict(fs, "D_KL(p||q) =") == "ok"
    assert verdict(findings(text % r"\sigma^2"), "D_KL(p||q) =") == "error"
    # the distributions named after "for" stay definitions (they reach the whole page)
    assert verdict(fs, "p = N(") == "definition"


def test_a_condition_ends_with_its_sentence():
    # after the sentence, σ₁ and σ₂ are free again: the general formula is judged as such
    fs = findings(r"""
        For $p = \mathcal N(\mu_1, \sigma_1^2)$ and $q = \mathcal N(\mu_2, \sigma_2^2)$ with
        $\sigma_1, \sigma_2 > 0$. If $\sigma_1 = \sigma_2 = \sigma$ the divergence is
        $D_{\mathrm{KL}}(p\|q) = \frac{(\mu_1-\mu_2)^2}{2\sigma^2}$. In general,
        $D_{\mathrm{KL}}(p\|q) = \ln\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 +
        (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12$.
        """)
    claims = [f for f in fs if f.relation.startswith("D_KL(p||q) =")]
    assert [f.severity for f in claims] == ["ok", "ok"]
    assert "sigma_1" in claims[1].message  # sampled in σ₁ again: the condition ended


def test_inequalities_after_condition_words_are_conditions():
    fs = findings(r"""
        Provided $\tfrac12 q \le p \le 2q$, the bound is within a factor of two.
        The entropy is negative whenever $\sigma^2 < 0.05$.
        """)
    assert verdict(fs, "(1/2)·q ≤ p") == "condition"
    assert verdict(fs, "p ≤ 2·q") == "condition"
    assert verdict(fs, "sigma^2 < 0.05") == "condition"


def test_condition_words_and_clauses():
    assert word_before("In particular, when $x", 21, None, None) == "when"
    assert word_before("positive for all $x", 18, None, None) == "for all"
    assert word_before("Then $x", 6, None, None) is None
    # "and" continues the condition of the math just before
    assert word_before("when $a=b$ and $c", 16, 9, "when") == "when"
    assert is_condition("when", parse_chain(r"\sigma_1 = \sigma_2 = \sigma"))
    assert is_condition("when", parse_chain(r"\sigma = 1"))
    assert not is_condition("for", parse_chain(r"\sigma = 1"))  # "for σ = 1": data
    assert not is_condition("for", parse_chain(r"p = \mathcal N(0, 1)"))
    assert not is_condition("where", parse_chain(r"r = \sigma_1^2/\sigma_2^2"))
    assert is_condition("where", parse_chain(r"r > 0"))


def test_which_equals_is_a_claim():
    # ln 2 = 0.6931…; −0.3 ln 0.3 − 0.7 ln 0.7 = 0.6109, not 0.6209; ln(a/b) = ln a − ln b
    fs = findings(r"""
        The entropy is $\ln 2$, which is $0.693$ nats. The entropy
        $-0.3\ln 0.3 - 0.7\ln 0.7$, which equals $0.6209$, is smaller.
        Note that $\ln\frac{a}{b}$, which equals $\ln a + \ln b$, turns ratios into sums.
        """)
    assert verdict(fs, "ln(2) = 0.693") == "ok"
    assert verdict(fs, "−0.3·ln(0.3) − 0.7·ln(0.7) = 0.6209") == "error"
    assert verdict(fs, "ln(a/b) = ln(a) + ln(b)") == "error"


def test_which_is_followed_by_a_factor_or_a_case_is_not_a_claim():
    fs = findings(r"""
        The divergence is $\ln 2$, which is $2$ times the value at $q = 0.9$.
        """)
    assert not [f for f in fs if f.relation.startswith("ln(2) = 2")]


def test_derivatives_of_a_defined_function_are_evaluated():
    # f(t) = t ln t: f′ = ln t + 1, f″ = 1/t; g(t) = −ln t: g″ = 1/t², not −1/t²
    fs = findings(r"""
        Take $f(t) = t\ln t$; then $f'(t) = \ln t + 1$ and $f''(t) = 1/t$.
        With $g(t) = -\ln t$ we get $g''(t) = -1/t^2$.
        The log-likelihood $\ell(\theta) = x\ln\theta + (1-x)\ln(1-\theta)$ has
        $\ell'(\theta) = \frac{x}{\theta} - \frac{1-x}{1-\theta}$.
        """)
    assert verdict(fs, "f'(t) = ") == "ok"
    assert verdict(fs, "f''(t) = ") == "ok"
    assert verdict(fs, "g''(t) = ") == "error"
    assert verdict(fs, "ell'(theta) = ") == "ok"  # f'(x) is read as a name (session 10)


def test_scope_regions():
    text = "(for instance, take $p = 1$) and\n\n:::{admonition} Example\n$x=1$\n:::\n"
    segs = [type("S", (), {"offset": 21, "text": "p = 1"})(),
            type("S", (), {"offset": 58, "text": "x=1"})()]
    _, found = regions(text, segs)
    kinds = [k for _, _, k in found]
    assert kinds == ["parenthetical", "example"]
    assert found[0][:2] == (0, 32)  # the example reaches to the end of its sentence
    assert sentence_end("A is MM. B", 2) == 8


def test_a_quantity_stated_under_a_condition_is_a_claim():
    # with μ₁ = μ₂ and σ₁ = σ₂ the two normals coincide: KL = 0; with μ₁ = μ₂ alone it is
    # ln(σ₂/σ₁) + σ₁²/(2σ₂²) − ½, not 0 — an error: the claim is checked at random points of
    # the case (μ₁ = μ₂ substituted), where it fails (session 10; before, "an equation for the
    # free symbols", and before that a definition)
    text = r"""
        For $p = \mathcal N(\mu_1, \sigma_1^2)$ and $q = \mathcal N(\mu_2, \sigma_2^2)$ with
        $\sigma_1, \sigma_2 > 0$:

        Whenever $\mu_1 = \mu_2$ %s, $D_{\mathrm{KL}}(p\|q) = 0$.
        """
    assert verdict(findings(text % r"and $\sigma_1 = \sigma_2$"), "D_KL(p||q) = 0") == "ok"
    (alone,) = [f for f in findings(text % "") if f.relation == "D_KL(p||q) = 0"]
    assert alone.severity == "error" and "in the case its sentence states" in alone.message


def test_partial_derivatives_of_defined_formulas():
    # ℓ = (x − μ)²/(2σ²) + ln σ: ∂ℓ/∂μ = −(x − μ)/σ², ∂²ℓ/∂μ² = 1/σ²,
    # ∂ℓ/∂σ = −(x − μ)²/σ³ + 1/σ (the slip flips the first sign); F(a, b) = a²b: ∂_a F = 2ab
    fs = findings(r"""
        The loss is $\ell = \frac{(x-\mu)^2}{2\sigma^2} + \ln\sigma$.

        Then $\frac{\partial \ell}{\partial\mu} = -\frac{x-\mu}{\sigma^2}$ and
        $\frac{\partial^2 \ell}{\partial\mu^2} = \frac{1}{\sigma^2}$, while
        $\frac{\partial \ell}{\partial\sigma} = \frac{(x-\mu)^2}{\sigma^3} + \frac{1}{\sigma}$.

        With $F(a, b) = a^2 b$, $\partial_a F = 2ab$ and $\frac{\partial}{\partial b} F(a,b) = a^2$.
        """)
    assert verdict(fs, "\\frac{\\partial \\ell}{\\partial\\mu} =") == "ok"
    assert verdict(fs, "\\frac{\\partial^2 \\ell}{\\partial\\mu^2} =") == "ok"
    assert verdict(fs, "\\frac{\\partial \\ell}{\\partial\\sigma} =") == "error"
    assert verdict(fs, "\\partial_a F =") == "ok"
    assert verdict(fs, "\\frac{\\partial}{\\partial b} F(a,b) =") == "ok"


def test_which_also_equals():
    # max(z, 0) − yz + ln(1 + e^{−|z|}) = ln(1 + e^z) − yz, not + yz
    fs = findings(r"""
        A stable form is $\max(z,0) - yz + \log(1+e^{-|z|})$, which also equals
        $\log(1+e^{z}) + yz$.
        """)
    assert [f.severity for f in fs if f.check == "step"] == ["error"]


def test_a_named_formula_stands_for_its_definition_in_later_relations():
    # D(p‖q) of two Bernoulli laws (defined by its formula) ≥ 2(p − q)² (Pinsker): true for all
    # p, q in (0, 1); h(X) = ½ ln(2πeσ²) at σ = 1 is ½ ln(2πe) = 1.4189, not ½ ln(2π)
    text = r"""
        For Bernoulli laws, $D(p\|q) = p\ln\frac{p}{q} + (1-p)\ln\frac{1-p}{1-q}$.

        Pinsker's inequality reads $D(p\|q) \ge 2(p-q)^2$.

        A Gaussian has $h(X) = \tfrac12\ln(2\pi e\sigma^2)$.

        When $\sigma = 1$ the entropy is $h(X) = \tfrac12\ln(%s)$.
        """
    fs = findings(text % r"2\pi e")
    assert verdict(fs, "D(p||q) ≥") == "ok"
    assert verdict(fs, "h(X) = (1/2)·ln(2·π·e)") == "ok"
    assert verdict(findings(text % r"2\pi"), "h(X) = (1/2)·ln(2·π)") == "error"


def test_a_parenthetical_gloss_and_an_assumption_reach_on():
    # "ten tests ($m = 10$)" defines m for what follows, and "assuming α = .05" holds for the
    # argument after it: α/m = .05/10 = .005 is judged with both (it was an equation for m when
    # the parenthetical was scoped like an example)
    fs = findings(r"""
        Assuming $\alpha = .05$ overall, with ten tests ($m = 10$) the threshold of each is
        $\frac{\alpha}{m} = \frac{.05}{10} = .005$.

        With a fair coin (e.g. $n = 3$ flips) there are $2^n = 8$ outcomes.

        In general, $2^n \ge n + 1$.
        """)
    assert verdict(fs, "alpha = .05") == "condition"
    assert verdict(fs, "alpha/m = .05/10") == "ok"
    assert verdict(fs, "2^n = 8") == "ok"  # n = 3 reaches the end of its sentence
    general = [f for f in fs if f.relation.startswith("2^n ≥ n + 1")]
    assert general and general[0].severity == "ok" and "points" in general[0].message


def test_which_after_a_noun_of_a_symbol_is_not_about_the_symbol():
    # "the posterior of $H$, which is $P(H|D)$": "which" is the posterior, not H; with p bound
    # to 0.3, "the entropy of $p$, which is $0.88$ bits" must not read p = 0.88
    fs = findings(r"""
        Let $p = 0.3$. We want the posterior probability of $H$, which is $P(H|D)$.
        The entropy of $p$, which is $0.88$ bits, is below one bit.
        """)
    assert not [f for f in fs if f.relation in ("H = P(H|D)", "p = 0.88")]


def test_a_prose_remark_with_inline_math_ends_a_clause():
    from klforge.audit.clauses import clauses
    row = r"a b \leftarrow \text{not true in general; only if $a$, $b$ are independent}"
    assert [row[s:e] for s, e in clauses(row)] == ["a b"]
    # a \text{} that is not prose stays inside: a name with math in it is not a remark
    row = r"x = \text{$n$-th}"
    assert [row[s:e] for s, e in clauses(row)] == [row]
