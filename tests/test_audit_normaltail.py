"""Standard normal tails written P(Z > a) (normaltail.py).  References from printed normal
tables (hand-labelled): Φ(2.9) = 0.99813 → P(Z > 2.9) = 0.0019; P(|Z| ≥ 2.5) = 0.0124;
Φ(0.15) = 0.5596; P(|Z| ≤ 1.96) = 0.95; Φ(−1.645) = 0.05."""

from klforge.audit import audit_text
from klforge.audit.normaltail import meaning


def _verdicts(text):
    return [(f.severity, f.stated) for f in audit_text(text, "md").findings
            if f.severity != "unchecked"]


def test_tails_are_read_as_phi():
    assert _verdicts("$P(Z > 2.9) = 0.0019$\n") == [("ok", "0.0019")]
    assert _verdicts("$P(|Z| \\ge 2.5) \\approx 0.0124$\n") == [("ok", "0.0124")]
    assert _verdicts("$P(|Z| \\le 1.96) = 0.95$\n") == [("ok", "0.95")]
    assert _verdicts("$P(Z < -1.645) = 0.05$\n") == [("ok", "0.05")]
    assert _verdicts("$P(Z > 2.9) = 0.0029$\n") == [("error", "0.0029")]


def test_threshold_name_as_printed():
    text = "The statistic is $z = 0.0067/0.044 \\approx 0.15$.\n\n$\\mathbb{P}(Z > z) \\approx " \
           "1 - 0.5596 = 0.4404$\n"
    got = _verdicts(text)
    assert [s for s, _ in got] == ["ok", "ok", "ok"]


def test_other_names_untouched():
    assert meaning("P(X>2.9)", 0) is None and meaning("P(Z=a)", 0) is None
    assert meaning("P(Z>2.9)", 0) is not None
    # a document that binds Z itself keeps its own meaning
    assert _verdicts("$Z = 3$ and $P(Z > 2.9) = 0.5$\n") == []


def test_standardised_event():
    # (64.5 − 50)/5 = 2.9 exactly: 1 − Φ(2.9) = 0.0018658 (table: 0.0019)
    text = ("$$P(X \\geq 65) \\approx P\\left(\\frac{Y - 50}{5} > \\frac{64.5 - 50}{5}\\right) "
            "= 1 - \\Phi(2.9) = 0.0019$$\n")
    got = _verdicts(text)
    assert [s for s, _ in got] == ["ok", "ok"]
    # the standardised bound written wrong: (64.5 − 50)/5 is 2.9, not 2.7
    bad = _verdicts(text.replace("\\Phi(2.9) = 0.0019", "\\Phi(2.7) = 0.0035"))
    assert bad[0] == ("error", "1 − Phi(2.7)")
    # below the bound: Φ, not 1 − Φ (Φ(2.9) = 0.99813)
    low = "$$P\\left(\\frac{Y - 50}{5} < \\frac{64.5 - 50}{5}\\right) = \\Phi(2.9) = 0.9981$$\n"
    assert [s for s, _ in _verdicts(low)] == ["ok", "ok"]


def _errors(text, fmt="md"):
    return [(f.line, f.relation) for f in audit_text(text, fmt).findings
            if f.severity == "error"]


def test_z_defined_in_words_is_not_the_standard_normal():
    # "Let $Z =$ the count …" with its pmf in a table: P(Z ≤ 3) is 0.1 + 0.2 + 0.3 = 0.6,
    # not Φ(3) ≈ 0.99865 (the chain was an error "the exact value of the chain is 1.0")
    text = ("Let $Z =$ the number of defects found on the next panel.\n\n"
            "| z | 1 | 2 | 3 | 4 |\n|---|---|---|---|---|\n| f(z) | 0.1 | 0.2 | 0.3 | 0.4 |\n\n"
            "$$P(Z \\le 3) = P(Z=1) + P(Z=2) + P(Z=3) = 0.1 + 0.2 + 0.3 = 0.6$$\n")
    assert _errors(text) == []
    # a standard normal Z (not defined in words) is still read as Φ: Φ(1.96) = 0.975
    normal = "For the standard normal, $P(Z \\le 1.96) = 0.975$ and $P(Z \\le 1.96) = 0.95$.\n"
    assert [r for _, r in _errors(normal)] == ["Phi(1.96) = 0.95"]


def test_z_denoting_a_count_in_words_is_not_the_standard_normal():
    # "Let $Z$ denote the number of …" (review M6): the same count as "Let $Z =$ the number",
    # P(Z ≤ 3) = 0.1 + 0.2 + 0.3 = 0.6 from its table, not Φ(3) = 0.99865
    table = ("\n\n| z | 1 | 2 | 3 | 4 |\n|---|---|---|---|---|\n| f(z) | 0.1 | 0.2 | 0.3 | 0.4 |"
             "\n\n$$P(Z \\le 3) = P(Z=1) + P(Z=2) + P(Z=3) = 0.1 + 0.2 + 0.3 = 0.6$$\n")
    for said in ("Let $Z$ denote the number of defects found on the next panel.",
                 "Let $Z$ be the number of defects found on the next panel.",
                 "Let $Z$ represent the number of defects found on the next panel."):
        assert _errors(said + table) == [], said
    # a Z said to be standard normal in words is Φ's: Φ(1.96) = 0.975, not 0.95
    normal = ("Let $Z$ be a standard normal random variable. Then $P(Z \\le 1.96) = 0.975$ "
              "and $P(Z \\le 1.96) = 0.95$.\n")
    assert [r for _, r in _errors(normal)] == ["Phi(1.96) = 0.95"]
    # a Z defined in words after the math does not change it
    later = ("$P(Z \\le 1.96) = 0.95$ for the standard normal.\n\n"
             "Let $Z$ denote the number of defects.\n")
    assert [r for _, r in _errors(later)] == ["Phi(1.96) = 0.95"]
