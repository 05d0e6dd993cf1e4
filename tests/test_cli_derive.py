"""``klforge derive`` text and LaTeX output (issue 12, cosmetic): a ``let`` binding whose value
is a fraction is laid out beside ``let u =`` (fraction bar on the ``=`` line), and a 1-tuple
prints as ``\\left( k \\right)``, not Python's ``\\left( k,\\right)``."""

import subprocess
import sys

import sympy as sp

from klforge.cli.derive import latex, let_binding

u, sp_, sq, k = sp.symbols("u sigma_p sigma_q k")


def test_fraction_binding_is_one_block():
    lines = let_binding(u, (sp_ - sq) / sq).splitlines()
    assert len(lines) == 3
    num, bar, den = lines
    assert bar.startswith("  let u = ") and set(bar[len("  let u = "):]) == {"─"}
    col = len("  let u = ")
    assert num[:col].strip() == "" and den[:col].strip() == ""  # nothing left of the value
    assert num.strip() == "σₚ - σ_q" and den.strip() == "σ_q"


def test_one_line_binding_and_latex_binding():
    assert let_binding(u, sp_ + sq) == "  let u = σₚ + σ_q"
    assert let_binding(u, (sp_ - sq) / sq, as_latex=True) == \
        r"  let u = \frac{\sigma_{p} - \sigma_{q}}{\sigma_{q}}"


def test_one_tuple_latex():
    assert latex(sp.Eq(sp.Symbol("T"), sp.Tuple(k))) == r"T = \left( k \right)"
    assert latex(sp.Tuple(k, u)) == sp.latex(sp.Tuple(k, u))  # longer tuples as SymPy prints
    assert ",\\right)" not in latex(sp.Tuple(sp.log(1 - sp_)))


def test_derive_geometric_latex_has_no_python_one_tuples():
    r = subprocess.run([sys.executable, "-m", "klforge", "derive", "kl_geometric", "--latex"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r"T = \left( k \right)" in r.stdout
    assert ",\\right)" not in r.stdout
