"""Distributions given value by value and their stated entropies (pmf.py).  References by
hand: (1/3, 1/3, 1/3) → log2 3 = 1.58496 bits; (1/4, 3/8, 3/8) → 1/4·2 + 3/4·log2(8/3) =
1.56128 bits; (1/2, 1/2, 0) → 1 bit; (1/4, 3/4) → 0.81128 bits."""

from klforge.audit import audit_text


def _verdicts(text):
    return [(f.line, f.severity) for f in audit_text(text, "tex").findings
            if "distribution" in f.message]


def test_equal_values_in_one_chain_and_the_entropy():
    text = ("All logarithms are base 2.\n\\begin{equation}\np_{Y_1}(l)=p_{Y_1}(r)=p_{Y_1}(n)=1/3\n"
            "\\end{equation}\nand $H(Y_1)=\\log{3}$.\n")
    assert _verdicts(text) == [(3, "ok"), (5, "ok")]
    assert _verdicts(text.replace("H(Y_1)=\\log{3}", "H(Y_1)=\\log{2}")) == [(3, "ok"),
                                                                          (5, "error")]


def test_conditional_rows():
    text = ("All logarithms are base 2.\n\\begin{eqnarray}\n"
            "p_{Y_3|Y_2,Y_1}(l|n,l)=p_{Y_3|Y_2,Y_1}(r|n,l)&=&\\frac{1}{2}\\cr\n"
            "p_{Y_3|Y_2,Y_1}(n|n,l)&=&0\n\\end{eqnarray}\nso\n"
            "\\begin{equation}\nH(Y_3|Y_2=n,Y_1=l)=1\n\\end{equation}\n")
    assert _verdicts(text)[-1] == (8, "ok")
    text = ("$p_X(a)=1/4$ and $p_X(b)=3/4$ (in bits) give $H(X)=0.811$, "
            "and $H(X|Y=a)=0.811$ is about another distribution.\n")
    assert [s for _, s in _verdicts(text)] == ["ok", "ok"]


def test_incomplete_or_unknown_base_gives_no_error():
    assert _verdicts("$p_X(a)=1/4$ and $H(X)=2$\n") == []          # does not add up to 1
    assert _verdicts("$p_X(a)=1/2$, $p_X(b)=1/2$, $H(X)=5$\n") == [(1, "ok")]  # base unknown


def test_each_line_of_a_complete_distribution_and_p_of_v_equals_x():
    # 1/4 + 3/8 + 3/8 = 1 over two rows: both rows get their "adds up to 1"
    text = ("\\begin{eqnarray}\np_{Y_2|Y_1}(n|l)&=&1/4\\cr\n"
            "p_{Y_2|Y_1}(l|l)=p_{Y_2|Y_1}(r|l)&=&3/8\n\\end{eqnarray}\n")
    assert _verdicts(text) == [(2, "ok"), (3, "ok")]
    rows = "".join(f"P(p_{{0}}={x} \\vert A1) & = & 0.25 \\\\\n" for x in (0.2, 0.4, 0.6, 0.8))
    text = "$$\n\\begin{array}{ll}\n" + rows + "\\end{array}\n$$\n"
    assert [ln for ln, _ in _verdicts(text)] == [3, 4, 5, 6]
    # 0.33 × 3 = 0.99: not a complete distribution, no verdict
    assert _verdicts(text.replace("0.25", "0.33")) == []


def test_a_distribution_under_an_earlier_heading_serves_ok_only():
    # (1/3, 1/3, 1/3) → log2 3; stated under the next heading: ok when it matches, else nothing
    text = ("All logarithms are base 2.\n\\subsection{A}\n$p_{Y}(l)=p_{Y}(r)=p_{Y}(n)=1/3$\n"
            "\\subsection{B}\n$H(Y)=CLAIM$\n")
    assert _verdicts(text.replace("CLAIM", "\\log{3}"))[-1] == (5, "ok")
    assert _verdicts(text.replace("CLAIM", "\\log{2}")) == [(3, "ok")]
