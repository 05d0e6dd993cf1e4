"""Values the build inserts after the math: ``$D_{\\mathrm{KL}}(p\\|q) = $ {kl}`k4.kl_pq:.4f```.

The site's ``{kl}`` role prints an engine value of a worked problem (``klforge.site.problems``)
where the math ends with a bare ``=``.  The audit may not import SymPy, so it reads the
problem's data from that module's source (its literal constants, with :mod:`ast`) and
evaluates with mpmath both

* the value the role prints — the quantity its key names (``k4.kl_pq`` is
  D_KL(p‖q) of problem K.4), rounded with the role's format spec; and
* the left side — the quantity the text names (``D_KL(p||q)``, ``H(p,q)``, ``H(p)``) with p and
  q the problem's two distributions, in the text's order;

an ok says the printed value is the text's quantity at its printed precision; an error (a role
naming ``kl_qp`` after ``D_{KL}(p\\|q)``, an entropy after a cross-entropy) gives both values.
Categorical problems are sums over their outcomes (Σ p ln(p/q), −Σ p ln q, −Σ p ln p); Gaussian
ones use the engine's closed forms printed as mpmath (``_known_forms.py``).

Example: after ``$H(p) = $`` the role ``{kl}`k1.entropy:.4f``` prints 0.3925 and the text's
H(p) of problem K.1 is −Σ p ln p = 0.39253…, so the relation is ok.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import mpmath

#: the role right after the math's closing ``$`` (or ``$$``)
ROLE = re.compile(r"\$\$?[ \t]*\n?[ \t]*\{kl\}`([\w.]+)(?::([^`]*))?`")
_PROBLEMS = Path(__file__).resolve().parent.parent / "site" / "problems.py"

#: key → (quantity, argument names in order, problem): what each role prints
KEYS = {
    "k1.kl": ("kl", ("p", "q"), "k1"),
    "k1.cross_entropy": ("cross_entropy", ("p", "q"), "k1"),
    "k1.entropy": ("entropy", ("p",), "k1"),
    "k3.kl_before": ("kl", ("p", "q"), "k3"),
    "k4.kl_pq": ("kl", ("p", "q"), "k4"),
    "k4.kl_qp": ("kl", ("q", "p"), "k4"),
}

_LHS = (
    (re.compile(r"^D_KL\((\w+)(?:\|\||Vert)(\w+)\)$"), "kl"),
    (re.compile(r"^H\((\w+),(\w+)\)$"), "cross_entropy"),
    (re.compile(r"^H\((\w+)\)$"), "entropy"),
)


@functools.cache
def constants() -> dict:
    """The literal module-level constants of ``klforge/site/problems.py`` (K1_P, K4, …)."""
    out = {}
    for stmt in ast.parse(_PROBLEMS.read_text(encoding="utf-8")).body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            try:
                out[stmt.targets[0].id] = ast.literal_eval(stmt.value)
            except ValueError:
                continue
    return out


def distributions(problem: str) -> tuple[str, dict]:
    """(family, {"p": …, "q": …}) of a problem: categorical probability lists, or the
    Gaussians' (mean, standard deviation)."""
    k = constants()
    mp = mpmath.mpf
    if problem in ("k1", "k3"):
        up = problem.upper()
        return "categorical", {"p": [mp(x) for x in k[f"{up}_P"]],
                               "q": [mp(x) for x in k[f"{up}_Q"]]}
    if problem == "k4":
        d = k["K4"]
        return "normal", {"p": (mp(d["mu_p"]), mp(d["sigma_p"])),
                          "q": (mp(d["mu_q"]), mp(d["sigma_q"]))}
    raise KeyError(problem)


def quantity(name: str, args: tuple, problem: str):
    """The value of quantity ``name`` ("kl", "cross_entropy", "entropy") of the problem's
    distributions ``args`` (names "p", "q"), in nats."""
    family, dists = distributions(problem)
    xs = [dists[a] for a in args]
    if family == "categorical":
        p = xs[0]
        q = xs[1] if len(xs) > 1 else p
        if len(p) != len(q):
            raise ValueError("distributions of different lengths")
        if name == "kl":
            return mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(p, q, strict=True) if a)
        return -mpmath.fsum(a * mpmath.log(b) for a, b in zip(p, q, strict=True) if a)
    from ._known_forms import FORMS
    return FORMS[f"{name}_normal"](*[v for x in xs for v in x])


def lhs_quantity(name: str):
    """("kl", ("p", "q")) for the text ``D_KL(p||q)``; None for anything else."""
    for pattern, q in _LHS:
        m = pattern.match(name.replace(" ", ""))
        if m:
            return q, m.groups()
    return None


def role_after(source: str, at: int):
    """(key, spec) of a ``{kl}`` role written right after the math that is open at offset
    ``at`` (its closing ``$`` is the next one); None if there is none."""
    end = source.find("$", at)
    if end < 0:
        return None
    m = ROLE.match(source, end)
    return (m.group(1), m.group(2) or ".4f") if m else None


def printed(value, spec: str) -> tuple[str, int]:
    """The role's text (as the site formats it: Python format spec, half-even through Decimal)
    and its number of decimals."""
    from decimal import Decimal

    text = format(Decimal(mpmath.nstr(value, 40, strip_zeros=False)), spec)
    return text, len(text.partition(".")[2]) if "." in text and "e" not in text.lower() else 0


#: how far before the math the paragraph's own data are read (``$p = \mathcal{N}(2, 1.5^2)$``)
WINDOW = 400
_NORMAL = re.compile(r"\b([pq])\s*=\s*\\mathcal\{N\}\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)(\^2)?\s*\)")


def _text_disagrees(before: str, problem: str) -> str | None:
    r"""A Gaussian the text states just before the role (``p = \mathcal{N}(2, 1.5^2)``) that
    is not the problem's: the message; None when they agree or the text states none."""
    family, dists = distributions(problem)
    if family != "normal":
        return None
    before = re.split(r"\n[ \t>]*\n", before)[-1]  # this paragraph only
    for m in _NORMAL.finditer(before):
        name, mean, second, squared = m.groups()
        sd = mpmath.mpf(second) if squared else mpmath.sqrt(mpmath.mpf(second))
        mu, sigma = dists[name]
        if mpmath.mpf(mean) != mu or abs(sd - sigma) > mpmath.mpf(10) ** -30:
            return (f"the text's {m.group(0)} is not the {name} of problem {problem} "
                    f"(N({mpmath.nstr(mu, 8)}, {mpmath.nstr(sigma, 8)}^2)), whose value the "
                    f"build prints")
    return None


def judge(aud, source: str, lhs, op: str, at: int) -> bool:
    """Judge ``lhs op`` followed by a ``{kl}`` role; False when no role follows or the key or
    the left side is not one this module knows (the caller then reports it unchecked)."""
    from . import nodes as N

    role = role_after(source, at)
    if role is None or op not in ("=", "≈") or not isinstance(lhs, N.Name):
        return False
    key, spec = role
    named = lhs_quantity(lhs.name)
    if key not in KEYS or named is None:
        return False
    kq, kargs, problem = KEYS[key]
    try:
        shown_value = quantity(kq, kargs, problem)
        text_value = quantity(named[0], named[1], problem)
        shown, decimals = printed(shown_value, spec)
    except (KeyError, ValueError) as e:
        aud.add(at, "unchecked", f"{lhs.name} {op} {{kl}}`{key}`", None, None,
                f"the role's value could not be evaluated: {e}", "step")
        return True
    relation = f"{lhs.name} {op} {shown} ({{kl}}`{key}`)"
    clash = _text_disagrees(source[max(0, at - WINDOW):at], problem)
    if clash:
        aud.add(at, "error", relation, shown, None, clash, "step")
        return True
    computed = mpmath.nstr(text_value, 12)
    half = mpmath.mpf(5) / mpmath.mpf(10) ** (decimals + 1) if decimals else mpmath.mpf("0.5")
    if abs(text_value - mpmath.mpf(shown)) <= half * (1 + mpmath.mpf(10) ** -20):
        aud.add(at, "ok", relation, shown, computed,
                f"the build prints {shown} ({key}); {lhs.name} of problem {problem} is "
                f"{computed}, which rounds to it", "step")
    else:
        aud.add(at, "error", relation, shown, computed,
                f"the build prints {shown} ({key}, the {kq.replace('_', ' ')} of "
                f"{', '.join(kargs)}), but {lhs.name} of problem {problem} is {computed}",
                "step")
    return True
