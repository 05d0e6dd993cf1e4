"""Step labels of a derivation, typeset: prose stays prose, the mathematics becomes LaTeX.

The engine names each step in plain Unicode (``"Log-partition A(θ) = log ∫ h(x)
exp(η·T(x)) dx"``).  :func:`split` cuts such a label into prose and math pieces and
:func:`to_latex` writes each math piece as LaTeX, so the page shows "Log-partition" as text
and :math:`A(\\theta) = \\log\\int h(x)\\exp(\\eta\\cdot T(x))\\,dx` as math.

Rules (what a reader of the labels expects, not a general converter):

* a word of two or more ASCII letters is prose (``Sufficient``, ``stick-breaking``) unless it
  is a mathematical word (``log det tr exp KL ELBO dx dz``), a name from the code
  (``kl_div``, ``expm1mx``: set in typewriter), an indexed letter (``S0`` → S₀) or applied to
  an argument (``LSE(a)``); single letters, Greek letters, digits and operators are
  mathematics;
* a bracket holding only prose (``(complete the square)``) is prose; a prose word inside a
  mathematical bracket (``KL(q ‖ posterior)``) is set as ``\\text{…}`` in the formula;
* at the top level, ``, `` and ``: `` separate formulas (``with η = α − 1, ∇_η A = …``);
* Unicode scripts and symbols map to their commands (``⁻¹`` → ``^{-1}``, ``ᵀ`` → ``^{\\top}``,
  ``∇²_θ`` → ``\\nabla^{2}_{\\theta}``, ``‖`` → ``\\,\\|\\,``, ``½`` → ``\\tfrac{1}{2}``);
  ``Σ`` with a subscript other than i, j, k is the matrix Σ (``Σ_p``), else a sum (``Σ_i``,
  ``Σα``, ``Σ e^{η_i}``).

Example: ``split("Natural-gradient direction F⁻¹ g")`` →
``[("text", "Natural-gradient direction "), ("math", "F^{-1} g")]``.
"""

from __future__ import annotations

import re

GREEK = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon",
         "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "π": r"\pi",
         "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "ψ": r"\psi", "ω": r"\omega",
         "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Φ": r"\Phi",
         "Ψ": r"\Psi", "Ω": r"\Omega", "ℓ": r"\ell"}
SYMBOLS = {"−": "-", "·": r"\cdot ", "×": r"\times ", "‖": r"\,\|\,", "←": r"\leftarrow ",
           "→": r"\to ", "∫": r"\int ", "∇": r"\nabla ", "½": r"\tfrac{1}{2}", "≈": r"\approx ",
           "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "∞": r"\infty ", "∈": r"\in ",
           "|": r"\mid ", "∂": r"\partial "}
SUPERSCRIPTS = {"⁻": "-", "¹": "1", "²": "2", "³": "3", "ᵀ": r"\top", "⁰": "0", "ⁿ": "n"}
#: ASCII words that are mathematics, and how they are set
MATH_WORDS = {"log": r"\log ", "ln": r"\ln ", "exp": r"\exp ", "det": r"\det ",
              "tr": r"\operatorname{tr}", "KL": r"\mathrm{KL}", "ELBO": r"\mathrm{ELBO}",
              "dx": r"\,dx", "dz": r"\,dz", "Var": r"\operatorname{Var}"}
_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+|[A-Za-z]{2,}(?:_[A-Za-z0-9]+)+"
                    r"|[A-Za-z]+\d[A-Za-z0-9]*|[A-Za-z]+|\d+|\s+|.", re.S)
_CODE = re.compile(r"[A-Za-z]{2,}(?:_[A-Za-z0-9]+)+|[A-Za-z]{2,}\d[A-Za-z0-9]*")
_INDEXED = re.compile(r"([A-Za-z])(\d+)")
_OPEN, _CLOSE = "([{", ")]}"


def _is_prose(tok: str) -> bool:
    return (len(tok) >= 2 and tok.isascii() and tok[0].isalpha() and tok not in MATH_WORDS
            and not _CODE.fullmatch(tok) and not _INDEXED.fullmatch(tok))


def _is_strong(tok: str) -> bool:
    """A token that makes a bracket mathematics: a letter, a Greek letter, an operator."""
    return not (tok.isdigit() or tok in _OPEN + _CLOSE + ",.:;'")


def _classes(toks: list[str]) -> list[str]:
    """Each token as "p" (prose), "m" (math), "t" (prose inside a formula) or "s" (space)."""
    kinds = ["p" if _is_prose(t) else "s" if t.isspace() else "m" for t in toks]
    for i in range(len(toks) - 1):  # a word applied to an argument is an operator: LSE(a)
        if kinds[i] == "p" and toks[i + 1] == "(" and "-" not in toks[i]:
            kinds[i] = "m"
    stack: list[int] = []
    for i, t in enumerate(toks):
        if t in _OPEN:
            stack.append(i)
        elif t in _CLOSE and stack:
            j = stack.pop()
            inner = [k for k in kinds[j + 1:i] if k != "s"]
            strong = any(k == "m" and _is_strong(t) for k, t in zip(kinds[j + 1:i],
                                                                    toks[j + 1:i], strict=True))
            if "p" in inner and not strong:  # "(complete the square)", "(50 digits, …)"
                kinds[j:i + 1] = ["p" if k != "s" else "s" for k in kinds[j:i + 1]]
            elif any(k == "m" for k in inner):
                for k in range(j + 1, i):
                    kinds[k] = "t" if kinds[k] == "p" else kinds[k]
    depth = 0
    for i, t in enumerate(toks):  # ", " and ": " at the top level separate formulas
        depth += (t in _OPEN) - (t in _CLOSE)
        if depth == 0 and t in ",:;" and i + 1 < len(toks) and toks[i + 1].isspace():
            kinds[i] = "p"
    return kinds


def split(text: str) -> list[tuple[str, str]]:
    """The label as ``[("text", …), ("math", LaTeX), …]`` pieces, in order."""
    toks = _TOKEN.findall(text)
    kinds = _classes(toks)
    for i, k in enumerate(kinds):  # a space inside a formula belongs to it
        if k == "s":
            before = next((kinds[j] for j in range(i - 1, -1, -1) if kinds[j] != "s"), "p")
            after = next((kinds[j] for j in range(i + 1, len(kinds)) if kinds[j] != "s"), "p")
            kinds[i] = "m" if before in "mt" and after in "mt" else "p"
    pieces: list[tuple[str, str]] = []
    for tok, k in zip(toks, kinds, strict=True):
        kind = "text" if k == "p" else "math"
        if pieces and pieces[-1][0] == kind:
            pieces[-1] = (kind, pieces[-1][1] + tok)
        else:
            pieces.append((kind, tok))
    return [(kind, to_latex(s) if kind == "math" else s) for kind, s in pieces]


def to_latex(math: str) -> str:
    """One mathematical piece of a label (Unicode) as LaTeX; a prose word in it becomes
    ``\\text{…}``; a character with no LaTeX meaning raises ValueError naming it."""
    toks = _TOKEN.findall(math)
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if t in SUPERSCRIPTS:
            sup = ""
            while i < len(toks) and toks[i] in SUPERSCRIPTS:
                sup += SUPERSCRIPTS[toks[i]]
                i += 1
            out.append("^{" + sup + "}")
            continue
        if t == "_":
            sub, i = _script(toks, i + 1)
            out.append("_{" + sub + "}")
            continue
        if t == "Σ":
            matrix = nxt == "_" and i + 2 < len(toks) and toks[i + 2] not in ("i", "j", "k")
            out.append(r"\Sigma " if matrix else r"\sum ")
        elif t in GREEK:
            out.append(GREEK[t] + " ")
        elif t in SYMBOLS:
            out.append(SYMBOLS[t])
        elif t in MATH_WORDS:
            out.append(MATH_WORDS[t])
        elif _CODE.fullmatch(t):  # a function of the code: expm1mx, kl_div
            out.append(r"\mathtt{" + t.replace("_", r"\_") + "}")
        elif m := _INDEXED.fullmatch(t):  # S0 → S_0
            out.append(f"{m.group(1)}_{{{m.group(2)}}}")
        elif len(t) >= 2 and t.isalpha() and nxt == "(":
            out.append(r"\operatorname{" + t + "}")
        elif _is_prose(t):
            out.append(r"\text{" + t + "}")
        elif t.isspace():
            out.append(r"\quad " if len(t) > 1 else " ")
        elif t.isascii() and (t.isalnum() or t in "()[]{}^=+-*/',.:;<>!"):
            out.append(t)
        else:
            raise ValueError(f"step label: no LaTeX for {t!r} in {math!r}")
        i += 1
    return re.sub(r" +", " ", "".join(out)).strip()


def _script(toks: list[str], i: int) -> tuple[str, int]:
    """A subscript after ``_``: one token (letters, digits or a Greek letter) and any primes."""
    t = toks[i] if i < len(toks) else ""
    if not t or t.isspace():
        raise ValueError("step label: a subscript mark _ with nothing after it")
    sub, i = GREEK.get(t, t), i + 1
    while i < len(toks) and toks[i] == "'":
        sub, i = sub + "'", i + 1
    return sub, i
