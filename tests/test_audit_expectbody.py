"""Bodies of expectations (klforge/audit/expectbody.py, expect.py): a bare density name in
E_p[…] is the density at the expectation's variable; a capital letter alone in the body is the
random variable.  Expected verdicts are hand labels: D_KL(p‖q) = E_p[log p − log q] is the
definition of the divergence; swapping p and q flips its sign (the slip)."""

from klforge.audit import audit_text

TWO = ("Let $f(x) = \\mathcal{N}(m_1, s_1^2)$ and $g(x) = \\mathcal{N}(m_2, s_2^2)$.\n\n")


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text, "md").findings
            if f.kind != "definition"]


def test_bare_density_names_in_the_body_are_the_densities():
    # D(f‖g) = E_f[log f − log g]: f, g are the densities f(x), g(x) (was an error with f, g
    # sampled as numbers); the same with the argument written
    text = TWO + ("$D(f \\| g) = \\mathbb{E}_f[\\log f - \\log g]$.\n\n"
                  "$D(f \\| g) = \\mathbb{E}_f[\\log f(x) - \\log g(x)]$.\n")
    assert _verdicts(text) == [(3, "ok"), (5, "ok")]


def test_swapped_densities_are_still_an_error():
    # E_f[log g − log f] = −D(f‖g) < 0 ≠ D(f‖g) unless f = g: an error
    text = TWO + "$D(f \\| g) = \\mathbb{E}_f[\\log g - \\log f]$.\n"
    assert _verdicts(text) == [(3, "error")]


def test_a_capital_letter_alone_in_the_body_is_the_variable():
    # E_q[Z²/2] over q = N(μ, σ²) is (μ² + σ²)/2 with Z the variable integrated (was an error
    # with Z read as a free number); (μ² + σ)/2 is a slip
    head = "Let $q = \\mathcal{N}(\\mu, \\sigma^2)$.\n\n"
    ok = head + "$$\\mathbb{E}_q\\left[\\frac{Z^2}{2}\\right] = \\frac{\\mu^2 + \\sigma^2}{2}$$\n"
    bad = head + "$$\\mathbb{E}_q\\left[\\frac{Z^2}{2}\\right] = \\frac{\\mu^2 + \\sigma}{2}$$\n"
    assert _verdicts(ok) == [(3, "ok")]
    assert _verdicts(bad) == [(3, "error")]
