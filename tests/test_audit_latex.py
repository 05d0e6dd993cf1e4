"""The whitelisted LaTeX front end: what it reads, exactly, and what it refuses."""
from fractions import Fraction

import mpmath
import pytest

from klforge.audit import Unsupported, audit_text, parse_chain
from klforge.audit import evaluate as E
from klforge.audit import nodes as N


def value(tex):
    items = parse_chain(tex)
    assert len(items) == 1 and not isinstance(items[0], Unsupported), items
    return E.evaluate(items[0], E.Env(mpmath.mp, lambda n: mpmath.mpf(n.value.numerator)
                                      / n.value.denominator))


def refused(tex):
    items = parse_chain(tex)
    bad = [x for x in items if isinstance(x, Unsupported)]
    return bad[0].reason if bad else None


def test_decimals_are_read_exactly():
    (num,) = parse_chain("0.1")
    assert num.value == Fraction(1, 10) and num.decimals == 1
    assert parse_chain("0.70")[0].decimals == 2
    assert parse_chain("0.27329\\ldots")[0].truncated


M = mpmath.mpf
CASES = [
    ("0.92(0.274)", lambda: M("0.92") * M("0.274")),
    ("\\frac{0.92}{0.70}", lambda: M(92) / 70),
    ("\\frac12", lambda: M(1) / 2),
    ("\\ln\\frac{0.08}{0.30}", lambda: mpmath.log(M(8) / 30)),
    ("\\log_2 8", lambda: M(3)),
    ("\\log_{10} 1000", lambda: M(3)),
    ("\\log 2", lambda: mpmath.log(2)),          # \log is the natural logarithm
    ("e^{-0.5}", lambda: mpmath.exp(-M(1) / 2)),
    ("\\exp(1)", lambda: mpmath.e),
    ("\\sqrt{2}", lambda: mpmath.sqrt(2)),
    ("\\sqrt[3]{8}", lambda: M(2)),
    ("2 \\cdot 3 \\times 4 / 8", lambda: M(3)),
    ("\\left( 1 + 2 \\right)^{2}", lambda: M(9)),
    ("[1 + 2] \\div 3", lambda: M(1)),
    ("2\\pi", lambda: 2 * mpmath.pi),
    ("12.5\\%", lambda: M(1) / 8),
    ("\\sum_{i=1}^{4} i^2", lambda: M(30)),
    ("\\sum_{k=0}^{3} \\frac{1}{2^k}", lambda: M(15) / 8),
    ("-(-0.3466 - 0.3612)", lambda: M(7078) / 10000),
    ("0.5 \u2212 0.25", lambda: M(1) / 4),    # Unicode minus
]


@pytest.mark.parametrize("tex,expected", CASES, ids=[c[0] for c in CASES])
def test_whitelist_values(tex, expected):
    with mpmath.workdps(60):
        assert abs(value(tex) - expected()) < mpmath.mpf(10) ** -50


@pytest.mark.parametrize("tex,reason", [
    ("\\int_0^1 x = 0.5", "needs its differential"),
    ("\\oint_0^1 x\\,dx = 0.5", "unsupported '\\\\oint'"),
    ("2^10 = 1024", "ambiguous exponent"),
    ("0.5 0.25 = 1", "two numbers side by side"),
    ("(1 + 2 = 3", "expected ')'"),
    ("(" * 200 + "1" + ")" * 200 + " = 1", "nested deeper"),
])
def test_outside_the_whitelist_is_refused_with_a_reason(tex, reason):
    got = refused(tex)
    assert got is not None and reason in got, got


def test_relations_and_positions():
    tex = "a = 1 \\approx 1.0 \\le 2 < 3 \\ge 0 > -1 \\stackrel{?}{=} -1"
    items = parse_chain(tex)
    ops = [r.op for r in items[1::2]]
    assert ops == ["=", "≈", "≤", "<", "≥", ">", "?="]
    assert tex[items[1].rhs_pos] == "1" and tex[items[3].rhs_pos:].startswith("1.0")


def test_continuation_and_names():
    items = parse_chain("= 0.2514 - 0.1057")
    assert items[0] is None and items[1].op == "="
    (name,) = parse_chain("D_{\\mathrm{KL}}(p \\| q)")
    assert isinstance(name, N.Name) and name.name == "D_KL(p||q)"
    assert parse_chain("H(p,q)")[0].name == "H(p,q)"
    assert parse_chain("0.1457 \\text{ nats}")[0].unit == "nats"
    assert parse_chain("1.5\\,\\mathrm{bits}")[0].unit == "bits"


def test_free_symbols_and_domain_errors_are_not_evaluable():
    for tex in ("x^2", "\\text{where}", "\\ln(-1)", "\\frac{1}{0}", "\\sqrt{-4}", "10^{10^{10}}",
                "0^{-1}", "\\sum_{i=1}^{100000} i", "e^{10^{7}}"):
        (node,) = parse_chain(tex)
        with pytest.raises(N.NotEvaluable):
            value(tex)


def test_rational_subexpressions_are_collected():
    (node,) = parse_chain("\\ln 2 - \\frac{1}{2} + 3 \\cdot \\frac{1}{4}")
    assert {"v:1/2", "v:3/4"} <= N.rational_values(node)


def test_normal_quantile_greek_exponents_and_reasons_for_what_is_not_evaluated():
    """Φ⁻¹(0.975) = 1.95996… and Φ⁻¹(0.99) = 2.32635… (printed normal tables, hand-labelled);
    e^\\eta reads a Greek exponent; a transpose, a gradient, a determinant are read far enough
    to say why they are not evaluated."""
    from klforge.audit import audit_text

    def got(text):
        return [(f.severity, f.message) for f in audit_text(text + "\n", "md", "q.md").findings]

    assert got("$\\Phi^{-1}(0.975) = 1.96$")[0][0] == "ok"
    assert got("$\\Phi^{-1}(0.975) = 1.92$")[0][0] == "error"
    assert got("$z^* = \\Phi^{-1}(0.99) = 2.33$")[-1][0] == "ok"  # after z^*'s definition
    assert got("$\\Phi^{-1}(1.5) = 2$")[0][0] == "unchecked"  # outside (0, 1)
    assert got("$e^\\eta = 2$") == got("$e^{\\eta} = 2$")
    assert [m.split(" (")[0] for _, m in got("$\\Sigma = LL^\\top$")] == [
        "defines Sigma"]  # names the Cholesky factor: a definition (its one finding)
    assert "abstract" in got("$\\eta^\\top T(x) = 2$")[0][1]  # matrices: linalg.py
    assert "gradient" in got("$\\nabla_\\theta f = 0$")[0][1]
    assert "described in the prose" in got("$\\ln\\det\\Sigma = 2$")[0][1]
    assert "gradient" in got("$\\eta_0 - \\alpha\\nabla_m L = 2$")[0][1]  # mid-product


def test_an_integral_without_bounds_is_over_the_whole_line():
    """\\int p(x)\\,dx reads as an integral from −∞ to ∞ (no longer "expected '_'")."""
    from klforge.audit import nodes as N
    from klforge.audit.latex import parse_chain
    node = parse_chain("\\int p(x)\\ln\\frac{p(x)}{q(x)}\\,dx")[0]
    assert isinstance(node, N.Integral) and node.var == "x"
    assert isinstance(node.lo, N.Neg) and node.lo.arg.name == "inf" and node.hi.name == "inf"


def test_pi_with_a_subscript_is_a_name_and_an_empty_right_side_says_why():
    """\\pi_{ref} is a policy, not 3.14159…; `$H(p) = $ {role}` reports that its value lies
    outside the math."""
    from klforge.audit import audit_text
    from klforge.audit import nodes as N
    from klforge.audit.latex import parse_chain
    assert isinstance(parse_chain("\\pi_{\\mathrm{ref}}(y)")[0], N.Name)
    assert isinstance(parse_chain("\\pi")[0], N.Const)
    # (a {kl} role the audit can read is judged by roles.py; another role is not)
    fs = audit_text("so $H(p) = $ {eval}`h` nats.\n", "md", "r.md").findings
    assert fs and fs[0].severity == "unchecked" and "not in the math" in fs[0].message


def test_absolute_values():
    """|0.3 − 0.5| = 0.2 (hand arithmetic); the triangle inequality holds and its reverse is
    refuted; p(x|z) keeps its conditional bar."""
    from klforge.audit import audit_text

    def got(text):
        return [f.severity for f in audit_text(text + "\n", "md", "a.md").findings]

    assert got("$|0.3 - 0.5| = 0.2$") == ["ok"]
    assert got("$\\left|-2\\right| + 1 = 3$") == ["ok"]
    assert got("$|0.3 - 0.5| = 0.25$") == ["error"]
    assert got("$|a - b| \\le |a| + |b|$") == ["ok"]
    assert got("$|a - b| \\ge |a| + |b|$") == ["error"]
    assert [f.kind for f in audit_text("$p(x|z) = 0.5$\n", "md", "a.md").findings] == [
        "definition"]  # its one finding (issue 14): a value given to p(x|z), not a claim


SPLIT = {  # issue 12: where each name is imported from today -> the module that now holds it
    "latex": {"Parser": "latex", "parse_chain": "latex", "Unsupported": "tokens",
              "number": "tokens", "GREEK": "tokens", "tokenize": "tokens"},
    "nodes": {"Num": "nodes", "walk": "nodes", "map_children": "nodes", "to_text": "nodetext",
              "log_bases": "nodetext", "rational_values": "nodetext",
              "has_plain_log": "nodetext"},
    "expect": {"Context": "expect", "QUAD_TOL": "distributions", "MODEL": "reading",
               "MARKERS": "freesymbols", "VECTOR": "freesymbols"},
}


@pytest.mark.parametrize("old", sorted(SPLIT))
def test_split_modules_keep_their_names_and_size(old):
    """The split modules (issue 12) keep every name importable where callers import it, list
    it in ``__all__``, and each part is a small module (≤ 300 lines)."""
    import importlib
    from pathlib import Path

    mod = importlib.import_module(f"klforge.audit.{old}")
    for name, home in SPLIT[old].items():
        src = importlib.import_module(f"klforge.audit.{home}")
        assert getattr(mod, name) is getattr(src, name), (old, name)
        assert name in mod.__all__, (old, name)
    parts = {old, *SPLIT[old].values()} | {"latex": {"atoms", "operators"},
                                           "expect": {"freesymbols"}}.get(old, set())
    for part in parts:
        path = Path(importlib.import_module(f"klforge.audit.{part}").__file__)
        assert len(path.read_text().splitlines()) <= 300, path.name


def test_the_parser_mixins_define_each_method_once():
    """Parser = token cursor + Operators + Atoms + Constructs: no method shadows another."""
    from collections import Counter

    from klforge.audit import atoms, constructs, latex, operators

    seen = Counter(n for k in (latex.Parser, operators.Operators, atoms.Atoms,
                               constructs.Constructs) for n in vars(k) if not n.startswith("__"))
    assert [n for n, c in seen.items() if c > 1] == []


def test_nodetext_imports_first_in_a_fresh_interpreter():
    """nodes re-exports nodetext, which builds on nodes: either may be imported first."""
    import subprocess
    import sys

    for first in ("nodetext", "nodes", "freesymbols", "atoms", "operators"):
        code = (f"import klforge.audit.{first}; from klforge.audit import nodes as N; "
                "from klforge.audit import parse_chain; "
                "print(N.to_text(parse_chain('0.92\\\\ln\\\\frac{0.92}{0.70}')[0]))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "0.92·ln(0.92/0.70)", (first, out.stderr[-400:])


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_tilde_between_increasing_numbers_is_a_range():
    # "β = 4 ∼ 16" (East Asian range style: 4 to 16) was "4 ≈ 16": an error
    text = "In that study $\\beta = 4 \\sim 16$ separated the factors.\n"
    found = [(f.relation, f.severity) for f in audit_text(text, "md").findings]
    assert ("4 ≈ 16", "unchecked") in found and not _errors(text)
    # ~ as "about" between a constant and its value is still judged: π ~ 3.19 is wrong
    assert [r for _, r in _errors("Roughly, $\\pi \\sim 3.19$.\n")] == ["π ≈ 3.19"]


def test_tilde_between_close_decimals_is_about():
    # 0.30 ~ 0.33, 2.70 ~ 2.72: approximations, judged (review M1) — both are off by more than
    # the printed precision allows (0.30 vs 0.33, 2.70 vs 2.72), so errors; 2.72 ~ 2.718 is fine
    assert len(_errors("So $0.30 \\sim 0.33$ and $2.70 \\sim 2.72$.\n")) == 2
    assert _errors("So $2.718 \\sim 2.72$.\n") == []
    # a range needs two integers written without a point, the first smaller
    assert len(_errors("So $4.0 \\sim 16.0$ here.\n")) == 1


def test_cases_block_is_one_side():
    # F(x) = \begin{cases} 0 & x < 0, \\ 1-p & 0 \le x < 1, \\ 1 & x \ge 1 \end{cases}: the < and
    # ≤ inside the cases are not relations of the text (they gave five unreadable "relations")
    text = ("The CDF is\n\n$$F(x) = \\begin{cases} 0 & x < 0, \\\\ 1-p & 0 \\le x < 1, \\\\ "
            "1 & x \\ge 1 . \\end{cases}$$\n")
    found = audit_text(text, "md").findings
    assert len(found) == 1 and found[0].severity == "unchecked"


def test_textrm_names_a_family():
    # X \sim \textrm{Bernoulli}(p): a declaration (was "unsupported '\textrm'"), and E[X] = p
    # is then judged for X ~ Bernoulli(p)
    text = "Let $X \\sim \\textrm{Bernoulli}(p)$. Then $E[X] = p$ and $E[X] = p^2$.\n"
    kinds = [(f.relation, f.severity, f.kind) for f in audit_text(text, "md").findings]
    assert kinds[0][2] == "definition" and "Bernoulli" in kinds[0][0]
    assert [r for _, r in _errors(text)] == ["E[X] = p^2"]


def _verdicts(text):
    return [(f.relation, f.severity) for f in audit_text(text).findings]


def test_a_labelled_relation_is_the_relation_under_its_label():
    # the label over = or ≤ is a reason (independence, a lemma, a step name): the step is
    # checked as the relation it is
    found = _verdicts("$$2 \\cdot 3 \\stackrel{\\text{Indep}}{=} 5$$")
    assert [s for _, s in found] == ["error"]
    found = _verdicts("$$2 \\cdot 3 \\stackrel{\\text{(a)}}{=} 6 \\overset{(b)}{\\le} 7$$")
    assert [s for _, s in found] == ["ok", "ok"]
    assert _verdicts("$$7 \\overset{?}{\\le} 6$$")[0][1] == "error"


def test_a_definition_or_distribution_mark_over_a_relation_is_not_a_numeric_claim():
    for text in ("$$2^3 \\stackrel{\\text{def}}{=} 9$$", "$$2^3 \\stackrel{\\Delta}{=} 9$$",
                 "$$2^3 \\overset{\\text{by def.}}{=} 9$$", "$$2^3 \\stackrel{d}{=} 9$$",
                 "$$2^3 \\overset{\\text{iid}}{\\sim} 9$$"):
        assert {s for _, s in _verdicts(text)} <= {"unchecked"}, text
    assert [s for _, s in _verdicts("$$2^3 \\stackrel{d}{=} 9$$")] == ["unchecked"]
