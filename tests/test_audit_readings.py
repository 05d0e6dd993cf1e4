"""Readings added for the lesson's long tail (issue 14): integrals and index-free sums of
abstract densities (densities.py), conventions at a zero (conventions.py), covariances the
prose describes (prosematrix.py), rows inside an open \\Bigl[ (extract.py)."""

from __future__ import annotations

from klforge.audit import audit_text
from klforge.audit import nodes as N
from klforge.audit.densities import rewrite, unread
from klforge.audit.latex import parse_chain
from klforge.audit.prosematrix import describe


def _sides(text):
    lhs, _, rhs = parse_chain(text)
    return lhs, rhs


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text).findings if f.kind is None]


def test_integral_of_densities_is_a_sum_and_the_family_member_any_q():
    lhs, rhs = rewrite(*_sides(r"D_{\mathrm{KL}}(p\Vert q_\theta) = \int p\ln\frac{p}{q_\theta}"))
    assert isinstance(rhs, N.Sum) and lhs.name == "D_KL(p||q)"
    assert {m.vector for m in N.walk(rhs) if isinstance(m, N.Index)} == {"p", "q"}


def test_integral_with_its_variable_outside_the_densities_is_kept():
    lhs, rhs = rewrite(*_sides(r"\int x\,p(x)\,dx = 1"))
    assert isinstance(lhs, N.Integral)


def test_family_density_under_a_derivative_stays_unread():
    lhs, rhs = rewrite(*_sides(r"\nabla_\theta\int p_\theta = 0"))
    assert unread(lhs, rhs)


def test_integral_identities_judged():
    text = ("$D_{\\mathrm{KL}}(q_\\theta\\Vert p) = \\int q_\\theta\\ln\\frac{q_\\theta}{p}$.\n\n"
            "$D_{\\mathrm{KL}}(q_\\theta\\Vert p) = \\int p\\ln\\frac{p}{q_\\theta}$.\n\n"
            "$\\sum(q - p) = 0$ and $\\sum(q\\ln q - p) = \\sum(q\\ln q)$.\n")
    assert _verdicts(text) == [(1, "ok"), (3, "error"), (5, "ok"), (5, "error")]


def test_convention_at_zero_is_a_limit():
    text = ("$p\\ln\\frac{p}{0} = +\\infty$ for $p > 0$.\n\n"
            "$p\\ln\\frac{p}{0} = -\\infty$ for $p > 0$.\n\n"
            "$\\frac{p}{1 + p/0} = +\\infty$ for $p > 0$.\n")
    assert _verdicts(text) == [(1, "ok"), (3, "error"), (5, "error")]


def test_prose_covariances():
    got = describe("for the bivariate \\Sigma_p with unit variances and correlation \\rho, and "
                   "\\Sigma_q = I")
    assert got == {"Sigma_p": ("corr", "rho"), "Sigma_q": ("identity",)}
    assert describe("p has correlation 0.8") == {}  # not said bivariate with unit variances


def test_rows_joined_inside_an_open_bracket():
    text = ("$$\n\\begin{aligned}\n\\ln\\frac{b}{a} + \\frac{a^2}{2b^2} - \\frac12 &= "
            "\\frac12\\Bigl[\\frac{a^2}{b^2} - 1 \\\\\n&\\qquad - \\ln\\frac{a^2}{b^2}\\Bigr]\n"
            "\\end{aligned}\n$$\n\nfor $a, b > 0$.\n")
    assert _verdicts(text) == [(3, "ok")]
