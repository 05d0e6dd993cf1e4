"""Reading prose: the claims and the arithmetic a piece of text states about numbers.

What is found here (judged by :mod:`.prose`):

* ``≈ N`` right after math — :func:`approx_after_math`: ``≈ 0.693``, ``i.e. about 7.8 %``
  (a percentage read as a fraction: 7.8 % → 0.078, three decimals);
* the claims of a sentence — :func:`claims`: a percentage change ("21 % higher",
  "a 25 % reduction"), a ratio ("3.2 times larger", "by a factor of roughly eight") and a
  restated value (a percentage, or a decimal with two or more digits);
* a stated difference — :data:`DIFF` ("the difference is only about .03");
* arithmetic written without math — :func:`relations`: ``0.80 x 0.01 = 0.008``,
  ``67 (=10000-9993)``, ``30/40 or 3/4``, returned as TeX chains with their offsets;
* paragraph breaks — :func:`paragraph_breaks` (a blank line).

Domain: any text; numbers are read exactly (:func:`frac`, never a float).

Example: ``claims("21 % higher")`` → ``[Claim("change", 21/100, 2, 0, "21 % higher")]``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from fractions import Fraction

NUM = r"(?P<n>\d+(?:\.\d+)?)"
APPROX = re.compile(r"^[\s,;:(]*(?:i\.e\.,?\s*|which is\s+|that is,?\s*)?(?:≈|~|≃|\\approx|"
                    r"approximately|about|roughly|around|or about|or roughly)\s*"
                    r"(?P<neg>[-−])?" + NUM + r"\s*(?P<pct>%|percent\b)?")
LEAD = re.compile(r"(?:\b(?:this|which|that|it)\s+(?:is|equals|gives)\s+|\A[\s*_,;:]*(?:or|"
                  r"i\.e\.,?|that is,?)\s+)(?:approximately|about|roughly|around|≈)\s*$", re.I)
SAME = re.compile(r"^\s*[,;:]?\s*(?:or|i\.e\.,?|that is,?|or equivalently,?)\s*$")
#: ``$A$, which equals $B$``: the relation A = B is a claim of the text
WHICH = re.compile(r"^\s*,?\s*which\s+(?:also\s+|again\s+|then\s+|simply\s+)?(?:is|equals|"
                   r"is\s+equal\s+to|is\s+exactly|is\s+just)\s*$", re.I)
#: words after ``$B$`` that make "which is $B$" something else than A = B (a factor, a case)
WHICH_NOT = re.compile(r"^[\s$)\\]*(?:for|when|if|at|times|percent|%|of|than|larger|smaller|"
                       r"more|less|higher|lower|under|per|whenever|provided|as|with|where|"
                       r"in\s+the\s+limit)\b",
                       re.I)
_PERCENT = re.compile(r"(?<![\w.])" + NUM + r"\s*(?:%|\\%|percent\b)")
_DECIMAL = re.compile(r"(?<![\w.,])(?P<n>\d*\.\d{2,}(?:e[-+]?\d{1,3})?)(?![\w.]|\s*%)")
_CHANGE = re.compile(r"(?<![\w.])" + NUM + r"\s*(?:%|percent)\s+(?P<dir>higher|lower|more|less|"
                     r"larger|smaller|greater|bigger|increase|decrease|reduction|drop|gain)\b"
                     r"|(?:increase|decrease|reduction|drop|gain|rise|fall)\s+of\s+" + NUM.replace(
                         "P<n>", "P<n2>") + r"\s*(?:%|percent)", re.I)
_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve")
_FACTOR = re.compile(r"\ba\s+factor\s+of\s+(?:about\s+|roughly\s+|approximately\s+|around\s+|"
                     r"nearly\s+|almost\s+)?[*_]*(?P<n>\d+(?:\.\d+)?|" + "|".join(_WORDS)
                     + r")\b", re.I)
_RATIO = re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)\s*(?:times|×)\s+(?:as\s+\w+|more|\w+er)\b",
                    re.I)


@dataclass
class Claim:
    """One number the prose states, with what it claims to be."""

    kind: str           # approx | restate | change | ratio
    value: Fraction     # as written (a percentage as a fraction: 21 % → 21/100)
    decimals: int       # printed decimals of the number written
    start: int          # offset of the number in the prose
    text: str           # the phrase, for messages
    sign: int = 1       # change: +1 higher/increase, −1 lower/decrease


def frac(text: str) -> tuple[Fraction, int]:
    """A printed number as an exact fraction and its printed decimals:
    ``frac("0.51e5")`` → ``(51000, -3)``."""
    mantissa, _, exp = text.lower().partition("e")
    whole, _, digits = mantissa.partition(".")
    shift = int(exp) if exp else 0
    value = Fraction(int(whole or "0") * 10 ** len(digits) + int(digits or "0"),
                     10 ** len(digits))
    return value * Fraction(10) ** shift, len(digits) - shift


_DIFF_WORDS = (r"\bdifference\s+(?:is|was|of|between\s+them\s+is)\s+(?:only\s+|just\s+)?"
               r"(?:about\s+|approximately\s+|roughly\s+|around\s+|≈\s*|~\s*)?")
DIFF_LEAD = re.compile(_DIFF_WORDS + r"$", re.I)
DIFF = re.compile(_DIFF_WORDS + r"(?P<n>\d*\.\d+|\d+)(?![\w%]|\.\d)", re.I)


def approx_after_math(text: str) -> Claim | None:
    """``≈ 0.693`` / ``about 7.8 %`` at the very start of prose that follows math."""
    m = APPROX.match(text)
    if not m:
        return None
    value, decimals = frac(m.group("n"))
    if m.group("neg"):
        value = -value
    if m.group("pct"):
        value, decimals = value / 100, decimals + 2
    return Claim("approx", value, decimals, m.start("n"), m.group().strip())


def claims(text: str) -> list[Claim]:
    """Percent changes, ratios and restated values in a piece of prose."""
    out, used = [], set()
    for m in _CHANGE.finditer(text):
        key = "n" if m.group("n") else "n2"
        value, decimals = frac(m.group(key))
        word = (m.group("dir") or m.group().split()[0]).lower()
        sign = -1 if word in ("lower", "less", "smaller", "decrease", "reduction", "drop",
                              "fall") else 1
        out.append(Claim("change", value / 100, decimals + 2, m.start(key), m.group(), sign))
        used.add(m.start(key))
    for m in _RATIO.finditer(text):
        value, decimals = frac(m.group("n"))
        out.append(Claim("ratio", value, decimals, m.start("n"), m.group()))
        used.add(m.start("n"))
    for m in _FACTOR.finditer(text):  # "by a factor of roughly eight (times)"
        n = m.group("n").lower()
        value, decimals = (Fraction(_WORDS.index(n) + 2), 0) if n in _WORDS else frac(n)
        out.append(Claim("ratio", value, decimals, m.start("n"), m.group()))
        used.add(m.start("n"))
    for m in _PERCENT.finditer(text):
        if m.start("n") in used:
            continue
        value, decimals = frac(m.group("n"))
        out.append(Claim("restate", value / 100, decimals + 2, m.start("n"), m.group()))
    for m in _DECIMAL.finditer(text):
        value, decimals = frac(m.group("n"))
        out.append(Claim("restate", value, decimals, m.start("n"), m.group()))
    return sorted(out, key=lambda c: c.start)


_NUMP = r"\(?[-−]?(?:\d+(?:,\d{3})*(?:\.\d+)?(?:%)?|[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])\)?"
_OP = r"[ \t]*(?:[-−+*/×÷·]|\\\*|(?<=\s)x(?=\s)|(?<=\))(?=[\d(]))[ \t]*"
_EXPR = _NUMP + r"(?:" + _OP + _NUMP + r")*"
_REL = r"[ \t]*(?:=|≈|~=)[ \t]*"
_PLAIN = re.compile(r"(?<![\w.$\\^_{(=<>-])" + _EXPR + r"(?:" + _REL + _EXPR + r")+"
                    r"(?![\w]|\.\d|\s*[*/×^])")
_FRACTION = r"\d+/\d+"
_OR = re.compile(r"(?<![\w./])(?P<a>" + _FRACTION + r")\s+or\s+(?P<b>" + _FRACTION
                 + r"|\d+(?:\.\d+)?\s*%|\d*\.\d+)(?![\w/.]|\.\d)")
_PAREN = re.compile(r"(?<![\w.])(?P<value>\d+(?:\.\d+)?)\s*\(\s*=\s*(?P<expr>" + _EXPR
                    + r")\s*\)")


def relations(text: str) -> list[tuple[int, str, int]]:
    """Arithmetic written in prose, as math: ``0.80 x 0.01 = 0.008``, ``67 (=10000-9993)``
    (→ ``10000-9993 = 67``).  At least one side must be a computation; offsets kept."""
    out = []
    for m in _PAREN.finditer(text):
        out.append((m.start("expr"), _tex(m.group("expr")) + " = " + m.group("value"), m.end()))
    for m in _OR.finditer(text):  # 30/40 or 3/4, 1/2 or 50 %: one value written two ways
        if _same_value(m.group("a"), m.group("b")):  # else alternatives ("1/2 or 1/3")
            out.append((m.start(), _tex(m.group("a")) + " = " + _tex(m.group("b")), m.end()))
    taken = sorted([(m.start(), m.end()) for m in _PAREN.finditer(text)]
                   + [(m.start(), m.end()) for m in _OR.finditer(text)])
    starts = [a for a, _ in taken]
    for m in _PLAIN.finditer(text):
        body = m.group()
        k = bisect.bisect_right(starts, m.start()) - 1
        if (k >= 0 and m.start() < taken[k][1]) or not re.search(
                r"[\d½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞)]\s*(?:[-−+*/×÷·]|\\\*|\sx\s|\()\s*\(?[\d½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]",
                body):
            continue
        out.append((m.start(), _tex(body), m.end()))
    return out


def _same_value(a: str, b: str) -> bool:
    """Is ``b`` the fraction ``a`` written another way (within its printed rounding)?"""
    def value(t):
        t = t.strip()
        if "/" in t:
            n, d = t.split("/")
            return Fraction(int(n), int(d)) if int(d) else None, Fraction(0)
        pct = t.endswith("%")
        v, decimals = frac(t.rstrip("% "))
        half = Fraction(1, 2 * 10 ** decimals)
        return (v / 100, half / 100) if pct else (v, half)
    (x, _), (y, half) = value(a), value(b)
    return x is not None and y is not None and abs(x - y) <= half


def _tex(text: str) -> str:
    text = text.replace("\\*", "*").replace("×", "*").replace("·", "*").replace("÷", "/")
    return re.sub(r"(?<=\s)x(?=\s)", "*", text).replace("%", "\\%")


def paragraph_breaks(text: str) -> list[int]:
    """Offsets in ``text`` where a new paragraph begins (after a blank line)."""
    return [m.end() for m in re.finditer(r"\n[ \t>]*\n", text)]
