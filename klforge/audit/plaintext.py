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
