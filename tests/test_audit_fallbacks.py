"""Readings tried when a relation fails at random points (klforge/audit/fallbacks.py): μ left
free is the mean, f in a sum over outcomes is the pmf.  References are worked out by hand in the
comments; each reading must still report a slip."""

from klforge.audit import audit_text


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_mu_left_free_is_the_mean():
    # E[(X-μ)²] = Var(X) and Var(X) = E[X²] − μ² hold exactly when μ = E[X]; with μ given
    # no value in the text that is what it means (were errors at a random μ)
    text = ("Once the mean is estimated (call it $\\mu$), the variance follows:\n\n"
            "$$E[(X-\\mu)^2] = Var(X)$$\n\n"
            "and the shortcut is $Var(X) = E(X^2) - \\mu^2$.\n")
    found = [(f.line, f.severity) for f in audit_text(text, "md").findings
             if "Var" in f.relation]
    assert found == [(3, "ok"), (5, "ok")]


def test_mu_as_mean_still_catches_a_slip():
    # with μ = E[X]: E[X²] − μ is not E[(X−μ)²] (E[X²] − μ² is), Var(X) ≠ E[X²] + μ²
    text = "We have $E[(X-\\mu)^2] = E[X^2] - \\mu$ and $Var(X) = E(X^2) + \\mu^2$.\n"
    assert len(_errors(text)) == 2


def test_f_in_a_sum_over_outcomes_is_the_pmf():
    # E(cX) = Σ_x c x f(x) = c Σ_x x f(x) = c E(X) with f the pmf of X: every link holds
    # (the first and last were errors with f a random vector unrelated to X)
    text = ("If $c$ is a constant and $X$ has pmf $f(x)$, then\n"
            "$$ E(cX) = \\sum_x cx \\cdot f(x) = c \\sum_x x \\cdot f(x) = c\\cdot E(X) $$\n")
    assert _errors(text) == []
    # Var X = Σ_x (x − EX)² f(x) = E(X²) + (EX)²: the last link is wrong with f the pmf too
    slip = "$$\\text{Var}X = \\sum_x (x - \\text{E}X)^2 f(x) = \\text{E}(X^2) + (\\text{E}X)^2.$$\n"
    assert len(_errors(slip)) == 1


def test_pmf_reading_keeps_the_outcomes():
    # Σ_x c|x| f(x) = c E(X) holds only when every outcome is ≥ 0: it held when the reading
    # replaced X's outcomes by the positions 0, 1, 2, 3 (review M7); X's outcomes lie in
    # [−4, 4], e.g. outcomes (−1, 2) with masses (½, ½): Σ|x| f = 1.5, E(X) = 0.5
    text = ("For $X$ with pmf $f(x)$ and a number $c$:\n"
            "$$ E(cX) = \\sum_x c |x| \\cdot f(x) = c\\cdot E(X) $$\n")
    assert len(_errors(text)) == 2


def test_a_letter_first_written_on_the_right_names_a_constant():
    # ln p = −(1+λ₀) − λ₁x gives p(x) = e^{−(1+λ₀)} e^{−λ₁x} = C e^{−λ₁x}: C is new here, it
    # names e^{−(1+λ₀)} (was an error at a random C); the first link holds by exp(a+b)=e^a e^b
    text = ("Solving the stationarity condition,\n\n"
            "$$\\ln g = -(1 + \\lambda_0) - \\lambda_1 t$$\n"
            "$$g(t) = e^{-(1+\\lambda_0)} e^{-\\lambda_1 t} = C e^{-\\lambda_1 t}$$\n")
    assert _errors(text) == []
    step = [f for f in audit_text(text, "md").findings if f.relation.endswith(
        "C·exp(−(lambda_1·t))")]
    assert [(f.severity, f.kind) for f in step] == [("unchecked", "definition")]


def test_a_letter_written_before_is_not_a_new_constant():
    # C already stands for something ($C$ in an earlier formula): e^{−(2+λ₀)} = C is then a
    # claim, false at random points
    text = ("Here $C = 3$ is the number of classes.\n\n"
            "$$g(t) = e^{-(2+\\lambda_0)} e^{-\\lambda_1 t} = C e^{-\\lambda_1 t}$$\n")
    assert len(_errors(text)) == 1
    # a second new letter beside it, or a letter that is not a factor or term: still judged
    two = "$$e^{-(1+\\lambda_0)} e^{-\\lambda_1 t} = C e^{-K t}$$\n"
    assert len(_errors(two)) == 1


def test_symbols_the_text_equated_are_equal_in_its_section():
    # X Bernoulli in words: "E(X) = μ = p", "E(X²) = p", so Var(X) = E(X²) − μ² = p − p²
    # holds with μ = p (was an error at a random μ)
    text = ("Let $X$ be a coin with bias $p$. We know that $E(X) = \\mu = p$, and "
            "$E(X^2) = p$. Therefore\n\n$$Var(X) = E(X^2) - \\mu^2 = p - p^2 = p(1-p).$$\n")
    assert _errors(text) == []
    used = [f for f in audit_text(text, "md").findings if "mu = p (line 1)" in f.message]
    assert [f.severity for f in used] == ["ok"]


def test_symbols_equated_still_leave_a_slip_and_end_with_the_section():
    # with μ = p: E(X²) − μ² = p − p², not p + p² (a slip)
    slip = ("We know that $E(X) = \\mu = p$, and $E(X^2) = p$. Therefore\n\n"
            "$$Var(X) = E(X^2) - \\mu^2 = p + p^2$$\n")
    assert len(_errors(slip)) == 1
    # the statement μ = p belongs to its section: under a new heading, with only E(X²) = p
    # stated again, μ is free and E(X²) − μ² = p − p² fails (an error, as before)
    later = ("We know that $E(X) = \\mu = p$.\n\n# Another model\n\n"
             "Here $E(X^2) = p$. Therefore\n\n$$Var(X) = E(X^2) - \\mu^2 = p - p^2$$\n")
    assert len(_errors(later)) == 1


def test_a_new_letter_that_also_sits_inside_is_not_a_constant():
    # ln Σ e^{z_i} = m + ln Σ e^{z_i + m}: m is new, but it also sits inside the sum and the
    # rest is not a part of the left side — a claim, and false (the sign of m inside is wrong)
    assert len(_errors("$$\\ln\\sum_i e^{z_i} = m + \\ln\\sum_i e^{z_i + m}$$\n")) == 1
