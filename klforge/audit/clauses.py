"""Cut one math segment into clauses, as authors punctuate them.

Course text puts several statements in one piece of math and decorates values:

    p_1 = 0.5,\\; p_2 = 0.3 \\quad\\text{and}\\quad p_3 = 0.2
    H = 1.485 \\text{ bits} \\checkmark.
    x_1 = 2 \\text{ for } n = 3 \\implies y = 8

A clause ends at a ``,`` or ``;`` at brace/bracket depth 0 (not a thousands separator such as
``2,154``), at ``\\quad``/``\\qquad`` (unless a unit follows: ``0.5 \\quad \\text{bits}``), at a
``\\text{…}`` of prose words (not a unit, not a subscript such as ``D_\\text{KL}``), at
``\\implies``, ``\\Rightarrow``, ``\\therefore``, ``\\iff``, ``\\cr`` and at the marks
``\\checkmark``, ✓, ✗.  A trailing ``.`` or ``,`` is punctuation.  Offsets are kept: each clause is
``(start, end)`` in the segment, so findings point at their line.

Example: ``clauses("a = 1, b = 2")`` → ``[(0, 5), (7, 12)]``.
"""

from __future__ import annotations

import re

UNIT_WORDS = {"nat", "nats", "bit", "bits", "shannon", "shannons", "hartley", "hartleys", "ban",
              "bans", "dit", "dits"}
BREAKS = {"\\quad", "\\qquad", "\\implies", "\\Rightarrow", "\\Longrightarrow", "\\therefore",
          "\\iff", "\\Leftrightarrow", "\\cr", "\\checkmark", "\\text{✓}", "\\text{✗}",
          "\\hspace", "\\forall", "\\tag", "\\label", "\\rightarrow", "\\to",
          "\\longrightarrow", "\\mapsto", "\\leftarrow", "\\quad\\text"}
MARKS = "✓✗✔✘"
_SCAN = re.compile(r"\\(?:text|textrm|mbox|mathrm|textbf|textit|emph)\s*\{(?P<words>[^{}]*)\}"
                   r"|\\[A-Za-z]+|\\.|[{}()\[\],;]|[" + MARKS + r"]|\d[\d.]*|\s+|.", re.S)
_OPEN, _CLOSE = set("{(["), set("})]")


def _is_words(text: str) -> bool:
    """``\\text{ for }``, ``\\text{where}``: prose, not a unit and not a one-letter label."""
    words = re.sub(r"\$[^$]*\$", "x", text).strip().lower()  # "only if $X$, $Y$ are …"
    if words != text.strip().lower() and len(re.findall(r"[a-z]{2,}", words)) < 2:
        return False  # \text{$n$-th}: a name with math in it, not a remark
    return (bool(re.fullmatch(r"[a-z][a-z .,'’:;()-]*", words)) and words not in UNIT_WORDS
            and len(words) > 1)


def _annotation(text: str, prev: str) -> bool:
    """``\\quad\\text{(by Jensen)}``: a parenthesised remark set off after a row's formula."""
    words = re.sub(r"\$[^$]*\$", "x", text).strip().lower()  # "only if $X$, $Y$ are …"
    if words != text.strip().lower() and len(re.findall(r"[a-z]{2,}", words)) < 2:
        return False  # \text{$n$-th}: a name with math in it, not a remark
    return prev in ("\\quad", "\\qquad") and bool(re.fullmatch(
        r"\([a-z][a-z .,'’:;-]*\)", words)) and words.strip("() ") not in UNIT_WORDS


def _acronym(tok: str) -> bool:
    """``\\mathrm{ELBO}``, ``\\text{KL}``, ``\\mathrm{Var}``: a quantity's name, not prose — one
    word, all capitals, or capitalised in an upright-math font."""
    word = re.sub(r"^\\\w+\s*\{|\}$", "", tok).strip()
    return bool(re.fullmatch(r"[A-Z]{2,}", word) or (
        tok.startswith("\\mathrm") and re.fullmatch(r"[A-Z][A-Za-z]+", word)))


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of ``text``; empty clauses dropped."""
    out, start, depth = [], 0, 0
    prev = ""
    tokens = list(_SCAN.finditer(text))
    for k, m in enumerate(tokens):
        tok = m.group()
        if tok.isspace():
            continue
        cut = None
        if tok in _OPEN or tok in ("\\left", "\\begin"):
            depth += 1
        elif tok in _CLOSE or tok in ("\\right", "\\end"):
            depth = max(0, depth - 1)
        elif depth == 0:
            if tok in (",", ";") and not _thousands(tokens, k):
                cut = (m.start(), m.end())
            elif tok in BREAKS or tok in MARKS:
                if not (tok in ("\\quad", "\\qquad") and _unit_follows(text, m.end())):
                    cut = (m.start(), m.end())
            elif m.group("words") is not None and prev not in ("_", "^"):
                if (_is_words(m.group("words")) or _annotation(m.group("words"), prev)) and not \
                        _name_follows(tokens, k) and not _acronym(m.group()):
                    cut = (m.start(), m.end())
        if cut:
            out.append((start, cut[0]))
            start = cut[1]
        prev = tok
    out.append((start, len(text)))
    return [_trim(text, a, b) for a, b in out if text[a:b].strip(" \t\n.,;~\\")]


_WRAPPERS = re.compile(r"\\(?:boxed|fbox|bbox|underline|cancel|textcolor\s*\{[^{}]*\}|colorbox"
                       r"\s*\{[^{}]*\})\s*\{|\\color\s*\{[^{}]*\}")


def unwrap(text: str) -> str:
    """Blank decorations around math, keeping offsets: ``\\boxed{a = 1}`` → ``       a = 1 ``,
    ``\\color{blue}{0.5}`` → ``0.5`` with spaces (``\\textcolor``, ``\\fbox``, ``\\cancel``).
    One pass over the braces (linear in the length of the text)."""
    if "\\" not in text:
        return text
    out = list(text)
    close, stack = {}, []
    for i, ch in enumerate(text):
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            stack.append(i)
        elif ch == "}" and stack and (i == 0 or text[i - 1] != "\\"):
            close[stack.pop()] = i
    for m in _WRAPPERS.finditer(text):
        for i in range(m.start(), m.end()):
            out[i] = " "
        if m.group().endswith("{") and m.end() - 1 in close:
            out[close[m.end() - 1]] = " "
    return "".join(out)


def _thousands(tokens, k) -> bool:
    before = tokens[k - 1].group() if k else ""
    after = tokens[k + 1].group() if k + 1 < len(tokens) else ""
    return bool(re.fullmatch(r"\d{1,3}", before) and re.fullmatch(r"\d{3}(\.\d+)?", after))


def _name_follows(tokens, k) -> bool:
    """``\\text{Gain} = 0.25``, ``\\text{Var}(X)``: the text is a name, not prose."""
    for m in tokens[k + 1:]:
        tok = m.group()
        if not tok.isspace():
            return tok in ("=", "(", "_", "^", "<", ">", "\\approx", "\\le", "\\ge", "\\leq",
                           "\\geq", "\\left", "[")
    return False


def _unit_follows(text: str, at: int) -> bool:
    m = re.match(r"\s*\\(?:text|mathrm|textrm|mbox)\s*\{\s*([A-Za-z]+)\s*\}", text[at:])
    return bool(m) and m.group(1).lower() in UNIT_WORDS


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop trailing punctuation (``.`` ``,`` and spacing commands) from a clause (a scan
    from the end: linear however long the trailing blank)."""
    while b > a:
        if b - 2 >= a and text[b - 2] == "\\" and text[b - 1] in ",;:! ":
            b -= 2
        elif text[b - 1] in " \t\n\r.,~":
            b -= 1
        else:
            break
    return a, b
