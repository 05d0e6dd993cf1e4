"""Entropies and mutual information stated from a bare grid named p(X,Y) (information.py).
References by hand: for the uniform 2×2 joint H(X,Y) = log2 4 = 2 bits, H(X) = H(Y) = 1,
I = 0; for [[1/2, 0], [1/4, 1/4]] the rows give (1/2, 1/2) → H(X) = 1, the columns
(3/4, 1/4) → H(Y) = 2 − (3/4)·log2 3 = 0.811278…, the joint (1/2, 1/4, 1/4) → 3/2, so
I(X;Y) = 1 + 0.811278 − 1.5 = 0.311278…"""

from klforge.audit import audit_text

UNIFORM = ("All logarithms are base 2. The joint distribution $p(X,Y)$ is\n"
           "\\begin{equation}\n\\begin{array}{cc}1/4&1/4\\\\1/4&1/4\\end{array}\n"
           "\\end{equation}\n")
GIVEN = ("All logarithms are base 2. Let $p_Z(a)=p_Z(b)=1/2$ and $p(X,Y|Z=a)$\n"
         "\\begin{equation}\n\\begin{array}{cc}1/2&0\\\\1/4&1/4\\end{array}\n"
         "\\end{equation}\nand $p(X,Y|Z=b)$\n"
         "\\begin{equation}\n\\begin{array}{cc}0&1/2\\\\1/4&1/4\\end{array}\n"
         "\\end{equation}\n")


def _verdicts(text):
    return [(f.line, f.severity, f.stated) for f in audit_text(text, "tex").findings
            if f.severity in ("ok", "error", "warning") and "adds up to 1" not in f.message]


def test_entropies_of_a_named_joint():
    got = _verdicts(UNIFORM + "so $H(X,Y)=2$, $H(X)=1$, $H(Y)=1$ and $I(X;Y)=0$.\n")
    assert [s for _, s, _ in got] == ["ok"] * 4
    got = _verdicts(UNIFORM + "so $H(X,Y)=1.5$.\n")
    assert [(s, st) for _, s, st in got] == [("error", "1.5")]


def test_conditional_joints_and_their_average():
    ok = _verdicts(GIVEN + "so $H(X|Z=a)=1$, $H(X,Y|Z=a)=3/2$ and\n$$I(X;Y|Z)=0.311$$\n")
    assert [s for _, s, _ in ok] == ["ok"] * 3
    bad = _verdicts(GIVEN + "so\n$$I(X,Y|Z)= 1.1811$$\n")
    assert [(s, st) for _, s, st in bad] == [("error", "1.1811")]


def test_unnamed_or_unnormalised_grids_are_not_joints():
    plain = UNIFORM.replace("The joint distribution $p(X,Y)$ is", "The table is")
    assert _verdicts(plain + "so $H(X,Y)=1.5$.\n") == []
    half = UNIFORM.replace("1/4&1/4\\end", "1/4&1/8\\end")   # adds up to 7/8
    assert _verdicts(half + "so $H(X,Y)=1.5$.\n") == []


def test_unknown_base_never_errs():
    text = UNIFORM.replace("All logarithms are base 2. ", "")
    assert [s for _, s, _ in _verdicts(text + "so $H(X,Y)=2$.\n")] == ["ok"]   # bits
    assert _verdicts(text + "so $H(X,Y)=1.5$.\n") == []


def test_a_joint_given_entry_by_entry():
    # p(a,a)=1/8, p(a,b)=0, p(b,a)=1/8, p(b,b)=3/4: Y=b column (0, 3/4) → H(X|Y=b) = 0;
    # column a (1/8, 1/8) → 1 bit; p_Y = (1/4, 3/4) → H(X|Y) = 1/4·1 + 3/4·0 = 0.25
    text = ("All logarithms are base 2. Let $p(a,b)=0$, $p(b,b)=3/4$, $p(a,a)=1/8$ and "
            "$p(b,a)=1/8$.\n\nThen $H(X|Y=a)=1$, $H(X|Y=b)=0$ and\n$$H(X|Y)=0.25$$\n")
    assert [s for _, s, _ in _verdicts(text)] == ["ok", "ok", "ok"]
    assert [s for _, s, _ in _verdicts(text.replace("H(X|Y)=0.25", "H(X|Y)=0.5"))][-1] == "error"


def test_the_marginal_of_conditional_joints():
    # ½·[[1/2, 0], [1/4, 1/4]] + ½·[[0, 1/2], [1/4, 1/4]] = [[1/4, 1/4], [1/4, 1/4]]
    marg = ("so that the marginal distribution $p(X,Y)$ is\n\\begin{equation}\n"
            "\\begin{array}{cc}1/4&1/4\\\\1/4&1/4\\end{array}\n\\end{equation}\nand $H(X,Y)=2$.\n")
    got = [s for _, s, _ in _verdicts(GIVEN + marg)]
    assert got == ["ok", "ok"]
    wrong = marg.replace("1/4&1/4\\\\1/4&1/4", "1/2&0\\\\1/4&1/4")
    got = [s for _, s, _ in _verdicts(GIVEN + wrong)]
    assert got[0] == "error"
