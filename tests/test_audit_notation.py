"""How outside authors write products, estimates, primes and Leibniz derivatives (issue 14/15
residue): the parser reads them as the text means them.  Expected verdicts are hand labels:
each right formula is elementary algebra or calculus checked by hand, each wrong one carries
one planted slip."""

from klforge.audit import audit_text
from klforge.audit import nodes as N
from klforge.audit.latex import parse_chain


def claims(text):
    return [f.severity for f in audit_text(text).findings
            if f.kind not in ("definition", "condition")]


def test_a_symbol_times_a_parenthesis_holding_that_symbol_is_a_product():
    node = parse_chain(r"n(n+1)")[0]
    assert isinstance(node, N.Mul) and node.factors[0][1].name == "n"
    node = parse_chain(r"\mu\left(\mu + 1\right)")[0]
    assert isinstance(node, N.Mul)
    assert isinstance(parse_chain(r"f(x+1)")[0], N.Name)  # a function at x + 1: a call
    assert isinstance(parse_chain(r"x_1(x_2 - 1)")[0], N.Name)  # another symbol: not decided
    assert claims(r"With $n = 4$, $n(n+1)/2 = 10$.") == ["ok"]
    assert claims(r"With $n = 4$, $n(n+1)/2 = 12$.") == ["error"]
    assert claims(r"$\mu(\mu+1) = \mu^2 + \mu$ and $\mu(\mu+1) = \mu^2 + 1$.") == ["ok", "error"]


def test_accented_symbols_are_variables_and_multiply_a_parenthesis():
    node = parse_chain(r"\tilde u(\tilde u + 1)")[0]
    assert isinstance(node, N.Mul) and node.factors[0][1].name == "tilde(u)"
    assert parse_chain(r"\hat p(x\mid z)")[0].name == "hat(p)(x|z)"  # an estimated density
    text = (r"$\hat p(1-\hat p) = \hat p - \hat p^2$, $\bar x(2-\bar x) = 2\bar x - \bar x^2$, "
            r"$\tilde u(\tilde u + 1) = \tilde u^2 + \tilde u$; "
            r"$\hat p(1-\hat p) = \hat p + \hat p^2$.")
    assert claims(text) == ["ok", "ok", "ok", "error"]


def test_a_primed_symbol_is_a_new_name_and_a_greek_factor_is_not_a_unit():
    chain = parse_chain(r"\theta' = 2\theta")
    assert chain[0].name == "theta'"
    assert isinstance(chain[2], N.Mul) and chain[2].unit is None  # was 2 with unit "theta"
    text = (r"With $\theta' = 2\theta$ we get $\theta'^2 = 4\theta^2$ and "
            r"$\theta' - \theta = 2\theta$.")
    assert claims(text) == ["ok", "error"]


def test_leibniz_derivative_written_with_a_slash():
    node = parse_chain(r"dV/d\delta")[0]
    assert [op for op, _ in node.factors] == ["*", "/"]  # (d·V)/(d·δ), as \frac{dV}{d\delta}
    assert [f.name for _, f in node.factors[0][1].factors] == ["d", "V"]
    text = (r"Let $V(\delta) = \delta^2 + 3\delta$. Then $dV/d\delta = 2\delta + 3$ and "
            r"$\mathrm{d}V/\mathrm{d}\delta = 2\delta + 3$, not $dV/d\delta = 2\delta + 2$.")
    assert claims(text) == ["ok", "ok", "error"]


def test_chi_square_divergence_written_with_its_arguments():
    node = parse_chain(r"\chi^2(p\|q)")[0]
    assert isinstance(node, N.Name) and node.name == "chi^2(p||q)"
    text = (r"$D_{KL}(p\|q) \le \ln(1 + \chi^2(p\|q))$ and "
            r"$D_{KL}(p\|q) \ge \ln(1 + \chi^2(p\|q))$.")
    assert claims(text) == ["ok", "error"]


def test_mutual_information_written_as_a_divergence():
    text = (r"$I(X;Y) = D_{\mathrm{KL}}\big(p(x,y)\,\|\,p(x)\,p(y)\big)$ and "
            r"$D_{\mathrm{KL}}\big(p(x,y)\,\|\,p(x)\,p(y)\big) = H(X) + H(X\mid Y)$.")
    assert claims(text) == ["ok", "error"]  # I = H(X) − H(X|Y)
