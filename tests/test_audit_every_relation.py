r"""Every relation the reader finds gets exactly one finding (issue 14: no silent drops).

The structural invariant: the auditor is handed the document's math clause by clause
(``Events._clause``); the test re-reads each clause with the reader (``parse_chain``) and counts
its relations (``=``, ``\approx``, ``\le``, ``<``, … between two parsed sides; a clause the reader
cannot parse that contains a relation sign counts one); the findings recorded while that clause
is judged must number exactly as many.  Documents in Markdown, LaTeX, a notebook cell and HTML.

Then hand-labelled verdicts for the relations the reviewer found dropped: ``m = \nabla A(\eta)``
(a definition), ``B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)`` and ``f(x) = g(y)`` (unchecked:
undefined functions), ``a = 2`` after "Let" and a bare ``x = 0.5`` (definitions).
"""
import json

import pytest

from klforge.audit import audit_text
from klforge.audit import nodes as N
from klforge.audit.check import Auditor, _pairs_of_values
from klforge.audit.latex import Unsupported, parse_chain

REVIEW = r"""Text.

In mean parameters $m = \nabla A(\eta)$ the roles reverse.

Then $B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)$ holds.

Also $B_A(x, y) = B_{C}(u, v)$.
Let $a = 2$.

Then $B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)$ holds, and $f(x) = g(y)$, and """ \
    "$(x+1)^2 = x^2 + 2x + 1$.\n"

MARKDOWN = REVIEW + r"""
Take $x = 0.5$ and $p = (0.5, 0.3, 0.2)$. Then $x^2 + x = 0.75$ and $x < 1$.

$$
D = 0.92 \ln\frac{0.92}{0.70} + 0.08 \ln\frac{0.08}{0.30}
$$
$$
= 0.92(0.2733) + 0.08(-1.3218) = 0.1457
$$

$$
SE = \sqrt{\frac{p(1-p)}{n}} = \sqrt{\frac{0.67 \times 0.33}{850}} \approx 0.016
$$

$$
\ln 2 + \frac{0.25}{2} - \frac12 = 0.6931 + 0.125 - 0.5 = 0.3181
$$

For $\sigma > 0$ and $0 < p < 1$, $\ln r \le r - 1$ and $r = \sigma_1^2/\sigma_2^2$.

Let $P(0) = P(1) = 0.5$, $q = \mathcal{N}(\mu, \sigma^2)$ and $K := \ln\frac{\sigma_2}{\sigma_1}$.

$= 3$ continues nothing. $h(t) \approx k(t)$ and $u \ne v$ and $\frac{1}{2} = 0.5 = 0.50$.

$y = 3x + 1$, so $y = 2.5$. $\mathbb{E}[X^2] = \mu^2 + \sigma^2$ and $F(z) \ge G(w)$.
"""

LATEX = r"""\documentclass{article}
\begin{document}
\section{Bregman}
$np(1-p) = 100 \cdot 0.5 \cdot 0.5 = 25$.
In mean parameters $m = \nabla A(\eta)$, and $B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)$.
Let $a = 2$ and $x = 0.5$; then $a x = 1$ and $a + x \approx 2.6$.
\begin{align}
D &= 0.5 \ln\frac{0.5}{0.25} + 0.5\ln\frac{0.5}{0.75} \\
  &= 0.5(0.6931) + 0.5(-0.4055) = 0.1438
\end{align}
Here $f(x) = g(y)$, $(x+1)^2 = x^2 + 2x + 1$ and $\ln \rho \le \rho - 1$.
\end{document}
"""

NOTEBOOK_CELL = (r"Let $a = 2$ and $m = \nabla A(\eta)$. Then $f(x) = g(y)$, $a^2 = 4$ and "
                 "$1 + 1 = 3$.\n\n$$\nB_A(x, y) = B_{C}(u, v)\n$$\n")

HTML = ("<html><body><p>Let \\(a = 2\\) and \\(x = 0.5\\).</p>"
        "<p>Then \\(f(x) = g(y)\\) and \\(B_A(\\eta_q, \\eta_p) = B_{A^*}(m_p, m_q)\\).</p>"
        "<p>\\[ 0.5 \\ln 2 = 0.3466 \\]</p><p>And \\((x+1)^2 = x^2 + 2x + 1\\).</p>"
        "</body></html>")


def notebook(markdown):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": markdown.splitlines(True)}]})


DOCUMENTS = [("md", MARKDOWN), ("tex", LATEX), ("ipynb", notebook(NOTEBOOK_CELL)),
             ("html", HTML)]
RELATIONS = ("=", "≈", "≤", "≥", "<", ">", "≠", "<=", ">=", "\\le", "\\ge", "\\approx", "\\ne")


def relations_read(text: str) -> int:
    """Relations the reader finds in one clause: Relation items of its parse (each end of a
    pair of values is its own chain); 1 for an unparseable clause with a relation sign."""
    try:
        items = parse_chain(text)
    except Unsupported:
        return 1 if any(r in text for r in RELATIONS) else 0
    count = sum(isinstance(x, N.Relation) for x in items[1::2])
    return count * max(1, _pairs_of_values(items)) if len(items) > 1 else 0


@pytest.fixture
def per_clause(monkeypatch):
    """[(clause text, relations read, findings recorded while it was judged)]."""
    seen = []
    original = Auditor._clause

    def counted(aud, text, offset, display, parse):
        before = len(aud.findings)
        original(aud, text, offset, display, parse)
        own = [f for f in aud.findings[before:] if f.check != "term"]  # a step's terms: detail
        seen.append((text, relations_read(text), len(own)))

    monkeypatch.setattr(Auditor, "_clause", counted)
    return seen


@pytest.mark.parametrize("fmt,text", DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_every_relation_gets_exactly_one_finding(per_clause, fmt, text):
    audit_text(text, fmt, f"doc.{fmt}")
    judged = [(t, r, f) for t, r, f in per_clause if r]
    assert len(judged) >= 4, per_clause  # the documents were read
    # a lone value may be joined to the prose before it ("this is about $1.56$"): one relation
    assert all(f <= 1 for t, r, f in per_clause if not r), per_clause
    wrong = [(t, r, f) for t, r, f in judged if r != f]
    assert wrong == [], wrong
    assert sum(r for _, r, _ in judged) == sum(f for _, _, f in judged)


def findings(text, fmt="md"):
    return [(f.relation, f.kind or f.severity, f.message) for f in
            audit_text(text, fmt).findings]


def test_the_reviewers_document_has_one_finding_per_relation_with_hand_verdicts():
    got = [(rel, verdict) for rel, verdict, _ in findings(REVIEW)]
    assert got == [
        ("m = ∇A(eta)", "definition"),
        ("B_A(eta_q,eta_p) = B_A^*(m_p,m_q)", "unchecked"),
        ("B_A(x,y) = B_C(u,v)", "unchecked"),
        ("a = 2", "definition"),
        ("B_A(eta_q,eta_p) = B_A^*(m_p,m_q)", "unchecked"),
        ("f(x) = g(y)", "unchecked"),
        ("(x + 1)^2 = x^2 + 2·x + 1", "ok"),
    ]


def test_undefined_functions_are_named_as_the_reason():
    (f,) = audit_text(r"Then $B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)$ holds.").findings
    assert f.severity == "unchecked" and f.kind is None
    assert f.message == "undefined functions B_A, B_A^*: nothing to evaluate"
    (g,) = audit_text("and $f(x) = g(y)$.").findings
    assert g.message == "undefined functions f, g: nothing to evaluate"


def test_a_new_name_given_an_unreadable_formula_is_a_definition():
    (f,) = audit_text(r"In mean parameters $m = \nabla A(\eta)$ the roles reverse.").findings
    assert (f.severity, f.kind) == ("unchecked", "definition")
    assert f.message.startswith("defines m (a new name on the left)")


@pytest.mark.parametrize("text,name", [("Let $a = 2$.", "a"), ("Take $x = 0.5$.", "x"),
                                       ("$$\nx = 0.5\n$$\n", "x")])
def test_a_bare_numeric_binding_is_a_definition_finding(text, name):
    (f,) = audit_text(text).findings
    assert (f.severity, f.kind) == ("unchecked", "definition")
    assert f.message.startswith(f"defines {name} = ")


def test_a_binding_still_feeds_later_checks():
    # a = 2 by hand: a^2 + 1 = 5, so 6 is wrong
    assert [(f.kind or f.severity) for f in audit_text("Let $a = 2$. Then $a^2 + 1 = 5$.")
            .findings] == ["definition", "ok"]
    assert [(f.kind or f.severity) for f in audit_text("Let $a = 2$. Then $a^2 + 1 = 6$.")
            .findings] == ["definition", "error"]


def test_a_vector_of_values_is_a_definition_finding():
    (f,) = audit_text("Let $p = (0.5, 0.3, 0.2)$.").findings
    assert f.kind == "definition" and "vector" in f.message


def test_a_relation_two_judges_answer_keeps_one_finding():
    # p = 0.67, n = 850 substituted consistently (the unifier, ok); the identity judge also
    # called it "an equation for n, p" — one finding per relation: SE defined, two oks
    text = r"$SE = \sqrt{\frac{p(1-p)}{n}} = \sqrt{\frac{0.67 \times 0.33}{850}} \approx 0.016$"
    got = [(f.kind or f.severity, f.message.split(" (")[0]) for f in audit_text(text).findings]
    assert got == [("definition", "defines SE"), ("ok", "a consistent substitution"), ("ok", "")]
