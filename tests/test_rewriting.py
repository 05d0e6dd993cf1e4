"""Each rewrite rule maps back to the textbook form it replaced (round trip)."""
import sympy as sp
from klforge.derive.primitives import expm1mx, kl_div, log1pmx, log_ratio, rm1mlog, textbook
from klforge.derive.rewriting import ALL_RULES, COLLECTIONS, rewrite, round_trip_difference

r, d, s, l, m = sp.symbols("r d s l m", positive=True)
p, q = sp.symbols("p q", positive=True)

CASES = {
    "log1pmx": -sp.log(r) / 2 + r / 2 + d**2 / (2 * s**2) - sp.Rational(1, 2),
    "rm1mlog": sp.log(r) / 3 - r / 3 + sp.Rational(1, 3) + m,
    "lgamma_bregman": sp.loggamma(p + q) - sp.loggamma(p) - q * sp.polygamma(0, p) + m,
    "expm1mx": (m**2 + sp.exp(l) - 1 - l) / 2,
    "perspective_expm1mx": s / p * expm1mx(-d / s) + m,
    "kl_div": (1 - p) * sp.log((1 - p) / (1 - q)) - (1 - p) + (1 - q),
    "logsumexp": sp.log(sp.exp(p) + sp.exp(q)) - p,
    "log1p": sp.log(1 + p),
    "expm1": sp.exp(p) - 1,
    "constant_inside": m**2 / 2 + rm1mlog(d * (d + 2), l) / 2 + expm1mx(s) / 4,
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(ALL_RULES)


def test_each_rule_fires_and_round_trips():
    for name, expr in CASES.items():
        out, fired = rewrite(expr, name)
        assert fired == (name,), name
        assert out != expr
        assert round_trip_difference(out, expr) == 0, name


def test_partial_pattern_is_not_rewritten():
    expr = sp.log(r) - r  # the "+ c" term is missing
    out, fired = rewrite(expr, "scale")
    assert fired == () and out == expr


def test_primitive_textbook_forms():
    x = sp.Symbol("x")
    assert textbook(log1pmx(x)) == sp.log(1 + x) - x
    assert textbook(expm1mx(x)) == sp.exp(x) - 1 - x
    assert textbook(kl_div(p, q)) == p * sp.log(p / q) - p + q
    assert textbook(rm1mlog(r - 1, sp.log(r))) == r - 1 - sp.log(r)
    assert textbook(log_ratio(p, q)) == sp.log(p / q)


def test_collections_are_named_tuples_of_rules():
    assert all(isinstance(v, tuple) and v for v in COLLECTIONS.values())
