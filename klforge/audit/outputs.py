"""Notebook output claims: a number in a markdown cell that restates a code cell's output.

Notebook authors run a cell and then say what it printed: "the probability of exactly 125
heads is only about 5 %" after a cell that printed ``0.05041221314731537``, "the entropy is
0.811" after ``Entropy =  0.8112781244591328``, "which comes out to
:math:`P(y) \\approx 0.0287`:" before a cell that prints ``0.028722``.  Such a claim is
checked against the numbers the neighbouring code cells printed (``text/plain`` results and
``stream`` output): the code cells of the block just before the markdown cell (at most
:data:`BACK` code cells, crossing at most :data:`MARKDOWN_GAP` other markdown cells) and
the block just after it (at most :data:`AHEAD`).

Claims are numbers written after a cue (``is``, ``of``, ``about``, ``≈``, ``~``, ``=``,
``\\approx`` …): a decimal with k decimals restates an output that rounds to it at k
decimals; a percentage ``5 %`` one whose hundredfold rounds to it; an integer only an
output equal to it (``is 1`` does not restate 0.811); a fraction ``5/8`` an output within
one unit of its last printed digit.  A number stated *below* (``2.5 standard deviations
below the mean``) may restate a negative output.  A match is an ``ok`` finding naming the
cell and its output; a number that matches nothing is not a restatement and gets no verdict
(never an error: the output may be anywhere in the notebook).

Bounds: at most :data:`MAX_OUTPUT` characters of each output and :data:`MAX_NUMBERS`
numbers per cell are read; at most :data:`MAX_SOURCE` characters and
:data:`MAX_CELL_CLAIMS` claims of a markdown cell, :data:`MAX_CLAIMS` claims per notebook,
until the audit's deadline.  Example: markdown ``"It is about 3.3%."`` after a code cell
printing ``0.033210575620022706`` gives ``ok`` "restates the output of code cell 25".
"""

from __future__ import annotations

import re
import time
from fractions import Fraction

from .state import Finding

BACK, AHEAD, MARKDOWN_GAP = 6, 2, 3
MAX_OUTPUT, MAX_NUMBERS = 4000, 200
MAX_CELL_CLAIMS, MAX_CLAIMS, MAX_SOURCE = 50, 2000, 20_000

_OUT_NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?(?![\w.])", re.I)
_CUE = (r"(?:\bis|\bare|\bwas|\bbe|\bof|\bto|\bget|\bgives?|about|around|approximately|roughly|"
        r"nearly|≈|~|\\approx|\\sim|=)")
_FILLER = r"(?:\s|\$|\\[,;! ]|\b(?:only|also|still|just|about|roughly|approximately|around|" \
          r"in\s+fact|exactly)\b)*"
_CLAIM = re.compile(_CUE + _FILLER + r"(?P<neg>[-−])?(?P<n>\d+\.\d+|\.\d+|\d+)"
                    r"(?:\s*/\s*(?P<den>\d+))?(?P<pct>\s*(?:\\?%|percent\b))?"
                    r"(?!\w|\.\d|/|\^|\{)")
_REPR = re.compile(r"<[^<>\n]{0,200}>")  # <Figure size 432x288 with 1 Axes>: not a result
#: an integer restates only after one of these (``is 0``, not ``add up to 0``)
_COPULA = re.compile(r"(?:\bis|\bare|\bwas|\bbe|about|around|approximately|roughly|≈|~|"
                     r"\\approx|=)", re.I)
_LITERAL = re.compile(r"\s*-?[\d.e+-]+\s*$")
_RANDOM = re.compile(r"\brandom\b|\brng\b|\bsample\(")
_CODE_SPAN = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)|<[^>\n]*>")
_BELOW = re.compile(r"[^.;:]{0,40}\b(?:below|under|less than|fewer)\b", re.I)


def _number(text: str) -> tuple[Fraction, int]:
    """A printed number as an exact fraction and its count of decimals (``6.3e-05`` → 7)."""
    mantissa, _, exp = text.lower().lstrip("-").partition("e")
    whole, _, frac = mantissa.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    shift = int(exp) if exp else 0
    value *= Fraction(10) ** shift
    return (-value if text.startswith("-") else value), len(frac) - shift


def _output_text(cell: dict) -> str:
    parts, outs = [], cell.get("outputs")
    for out in outs if isinstance(outs, list) else []:
        if not isinstance(out, dict):
            continue
        text = out.get("text")
        if text is None and isinstance(out.get("data"), dict):
            text = out["data"].get("text/plain")
        if isinstance(text, list):
            text = "".join(t for t in text if isinstance(t, str))
        if isinstance(text, str):
            parts.append(_REPR.sub(" ", text[:MAX_OUTPUT]))
    return "\n".join(parts)


def outputs(cell: dict) -> list[tuple[str, Fraction, int]]:
    """The numbers a code cell printed: (as printed, exact value, decimals).  None from a
    cell that only echoes a number typed in (``0.0000633``) or draws random numbers (its
    output is one sample, which the text may well not restate)."""
    src = cell.get("source", "")
    src = "".join(s for s in src if isinstance(s, str)) if isinstance(src, list) else src
    if not isinstance(src, str) or _LITERAL.match(src) or _RANDOM.search(src):
        return []
    found = []
    for m in _OUT_NUMBER.finditer(_output_text(cell)):
        value, decimals = _number(m.group())
        found.append((m.group(), value, decimals))
        if len(found) >= MAX_NUMBERS:
            break
    return found


def neighbours(cells: list, i: int) -> list[int]:
    """Indices of the code cells whose output markdown cell ``i`` may restate."""
    near, gap = [], 0
    for j in range(i - 1, -1, -1):
        kind = cells[j].get("cell_type") if isinstance(cells[j], dict) else None
        if kind == "code":
            near.append(j)
            if len(near) >= BACK:
                break
        elif kind == "markdown":
            gap += 1
            if gap > MARKDOWN_GAP:
                break
    ahead = 0
    for j in range(i + 1, len(cells)):
        if not isinstance(cells[j], dict) or cells[j].get("cell_type") != "code":
            break
        near.append(j)
        ahead += 1
        if ahead >= AHEAD:
            break
    return near


def tolerance(claim: Fraction, decimals: int, integer: bool, fraction: bool,
              out_decimals: int, sole: bool):
    """How far an output may lie from a claim it restates (None: it cannot restate it).

    An integer (or a fraction equal to one) restates only the sole number a cell printed,
    exactly; a fraction an output printed with two or more decimals, within one unit of
    the output's last digit; a decimal with k decimals an output that rounds to it."""
    if integer or (fraction and claim.denominator == 1):
        return Fraction(0) if sole else None
    if fraction:
        return Fraction(1, 10 ** out_decimals) if out_decimals >= 2 else Fraction(0)
    return Fraction(1, 2 * 10 ** decimals)


def claims(source: str) -> list[tuple[int, str, Fraction, int, bool, bool, bool]]:
    """Claims of a markdown cell: (offset, text, value, decimals, integer, fraction, below)."""
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group()), source)
    found = []
    for m in _CLAIM.finditer(text):
        n, den, pct = m.group("n"), m.group("den"), bool(m.group("pct"))
        value, decimals = _number(n)
        fraction = den is not None
        if fraction:
            if int(den) == 0 or "." in n:
                continue
            value, decimals = Fraction(int(n), int(den)), 0
        if m.group("neg"):
            value = -value
        if pct:
            value, decimals = value / 100, decimals + 2
        integer = "." not in n and not pct and not fraction
        if integer and not _COPULA.match(m.group()):
            continue
        below = bool(_BELOW.match(text, m.end()))
        found.append((m.start("n"), text[m.start():m.end()].strip(), value, decimals,
                      integer, fraction, below))
    return found


def judge(nb: dict, findings: list[Finding], path: str,
          deadline: float | None = None) -> list[Finding]:
    """``ok`` findings for the markdown claims of ``nb`` that restate a nearby output (not
    for a number a finding at the same cell and line already judged); cells are read until
    ``deadline`` (``time.process_time()``)."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return []
    judged = {}
    for f in findings:
        if f.severity != "unchecked" and f.cell is not None:
            judged.setdefault((f.cell, f.line), []).append(f.stated or "")
    printed: dict[int, list] = {}
    new, budget = [], MAX_CLAIMS
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        if deadline is not None and i % 16 == 0 and time.process_time() > deadline:
            break
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            continue
        near = None
        found = claims(src[:MAX_SOURCE])[:MAX_CELL_CLAIMS]
        budget -= len(found)
        if budget < 0:
            break
        for at, text, value, decimals, integer, fraction, below in found:
            line = src.count("\n", 0, at) + 1
            written = src[at:at + 12].split()[0] if src[at:at + 12].split() else ""
            if any(written.rstrip(".,;:%$") in s for s in judged.get((i, line), [])):
                continue
            if near is None:
                near = neighbours(cells, i)
            hit = _match(near, cells, printed, value, decimals, integer, fraction, below)
            if hit:
                j, shown = hit
                new.append(Finding(path, line, "ok", text[:160], text, shown,
                                   f"restates the output of code cell {j} ({shown})",
                                   "output", cell=i))
    return new


def _match(near, cells, printed, value, decimals, integer, fraction, below):
    """(code cell, output as printed) of the nearest output the claim restates, or None.
    Outputs far from the claim (as floats) are passed over before exact comparison."""
    best, target = None, float(value)
    for j in near:
        if j not in printed:
            printed[j] = [(shown, out, d, float(out)) for shown, out, d in outputs(cells[j])]
        sole = len(printed[j]) == 1
        for shown, out, out_decimals, approx in printed[j]:
            if abs(abs(approx) - abs(target)) > 1e-9 + 0.6 * abs(target):
                continue
            tol = tolerance(value, decimals, integer, fraction, out_decimals, sole)
            if tol is None:
                continue
            for v in (out, -out) if below and out < 0 else (out,):
                dist = abs(v - value)
                if dist <= tol and (best is None or dist < best[0]):
                    best = (dist, j, shown)
    return best and best[1:]
