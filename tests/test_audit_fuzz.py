"""The auditor never crashes or hangs: random and mutated documents, deep nesting, huge
exponents, unbalanced delimiters — in every format it reads (Markdown, LaTeX, notebooks,
HTML, reStructuredText, Quarto).  (The time bound here is a hang guard, not a speed claim.)"""
import json
import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klforge.audit import AuditInputError, audit_text

CORPUS = sorted((Path(__file__).parent / "audit_corpus").glob("problems_*"))
TOKENS = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "{", "}", "(", ")", "[", "]", "=",
          "\\approx", "\\le", "<", ">", "^", "_", "\\frac", "\\ln", "\\log", "\\log_2",
          "\\exp", "e^", "\\sqrt", "\\sum_{i=1}^{", "\\cdot", "\\times", "-", "+", "/",
          "0.5", "10", "9", "1e5", "x", "H(p,q)", "\\text{ nats}", "\\ldots", "\\left(",
          "\\right)", "&", "\\\\", "\n", "\n\n", " ", "%", "```", "```{math}",
          "\\begin{align}", "\\end{align}", "\\stackrel{?}{=}", "\\%", "é", "\x00"]
HANG_GUARD = 60.0
#: KLFORGE_FUZZ_SCALE=10 runs ten times as many examples (a deeper local fuzz).
SCALE = int(os.environ.get("KLFORGE_FUZZ_SCALE", "1"))


def audit_ok(text, fmt):
    t0 = time.process_time()
    report = audit_text(text, fmt)
    assert time.process_time() - t0 < HANG_GUARD
    for f in report.findings:
        assert f.severity in ("error", "warning", "ok", "unchecked")
        assert not f.message.startswith("internal error"), f
        assert f.line >= 1
    return report


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=80), st.sampled_from(["md", "tex"]))
def test_random_token_soup(tokens, fmt):
    audit_ok(" ".join(tokens), fmt)


@settings(max_examples=200 * SCALE, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["md", "tex"]))
def test_random_text(text, fmt):
    audit_ok(text, fmt)


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.data())
def test_mutated_corpus_documents(path, data):
    text = path.read_text()
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if op == "delete":
            text = text[:i] + text[i + data.draw(st.integers(1, 20)):]
        elif op == "insert":
            text = text[:i] + data.draw(st.sampled_from(TOKENS)) + text[i:]
        else:
            j = data.draw(st.integers(i, min(len(text), i + 200)))
            text = text[:j] + text[i:j] + text[j:]
    audit_ok(text, "tex" if path.suffix == ".tex" else "md")


def test_pathological_inputs():
    cases = [
        "$" + "{" * 5000 + "1" + "}" * 5000 + " = 1$",
        "$" + "(" * 3000 + "$",
        "$10^{10^{10^{10^{10}}}} = 1$",
        "$e^{e^{e^{e^{10}}}} = 1$",
        "$\\sqrt[0]{2} = 1$ and $0^{0} = 1$ and $\\log_1 5 = 1$ and $\\log_{-2} 4 = 2$",
        "$\\sum_{i=1}^{10^{9}} i = 1$ and $\\sum_{i=0.5}^{3} i = 1$",
        "$" * 10001,
        "$$" + " = 1" * 2000 + "$$",
        "$1" + " + 1" * 3000 + " = 3001$",
        "-" * 10000 + "$1 = 1$",
        "$" + "-" * 2000 + "1 = -1$",
        "$2" + "^{2" * 200 + "}" * 200 + " = 4$",
        "\\begin{align}" + "&= 1 \\\\" * 500 + "\\end{align}",
        "```{math}\n" + "= 2\n" * 100,
        "$\\frac{1}{3} = 0." + "3" * 5000 + "$",
    ]
    for text in cases:
        audit_ok(text, "md")
        audit_ok(text, "tex")


# -- the other formats ------------------------------------------------------------------------
FORMAT_TOKENS = TOKENS + [
    # HTML
    "<p>", "</p>", "<span class=\"katex\">", "<span class=\"katex-html\">", "</span>",
    "<annotation encoding=\"application/x-tex\">", "</annotation>", "<math>", "</math>",
    "<script type=\"math/tex\">", "<script type=\"math/tex; mode=display\">", "</script>",
    "<!--", "-->", "<pre>", "</pre>", "&lt;", "&amp;", "&#x27;", "<h2>", "<li>", "<strong>",
    "<", ">", "<![CDATA[", "<!DOCTYPE html>",
    # reStructuredText
    ":math:`", "`", "`:math:", ".. math::", "\n   ", "\n\n   ", ":label: x", "::",
    ".. code-block:: python", "====", "----", "* ", ".. note::",
    # Markdown/MyST/Quarto
    ":::{math}", ":::", ":::{dropdown}", "::: {.callout-note}", "```{python}", "    ", "> ",
    "- ", "1. ", "(a)", "**Part 2**", "---", "{math}`", "| a | b |", "|---|---|",
]
FORMATS = ["md", "qmd", "tex", "html", "rst"]


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FORMAT_TOKENS), max_size=80), st.sampled_from(FORMATS))
def test_format_token_soup(tokens, fmt):
    audit_ok("".join(tokens), fmt)


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["markdown", "code", "raw", "bogus", None]),
                          st.lists(st.sampled_from(FORMAT_TOKENS), max_size=30)), max_size=8),
       st.booleans())
def test_notebooks_of_random_cells(cells, as_list):
    nb = {"cells": [{"cell_type": kind, "source": (["".join(src)] if as_list else "".join(src))}
                    if kind else "".join(src) for kind, src in cells]}
    report = audit_ok(json.dumps(nb), "ipynb")
    for f in report.findings:
        assert f.cell is not None and 0 <= f.cell < len(cells)


@settings(max_examples=100 * SCALE, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_a_notebook_or_a_one_line_error(text):
    try:
        audit_ok(text, "ipynb")
    except AuditInputError as e:
        assert "\n" not in str(e) and "notebook" in str(e)


def test_pathological_inputs_in_every_format():
    cases = [
        "<span>" * 5000 + "\\(1 = 1\\)" + "</span>" * 5000,       # deep HTML nesting
        "<annotation encoding=\"application/x-tex\">" * 2000,       # never closed
        "<!--" * 3000,
        "&" * 10000 + "\\(1 = 1\\)",
        ".. math::\n" + "   = 1\n" * 3000,                             # one long math block
        ":math:`" * 5000,
        "\n".join("  " * k + ".. note::" for k in range(300)),      # nested directives
        ":::{note}\n" * 500 + "$1 = 1$\n" + ":::\n" * 500,          # nested MyST fences
        "> " * 3000 + "$1 = 1$",                                    # deep blockquote
        "- " * 3000 + "$1 = 1$",                                    # deep lists
        "\\begin{equation}" * 3000 + "$1 = 1$",                    # unclosed environments
        "\\(" * 5000 + "1 = 1",
        "$" + "\\\\" * 5000 + "$",
    ]
    for text in cases:
        for fmt in FORMATS:
            audit_ok(text, fmt)


# -- tables (tables.py, tablecheck.py, rsttables.py) ------------------------------------------
TABLE_TOKENS = FORMAT_TOKENS + [
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>", "<caption>",
    "\\begin{tabular}{c|cc}", "\\end{tabular}", "\\begin{array}{c|c|c}", "\\end{array}",
    "\\hline", "+---+---+", "| x | 1 |", "+===+===+", "===  ===", "\n===  ===\n", "Total",
    "1/2", "\\frac{1}{3}", "1,000", "0.25", "| Total | 3 |", "expected", "marginal",
    "conditioned on $x=a$", "| $p(x)$ | $q(x)$ |", "\\color{blue}{0.5}",
    "p(a,b)=1/4", "p(b,a)=", "p_X(a)=", "p(a|b)=", "P(X=1)=", "1/2", "\\section{S}",
    "<sub>", "</sub>", "<sup>", "</sup>", "log<sub>2</sub>", "\\*", "<sup>1</sup>/<sub>4</sub>",
]


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TABLE_TOKENS), max_size=80), st.sampled_from(FORMATS))
def test_table_token_soup(tokens, fmt):
    audit_ok("".join(tokens), fmt)


def _render(cells, fmt):
    """A table whose rows are ``cells`` (strings), one source line per row."""
    if fmt in ("md", "qmd"):
        lines = ["| " + " | ".join(r) + " |" for r in cells]
        return "Table:\n\n" + "\n".join(lines[:1] + ["|" + "---|" * len(cells[0])] + lines[1:])
    if fmt == "html":
        return "<table>\n" + "\n".join(
            "<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{c}</{'th' if i == 0 else 'td'}>"
                             for c in r) + "</tr>" for i, r in enumerate(cells)) + "\n</table>"
    if fmt == "tex":
        spec = "c|" + "c" * (len(cells[0]) - 1)
        rows = [" & ".join(r) + " \\\\" for r in cells]
        return f"x\n\\begin{{tabular}}{{{spec}}}\n" + "\n".join(rows) + "\n\\end{tabular}\n"
    width = max(len(c) for r in cells for c in r) + 2  # rst simple table
    border = "  ".join("=" * width for _ in cells[0])
    body = ["  ".join(c.ljust(width) for c in r) for r in cells]
    return "Table\n\n" + "\n".join([border, body[0], border] + body[1:] + [border]) + "\n"


def _first_line(fmt):
    return {"md": 3, "qmd": 3, "html": 2, "tex": 3, "rst": 4}[fmt]


@settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 999), min_size=2, max_size=4), min_size=2, max_size=4)
       .filter(lambda m: len({len(r) for r in m}) == 1), st.sampled_from(FORMATS), st.data())
def test_tables_that_add_up_pass_and_a_wrong_total_is_found(matrix, fmt, data):
    """Totals computed here by hand (Python ints): a consistent table gives no error; one
    total off by one gives an error on its row's line."""
    head = ["group"] + [f"c{j}" for j in range(len(matrix[0]))] + ["Total"]
    rows = [[f"r{i}"] + [str(x) for x in r] + [str(sum(r))] for i, r in enumerate(matrix)]
    rows.append(["Total"] + [str(sum(c)) for c in zip(*matrix, strict=True)]
                + [str(sum(map(sum, matrix)))])
    report = audit_ok(_render([head] + rows, fmt), fmt)
    assert not [f for f in report.findings if f.severity == "error"]
    assert sum(f.severity == "ok" for f in report.findings) >= len(matrix) + len(matrix[0])
    k = data.draw(st.integers(0, len(matrix) - 1))
    rows[k][-1] = str(int(rows[k][-1]) + 1)
    report = audit_ok(_render([head] + rows, fmt), fmt)
    line = _first_line(fmt) + 1 + k + (fmt in ("md", "qmd", "rst"))  # a rule under the head
    assert any(f.severity == "error" and f.line == line for f in report.findings), (
        line, [(f.line, f.severity, f.relation) for f in report.findings])


_OUTPUTS = st.one_of(
    st.none(), st.integers(), st.text(max_size=40),
    st.fixed_dictionaries({"output_type": st.just("stream"),
                           "text": st.one_of(st.text(max_size=60), st.lists(st.text(max_size=20),
                                                                            max_size=3))}),
    st.fixed_dictionaries({"output_type": st.just("execute_result"),
                           "data": st.one_of(st.none(), st.fixed_dictionaries(
                               {"text/plain": st.one_of(st.text(max_size=60), st.integers(),
                                                        st.sampled_from(["0.05", "-2.5", "1",
                                                                         "6.3e-05"]))}))}))


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["markdown", "code"]),
                          st.lists(st.sampled_from(FORMAT_TOKENS + ["is about 5%", " is 1",
                                                                    "≈ 0.05", " 2/3"]),
                                   max_size=20),
                          st.one_of(st.none(), st.lists(_OUTPUTS, max_size=3), st.integers())),
                max_size=8))
def test_notebooks_with_random_outputs(cells):
    """Code cells with outputs of any shape (outputs.py reads them): no crash, cells valid."""
    nb = {"cells": [{"cell_type": kind, "source": "".join(src), "outputs": outs}
                    for kind, src, outs in cells]}
    report = audit_ok(json.dumps(nb), "ipynb")
    for f in report.findings:
        assert f.cell is not None and 0 <= f.cell < len(cells)


_STAT_TOKENS = ["$p(X,Y)$ is ", "$p(X,Y|Z=a)$ ", "$p(X,Y|Z=b)$ ",
                "\\begin{equation}\\begin{array}{cc}1/4&1/4\\\\1/4&1/4\\end{array}\\end{equation}",
                "\\begin{equation}\\begin{array}{cc}1/2&0\\\\1/4&1/4\\end{array}\\end{equation}",
                "$H(X,Y)=2$", "$H(X)=1$", "$I(X;Y)=0$", "$I(X,Y|Z)=0.3$", "$H(X|Z)=1$",
                "$p_Z(a)=p_Z(b)=1/2$", "$P(A) = 0.02$", "$P(\\text{not } A) = 0.97$",
                "$P(A^c)=0.98$", "$p_1 = 4/5$", "Entropy = 0.72", "Gini is 0.32", "\n\n",
                "\\item ", "\\section{S}", " and ", "$P(M=\\textrm{pos})=0.8$",
                "$P(M=\\textrm{neg})=0.2$", "$p_{Y_1}(l)=p_{Y_1}(r)=1/2$", "$H(Y_1)=\\log 2$",
                "$p_{Y|X}(a|b)&=&\\frac{1}{2}\\cr$", "$H(Y|X=b)=1$", "$$1, 2, 3, 6$$",
                "$\\bar{x} = 3$",
                "$\\sqrt{\\frac{p(1-p)}{n}} = \\sqrt{\\frac{0.5 \\times 0.5}{4}}$",
                "$P(Z > 1.96) = 0.025$", "the difference is about $0.5$",
                "a factor of roughly eight"]


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_STAT_TOKENS + FORMAT_TOKENS[:20]), max_size=40),
       st.sampled_from(FORMATS))
def test_joint_entropy_complement_impurity_soup(tokens, fmt):
    """information.py, pmf.py, complement.py and impurity.py on shuffled statements: no
    crash."""
    audit_ok("".join(tokens), fmt)
