"""Free symbols of a formula: their domains, random points, and values of named quantities.

Domains come from the text (``\\sigma > 0``, ``0 < p < 1``, "for $a, b > 0$", recorded by
:func:`restrict`) or from conventions on the symbol's name:

* σ, λ, τ, κ, ν, α, β, η, ρ, rates, variances, scales: positive, sampled in [0.05, 8];
* p, q, p_i, q(x), π_i, ε, θ-less probabilities: in (0, 1);
* n, m, k, K, N, d, T: integers 1 … 12;
* anything else (μ, x, t, θ, a, b): real, sampled in [−4, 4].

A point is a dict name → mpf with four significant digits (so a counterexample prints as it
was evaluated).  Example: ``sample({"sigma", "mu"}, {}, rng)`` →
``{"mu": mpf("-1.318"), "sigma": mpf("2.741")}``.

Finite model: when ``p``/``q`` stand for whole distributions (``D_{KL}(p\\|q)``,
``\\mathbb{E}_p``, ``\\sum_x p(x)``) they are random distributions on a support of
``SUPPORT`` points (:func:`finite_model`), and ``D_KL(p||q)``, ``H(p)``, ``H(p,q)`` are
evaluated from them.
"""

from __future__ import annotations

import re

import mpmath

mp = mpmath.mp
SUPPORT = 4
POSITIVE = {"sigma", "lambda", "tau", "kappa", "nu", "alpha", "beta", "eta", "rho", "s",
            "gamma", "omega", "varsigma", "v", "r", "rate", "scale", "var", "Sigma", "Lambda"}
PROBABILITY = {"p", "q", "pi", "epsilon", "varepsilon", "w"}
INTEGER = {"n", "m", "k", "K", "N", "d", "T"}
RANGES = {"positive": (mp.mpf("0.05"), mp.mpf(8)), "probability": (mp.mpf("0.01"), mp.mpf("0.99")),
          "integer": (1, 12), "real": (mp.mpf(-4), mp.mpf(4))}
_FUNC = re.compile(r"^(?P<head>[A-Za-z]+(?:_\w+)?)\((?P<args>[^()]*)\)$")
SIMPLE = re.compile(r"^[A-Za-z]+(?:_\{?[\w,+-]+\}?)?'*$")  # θ_1, and θ' (a new symbol)


def base(name: str) -> str:
    """``sigma_1`` → ``sigma``; ``q(x)`` → ``q``."""
    return re.split(r"[_(^]", name, maxsplit=1)[0]


#: a symbol under an accent, as the parser names it: ``\hat p`` → ``hat(p)``, ``\bar x_n``
ACCENTED = re.compile(r"^(?:hat|bar|tilde|widehat|widetilde|overline|vec|dot|check)"
                      r"\(([A-Za-z]+)\)(?:_\{?[\w,+-]+\}?)?$")


#: acronyms of statistical quantities (tokens.WORDS): names of values, never free variables
_QUANTITY_WORDS = {"SE", "SD", "se", "sd", "MSE", "NLL", "Var", "Cov", "Corr", "var", "cov",
                   "CE", "MI", "IG", "JS", "JSD"}


def is_symbol(name: str) -> bool:
    """A symbol that may take any value of its domain: ``x``, ``sigma_1``, ``p(x)``,
    ``q_i``, ``hat(p)`` (an estimate, a rescaled variable) — not a quantity such as
    ``H(p,q)`` or ``D_KL(p||q)``."""
    if base(name) in _QUANTITY_WORDS:  # SE, SD, MSE: a quantity the prose defines, not a
        return False                    # variable free to take any value
    if SIMPLE.match(name) or ACCENTED.match(name):
        return True
    m = _FUNC.match(name)  # p(x), q(x|z): a probability at a point
    return bool(m) and base(name) in ("p", "q", "pi") and "||" not in name


def is_differential(name: str) -> bool:
    """``d``, ``dp``, ``dtheta``, ``partial``: notation of derivatives, not a symbol; also
    ``O(δ³)``, ``o(1)`` (orders of magnitude: the relation is an approximation)."""
    if re.match(r"^[Oo]\(", name) or name in ("O", "o"):
        return True
    return name in ("d", "partial", "nabla") or bool(
        re.match(r"^d(?:[a-z]|theta|mu|sigma|lambda|eta|x_\w+)$", name))


def convention(name: str) -> str:
    """The domain kind of a symbol by its name; an accented symbol (``hat(p)``, ``bar(sigma)``)
    has its letter's (an estimate of p is a probability)."""
    accented = ACCENTED.match(name)
    b = accented.group(1) if accented else base(name)
    if b in POSITIVE or b.startswith("sigma") or b.startswith("lambda"):
        return "positive"
    if b in PROBABILITY:
        return "probability"
    if b in INTEGER and "(" not in name:
        return "integer"
    return "real"


def restrict(domains: dict, name: str, op: str, bound) -> None:
    """Record ``name op bound`` (op one of < ≤ > ≥) as a bound of the symbol's domain."""
    lo, hi = domains.get(name, (None, None))
    if op in (">", "≥"):
        lo = bound if lo is None else max(lo, bound)
    else:
        hi = bound if hi is None else min(hi, bound)
    domains[name] = (lo, hi)


def interval(name: str, domains: dict, hints: dict | None = None):
    """(lo, hi, integer?) of the values sampled for ``name``; ``hints``: name → kind from
    the formula (the rate of Pois(λ) is positive, whatever its name)."""
    kind = (hints or {}).get(name) or convention(name)
    lo, hi = RANGES[kind]
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    tlo, thi = domains.get(name, (None, None))
    if tlo is not None:  # the text's bounds take priority over the convention
        lo = mp.mpf(tlo)
        hi = hi if hi > lo else lo + 8
    if thi is not None:
        hi = mp.mpf(thi)
        lo = lo if lo < hi else hi - 8
    return lo, hi, kind == "integer"


def _four_digits(x) -> mpmath.mpf:
    return mp.mpf(mpmath.nstr(x, 4))


def sample(names, domains: dict, rng, extreme: bool = False, hints=None) -> dict:
    """One random point; ``extreme`` favours the ends of each domain (near 0, near 1,
    large), where inequalities usually fail."""
    point = {}
    for name in sorted(names):
        lo, hi, integer = interval(name, domains, hints)
        if integer:
            a, b = int(mpmath.ceil(lo)), int(mpmath.floor(hi))
            point[name] = mp.mpf(rng.randint(a, max(a, b)))
            continue
        eps = (hi - lo) * mp.mpf("1e-3")
        if extreme and rng.random() < 0.5:
            v = lo + eps if rng.random() < 0.5 else hi - eps
        else:
            v = lo + eps + (hi - lo - 2 * eps) * mp.mpf(rng.random())
        point[name] = _four_digits(v) if v != 0 else mp.mpf(0)
    return point


def finite_model(rng) -> dict:
    """Two random distributions p, q on ``SUPPORT`` points (every mass ≥ 0.02)."""
    out = {}
    for name in ("p", "q"):
        w = [mp.mpf(rng.randint(2, 60)) for _ in range(SUPPORT)]
        total = sum(w)
        out[name] = [x / total for x in w]
    return out


#: free vectors read as a pair of distributions: ``\\sum_i P(i) \\log(P(i)/Q(i))`` compares two
#: pmfs on the same outcomes (when both letters are free vectors of one relation)
PMF_PAIR = ("P", "Q")


def pmf_pair(vectors) -> bool:
    """True when the free vectors of a relation include both P and Q (:data:`PMF_PAIR`): they
    are then drawn as random distributions (:func:`finite_model`), not any real vectors."""
    return set(PMF_PAIR) <= set(vectors)


def real_vector(rng) -> list:
    """A random real vector on ``SUPPORT`` points (``z`` in ``\\sum_i e^{z_i}``)."""
    return [_four_digits(mp.mpf(-4) + 8 * mp.mpf(rng.random())) for _ in range(SUPPORT)]


_FUNCTIONAL = re.compile(r"^(?:D_?KL|KL|D)\((?P<a>p|q)(?:\|\||Vert|\|)(?P<b>p|q)\)$"
                         r"|^H\((?P<h>p|q)\)$|^H\((?P<c>p|q),(?P<d>p|q)\)$"
                         r"|^(?:TV|delta|d_?TV|delta_?TV)\((?P<t>p),(?P<u>q)\)$"
                         r"|^chi\^2\((?P<x>p|q)(?:\|\||Vert|\|)(?P<y>p|q)\)$")


#: bare names of the divergences between "the" p and q of a passage (Pinsker: TV ≤ √(D_KL/2))
BARE = {"D_KL": "D_KL(p||q)", "KL": "KL(p||q)", "TV": "TV(p,q)", "d_TV": "TV(p,q)",
        "chi^2": "chi^2(p||q)"}


def functional(name: str, model: dict):
    """``D_KL(p||q)``, ``H(p)``, ``H(p,q)``, ``TV(p,q)``, ``χ²(p||q)`` in the finite model (a
    bare ``D_KL``, ``TV``, ``χ²``: of p and q); None for other names."""
    m = _FUNCTIONAL.match(BARE.get(name, name).replace(" ", ""))
    if not m or not model:
        return None
    if m.group("a"):
        a, b = model[m.group("a")], model[m.group("b")]  # 0 ln(0/y) = 0, x ln(x/0) = +∞
        return mpmath.fsum(0 if x == 0 else mpmath.inf if y == 0 else x * mpmath.log(x / y)
                           for x, y in zip(a, b, strict=True))
    if m.group("x"):  # χ²(p‖q) = Σ (p − q)²/q
        a, b = model[m.group("x")], model[m.group("y")]
        return mpmath.fsum((x - y) ** 2 / y for x, y in zip(a, b, strict=True))
    if m.group("t"):
        return sum(abs(x - y) for x, y in zip(model["p"], model["q"], strict=True)) / 2
    if m.group("h"):
        a = model[m.group("h")]
        return -mpmath.fsum(x * mpmath.log(x) for x in a if x != 0)  # 0 ln 0 = 0
    a, b = model[m.group("c")], model[m.group("d")]
    return -mpmath.fsum(x * mpmath.log(y) for x, y in zip(a, b, strict=True))


_JOINT = re.compile(r"^(?:H\((?P<h>[XY])\)|H\((?P<a>[XY]),(?P<b>[XY])\)"
                    r"|H\((?P<c>[XY])\|(?P<d>[XY])\)|I\((?P<e>[XY]);(?P<f>[XY])\))$")


#: D_KL(p(x,y)||p(x)p(y)): the mutual information of X and Y, written as a divergence
_MUTUAL = re.compile(r"^(?:D_?KL|KL|D)\(p\(x,y\)\|\|p\(x\)(?:·|\*)?p\(y\)\)$")


def rv_model(rng):
    """A random variable on ``SUPPORT`` values in [−4, 4] with random probabilities."""
    w = [mp.mpf(rng.randint(2, 60)) for _ in range(SUPPORT)]
    total = sum(w)
    return real_vector(rng), [x / total for x in w]


def joint_model(rng) -> list:
    """A random joint distribution of X, Y on 3 × 3 outcomes (every mass ≥ 0.01)."""
    w = [[mp.mpf(rng.randint(1, 40)) for _ in range(3)] for _ in range(3)]
    total = sum(sum(r) for r in w)
    return [[x / total for x in r] for r in w]


def joint_functional(name: str, joint):
    """H(X), H(X,Y), H(X|Y), I(X;Y) — or D_KL(p(x,y)||p(x)p(y)), the same — of a joint
    distribution (rows X, columns Y); None for other names.
    Example: I(X;Y) = H(X) + H(Y) − H(X,Y)."""
    name = _MUTUAL.sub(r"I(X;Y)", name.replace(" ", "").replace("Vert", "||"))
    m = _JOINT.match(name)
    if not m or joint is None:
        return None

    def h(ps):
        return -mpmath.fsum(x * mpmath.log(x) for x in ps if x > 0)
    cells = [x for r in joint for x in r]
    marg = {"X": [sum(r) for r in joint], "Y": [sum(c) for c in zip(*joint, strict=True)]}
    if m.group("h"):
        return h(marg[m.group("h")])
    if m.group("a"):
        return h(cells) if m.group("a") != m.group("b") else h(marg[m.group("a")])
    if m.group("c"):
        return h(cells) - h(marg[m.group("d")]) if m.group("c") != m.group("d") else mp.mpf(0)
    a, b = m.group("e"), m.group("f")
    return h(marg[a]) + h(marg[b]) - h(cells) if a != b else h(marg[a])


def describe(point: dict) -> str:
    """``σ = 0.7313, μ = −1.2`` for messages."""
    greek = {"sigma": "σ", "mu": "μ", "lambda": "λ", "alpha": "α", "beta": "β", "rho": "ρ",
             "tau": "τ", "theta": "θ", "eta": "η", "kappa": "κ", "nu": "ν", "pi": "π",
             "epsilon": "ε", "varepsilon": "ε", "gamma": "γ", "delta": "δ"}

    def pretty(n):
        b, _, rest = n.partition("_")
        return greek.get(b, b) + (("_" + rest) if rest else "")
    return ", ".join(f"{pretty(k)} = {mpmath.nstr(v, 6)}" for k, v in sorted(point.items())
                     if not k.startswith("\0")) or "random distributions"


def related_probabilities(names) -> list[str]:
    """``p(x)``, ``p(x,y)``, ``p(y|x)``: one function at different arguments (marginal, joint,
    conditional) — constrained by each other, so not sampled independently."""
    by_head: dict = {}
    for n in names:
        if "(" in n and not n.startswith("\0"):
            by_head.setdefault(base(n), set()).add(n)
    return sorted(n for v in by_head.values() if len(v) > 1 for n in v)


def domain_text(names, domains, hints=None) -> str:
    """``sigma positive, p ∈ (0.0, 1.0) from the text`` for messages."""
    parts = []
    if any(n in ("\0p", "\0q") for n in names) and not {"\0lat", "\0pol"} & set(names):
        parts.append(f"p, q random distributions on {SUPPORT} points")
    if "\0rv" in names:
        parts.append(f"a random variable on {SUPPORT} random values")
    if "\0pol" in names:
        parts.append(f"a random policy problem: π, π_ref, r on {SUPPORT} responses")
    if "\0lat" in names:
        parts.append(f"a random latent-variable model: p(z), p(x|z), q(z) on {SUPPORT} values "
                     "of z")
    if "\0xy" in names:
        parts.append("X, Y with a random joint distribution on 3 × 3 outcomes")
    vectors = sorted(n[3:] for n in names if n.startswith("\0v:"))
    if pmf_pair(vectors):
        parts.append(f"P, Q random distributions on {SUPPORT} points")
        vectors = [v for v in vectors if v not in PMF_PAIR]
    if vectors:
        parts.append(f"{', '.join(vectors)} random real vectors on {SUPPORT} points")
    for n in sorted(n for n in names if not n.startswith("\0")):
        lo, hi, integer = interval(n, domains, hints)
        if integer:
            parts.append(f"{n} ∈ {{{int(lo)}…{int(hi)}}}")
        elif n in domains:
            parts.append(f"{n} ∈ ({mpmath.nstr(lo, 4)}, {mpmath.nstr(hi, 4)}) from the text")
        else:
            parts.append(f"{n} {(hints or {}).get(n) or convention(n)}")
    return ", ".join(parts)


from .domains import domain_of_list, record_domain  # noqa: E402,F401 (S.record_domain)
