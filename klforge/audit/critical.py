r"""Critical values stated in prose, judged against the quantile their context names.

A sentence such as "there are 2 degrees of freedom; using $\alpha = 0.05$, the critical value
is 5.9915", "beyond the critical value of -1.645 for a left-tailed test with a 95 %
confidence level" or "at $\alpha = .05$, a z-score less than -1.96 or greater than 1.96 is
significant" states a quantile of a named distribution:

* χ² with k degrees of freedom at level α: q with P(X > q) = α, i.e. the regularised upper
  incomplete gamma Q(k/2, q/2) = α;
* t with k degrees of freedom (two-sided unless the text says one-sided/left/right-tailed);
* the standard normal (z): Φ⁻¹(1 − α/2) two-sided, Φ⁻¹(1 − α) one-sided, negative for a
  left-tailed test, with Φ⁻¹(p) = √2·erfinv(2p − 1).  A t or z value whose sidedness the text
  does not state is judged only when it matches one of the two (never an error).

The level comes from α (``\alpha = 0.05``, "significance level of 0.05") or a confidence level
("95 % confidence": α = 0.05); a text that states none is read at the conventional α = 0.05,
and then only a value matching it is judged (ok, never an error).  Only an unambiguous
context is judged: exactly one family, its degrees of freedom when it has them, one level.
Quantiles are computed with mpmath at 30 digits (bisection on the distribution function,
≤ 200 steps: bounded time).  The stated value is ok within one unit of its last printed digit
(tables round or truncate), an error beyond three units, a warning in between.
Example: ``quantile("chi2", 0.05, 2)`` = 5.99146….
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath

_CLAIM = re.compile(r"(?:critical value(?:\s+(?:is|of|would be|equals|=))?|\bz[*_]?[- ]?(?:score|"
                    r"statistic|value)?s?\s+(?:less|greater|smaller|larger|lower|higher|beyond)"
                    r"(?:\s+than)?)\s*(?:about\s+|approximately\s+)?(?P<n>[-−]?\d+\.\d+|[-−]?\d+)"
                    r"(?![\d.]\d|\s*%)", re.I)
_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve")
_DF = re.compile(r"(?P<k>\d+|" + "|".join(_WORDS) + r") degrees? of freedom|\bdf\s*=\s*(?P<k2>\d+)",
                 re.I)
_ALPHA = re.compile(r"(?:\\alpha|α|significance level(?: of)?)\s*(?:=|of|is)?\s*"
                    r"(?P<a>0?\.\d+)(?!\d)", re.I)
_CONF = re.compile(r"(?P<c>\d{2}(?:\.\d+)?)\s*(?:%|\\%|percent)\s*(?:confidence|CI\b)", re.I)
_FAMILY = {"chi2": re.compile(r"\\chi\^?2|\\chi\^\{2\}|χ²|χ\^?2|chi-?squared?|chi\^2", re.I),
           "t": re.compile(r"\bt\)?[- ](?:distribution|test|statistic|table|score|value|quantile)"
                         r"|\bStudent", re.I),
           "z": re.compile(r"\bz[- ]?(?:score|test|statistic)?\b|normal", re.I)}
_LEFT = re.compile(r"left[- ]tailed|lower[- ]tailed", re.I)
_ONE = re.compile(r"one[- ](?:sided|tailed)|right[- ]tailed|upper[- ]tailed", re.I)
_TWO = re.compile(r"two[- ](?:sided|tailed)|confidence interval", re.I)
_PM = re.compile(r"^\s*z(?:\^\{?(?:\*|\\star|\\ast)\}?)?\s*\\pm\s*(?P<n>\d+\.\d+)\s*$")
#: "for a 95 % confidence interval," right before the math (nothing but a comma between)
_LEVEL_NEAR = re.compile(r"(?P<c>\d{2}(?:\.\d+)?)\s*(?:%|\\%|percent)\s*(?:CI|confidence "
                         r"interval|confidence level)\s*[,:]?\s*$", re.I)
_LEVEL_BEFORE = re.compile(r"(?P<c>\d{2}(?:\.\d+)?)\s*(?:%|\\%|percent)\s*(?:CI|confidence "
                           r"interval)\b[^.;%$]{0,16}$", re.I)
#: the level a text means when it states none ("the critical value would be 5.99", 2 df)
CONVENTIONAL = Fraction(1, 20)
WINDOW = 800   # characters of the paragraph before the claim that may set its context


def _upper(family, x, k):
    """P(X > x) for the family (k: degrees of freedom)."""
    if family == "chi2":
        return mpmath.gammainc(k / mpmath.mpf(2), x / 2, mpmath.inf, regularized=True)
    if family == "t":  # P(T > x) = ½ I_{k/(k+x²)}(k/2, ½) for x ≥ 0
        tail = mpmath.betainc(k / mpmath.mpf(2), mpmath.mpf(1) / 2, 0, k / (k + x * x),
                              regularized=True) / 2
        return tail if x >= 0 else 1 - tail
    return 1 - mpmath.ncdf(x)


def quantile(family: str, upper: Fraction | float, k: int | None = None):
    """x with P(X > x) = ``upper`` (bisection, 30 digits)."""
    with mpmath.workdps(30):
        p = mpmath.mpf(upper.numerator) / upper.denominator if isinstance(
            upper, Fraction) else mpmath.mpf(upper)
        if family == "z":
            return mpmath.sqrt(2) * mpmath.erfinv(1 - 2 * p)
        lo, hi = (mpmath.mpf(0), mpmath.mpf(10 + 10 * k)) if family == "chi2" else (
            mpmath.mpf(-1000), mpmath.mpf(1000))
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _upper(family, mid, k) > p else (lo, mid)
        return (lo + hi) / 2


def _int(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS.index(word.lower()) + 1


def _context(text: str):
    """(family, df, alpha, sides, assumed) when the context is unambiguous, else None; with
    no level stated, α = 0.05 is ``assumed`` (the conventional level)."""
    families = [f for f in ("chi2", "t", "z") if _FAMILY[f].search(text)]
    if not families and _CONF.search(text):
        families = ["z"]
    dfs = {_int(m.group("k") or m.group("k2")) for m in _DF.finditer(text)}
    alphas = {Fraction(m.group("a")) for m in _ALPHA.finditer(text)}
    alphas |= {1 - Fraction(m.group("c")) / 100 for m in _CONF.finditer(text)}
    assumed = not alphas
    if assumed:
        alphas = {CONVENTIONAL}
    if len(families) != 1 or len(alphas) != 1 or (families[0] != "z" and len(dfs) != 1):
        return None
    family, alpha = families[0], alphas.pop()
    if not 0 < alpha < 1 or (family != "z" and not 0 < min(dfs) <= 10_000):
        return None
    explicit = [n for n, r in (("left", _LEFT), ("one", _ONE), ("two", _TWO)) if r.search(text)]
    sides = "one" if family == "chi2" else explicit[0] if len(explicit) == 1 else None
    return family, (dfs.pop() if family != "z" else None), alpha, sides, assumed


def judge_pm(aud, before: str, math: str, offset: int) -> None:
    """``the 95 % CI is $z \\pm 1.960$``: the two-sided z quantile of the level just before."""
    m, lead = _PM.match(math), _LEVEL_BEFORE.search(before[-60:])
    if m is None or lead is None:
        return
    alpha = 1 - Fraction(lead.group("c")) / 100
    if not 0 < alpha < 1:
        return
    _verdict(aud, m.group("n"), quantile("z", alpha / 2),
             f"z, α = {float(alpha):g}, two-sided", offset + m.start("n"))


_STAR = re.compile(r"^\s*z(?:\^\{?(?:\*|\\star|\\ast)\}?|_\{?(?P<a>0?\.\d{1,4})\}?)\s*"
                   r"(?:=|\\approx)\s*(?P<n>-?\d+\.\d+)\s*$")


def judge_star(aud, before: str, math: str, offset: int) -> None:
    r"""``z_{0.025} = 1.96`` (the upper 0.025 quantile of the standard normal) and, after "for
    a 95 % confidence interval", ``z^\star = 1.96`` (the two-sided one)."""
    m = _STAR.match(math)
    if m is None:
        return
    if m.group("a"):
        upper = Fraction(m.group("a"))
        if 0 < upper < 1:
            _verdict(aud, m.group("n"), quantile("z", upper),
                     f"z, upper {float(upper):g} quantile", offset + m.start("n"))
        return
    lead = _LEVEL_NEAR.search(before[-80:])
    if lead is None:
        return
    alpha = 1 - Fraction(lead.group("c")) / 100
    if 0 < alpha < 1:
        _verdict(aud, m.group("n"), quantile("z", alpha / 2),
                 f"z, α = {float(alpha):g}, two-sided", offset + m.start("n"))


def _verdict(aud, stated, value, where, at):
    decimals = len(stated.partition(".")[2])
    off = abs(mpmath.mpf(stated) - value) * 10 ** decimals
    computed = mpmath.nstr(value, decimals + 3)
    relation = f"critical value ({where}) = {stated}"
    if off <= 1:
        aud.add(at, "ok", relation, stated, computed, "", "step")
    elif off <= 3:
        aud.add(at, "warning", relation, stated, computed,
                f"the {where} critical value is {computed}: last digit off", "step")
    else:
        aud.add(at, "error", relation, stated, computed,
                f"the {where} critical value is {computed}, not {stated}", "step")


def judge(aud, before: str, text: str, offset: int) -> None:
    """Judge each "critical value is X" of ``text`` against the context ``before`` + ``text``."""
    for m in _CLAIM.finditer(text):
        ctx = _context(before + " " + text)
        if ctx is None:
            continue
        family, k, alpha, sides, assumed = ctx
        stated = m.group("n").replace("−", "-")
        decimals = len(stated.partition(".")[2])
        sign = -1 if stated.startswith("-") else 1  # a two-sided value may be quoted as −z
        if sides == "left" and sign > 0:
            continue
        candidates = {s: sign * quantile(family, alpha / 2 if s == "two" else alpha, k)
                      for s in ([sides] if sides else ["one", "two"])}
        sides, value = min(candidates.items(),
                           key=lambda kv: abs(mpmath.mpf(stated) - kv[1]))
        off = abs(mpmath.mpf(stated) - value) * 10 ** decimals
        if off > 1 and (len(candidates) > 1 or assumed):
            continue  # sides or level not stated: only a value matching one is judged
        name = {"chi2": "χ²", "t": "t", "z": "z"}[family]
        tail = {"left": ", left-tailed", "one": ", one-sided", "two": ", two-sided"}[sides]
        where = (name + (f" with {k} degrees of freedom" if k else "")
                 + f", α = {float(alpha):g}" + (" (the conventional level)" if assumed else "")
                 + ("" if family == "chi2" else tail))
        _verdict(aud, stated, value, where, offset + m.start("n"))
