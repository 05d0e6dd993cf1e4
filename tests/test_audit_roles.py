"""The audit's reading of ``{kl}`` roles (klforge/audit/roles.py): the values it computes
with mpmath from the problems' data equal the engine's (SymPy, klforge.site.problems), and a
role that prints another quantity than the text names is an error."""

from __future__ import annotations

import mpmath
import pytest

from klforge.audit import audit_text, roles


@pytest.mark.parametrize("key", sorted(roles.KEYS))
def test_role_values_equal_the_engine(key):
    from klforge.site.problems import value

    q, args, problem = roles.KEYS[key]
    with mpmath.workdps(40):
        ours = roles.quantity(q, args, problem)
        want = value(key)
        assert abs(ours - want) <= mpmath.mpf(10) ** -30 * max(1, abs(want))


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text).findings if f.kind != "definition"]


def test_right_role_ok_swapped_role_error():
    text = ("For $p = \\mathcal{N}(2, 1.5^2)$ and $q = \\mathcal{N}(0, 1)$,\n"
            "$D_{\\mathrm{KL}}(p\\|q) = $ {kl}`k4.kl_pq:.4f` nats.\n\n"
            "Backwards, $D_{\\mathrm{KL}}(p\\|q) = $ {kl}`k4.kl_qp:.4f` nats.\n")
    assert _verdicts(text) == [(2, "ok"), (4, "error")]


def test_entropy_is_not_cross_entropy():
    text = "$H(p) = $ {kl}`k1.entropy:.4f` and $H(p,q) = $ {kl}`k1.entropy:.3f`.\n"
    assert _verdicts(text) == [(1, "ok"), (1, "error")]


def test_text_data_must_be_the_problems():
    text = ("For $p = \\mathcal{N}(3, 1.5^2)$, $D_{\\mathrm{KL}}(p\\|q) = $ "
            "{kl}`k4.kl_pq:.4f` nats.\n")
    found = [f for f in audit_text(text).findings if f.kind != "definition"]  # p = N(3, …)
    assert [f.severity for f in found] == ["error"]
    assert "not the p of problem k4" in found[0].message


def test_unknown_key_stays_unchecked():
    found = audit_text("$D_{\\mathrm{KL}}(p\\|q) = $ {kl}`k9.kl:.4f` nats.\n").findings
    assert [f.severity for f in found] == ["unchecked"]


def test_printed_rounds_half_even_like_the_site():
    assert roles.printed(mpmath.mpf("0.125"), ".2f") == ("0.12", 2)
