"""Math written without math markup: arithmetic in prose, functions without a backslash.

* :func:`plain_arithmetic` — ``0.5 * 0.3 = 0.15`` or ``7.63 + 2.62 = 10.25`` typed in a
  sentence, as notebooks and READMEs often do, is read as inline math.  Only digits,
  operators, parentheses and ``=``/``≈`` on one line, with an operation on the left of the
  first relation and no letters at all: ``n = 600``, ``p = 5/600``, dates and version
  numbers are left alone.
* :func:`bare_functions` — ``log_2(x)``, ``ln 2`` written inside math without the
  backslash (MathJax shows letters; the author means the function).

Both keep offsets exact: the first returns segments of the prose it was given, the second
keeps the text's length.  Example: ``bare_functions("x = ln 2") == "x =\\ln 2"``.
"""

from __future__ import annotations

import re

from .extract import Prose, Segment

_PLAIN = re.compile(r"(?<![\w.=<>$\\/^*+\-−])(?P<f>[(]*[ \t]*(?:\d+(?:\.\d+)?|\.\d+)"
                    r"[\d.() \t+\-−*/×·^]*(?:[ \t]*(?:=|≈)[ \t]*[-−(]*[ \t]*"
                    r"(?:\d+(?:\.\d+)?|\.\d+)[\d.() \t+\-−*/×·^]*)+)(?=[ \t]*(?:$|[,;:!?)\]]|"
                    r"\.(?!\d)|[ \t][A-Za-z]))", re.M)
_OPERATION = re.compile(r"[\d)][ \t]*(?:[+\-−*/×·^]|\()[ \t]*[(\d.]")


def plain_arithmetic(prose: list[Prose]) -> list[Segment]:
    """Arithmetic written in prose without math delimiters — ``0.5 * 0.3 = 0.15``,
    ``(1/4)(2) + 0.5 = 1`` — as inline math: only digits, operators, parentheses and
    ``=``/``≈`` on one line, an operation on the left of the first relation (``3/4 = 0.75``
    counts), nothing that is part of a word or a date (no letters at all)."""
    out = []
    for p in prose:
        if "=" not in p.text and "≈" not in p.text:
            continue
        for m in _PLAIN.finditer(p.text):
            f = m.group("f").rstrip(" \t.")
            while f.endswith(")") and f.count(")") > f.count("("):
                f = f[:-1].rstrip(" \t.")
            lhs = re.split(r"=|≈", f, maxsplit=1)[0]
            if f.count("(") != f.count(")") or not _OPERATION.search(lhs) or len(f) > 400:
                continue
            out.append(Segment(f, p.offset + m.start("f"), False))
    return out


_BARE = re.compile(r"(?<![\\A-Za-z])[ \t~](log|ln|exp|sqrt)(?=[ \t]*[_({\d\\^])")


def bare_functions(text: str) -> str:
    """``log_2(x)``, ``ln 2`` written in math without the backslash (MathJax shows them as
    letters; the author means the function): the space before the name becomes the
    backslash, so the text keeps its length and every offset stays exact."""
    return _BARE.sub(lambda m: "\\" + m.group(1), text)


# -- formulas typed with HTML <sub>/<sup> in Markdown --------------------------------------
_TAG = re.compile(r"<su[bp]>", re.I)
_FRAC = re.compile(r"<sup>([^<>\n]{1,80})</sup>[ \t]*/[ \t]*<sub>([^<>\n]{1,80})</sub>", re.I)
_SUP = re.compile(r"<sup>([^<>\n]{1,80})</sup>(?![ \t]*/[ \t]*<sub>)", re.I)
_SUB = re.compile(r"(?<!</sup>/)(?:(?<![A-Za-z])(log|ln))?<sub>([^<>\n]{1,80})</sub>", re.I)
_WORD = re.compile(r"(?<![\\\w{])[A-Za-z]{2,}(?![\w(}])")
_FUNCS = {"log", "ln", "exp", "sqrt", "frac"}
_UNITS = {"bits", "bit", "nats", "nat"}
_OPEN_END = re.compile(r"[+\-−*×/][ \t]*$")


def _pad(m, new: str) -> str:
    return new + " " * max(0, len(m.group()) - len(new))


def tag_markup(line: str) -> str:
    """``log<sub>2</sub><sup>8</sup>/<sub>3</sub>`` → ``\\log_{2}\\frac{8}{3}`` padded with
    spaces to the line's length (innermost tags first; at most 8 levels); ``\\*`` (an
    escaped Markdown star) is a product."""
    s = line.replace("\\*", " *")
    for _ in range(8):
        t = _FRAC.sub(lambda m: _pad(m, f"\\frac{{{m.group(1)}}}{{{m.group(2)}}}"), s)
        t = _SUP.sub(lambda m: _pad(m, f"^{{{m.group(1)}}}"), t)
        t = _SUB.sub(lambda m: _pad(m, (f"\\{m.group(1).lower()}" if m.group(1) else "")
                                    + f"_{{{m.group(2)}}}"), t)
        if t == s:
            break
        s = t
    return s if len(s) == len(line) and not _TAG.search(s) else ""


def _span(text: str) -> tuple[int, int] | None:
    """The formula part of a converted line: between the prose words around its first
    relation (a unit word ends it)."""
    eq = text.find("=")
    words = [m for m in _WORD.finditer(text) if m.group().lower() not in _FUNCS]
    a = max([m.end() for m in words if m.end() <= eq] + [0]) if eq >= 0 else 0
    b = min([m.start() for m in words if m.start() > max(eq, a)] + [len(text)])
    if eq >= 0 and any(w.group().lower() not in _UNITS for w in words if a < w.start() < eq):
        return None
    while a < b and text[a] in " \t*-+" and not text[a:b].lstrip(" \t*-+")[:1].isdigit() \
            and text[a] != "-":
        a += 1
    return (a, b) if text[a:b].strip() else None


def tag_math(prose: list[Prose]) -> list[Segment]:
    """Formulas typed in Markdown with HTML ``<sub>``/``<sup>`` (``p<sub>data</sub>=
    <sup>2</sup>/<sub>8</sub>``, ``I(X)=log<sub>2</sub>4=2 bits``): a line holding such a
    tag and a ``=`` is read as inline math (the lines it continues onto when it ends with an
    operator with it); a following line that begins with ``=`` continues it.  Offsets
    stay exact: each line keeps its length."""
    out = []
    for p in prose:
        if not _TAG.search(p.text):
            continue
        lines, pos = p.text.split("\n"), 0
        starts = []
        for x in lines:
            starts.append(pos)
            pos += len(x) + 1
        k, after_formula = 0, False
        while k < len(lines):
            conv = tag_markup(lines[k]) if _TAG.search(lines[k]) else ""
            cont = after_formula and lines[k].lstrip().startswith("=")
            if not conv and not cont or len(lines[k]) > 400:
                after_formula = False
                k += 1
                continue
            conv = conv or lines[k].replace("\\*", " *")
            group = [conv]
            while _OPEN_END.search(group[-1]) and k + len(group) < len(lines) and len(group) < 8:
                nxt = lines[k + len(group)]
                group.append(tag_markup(nxt) if _TAG.search(nxt) else nxt.replace("\\*", " *"))
            text = "\n".join(group)
            span = _span(text) if "=" in text else None
            if span and (cont or "=" in text[span[0]:span[1]]):
                out.append(Segment(text[span[0]:span[1]], p.offset + starts[k] + span[0], False))
            after_formula = span is not None
            k += len(group)
    return out
