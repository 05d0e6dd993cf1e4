"""Notebook output claims (klforge/audit/outputs.py): a markdown cell restating a printed
output.  References are written by hand: the outputs below are what the code would print,
and whether each claim rounds to them is worked out in the comments."""

import json
import subprocess
import sys

from klforge.audit import audit_text
from klforge.audit.outputs import claims, outputs


def _nb(*cells):
    out = []
    for kind, src, *printed in cells:
        cell = {"cell_type": kind, "source": src, "metadata": {}}
        if kind == "code":
            cell["outputs"] = [{"output_type": "execute_result", "execution_count": 1,
                                "metadata": {}, "data": {"text/plain": p}} for p in printed]
        out.append(cell)
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _outputs(nb):
    return [(f.cell, f.line, f.severity, f.message) for f in audit_text(nb, "ipynb").findings
            if f.check == "output"]


def test_percentage_restating_previous_output():
    # 0.05041221… × 100 = 5.04 → rounds to 5 (%): ok; 0.0332105… → 3.32 → 3.3 (%): ok
    nb = _nb(("code", "pmf[125]", "0.05041221314731537"),
             ("markdown", "The chance is only about 5%."),
             ("code", "prob_ge(pmf, 140)", "0.033210575620022706"),
             ("markdown", "It's about 3.3%, which is less than 7%."))
    got = _outputs(nb)
    assert [(c, s) for c, _, s, _ in got] == [(1, "ok"), (3, "ok")]
    assert "code cell 0" in got[0][3] and "code cell 2" in got[1][3]


def test_no_match_no_verdict():
    # 0.0504 is 5.04 %, not 6 %: a number that matches no output gets no verdict at all
    nb = _nb(("code", "pmf[125]", "0.05041221314731537"),
             ("markdown", "The chance is about 6%."))
    assert _outputs(nb) == []


def test_integer_needs_the_sole_exact_output():
    # "is 1" restates an output 1.0, never 0.811 (which only rounds to 1)
    assert _outputs(_nb(("code", "entropy(2, 2)", "Entropy =  1.0"),
                        ("markdown", "The impurity is 1 here."))) != []
    assert _outputs(_nb(("code", "entropy(3, 1)", "Entropy =  0.8112781244591328"),
                        ("markdown", "The impurity is 1 here."))) == []
    # an integer among several printed numbers (a table's index) is not a restatement
    assert _outputs(_nb(("code", "table", "   prior  posterior\n1    0.5        0.6"),
                        ("markdown", "The row is 1."))) == []


def test_next_cell_fraction_and_below():
    # 2/3 = 0.6666…, printed 0.666667 (6 decimals): within one unit of the last digit
    nb = _nb(("markdown", "Hint: the answer should still be 2/3."),
             ("code", "table", "Trick  0.5  1.0  0.50  0.666667"))
    assert [s for _, _, s, _ in _outputs(nb)] == ["ok"]
    # 2.5 standard deviations *below* the mean restates z = -2.5
    nb = _nb(("markdown", "Your z-score is 2.5 standard deviations *below* the mean:"),
             ("code", "z", "-2.5"))
    assert [s for _, _, s, _ in _outputs(nb)] == ["ok"]
    nb = _nb(("markdown", "Your z-score is 2.5 standard deviations above the mean:"),
             ("code", "z", "-2.5"))
    assert _outputs(nb) == []


def test_random_and_echo_cells_are_not_outputs():
    assert outputs({"source": "np.random.binomial(1, 0.5)", "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": "1"}}]}) == []
    assert outputs({"source": "0.0000633", "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": "6.33e-05"}}]}) == []
    assert [v for v, _, _ in outputs({"source": "x", "outputs": [
        {"output_type": "stream", "text": ["<Figure size 432x288 with 1 Axes>\n", "2.5e-3"]}]})
    ] == ["2.5e-3"]


def test_claims_cues():
    found = [(t, float(v)) for _, t, v, *_ in claims(
        "It is about 3.3%, they add up to 1 and `x = 4` is code; we get 5/8.")]
    assert found == [("is about 3.3%", 0.033), ("get 5/8", 0.625)]


def test_location_is_cell_and_line():
    nb = _nb(("code", "p", "0.0287222"),
             ("markdown", "First line.\n\nwhich comes out to $P \\approx 0.0287$."))
    assert [(c, ln) for c, ln, _, _ in _outputs(nb)] == [(1, 3)]


def test_long_code_span_after_a_cue_does_not_hang():
    # a markdown cell whose code span (blanked to spaces) follows the cue "of": the filler
    # between cue and number once had a nested quantifier (2^n backtracking on n blanks:
    # 1.4 s at 22 blanks, > 300 s on a real notebook).  200 blanks would take longer than the
    # universe's age under that regex; a hard limit (not a timing of normal work) catches a hang
    code = ("from klforge.audit.outputs import claims\n"
            "assert claims('Compute the mean of `' + 'x' * 200 + '`, not of a ratio.') == []\n"
            "assert claims('the mean of ' + ' ' * 200 + 'x, not 0.5') == []\n")
    done = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-300:]
    # the filler still spans blanks, "$" and words: "is  about  0.811" is one claim
    assert [c[1] for c in claims("the entropy is   about  0.811 bits")] == ["is   about  0.811"]
