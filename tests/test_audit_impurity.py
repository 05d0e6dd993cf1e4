"""Two-class node impurity stated in prose after its class probability (impurity.py).
References by hand: H(0.8) = −0.8·log2 0.8 − 0.2·log2 0.2 = 0.72193 bits; H(0.5) = 1 bit;
H(4/7) = 0.98523 bits; Gini 2·0.75·0.25 = 0.375; in nats H(0.8) = 0.50040."""

from klforge.audit import audit_text


def _impurity(text):
    return [(f.line, f.severity, f.stated) for f in audit_text(text, "md").findings
            if f.check == "prose" and ("entropy" in f.message or "Gini" in f.message
                                       or "two classes" in f.message)]


NODE = "- **Left branch:** 5 examples (4 cats, 1 dog). $p_1 = 4/5 = 0.8$.\n  - _Entropy = {}_\n"


def test_binary_entropy_after_the_probability():
    assert _impurity(NODE.format("0.72")) == [(2, "ok", "0.72")]
    assert _impurity("- $p_1 = 5/10$\n- **Parent Entropy ($H_{root}$) = 1.0** (maximum)\n") == [
        (2, "ok", "1.0")]
    assert _impurity("- $p_1 = 4/7 \\approx 0.57$.\n  - Entropy is about 0.99\n") == [
        (2, "ok", "0.99")]


def test_mismatch_or_no_probability_gives_nothing():
    assert _impurity(NODE.format("0.75")) == []          # 0.7219 does not round to 0.75
    assert _impurity("The entropy is 0.72 here.\n") == []   # no probability bound
    far = "$p_1 = 0.8$\n\nOne.\n\nTwo.\n\nThree.\n\nThe entropy is 0.72.\n"
    assert _impurity(far) == []                          # bound too far back


def test_gini_and_stated_base():
    assert _impurity("$p = 0.75$, so the Gini impurity is 0.375.\n") == [(1, "ok", "0.375")]
    nats = "We use natural logarithms. $p = 0.8$, and the entropy is 0.50.\n"
    assert _impurity(nats) == [(1, "ok", "0.50")]
    assert _impurity(nats.replace("0.50", "0.72")) == []   # bits, but the text said nats


def test_maximum_impurity_of_two_classes():
    # two classes: Gini 1 − (1/2² + 1/2²) = 0.5, entropy log2 2 = 1 bit (uniform split)
    assert _impurity("Gini's maximum impurity is 0.5 and maximum purity is 0.\n") == [
        (1, "ok", "0.5")]
    assert _impurity("Compared to Entropy, the maximum value of the Gini index is 0.5.\n") == [
        (1, "ok", "0.5")]
    assert _impurity("Entropy's maximum impurity is 1.\n") == [(1, "ok", "1")]
    assert _impurity("The maximum Gini impurity is 0.7.\n") == []     # not two classes: nothing


def test_probability_written_as_a_conditional():
    text = "the classes are uniform with $p(i=1|t)=0.5$ and $p(i=0|t)=0.5$, the entropy is 1.\n"
    assert _impurity(text) == [(1, "ok", "1")]
