"""klforge.site.printing: the site prints the derived expression, never a different one."""
import random

import mpmath
import pytest
import sympy as sp
from klforge.derive.core import get

from klforge.site.printing import latex, readable

NAMES = ["kl_normal", "kl_exponential", "kl_gamma", "kl_poisson", "kl_bernoulli",
         "kl_normal_std", "elbo_normal"]


@pytest.mark.parametrize("name", NAMES)
def test_the_readable_form_is_the_derived_expression(name):
    expr = get(name).closed_form
    shown = readable(expr)
    rng = random.Random(0)
    for _ in range(5):
        point = {}
        for s in expr.free_symbols:
            lo = 0.05 if s.is_positive else -2.0
            hi = 0.95 if str(s) in ("p", "q") else 3.0
            point[s] = sp.Float(rng.uniform(lo, hi), 30)
        a, b = sp.N(expr.subs(point), 30), sp.N(shown.subs(point), 30)
        assert abs(a - b) <= 1e-25 * max(1, abs(a)), (name, point, a, b)


def test_textbook_symbols_and_digamma():
    assert r"\lambda" in latex(get("kl_poisson").closed_form)
    text = latex(get("kl_gamma").closed_form)
    assert r"\psi" in text and r"\alpha" in text and "polygamma" not in text
    assert r"\ln" in latex(get("kl_normal").closed_form)


def test_a_log_of_a_negative_looking_argument_is_not_split():
    # log(−p/(p − 1)) for 0 < p < 1 must not become log(p) − log(p − 1) (complex)
    p = sp.Symbol("p", positive=True)
    expr = sp.log(-p / (p - 1))
    assert readable(expr) == expr
    assert mpmath.isfinite(float(expr.subs(p, sp.Rational(1, 3))))


@pytest.fixture(scope="module")
def pages():
    from klforge.derive.core import names

    from klforge.site.cache import _render

    return {name: _render(name) for name in names()}


def test_every_derivation_prints(pages):
    for name, page in pages.items():
        assert page["closed"] and "polygamma" not in page["closed"], name


def test_long_displays_break_between_terms_and_add_no_mathematics(pages):
    from klforge.site.printing import LINE_BUDGET, break_lines, unbroken, visible_width

    broken = 0
    for name, page in pages.items():
        tex = page["closed"]
        out, fits = break_lines(tex)
        assert unbroken(out) == tex, name  # only line breaks were inserted
        if out != tex:
            broken += 1
            lines = out.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
            assert all(visible_width(x) <= LINE_BUDGET for x in lines.split(r" \\ ")) or \
                not fits, name
        elif fits and "\\\\" not in tex:  # (a matrix is laid out already)
            assert visible_width(tex) <= LINE_BUDGET, name
    assert broken >= 1  # kl_beta is wider than a line


def test_break_lines_cuts_only_at_top_level_signs():
    from klforge.site.printing import break_lines, top_level_terms

    tex = r"a + \left(b - c\right) - \frac{d + e}{f}"
    assert top_level_terms(tex) == ["a", r" + \left(b - c\right)", r" - \frac{d + e}{f}"]
    out, fits = break_lines(tex, budget=6)
    assert out.count(r"\\") == 2 and fits is False or out.count(r"\\") == 2
    assert r"\left(b - c\right)" in out and r"\frac{d + e}{f}" in out
