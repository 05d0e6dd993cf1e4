"""Substitution steps (unify.py).  References by hand: 1 − 0.67 = 0.33 (so 0.43 is wrong);
5 − 3 = 2; the constants 5 and 4 copied over."""

from klforge.audit import audit_text


def _subst(text, fmt="md"):
    return [(f.severity, f.message.split(":")[0]) for f in audit_text(text, fmt).findings
            if "substitution" in f.message]


def test_consistent_substitution():
    got = _subst("$SE = \\sqrt{\\frac{p(1-p)}{n}} = \\sqrt{\\frac{0.67 \\times 0.33}{850}}$\n")
    assert got == [("ok", "a consistent substitution (p = 0.67, n = 850)")]
    got = _subst("$5 \\times E(S) + 4 \\times E(C) = 5 \\times 10 + 4 \\times 15$\n")
    assert [s for s, _ in got] == ["ok"]


def test_inconsistent_substitution_is_an_error():
    got = _subst("$SE = \\sqrt{\\frac{p(1-p)}{n}} = \\sqrt{\\frac{0.67 \\times 0.43}{850}}$\n")
    assert [s for s, _ in got] == ["error"]
    got = _subst("$5 \\times E(S) + 4 \\times E(C) = 5 \\times 10 + 3 \\times 15$\n")
    assert [s for s, _ in got] == ["error"]


def test_symbols_rebound_and_nothing_to_check():
    # n had another value earlier: the substitution rebinds it (5!/(3!·2!), k = 3)
    text = "Let $n = 7$.\n\n$\\frac{n!}{k!(n-k)!} = \\frac{5!}{3!(5-3)!}$\n"
    assert [s for s, _ in _subst(text)] == ["ok"]
    assert _subst("$z = \\frac{a}{b} = \\frac{0.3}{2}$\n") == []          # only binds a, b
    assert _subst("$x + y = 0.3 \\times 2$\n") == []                    # shapes differ
