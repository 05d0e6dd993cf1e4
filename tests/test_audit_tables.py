"""Tables in every format the audit reads (issue 13 item 6; tables.py, tablecheck.py,
rsttables.py): cells with exact source lines, totals, expected counts, marginals,
conditionals and distributions bound by a column.  References are hand computations
written beside each case; the planted slips must be found on their line."""
import time
from fractions import Fraction

import pytest

from klforge.audit.api import audit_text
from klforge.audit.tables import tex_tables, value


def verdicts(text, fmt="md"):
    return [(f.line, f.severity) for f in audit_text(text, fmt).findings
            if f.severity != "unchecked"]


def at(text, fmt, line):
    return sorted(s for ln, s in verdicts(text, fmt) if ln == line)


# -- cells ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cell, exact, half", [
    ("0.35", Fraction(35, 100), Fraction(1, 200)),
    ("1,000", Fraction(1000), Fraction(0)),
    ("12%", Fraction(12), Fraction(1, 2)),
    ("1/8", Fraction(1, 8), Fraction(0)),
    (r"$\frac{11}{24}$", Fraction(11, 24), Fraction(0)),
    (r"\color{blue}{0.008}", Fraction(8, 1000), Fraction(1, 2000)),
    (r"<p>\(\frac{(8 - 4.35)^2}{4.35} = 3.06\)</p>", Fraction(306, 100), Fraction(1, 200)),
    ("−2.5", Fraction(-5, 2), Fraction(1, 20)),
])
def test_a_cell_states_its_number(cell, exact, half):
    v = value(cell)
    assert v.exact == exact and v.hi - v.exact == half and v.exact - v.lo == half


@pytest.mark.parametrize("cell", ["Country", "", "a + b", "1/0", "x = y", "p(x)", "3 cats"])
def test_a_label_or_formula_is_not_a_number(cell):
    assert value(cell) is None


def test_tabular_rows_rules_and_label_column_with_offsets():
    src = "x\n\\begin{tabular}{c|cc}\n&$a$&$b$\\\\\n\\hline\n1&$\\frac{1}{3}$&0\\\\\n" \
          "2&1/6&1/2\n\\end{tabular}\n"
    (t,) = tex_tables(src)
    assert [len(r) for r in t.rows] == [3, 3, 3] and t.rules == {0} and t.label_col
    cell = t.rows[2][2]
    assert src[cell.offset:cell.offset + 3] == "1/2"


def test_nested_or_unclosed_environments_are_not_tables():
    assert tex_tables("\\begin{tabular}{cc} 1 & 2 \\\\ 3 & 4") == []
    assert tex_tables("\\begin{array}{cc} \\begin{array}{c} 1 \\end{array} & 2 \\\\ 3 & 4 "
                      "\\end{array}") == []


# -- totals in each format -------------------------------------------------------------------
MD = """Counts:

| group | yes | no | Total |
|---|---|---|---|
| A | 8 | 2 | 10 |
| B | 3 | 5 | 9 |
| Total | 11 | 7 | 18 |
"""


def test_markdown_total_column_and_row():
    # 8+2=10 ok; 3+5=8 written 9: error on line 6; column sums 11, 7 ok on line 7
    assert at(MD, "md", 5) == ["ok"]
    assert at(MD, "md", 6) == ["error"]
    assert "ok" in at(MD, "md", 7) and at(MD, "md", 7).count("ok") >= 3


HTML = """<table><caption>Observed</caption>
<tr><th></th><th>L</th><th>R</th><th>Total</th></tr>
<tr><td>Country</td>
<td>8</td><td>13</td>
<td>21</td></tr>
<tr><td>Pop</td>
<td>9</td><td>52</td>
<td>61</td></tr>
<tr><td>Total</td>
<td>17</td><td>65</td>
<td>82</td></tr>
</table>
<p>Under the null the expected frequencies are</p>
<table>
<tr><th></th><th>L</th><th>R</th><th>Total</th></tr>
<tr><td>Country</td><td>4.35</td><td>16.65</td><td>21</td></tr>
<tr><td>Pop</td><td>12.65</td><td>48.53</td><td>61</td></tr>
<tr><td>Total</td><td>17</td><td>65</td><td>82</td></tr>
</table>
"""


def test_html_totals_on_the_line_of_the_total_cell():
    # 8+13=21 (line 5), 9+52=61 (line 8), 17 = 8+9 and 65 = 13+52 (line 10), 82 as
    # 17 + 65 and as 21 + 61 (line 11)
    assert at(HTML, "html", 5) == ["ok"] and at(HTML, "html", 8) == ["ok"]
    assert at(HTML, "html", 10) == ["ok", "ok"] and at(HTML, "html", 11) == ["ok", "ok"]


def test_html_expected_counts_under_independence():
    # 21·17/82 = 4.3537 → 4.35 ok; 21·65/82 = 16.646 → 16.65 ok; 61·17/82 = 12.646 → 12.65
    # ok; 61·65/82 = 48.354 written 48.53: error (the row 12.65 + 48.53 = 61.18 ≠ 61 too)
    got = at(HTML, "html", 17)
    assert got.count("error") >= 1
    assert "error" not in at(HTML, "html", 16) and at(HTML, "html", 16).count("ok") == 3


def test_an_unlabelled_sum_column_is_claimed_only_when_it_adds_up():
    good = "| a | b | |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 9 |\n"
    bad = "| a | b | |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 7 |\n"
    assert verdicts(good) == [(3, "ok"), (4, "ok")]
    assert verdicts(bad) == []          # not plainly a total column: nothing said


def test_rst_array_with_bare_margins_and_thousands():
    src = """Joint table

.. math::

    \\begin{array}{c|c|c|c}
       & C=\\textrm{yes} & C=\\textrm{no} & \\\\ \\hline
     M=\\textrm{pos} & 8 & 95 & 103 \\\\
     M=\\textrm{neg} & 2 & 895 & 897 \\\\ \\hline
       & 10 & 990 & 1,000
    \\end{array}
"""
    assert at(src, "rst", 7) == ["ok"] and at(src, "rst", 8) == ["ok"]
    assert at(src, "rst", 9).count("ok") == 4 and "error" not in at(src, "rst", 9)


def test_rst_grid_and_simple_tables():
    grid = """Counts

+--------+-----+----+-------+
| group  | yes | no | Total |
+========+=====+====+=======+
| A      | 8   | 2  | 10    |
+--------+-----+----+-------+
| B      | 3   | 5  | 9     |
+--------+-----+----+-------+
"""
    assert at(grid, "rst", 6) == ["ok"] and at(grid, "rst", 8) == ["error"]
    simple = """Counts

=====  ===  ===  =====
group  yes  no   Total
=====  ===  ===  =====
A      8    2    10
B      3    5    8
=====  ===  ===  =====
"""
    assert at(simple, "rst", 6) == ["ok"] and at(simple, "rst", 7) == ["ok"]


# -- marginals and conditionals of a joint table ---------------------------------------------
JOINT = r"""\begin{document}
\begin{tabular}{c|cc}
&$a$&$b$\\
\hline
1&$\frac{1}{3}$&$\frac{1}{6}$\\
2&0&$\frac{1}{4}$\\
3&$\frac{1}{8}$&$\frac{1}{8}$
\end{tabular}

The marginal distributions are, for $X$
\begin{tabular}{c|cc}
&$a$&$b$\\
\hline
&$\frac{11}{24}$&%s
\end{tabular}
and conditioned on $x=a$
\begin{tabular}{c|ccc}
&$1$&$2$&$3$\\
\hline
&$\frac{8}{11}$&$0$&$\frac{3}{11}$
\end{tabular}
\end{document}
"""


def test_marginal_and_conditional_tables():
    # column sums: a = 1/3+0+1/8 = 11/24, b = 1/6+1/4+1/8 = 13/24; conditional on a:
    # (1/3)/(11/24) = 8/11, 0, (1/8)/(11/24) = 3/11
    right = JOINT % r"$\frac{13}{24}$"
    assert at(right, "tex", 14) == ["ok", "ok"] and at(right, "tex", 20) == ["ok"] * 3
    wrong = JOINT % r"$\frac{15}{24}$"
    assert at(wrong, "tex", 14) == ["error", "ok"]


def test_a_one_line_table_after_a_joint_is_silent_when_unclaimed_and_wrong():
    src = (JOINT % r"$\frac{15}{24}$").replace("The marginal distributions are", "Also")
    assert at(src, "tex", 14) == []


# -- distributions bound by a column ---------------------------------------------------------
def test_columns_headed_p_of_x_bind_the_distributions():
    # Σ p ln(p/q) = 0.5 ln 2 + 0.5 ln(2/3) = 0.143841…
    src = """| $x$ | $p(x)$ | $q(x)$ |
|---|---|---|
| 1 | 0.5 | 0.25 |
| 2 | 0.5 | 0.75 |

$$D = \\sum_x p(x)\\ln\\frac{p(x)}{q(x)} = %s$$
"""
    assert "ok" in at(src % "0.1438", "md", 6)
    assert "error" in at(src % "0.1538", "md", 6)


# -- bounds ------------------------------------------------------------------------------------
def test_a_large_table_is_read_within_bounds():
    # 1500 rows of 20 numbers and their total (hand: Σ_j (i + j) = 20 i + 190); the table
    # is cut at MAX_ROWS rows, each of which is checked
    rows = ["| " + " | ".join(str(i + j) for j in range(20)) + f" | {20 * i + 190} |"
            for i in range(1500)]
    src = "| " + " | ".join(f"c{j}" for j in range(20)) + " | Total |\n|" + "---|" * 21 + "\n"
    t0 = time.process_time()
    report = audit_text(src + "\n".join(rows) + "\n", "md")
    assert time.process_time() - t0 < 10
    oks = [f for f in report.findings if f.severity == "ok"]
    assert len(oks) >= 190 and not [f for f in report.findings if f.severity == "error"]


def test_expectation_and_variance_rows_under_their_columns():
    # x·P(x): 1·12/52 + 5·4/52 + 0 = 32/52 = 0.6154 → E(X) = 0.62 ok (line 7);
    # P(x)(x − 0.62)²: 0.0333 + 1.4785 + 0.2588 = 1.7706 → V(X) = 1.7706 ok (line 7);
    # a wrong variance (2.7706) is not claimed: the name does not say which column it sums
    src = r"""\begin{document}
\begin{tabular}{c|c|c|c}
$X$ & $P(X)$ & $X P(X)$ & $P(X)(X - E(X))^2$ \\ \hline
1 & $\frac{12}{52}$ & $\frac{12}{52}$ & $0.0333$ \\ \hline
5 & $\frac{4}{52}$ & $\frac{20}{52}$ & $1.4785$ \\ \hline
0 & $\frac{36}{52}$ & $0$ & $0.2588$ \\ \hline
 & & $E(X) = 0.62$ & $V(X) = %s$
\end{tabular}
\end{document}
"""
    assert at(src % "1.7706", "tex", 7).count("ok") == 2
    assert at(src % "2.7706", "tex", 7).count("ok") == 1
    assert "error" not in at(src % "2.7706", "tex", 7)


def test_a_total_row_holding_an_average_or_a_rate_is_not_a_sum():
    # the rate column's "total" 45 % lies between its cells (40 %, 50 %): a rate, not a
    # sum — nothing said there; the counts 40 + 60 = 100 are checked (line 5)
    src = """| group | n | rate |
|---|---|---|
| A | 40 | 40% |
| B | 60 | 50% |
| Total | 100 | 46% |
"""
    assert at(src, "md", 5) == ["ok"]


def test_rounded_percentages_add_up_to_their_total():
    # 33 % + 33 % + 33 % = 99 %, each rounded from a third: 100 % is within the rounding
    src = "| | a | b | c | Total |\n|---|---|---|---|---|\n| share | 33% | 33% | 33% | 100% |\n"
    assert at(src, "md", 3) == ["ok"]


def test_an_expected_table_of_another_null_model_is_left_alone():
    # "expected" counts under fixed proportions (not row × column / total): most cells do
    # not match independence, so none is judged; the totals still are
    src = """The expected counts are

| | L | R | Total |
|---|---|---|---|
| A | 30 | 10 | 40 |
| B | 15 | 45 | 60 |
| Total | 45 | 55 | 100 |
"""
    got = verdicts(src)
    assert not [x for x in got if x[1] == "error"] and len(got) == 6


# -- marginals and conditionals stated in math from a joint (joint.py) -----------------------
PAIRS = r"""\begin{document}
For example $p(a,b)=0$, $p(b,b)=3/4$, $p(a,a)=1/8$ and $p(b,a)=1/8$ so the %s
$p_X(a)=1/8$ and $p_X(b)=%s$
whereas $p(a|a)=1/2$ and $p_Y(b)=3/4$.
\end{document}
"""


def test_marginals_and_conditionals_from_bindings_of_a_joint():
    # p_X(b) = p(b,a) + p(b,b) = 1/8 + 3/4 = 7/8; p(a|a) = (1/8)/(1/8 + 1/8) = 1/2;
    # p_Y(b) = p(a,b) + p(b,b) = 3/4
    right = PAIRS % ("marginal", "7/8")
    # line 3 also completes X's distribution, 1/8 + 7/8 = 1 (pmf.py)
    assert at(right, "tex", 3) == ["ok", "ok", "ok"] and at(right, "tex", 4) == ["ok", "ok"]
    assert at(PAIRS % ("marginal", "5/8"), "tex", 3) == ["error", "ok"]
    assert at(PAIRS % ("value", "5/8"), "tex", 3) == ["ok"]       # unclaimed: left alone


def test_a_new_section_forgets_the_joint():
    src = (PAIRS % ("marginal", "7/8")).replace("whereas", "\\section{Next}\nwhereas")
    assert at(src, "tex", 5) == []


def test_marginals_stated_after_a_joint_table():
    # rows 1, 2 and columns a, b: p(1,·) = 1/3 + 1/6 = 1/2, p(·,a) = 1/3 + 1/4 = 7/12,
    # p(y=2|x=a) = (1/4)/(7/12) = 3/7
    src = r"""\begin{document}
\begin{tabular}{c|cc}
&$a$&$b$\\ \hline
1&$\frac{1}{3}$&$\frac{1}{6}$\\
2&$\frac{1}{4}$&$\frac{1}{4}$
\end{tabular}

The marginals are $p_Y(1) = 1/2$, $p_X(a) = 0.583$, and $p(y=2|x=a) = %s$.
\end{document}
"""
    assert at(src % "3/7", "tex", 8) == ["ok", "ok", "ok"]
    assert sorted(at(src % "4/7", "tex", 8)) == ["error", "ok", "ok"]


def test_a_table_in_a_notebook_is_located_by_cell_and_line():
    import json
    nb = {"cells": [{"cell_type": "markdown", "source": ["# T\n"], "metadata": {}},
                    {"cell_type": "code", "source": ["x = 1"], "outputs": [],
                     "metadata": {}, "execution_count": None},
                    {"cell_type": "markdown", "metadata": {},
                     "source": ["Counts\n", "\n", "| g | a | b | Total |\n", "|---|---|---|---|\n",
                                "| A | 1 | 2 | 4 |\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    # 1 + 2 = 3, written 4: cell 2, line 5
    got = [(f.cell, f.line, f.severity) for f in audit_text(json.dumps(nb), "ipynb").findings]
    assert got == [(2, 5, "error")]


def test_a_column_headed_by_a_letter_binds_it_when_it_is_a_distribution():
    # P = (0.5, 0.5), Q = (0.25, 0.75) (the Total row is not part of them):
    # Σ P ln(P/Q) = 0.143841…; a column that does not add up to 1 (R) binds nothing
    src = """| $x$ | $P$ | $Q$ | $R$ |
|---|---|---|---|
| 1 | 0.5 | 0.25 | 2 |
| 2 | 0.5 | 0.75 | 3 |
| Total | 1 | 1 | 5 |

$$D = \\sum_x P(x)\\ln\\frac{P(x)}{Q(x)} = %s$$

$$S = \\sum_x R(x) = 5$$
"""
    assert "ok" in at(src % "0.1438", "md", 7) and "error" in at(src % "0.1538", "md", 7)
    assert at(src % "0.1438", "md", 9) == []


def test_an_html_table_inside_code_is_not_read():
    table = ("<table><tr><th></th><th>a</th><th>b</th><th>Total</th></tr>\n"
             "<tr><td>A</td><td>1</td><td>2</td><td>4</td></tr></table>\n")
    assert at(table, "html", 2) == ["error"]
    assert verdicts("<pre>" + table + "</pre>", "html") == []
    assert verdicts("<nav>" + table + "</nav>", "html") == []


def test_a_name_value_table_binds_its_names():
    # P(A) = 0.3, P(B) = 0.5 from the table: P(A) + P(B) = 0.8 ok; P(A)P(B) = 0.15, written
    # 0.25: an error; "Country" is a word, not a name, and binds nothing
    src = """| Event | Probability |
|---|---|
| $P(A)$ | 0.3 |
| $P(B)$ | 0.5 |
| Country | 0.2 |

So $P(A) + P(B) = 0.8$.

And $P(A)P(B) = 0.25$.
"""
    assert at(src, "md", 7) == ["ok"] and at(src, "md", 9) == ["error"]


def test_outcome_labels_of_a_distribution_table_are_not_names():
    # | x | P(X=x) | with outcomes a, b: a and b are not bound to 0.3 and 0.7
    src = "| x | P(X=x) |\n|---|---|\n| a | 0.3 |\n| b | 0.7 |\n\nHere $a + b = 2$.\n"
    assert at(src, "md", 6) == []


def test_many_unclosed_or_nested_environments_are_read_in_linear_time():
    for doc in ("\\begin{tabular}{c} a & b \\\\ " * 100_000,
                "\\begin{array}{cc}1&2\\\\3&4 " * 100_000 + "\\end{array}"):
        t0 = time.process_time()
        tables = tex_tables(doc)
        assert time.process_time() - t0 < 3 and len(tables) <= 1
