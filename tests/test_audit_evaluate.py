"""The evaluator's clock (klforge/audit/evaluate.py): it is read every CLOCK_EVERY values, not
at every node, and an expression past its deadline still stops with a one-line reason."""

import mpmath
import pytest

from klforge.audit import evaluate as E
from klforge.audit import nodes as N
from klforge.audit.latex import parse_chain


def _env(deadline):
    lit = lambda n: mpmath.mp.mpf(n.value.numerator) / n.value.denominator  # noqa: E731
    return E.Env(mpmath.mp, lit, {}, deadline=deadline)


def test_a_past_deadline_stops_a_long_expression():
    # 200 terms: more values than CLOCK_EVERY, so the clock is read and the deadline (in the
    # past) ends the evaluation
    node = parse_chain(" + ".join(["1"] * 200))[0]
    with pytest.raises(N.NotEvaluable, match="time limit"):
        E.evaluate(node, _env(deadline=1e-9))


def test_a_short_expression_is_evaluated_exactly():
    # 1/3 + 1/6 = 1/2, well within any deadline
    node = parse_chain("\\frac{1}{3} + \\frac{1}{6}")[0]
    assert E.evaluate(node, _env(deadline=0.0)) == mpmath.mpf(1) / 2
    assert E.CLOCK_EVERY > 1
