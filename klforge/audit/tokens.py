"""Tokens of the LaTeX front end: vocabulary (relations, units, spacing, fonts, Greek),
the tokenizer (thousands ``10\\,000``, ``1.2e-3``, Unicode operators, ``log`` written without
a backslash) and helpers on parsed names and integrands.

Example: ``tokenize("0.5 \\cdot 2")`` → ``[("num", "0.5", 0), ("cmd", "\\cdot", 4),
("num", "2", 10)]``.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from fractions import Fraction

from .nodes import Add, Func, Mul, Name, Num, Var

MAX_DEPTH = 60
MAX_LENGTH = 4000
UNITS = {"nat": "nats", "nats": "nats", "bit": "bits", "bits": "bits", "shannon": "bits",
         "shannons": "bits", "hartley": "hartleys", "hartleys": "hartleys", "ban": "hartleys",
         "bans": "hartleys", "dit": "hartleys", "dits": "hartleys"}
RELATIONS = {"=": "=", "\\approx": "≈", "≈": "≈", "\\le": "≤", "\\leq": "≤", "≤": "≤",
             "\\leqslant": "≤", "\\ge": "≥", "\\geq": "≥", "≥": "≥", "\\geqslant": "≥",
             "<": "<", "\\lt": "<", ">": ">", "\\gt": ">", "\\neq": "≠", "\\ne": "≠", "≠": "≠",
             "\\sim": "≈", "\\simeq": "≈", "\\thickapprox": "≈", "\\doteq": "≈"}
IGNORED = {"\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "~", "\\displaystyle",
           "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
           "\\biggl", "\\biggr", "\\Biggl", "\\Biggr", "&", "\\nonumber", "\\notag",
           "\\pause", "\\textstyle", "\\scriptstyle", "\\limits", "\\boxed", "\\$", "\\middle",
           "\\bigm", "\\Bigm", "\\mathstrut"}
ACCENTS = {"\\hat", "\\bar", "\\tilde", "\\widehat", "\\widetilde", "\\overline", "\\vec",
           "\\dot"}
GREEK = set("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
            "lambda mu nu xi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
            "Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega ell".split())
FONTS = {"\\mathrm", "\\operatorname", "\\mathcal", "\\mathbb", "\\mathbf", "\\mathit",
         "\\mathsf", "\\boldsymbol", "\\text", "\\textrm"}
UNICODE = {"−": "-", "×": "\\times", "·": "\\cdot", "⋅": "\\cdot", "…": "\\ldots",
           "π": "\\pi", "‖": "\\|", "∥": "\\|", "%": "\\%", "∞": "\\infty", "∑": "\\sum",
           "∏": "\\prod", "∫": "\\int", "√": "\\sqrt"}

VULGAR = {c: Fraction(n, d) for c, n, d in (
    ("½", 1, 2), ("⅓", 1, 3), ("⅔", 2, 3), ("¼", 1, 4), ("¾", 3, 4), ("⅕", 1, 5), ("⅖", 2, 5),
    ("⅗", 3, 5), ("⅘", 4, 5), ("⅙", 1, 6), ("⅚", 5, 6), ("⅛", 1, 8), ("⅜", 3, 8), ("⅝", 5, 8),
    ("⅞", 7, 8))}

_TOKEN = re.compile(r"""
    (?P<thou>(?<![(,\d.])[1-9]\d{0,2}(?:(?:\\,|\{,\}|,|\\[ ]|\u2009|\u202f)\d{3})+
             (?:\.\d+)?(?![\d]))
  | (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3}(?![\d.]))?)
  | (?P<cmd>\\(?:[A-Za-z]+|.))
  | (?P<ws>\s+)
  | (?P<ch>.)
""", re.VERBOSE | re.DOTALL)


class Unsupported(Exception):
    """Text outside the whitelist; ``pos`` is the offset within the parsed segment."""

    def __init__(self, reason: str, pos: int = 0, text: str | None = None):
        super().__init__(reason)
        self.reason, self.pos = reason, pos
        if text is not None:  # the text it stands for (a side read as a whole, a range)
            self.text = text


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) triples; whitespace dropped, Unicode operators mapped."""
    out = []
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "ws":
            continue
        if kind == "thou":  # thousands separated by \, {,} , or a thin space
            kind, tok = "num", re.sub(r"[^\d.]", "", tok)
        if kind == "ch" and tok in VULGAR:  # ½, ¾: exact fractions
            kind = "num"
        if kind == "ch" and tok in UNICODE:
            tok = UNICODE[tok]
            kind = "cmd" if tok.startswith("\\") else "ch"
        out.append((kind, tok, m.start()))
    return _function_words(text, out)


def _function_words(text: str, toks: list) -> list:
    """``log_2(x)``, ``ln x`` written without a backslash: the letters are the function."""
    out, k = [], 0
    while k < len(toks):
        for word in ("log", "ln"):
            n = len(word)
            run = toks[k:k + n]
            if (len(run) == n and all(t[0] == "ch" for t in run)
                    and "".join(t[1] for t in run) == word
                    and all(run[j + 1][2] == run[j][2] + 1 for j in range(n - 1))
                    and not (k and toks[k - 1][0] == "ch" and toks[k - 1][1].isalpha()
                             and toks[k - 1][2] + 1 == run[0][2])
                    and not (k + n < len(toks) and toks[k + n][0] == "ch"
                             and toks[k + n][1].isalpha() and toks[k + n][2] == run[-1][2] + 1)):
                out.append(("cmd", "\\" + word, run[0][2]))
                k += n
                break
        else:
            out.append(toks[k])
            k += 1
    return out


def number(text: str, pos: int) -> Num:
    """A decimal as written: ``0.70`` is 7/10 printed to 2 decimals; ``1.2e-3`` to 4; ``½``."""
    if text in VULGAR:
        return Num(VULGAR[text], text, 0, pos)
    mantissa, _, exp = text.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    shift = int(exp) if exp else 0
    return Num(value * Fraction(10) ** shift, text, len(frac) - shift, pos)


#: letters written together that are one word, not a product of one-letter symbols
WORDS = set("Var Cov SD SE Corr Pr KL JS JSD CE MI Bin Pois Poisson Geom Exp Unif Beta Gamma "
            "Normal Ber Bern Binom min max sd se var cov argmax argmin softmax sigmoid ReLU "
            "IG MSE NLL PMF PDF CDF pmf pdf cdf erf logit bits nats bit nat cm kg mg ml km mm "
            "sec hrs yr lb ft in".split())

#: commands with a meaning of their own: never read as a document's macro for a name
KNOWN = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac", "\\binom", "\\dbinom", "\\tbinom", "\\sqrt",
         "\\ln", "\\log", "\\lg", "\\exp", "\\pi", "\\sum", "\\prod", "\\int", "\\left", "\\right",
         "\\text", "\\infty", "\\cdot", "\\times", "\\div", "\\sin", "\\cos", "\\tan", "\\oint",
         "\\lim", "\\max", "\\min", "\\sup", "\\inf", "\\arg", "\\det", "\\partial", "\\nabla",
         "\\mathrm", "\\operatorname", "\\mathcal", "\\mathbb", "\\mathbf", "\\mathit", "\\mathsf",
         "\\boldsymbol", "\\iint", "\\iiint", "\\textrm"} | {"\\" + g for g in GREEK}

ATOM_STARTS = {"(", "[", "{", "\\left", "\\frac", "\\dfrac", "\\tfrac", "\\cfrac", "\\binom",
               "\\dbinom", "\\tbinom", "\\sqrt", "\\ln", "\\log", "\\lg", "\\exp", "\\pi",
               "\\sum", "\\prod", "\\int"}


def _binomial(n, k):
    """n! / (k! (n − k)!)"""
    return Mul([("*", Func("fact", n)), ("/", Func("fact", k)),
                ("/", Func("fact", Add([(1, n), (-1, k)])))])


def _walk(node):
    from .nodes import walk
    return walk(node)


def _bind(node, var):
    """The expression with the name ``var`` made the bound variable of an integral/bar."""
    if isinstance(node, Name) and node.name == var:
        return Var(var, node.pos)
    for f in fields(node):
        v = getattr(node, f.name)
        if isinstance(v, list):
            setattr(node, f.name, [tuple(_bind(x, var) if not isinstance(x, (int, str)) else x
                                         for x in item) if isinstance(item, tuple)
                                   else _bind(item, var) for item in v])
        elif is_dataclass(v):
            setattr(node, f.name, _bind(v, var))
    return node


def _differential(body):
    """Split ``f(x)\\,dx`` into ("x", f); (None, body) when there is no differential."""
    holder, key = None, None
    node = body
    while True:
        if isinstance(node, Add):
            holder, key, node = node.terms, len(node.terms) - 1, node.terms[-1][1]
        elif isinstance(node, Mul):
            break
        else:
            break
    if not isinstance(node, Mul):
        return None, body
    factors = node.factors
    last = factors[-1][1]
    var = None
    if isinstance(last, Name) and len(last.name) == 2 and last.name[0] == "d":
        var, rest = last.name[1], factors[:-1]
    elif isinstance(last, Name) and re.fullmatch(r"[a-z]+d[a-z]", last.name):  # xdx
        var, rest = last.name[-1], factors[:-1] + [("*", Name(last.name[:-2], last.pos))]
    elif (len(factors) >= 2 and isinstance(last, Name) and len(last.name) == 1
          and isinstance(factors[-2][1], Name) and factors[-2][1].name == "d"):
        var, rest = last.name, factors[:-2]
    if var is None or not rest:
        return None, body
    inner = rest[0][1] if len(rest) == 1 and rest[0][0] == "*" else Mul(rest)
    if holder is None:
        return var, inner
    holder[key] = (holder[key][0], inner)
    return var, body


def _plain(text: str) -> str:
    """Canonical text of a name part: formatting commands, braces and spaces removed."""
    text = re.sub(r"\\(?:mathrm|operatorname|mathcal|mathbb|mathbf|mathit|textrm|text|mathsf)\s*",
                  "",
                  text)
    text = re.sub(r"\\(?:boldsymbol|bm|[Bb]igg?[lrm]?)(?![A-Za-z])\s*", "", text)  # \big[ sizes
    text = text.replace("\\|", "||").replace("\\mid", "|")
    text = re.sub(r"\\(?:[lr]?Vert|parallel)(?![A-Za-z])", "||", text)  # D(p\Vert q) = D(p\|q)
    text = re.sub(r"\\vert\b|\\lvert\b|\\rvert\b", "|", text)
    text = re.sub(r"\\left|\\right|[{}\s]|\\[,;:!]", "", text)
    return text.replace("\\", "")


#: constructs read but never evaluated, with the reason an unchecked relation reports
NOT_EVALUATED = {
    "\\nabla": "a gradient (\\nabla): derivatives are not evaluated",
    "\\partial": "a partial derivative: derivatives are not evaluated",
    "\\det": "a determinant: matrices are not evaluated",
    "\\max": "a maximum over a set: not evaluated", "\\min": "a minimum over a set: not evaluated",
    "\\sup": "a supremum: not evaluated", "\\inf": "an infimum: not evaluated",
    "\\arg": "an argmax/argmin: not evaluated", "\\lim": "a limit: not evaluated",
    "\\underbrace": "an annotated (\\underbrace) term: not read",
}
