"""A random latent-variable model for the ELBO's identities: p(z), p(x | z), q(z) for one
observed x.

Course text writes the evidence decomposition with names the parser keeps whole
(``p(x|z)``, ``p(x,z)``, ``q(z|x)``, ``D_KL(q||p(cdot|x))``, ``ELBO(q)``).  When a relation
uses them, they are evaluated in a random model on ``SUPPORT`` latent values z:

* p(z) a random distribution, p(x | z) random likelihoods in [0.05, 0.95] of the observed x,
  q(z) (also written q(z | x), q) a random distribution;
* p(x, z) = p(z) p(x | z), p(x) = Σ_z p(x, z), p(z | x) = p(x, z)/p(x) (Bayes);
* D_KL(q‖p(z | x)), D_KL(q‖p(z)), H(q), and ELBO(q) = 𝓕(q, θ) = E_q[ln p(x, z) − ln q(z)];
* a conditioning on θ (``p(x|theta)``) is the model's parameter: dropped.

Names that depend on z have a value only inside ``\\mathbb{E}_q[…]`` (the index of the
current z is in the point under ``Z``).  Example: ln p(x) = ELBO(q) + D_KL(q‖p(z | x))
holds at every random model; with ``−`` it fails.
"""

from __future__ import annotations

import re

import mpmath

from . import nodes as N

mp = mpmath.mp
SUPPORT = 4
Z = "\0z"           # the point's key for the index of z inside an expectation over q
MARK = "\0lat"      # the free-symbol marker of the model
_ARGS = re.compile(r"^(?P<head>p|q)\((?P<args>[^()]*)\)$")
_KL = re.compile(r"^(?:D_?KL|KL)\((?P<a>.+?)(?:\|\||Vert)(?P<b>.+)\)$")


def mentions(text: str) -> bool:
    """Does a relation's text use the model (a probability with z, ELBO, 𝓕(q, θ))?"""
    return bool(re.search(r"[pq](?:_\w+?)?\([^()]*\bz\b|[pq](?:_\w+?)?\([^()]*,z|ELBO|F\(q,",
                          text))


def _canon(name: str):
    """``p(x|z)`` → ("p", "x|z"); ``q(z|x)``, ``q`` → ("q", "z"); θ dropped; None otherwise."""
    name = name.replace(" ", "").replace("cdot", "z").replace("mid", "|")
    if name == "q":
        return "q", "z"
    name = re.sub(r"^([pq])_\{?(?:theta|phi|psi)\}?(?=\()", r"\1", name)  # p_θ(x,z), q_φ(z|x)
    m = _ARGS.match(name)
    if not m:
        return None
    args = re.sub(r"[|,]?theta$", "", m.group("args"))
    args = args.replace("|theta,", "|").replace(",theta", "")
    if m.group("head") == "q":
        return ("q", "z") if args in ("z", "z|x") else None
    return ("p", args) if args in ("x", "z", "x|z", "x,z", "z,x", "z|x") else None


def known(name: str) -> bool:
    """Is ``name`` a quantity of the model?"""
    if name in ("ELBO(q)", "ELBO", "F(q,theta)", "F(q)", "H(q)", "H(q(z))"):
        return True
    m = _KL.match(name.replace(" ", ""))
    if m:
        return _canon(m.group("a")) is not None and _canon(m.group("b")) is not None
    return _canon(name) is not None


def model(rng) -> dict:
    """One random model: p(z), p(x|z), q(z) on ``SUPPORT`` latent values."""
    def dist():
        w = [mp.mpf(rng.randint(2, 60)) for _ in range(SUPPORT)]
        return [x / sum(w) for x in w]
    lik = [mp.mpf(rng.randint(5, 95)) / 100 for _ in range(SUPPORT)]
    return {"pz": dist(), "lik": lik, "q": dist()}


def _table(m, key):
    """The model's values of p(·) or q(·) over z, or a number for p(x)."""
    head, args = key
    if head == "q":
        return m["q"]
    joint = [a * b for a, b in zip(m["pz"], m["lik"], strict=True)]
    evidence = mp.fsum(joint)
    return {"x": evidence, "z": m["pz"], "x|z": m["lik"], "x,z": joint, "z,x": joint,
            "z|x": [j / evidence for j in joint]}[args]


def value(name: str, point: dict, m: dict):
    """Value of a model quantity at ``point`` (``Z`` holds the index of z inside E_q)."""
    name = name.replace(" ", "")
    q = m["q"]
    if name in ("ELBO(q)", "ELBO", "F(q,theta)", "F(q)"):  # ELBO: of the q in the text
        joint = _table(m, ("p", "x,z"))
        return mp.fsum(w * (mp.log(j) - mp.log(w)) for w, j in zip(q, joint, strict=True))
    if name in ("H(q)", "H(q(z))"):
        return -mp.fsum(w * mp.log(w) for w in q)
    k = _KL.match(name)
    if k:
        a, b = _table(m, _canon(k.group("a"))), _table(m, _canon(k.group("b")))
        if not isinstance(a, list) or not isinstance(b, list):
            raise N.NotEvaluable(f"{name}: a divergence between distributions over z")
        return mp.fsum(x * mp.log(x / y) for x, y in zip(a, b, strict=True))
    t = _table(m, _canon(name))
    if not isinstance(t, list):
        return t
    if Z not in point:
        raise N.NotEvaluable(f"{name} depends on z outside an expectation over z")
    return t[point[Z]]


def expectation(body_value, point: dict, m: dict):
    """E_q[f(z)] = Σ_z q(z) f(z); ``body_value(pt)`` evaluates the body at a point."""
    total = mp.mpf(0)
    for i, w in enumerate(m["q"]):
        total += w * body_value({**point, Z: i})
    return total
