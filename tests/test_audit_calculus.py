"""Integrals in course text (klforge/audit/calculus.py): a range not written, a written
infinite range.  References are worked out by hand in the comments."""

from klforge.audit import audit_text


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_integral_of_a_constant_without_limits_is_not_judged():
    # U(0, 0.1) has density 10, so h = −∫ 10 log 10 dx = −log 10 over its support; read over
    # the whole line the integral diverges (it was an error "= 1.35e+66, written log(10)")
    text = "For $U(0, 0.1)$, $f = 10$ and $h = -\\int 10 \\log 10 \\, dx = -\\log 10 < 0$.\n"
    assert _errors(text) == []
    found = [f.message for f in audit_text(text, "md").findings if "log(10)" in f.relation]
    assert any("range (the support) is not written" in m for m in found)
    # an integral with an integrand in x over the line is still judged: ∫ e^{-x²} dx = √π
    assert len(_errors("$$\\int_{-\\infty}^{\\infty} e^{-x^2} \\, dx = \\sqrt{2\\pi}$$\n")) == 1


def test_constant_over_a_written_infinite_range_diverges():
    # ∫_0^∞ 2 dx = ∞ and ∫_{-∞}^{∞} 0.5 dt = ∞: a finite value written for them is an error
    # that says the integral diverges (review H4: these were "range not written")
    for text in ("The improper integral $\\int_0^\\infty 2\\,dx = 1$ converges.\n",
                 "And $\\int_{-\\infty}^{\\infty} 0.5\\,dt = 1$ as a density.\n",
                 "So $1 = \\int_0^\\infty 2\\,dx$.\n"):
        found = [f for f in audit_text(text, "md").findings if f.severity == "error"]
        assert len(found) == 1 and "diverges" in found[0].message, text
    # ∫_0^∞ 0 dx = 0 holds; a bounded range of a constant is evaluated: ∫_0^2 3 dx = 6
    assert _errors("$\\int_0^\\infty 0\\,dx = 0$ and $\\int_0^2 3\\,dx = 6$.\n") == []
    assert len(_errors("$\\int_0^2 3\\,dx = 5$\n")) == 1
