"""The complement rule: ``P(not A) = 0.98`` after ``P(A) = 0.02``.

Probability texts state an event's probability and, a little later, its complement's:
``P(A) = 0.02`` … ``P(\\text{not } A) = 0.98``; ``P(B^c) = 0.98``; a false-negative rate
``\\pr(\\overline{D}|H) = 0.014`` and then ``\\pr(D|H) = 0.986``; ``P(M=\\textrm{pos} \\vert
C=\\textrm{yes}) = 0.80`` and then the same with ``neg``.  A binding ``NAME = number`` whose
name is a probability (``P``, ``p``, ``\\Pr``, ``\\pr``) of an event whose complement's
probability — under the same condition — the document already bound is checked against
1 − that value:

* written complements: ``not A``, ``\\neg A``, ``A^c``, ``A^C``, ``A^\\complement``, ``A'``,
  ``\\bar A``, ``\\overline A`` (either way round: the complement bound first or the event);
* the two values of a binary outcome: pos/neg, positive/negative, yes/no, true/false,
  heads/tails, success/failure (``M=pos`` ↔ ``M=neg``).

The stated number stands for its rounding interval.  *ok* when 1 − p lies in it; an *error*
(naming the line of p) for a written complement that does not hold; for a binary outcome
only *ok* (the text may not mean the outcome is binary).

Example: after ``$P(A) = 0.02$``, ``$P(\\text{not } A) = 0.98$`` is ok and
``$P(A^c) = 0.97$`` an error.  Bounds: names of at most :data:`MAX_NAME` characters; one
dictionary look-up per candidate name.
"""

from __future__ import annotations

import re

import mpmath

from . import nodes as N
from .state import _contains, _rounded_iv, fmt

MAX_NAME = 120
_PROB = re.compile(r"(?P<f>P|p|Pr|pr|\\Pr|\\pr|mathbbP|mathrmP)\((?P<e>[^|()]{1,40})"
                   r"(?P<c>\|[^()]{1,60})?\)")
_NOT = re.compile(r"^(?:not|neg|bar|overline)(?P<x>\w{1,20})$|^(?P<y>\w{1,20})"
                  r"(?:\^\{?(?:c|C|complement)\}?|')$")
_PAIRS = [("pos", "neg"), ("positive", "negative"), ("yes", "no"), ("true", "false"),
          ("heads", "tails"), ("success", "failure")]
_OUTCOME = re.compile(r"^(?P<v>\w{1,10}=)(?:rm|text|mathrm|textrm)?(?P<w>[a-z]{2,10})$")


def _written(event: str) -> list[str]:
    """Events that are the complement of ``event`` as texts write them."""
    m = _NOT.match(event)
    if m:
        return [m.group("x") or m.group("y")]
    return [f"not{event}", f"neg{event}", f"bar{event}", f"overline{event}", f"{event}^c",
            f"{event}^C", f"{event}'", f"{event}^complement"]


def _outcomes(event: str) -> list[str]:
    m = _OUTCOME.match(event)
    if not m:
        return []
    word, out = m.group("w"), []
    for a, b in _PAIRS:
        other = b if word == a else a if word == b else None
        if other:
            prefix = event[:len(event) - len(word)]
            out.append(prefix + other)
    return out


def judge(aud, name: N.Name, rhs, offset: int) -> None:
    """Check ``name = rhs`` (a number) against the complement bound earlier, if any."""
    m = _PROB.fullmatch(name.name) if len(name.name) <= MAX_NAME else None
    if m is None:
        return
    f, event, cond = m.group("f"), m.group("e"), m.group("c") or ""
    for candidates, strict in ((_written(event), True), (_outcomes(event), False)):
        for other in candidates:
            bound = aud.names.get(f"{f}({other}{cond})")
            if bound is None:
                continue
            _verdict(aud, name, rhs, offset, bound, strict, f"{f}({other}{cond})")
            return


def _verdict(aud, name, rhs, offset, bound, strict, other):
    num = rhs.arg if isinstance(rhs, N.Percent) else rhs
    stated = _rounded_iv(num)
    if isinstance(rhs, N.Percent):
        stated = stated / 100
    exact = 1 - bound.exact
    rel = f"{name.name} = 1 − {other}"
    at = offset + num.pos
    if _contains(stated, exact):
        aud.add(at, "ok", rel, N.to_text(rhs), fmt(exact, num),
                f"the complement of {other} = {bound.stated} (line {bound.line})", "step")
    elif strict:
        aud.add(at, "error", rel, N.to_text(rhs), mpmath.nstr(exact, 8),
                f"{other} = {bound.stated} at line {bound.line}, so its complement is "
                f"{mpmath.nstr(exact, 8)}", "step")
