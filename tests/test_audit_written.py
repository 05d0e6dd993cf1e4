"""Derivations as authors write them (issue 14, "measured on derivations not in the
repository"): habits of hand-written LaTeX that used to raise false alarms or leave a step
unread.  Each case pairs a correct step (a hand identity, stated in the comment) with the same
step carrying a planted slip; the correct one must hold, the slip must be an error."""
import re
import textwrap

import pytest

from klforge.audit import audit_paths, parse_chain


def verdicts(tmp_path, text, name="doc.md"):
    """{line: [severities]} of ``klforge audit`` on one document."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    out: dict = {}
    for f in audit_paths([path]).findings:
        out.setdefault(f.line, []).append(f.severity)
    return out


def _no_pos(items):
    """The parse without token offsets (braces added by the reader shift them)."""
    return re.sub(r"pos=\d+", "", repr(items))


@pytest.mark.parametrize("unbraced, braced", [
    (r"p = \mathcal N(\mu_p,\Sigma_p)", r"p = \mathcal{N}(\mu_p,\Sigma_p)"),
    (r"\mathbb E[x^2]", r"\mathbb{E}[x^2]"),
    (r"\boldsymbol\mu_0 + 1", r"\boldsymbol{\mu}_0 + 1"),
])
def test_a_font_command_without_braces_reads_as_with_them(unbraced, braced):
    assert _no_pos(parse_chain(unbraced)) == _no_pos(parse_chain(braced))


def test_a_thin_space_before_a_parenthesis_makes_a_product():
    (node,) = parse_chain(r"\tau\,(x-m)^2")
    assert type(node).__name__ == "Mul"            # τ·(x − m)², not a function τ(x − m)
    (node,) = parse_chain(r"\lambda_1\;(x-\mu_1)")
    assert type(node).__name__ == "Mul"
    (call,) = parse_chain(r"p\,(x)")               # p stays a density: p(x)
    assert type(call).__name__ == "Name" and call.name == "p(x)"


def test_completing_the_square_with_a_thin_space(tmp_path):
    # hand identity: (x−a)²/s² + (x−b)²/t² = τ(x−m)² + (a−b)²/(s²+t²),
    # τ = s⁻² + t⁻², m = (a/s² + b/t²)/τ
    got = verdicts(tmp_path, r"""
        For $s,t>0$ let $\tau = s^{-2} + t^{-2}$ and $m = (a/s^2 + b/t^2)/\tau$.

        $$\frac{(x-a)^2}{s^2} + \frac{(x-b)^2}{t^2} = \tau\,(x-m)^2 + \frac{(a-b)^2}{s^2+t^2}$$

        $$\frac{(x-a)^2}{s^2} + \frac{(x-b)^2}{t^2} = \tau\,(x-m)^2 + \frac{(a-b)^2}{s^2 t^2}$$
        """)
    assert "ok" in got[3] and "error" not in got[3]
    assert "error" in got[5]


def test_big_brackets_in_an_aligned_elbo_chain(tmp_path):
    # ln p(x,z) = ln p(x|z) + ln p(z); the second row's left side is carried from the first
    # row, whose text (not the second row's) holds its bracket
    got = verdicts(tmp_path, r"""
        $$
        \begin{aligned}
        \mathrm{ELBO} &= \mathbb{E}_{q}\big[\ln p(x, z) - \ln q(z\mid x)\big] \\
        &= \mathbb{E}_{q}\big[\ln p(x|z)\big] + \mathbb{E}_{q}\big[\ln p(z) - \ln q(z|x)\big] \\
        &= \mathbb{E}_{q}\big[\ln p(x\mid z)\big] + D_{\mathrm{KL}}\big(q(z\mid x)\,\|\,p(z)\big)
        \end{aligned}
        $$
        """)
    assert got[4] == ["ok"]
    assert got[5] == ["error"]                      # the sign of the KL term


def test_a_density_written_with_its_variable_before_a_semicolon(tmp_path):
    # E_p[(x−μ₂)²] = σ₁² + (μ₁−μ₂)² under p = N(x; μ₁, σ₁²)
    got = verdicts(tmp_path, r"""
        Let $p(x) = \mathcal{N}(x;\mu_1,\sigma_1^2)$ with $\sigma_1>0$.

        $$\mathbb{E}_p\left[(x-\mu_2)^2\right] = \sigma_1^2 + (\mu_1-\mu_2)^2$$

        $$\mathbb{E}_p\left[(x-\mu_2)^2\right] = \sigma_1^2 + (\mu_1+\mu_2)^2$$
        """)
    assert got[3] == ["ok"] and got[5] == ["error"]


def test_the_variable_of_an_expectation_over_a_named_pmf(tmp_path):
    # E[k] = λ for k ~ Poisson(λ); the variable is the body's one free letter
    got = verdicts(tmp_path, r"""
        Let $P = \mathrm{Poisson}(\lambda_1)$ with $\lambda_1>0$.

        Then $\mathbb{E}_P[k]=\lambda_1$.

        Then $\mathbb{E}_P[k^2]=\lambda_1$.
        """)
    assert got[3] == ["ok"] and got[5] == ["error"]     # E[k²] = λ + λ²


def test_angle_brackets_are_an_expectation(tmp_path):
    # ⟨x²⟩ = μ² + σ², ⟨x³⟩ = μ³ + 3μσ² under N(μ, σ²)
    got = verdicts(tmp_path, r"""
        Let $p = \mathcal{N}(\mu,\sigma^2)$ with $\sigma>0$.

        $$\left\langle x^2 \right\rangle_p = \mu^2 + \sigma^2$$

        $$\langle x^3\rangle_p = \mu^3 + 3\mu\sigma$$
        """)
    assert got[3] == ["ok"] and got[5] == ["error"]


@pytest.mark.parametrize("denominator, verdict", [("2t^2", "ok"), ("t^2", "error")])
def test_a_row_carried_down_an_aligned_chain_keeps_its_expectation(tmp_path, denominator,
                                                                    verdict):
    # E_p[(x−b)²/(2t²) − (x−a)²/(2s²)] = (s² + (a−b)²)/(2t²) − ½ under p = N(a, s²); the second
    # row's left side is the first row's right side, read from the first row's text
    got = verdicts(tmp_path, r"""
        For $p=\mathcal{N}(a,s^2)$ with $s,t>0$,
        $$
        \begin{aligned}
        D &=\ln t - \ln s + \mathbb{E}_p\left[\frac{(x-b)^2}{2t^2} - \frac{(x-a)^2}{2s^2}\right] \\
        &= \ln t - \ln s + \frac{s^2 + (a-b)^2}{DEN} - \frac{1}{2}
        \end{aligned}
        $$
        """.replace("DEN", denominator))
    assert got[5] == [verdict]


def test_a_power_binds_tighter_than_a_call_read_as_a_product(tmp_path):
    # hand: a(x−b)² = a x² − 2abx + ab²; (a(x−b))² would be a²(x−b)²
    got = verdicts(tmp_path, r"""
        $$a(x-b)^2 = a x^2 - 2abx + ab^2$$

        $$a(x-b)^2 = a^2 x^2 - 2a^2 bx + a^2 b^2$$
        """)
    assert got[1] == ["ok"] and got[3] == ["error"]


def test_a_definition_for_a_letter_index_applies_to_numbered_symbols(tmp_path):
    # w_i = 1/s_i²: w₁(x−a)² + w₂(x−b)² = (w₁+w₂)(x−m)² + w₁w₂/(w₁+w₂)·(a−b)² with
    # m = (w₁a + w₂b)/(w₁+w₂) written through the s's (completing the square by hand)
    got = verdicts(tmp_path, r"""
        Let $m = (a/s_1^2 + b/s_2^2)/(s_1^{-2} + s_2^{-2})$, $s_1, s_2 > 0$.

        With the precisions $w_i = 1/s_i^2$:

        $$w_1(x-a)^2 + w_2(x-b)^2 = (w_1+w_2)(x-m)^2 + \frac{w_1 w_2}{w_1+w_2}(a-b)^2$$

        $$w_1(x-a)^2 + w_2(x-b)^2 = (w_1+w_2)(x-m)^2 + \frac{w_1}{w_1+w_2}(a-b)^2$$
        """)
    assert got[5] == ["ok"] and got[7] == ["error"]


def test_an_expectation_over_a_variable_the_text_declared(tmp_path):
    # x ~ N(μ, s²): E[x²] = μ² + s², E[(x−μ)⁴] = 3s⁴, E[x³] = μ³ + 3μs², and the Fisher
    # information of s, E[(−1/s + (x−μ)²/s³)²] = 2/s² (hand values)
    got = verdicts(tmp_path, r"""
        For $x \sim \mathcal{N}(\mu, s^2)$, $s > 0$: $\mathbb{E}[x^2] = \mu^2 + s^2$.

        Also $\mathbb{E}[(x-\mu)^4] = 3s^4$ and $\mathbb{E}[x^3] = \mu^3 + 3\mu s$.

        $$\mathbb{E}\left[\big(-\frac{1}{s} + \frac{(x-\mu)^2}{s^3}\big)^2\right] = \frac{2}{s^2}$$

        $$\mathbb{E}\left[\big(-\frac{1}{s} + \frac{(x-\mu)^2}{s^3}\big)^2\right] = \frac{1}{s^2}$$
        """)
    assert "ok" in got[1] and "error" not in got[1]
    assert got[3] == ["ok", "error"]
    assert "ok" in got[5] and "error" not in got[5]
    assert "error" in got[7]


def test_declared_variables_are_read_from_the_text():
    from klforge.audit.freesymbols import declared

    assert declared(r"X \sim \mathcal{N}(\mu, \sigma^2)") == {"X": "N(mu,sigma^2)"}
    assert declared(r"k\sim\mathrm{Poisson}(\lambda)") == {"k": "Poisson(lambda)"}
    # x ~ p names no family: only which variable p's expectations run over (session 10)
    assert declared(r"x \sim p") == {"\0sim:p": "x"} and declared(r"\epsilon \sim N(0,1)") == {}


def test_the_largest_of_listed_values(tmp_path):
    # log(e^a + e^b) = max(a, b) + log(1 + e^{−|a−b|}); max(a, b) ≤ log(e^a + e^b) ≤ max + log 2
    got = verdicts(tmp_path, r"""
        $\log\left(e^{a} + e^{b}\right) = \max(a,b) + \log\left(1 + e^{-|a-b|}\right)$

        $\log\left(e^{a} + e^{b}\right) = \min(a,b) + \log\left(1 + e^{-|a-b|}\right)$

        $\max(a,b) \le \log(e^a+e^b) \le \max(a,b) + \log 2$

        $\log(e^a+e^b) \le \max(a,b)$
        """)
    assert got[1] == ["ok"] and got[3] == ["error"]
    assert got[5] == ["ok", "ok"] and got[7] == ["error"]
    assert parse_chain(r"\max_i x_i")[0].reason.startswith("a maximum over a set")


def test_the_variable_before_the_semicolon_is_the_expectations(tmp_path):
    # g = N(u; c₁, v²): E_g[(u − c₂)²] = v² + (c₁ − c₂)² — u, not x, is the variable
    got = verdicts(tmp_path, r"""
        Let $g(u) = \mathcal{N}(u; c_1, v^2)$ with $v > 0$.

        $$\mathbb{E}_g\left[(u-c_2)^2\right] = v^2 + (c_1-c_2)^2$$

        $$\mathbb{E}_g\left[(u-c_2)^2\right] = v^2 + (c_1+c_2)^2$$
        """)
    assert got[3] == ["ok"] and got[5] == ["error"]


def test_an_upright_acronym_is_a_name_not_prose(tmp_path):
    # ln p(x) = ELBO + D_KL(q(z|x) ‖ p(z|x)) (the evidence decomposition); with the KL's
    # arguments swapped it is wrong; a bare "KL" names no distributions and is not judged
    got = verdicts(tmp_path, r"""
        $$\ln p(x) = \mathrm{ELBO} + D_{\mathrm{KL}}\big(q(z\mid x)\,\|\,p(z\mid x)\big).$$

        $$\ln p(x) = \mathrm{ELBO} + D_{\mathrm{KL}}\big(p(z\mid x)\,\|\,q(z\mid x)\big).$$

        $$\ln p(x) = \mathrm{ELBO} + \mathrm{KL}$$
        """)
    assert got[1] == ["ok"] and got[3] == ["error"] and "error" not in got.get(5, [])


def test_a_parenthesised_annotation_ends_a_row_without_becoming_a_side(tmp_path):
    # Σ p ln(q/p) ≤ ln Σ p·(q/p) (Jensen) = ln Σ q = 0: the next row continues from the
    # right side before "(by Jensen)", not from the annotation
    got = verdicts(tmp_path, r"""
        \begin{align}
        -D_{\mathrm{KL}}(p\|q) &= \sum_x p(x)\log\frac{q(x)}{p(x)} \nonumber \\
        &\le \log\sum_x p(x)\frac{q(x)}{p(x)} \quad\text{(by Jensen)} \nonumber \\
        &= \log\sum_x 2q(x)
        \end{align}
        """, name="doc.tex")
    assert got[2] == ["ok"] and got[3] == ["ok"] and got[4] == ["error"]


def test_the_elbo_in_the_notation_of_variational_autoencoders(tmp_path):
    # E_q[ln p(x,z)] = E_q[ln p(x|z)] + E_q[ln p(z)] with p_θ, q_φ(z|x) as Kingma and Welling
    # write them; the sign slip must be caught
    e = r"\mathbb{E}_{q_\phi(z|x)}"
    right = rf"{e}[\log p_\theta(x|z)] + {e}[\log p_\theta(z)]"
    got = verdicts(tmp_path, "\n\n".join([
        rf"$${e}[\log p_\theta(x,z)] = {right}$$",
        rf"$${e}[\log p_\theta(x,z)] = {right.replace('+', '-')}$$"]) + "\n")
    assert got[1] == ["ok"] and got[3] == ["error"]
