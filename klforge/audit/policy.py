"""A random KL-regularised policy problem for the identities of RLHF and DPO.

The objective J(π) = Σ_y π(y) r(y) − β D_KL(π‖π_ref) over the simplex has the optimum
π* = π_ref e^{r/β}/Z with Z = Σ_y π_ref(y) e^{r(y)/β}.  When a relation speaks of π*, π_ref
or J(π), its names are evaluated in a random instance on ``SUPPORT`` responses y:

* π, π_ref random distributions, r a random reward vector in [−2, 2], β the text's value
  or a sampled positive number;
* π* and Z from the formulas above; J(π) from its definition; D_KL between any two of
  π, π_ref, π*;
* inside ``\\sum_y`` the names are the vectors' entries; outside, ``r(y)``, ``π*(y)`` are
  taken at a random response y (an identity in y holds at each).

Example: r(y) = β ln(π*(y)/π_ref(y)) + β ln Z holds; J(π) = β ln Z − β D_KL(π‖π*) holds,
and with + β D_KL it fails.
"""

from __future__ import annotations

import re

import mpmath

mp = mpmath.mp
SUPPORT = 4
MARK = "\0pol"
Y = "\0y"           # the point's key for the response at which r(y), π*(y) are taken
VECTORS = ("pi", "pi_ref", "pi^*", "r")
_AT = re.compile(r"^(?P<v>pi|pi_ref|pi\^\*|r)\((?P<y>[a-z])\)$")
_J = re.compile(r"^J\((?P<a>pi|pi_ref|pi\^\*)\)$")
_KL = re.compile(r"^D_?KL\((?P<a>pi|pi_ref|pi\^\*)(?:\|\||Vert)(?P<b>pi|pi_ref|pi\^\*)\)$")


def mentions(text: str) -> bool:
    """Does a relation speak of the regularised policy problem (π*, π_ref, J(π))?"""
    return bool(re.search(r"pi\^\*|pi_ref|J\(pi|Σ_y pi\(y\)", text))


def known(name: str) -> bool:
    name = name.replace(" ", "")
    return bool(name == "pi^*" or _J.match(name) or _AT.match(name) or _KL.match(name))


def model(rng, beta) -> dict:
    """π, π_ref, r at random; π* from them and β (the vectors the sums index)."""
    def dist():
        w = [mp.mpf(rng.randint(2, 60)) for _ in range(SUPPORT)]
        return [x / sum(w) for x in w]
    pi, ref = dist(), dist()
    r = [mp.mpf(mpmath.nstr(mp.mpf(-2) + 4 * mp.mpf(rng.random()), 4)) for _ in range(SUPPORT)]
    weights = [p * mp.exp(x / beta) for p, x in zip(ref, r, strict=True)]
    z = mp.fsum(weights)
    return {"pi": pi, "pi_ref": ref, "r": r, "pi^*": [w / z for w in weights],
            "\0beta": beta, "\0Z": z, Y: rng.randrange(SUPPORT)}


def value(name: str, m: dict):
    """Value of a policy-problem name in the model ``m``; None if it is not one."""
    name = name.replace(" ", "")
    if (j := _J.match(name)) is not None:  # J(π) = Σ π r − β D_KL(π‖π_ref)
        pi, ref, r, beta = m[j.group("a")], m["pi_ref"], m["r"], m["\0beta"]
        return mp.fsum(p * x for p, x in zip(pi, r, strict=True)) - beta * mp.fsum(
            p * mp.log(p / q) for p, q in zip(pi, ref, strict=True))
    if (k := _KL.match(name)) is not None:
        a, b = m[k.group("a")], m[k.group("b")]
        return mp.fsum(x * mp.log(x / y) for x, y in zip(a, b, strict=True))
    if (k := _AT.match(name)) is not None:
        return m[k.group("v")][m[Y]]
    return None
