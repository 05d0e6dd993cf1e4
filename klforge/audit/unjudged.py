r"""The one finding of a relation the judges passed over: no relation is dropped silently.

Every relation the reader finds (``=``, ``\approx``, ``\le``, ``<``, … between two parsed
sides) gets exactly one finding.  The judges of :mod:`.steps` and :mod:`.identity` sometimes
only record something — a value bound to a name, a chain link between two undefined names —
and return; :meth:`.steps.Steps.step` then calls :func:`add`, which says what the relation is:

* a **definition** (kind "definition"): a new name given a value (``a = 2``, ``x = 0.5``:
  "defines a = 2 (a value for a new name); later uses are checked against it"), a vector
  (``p = (0.5, 0.3, 0.2)``), a formula that has no value here (``m = \nabla A(\eta)``), or two
  names given the value that follows (``P(0) = P(1) = 0.5``);
* **unchecked** with its reason: applications of functions the document never defines
  (``B_A(\eta_q, \eta_p) = B_{A^*}(m_p, m_q)``: "undefined functions B_A, B_A^*: nothing to
  evaluate"), or why a side has no value.

Two judges may both answer one relation (``\sqrt{p(1-p)/n} = \sqrt{0.67 \cdot 0.33/850}``: "a
consistent substitution", ok, and "an equation for the free symbols n, p", a definition);
:func:`keep_one` keeps the weightier (error > warning > ok > unchecked > condition, definition).
The per-term findings of a step checked term by term (check "term") are its detail, not
relations, and stay.

Example: in ``Let $a = 2$.`` the relation ``a = 2`` gets one finding, unchecked of kind
"definition".
"""

from __future__ import annotations

import re

from . import expect
from . import nodes as N
from . import symbols as S
from .judging import state
from .latex import Unsupported
from .state import _is_literal, _text, _why_not

_APPLIED = re.compile(r"^((?:hat|bar|tilde|widehat|widetilde|overline|vec|dot)\([^()]*\)[^()]*"
                      r"|[^()]+)\((.*)\)$")  # B_A(eta_q,eta_p), hat(q)(x,z): a function's value
#: heads of information quantities: D_KL(q||p) = ∞ is a claim about q and p, not a definition
QUANTITY_HEADS = {"D", "KL", "H", "I", "E", "Var", "Cov", "ELBO"}
#: distribution families: q(z|x) = N(mu, sigma^2) names a distribution
FAMILIES = {"N", "Bern", "Bernoulli", "Poisson", "Gamma", "Beta", "Dir", "Cat", "Exp", "Unif",
            "Categorical", "Binomial", "Bin", "Laplace"}


def applied(name: str) -> str | None:
    """Head of a function application: ``B_A`` for ``B_A(eta_q,eta_p)``; None for a plain name."""
    m = _APPLIED.match(name)
    return m.group(1) if m else None


def undefined_functions(aud, *sides) -> list[str]:
    """Heads of the function applications in ``sides`` that the document gives no value:
    ``["B_A", "B_A^*"]`` for ``B_A(eta_q,eta_p)`` and ``B_A^*(m_p,m_q)``."""
    out: list[str] = []
    for side in sides:
        if side is None or isinstance(side, Unsupported):
            continue
        for n in N.walk(side):
            if isinstance(n, N.Name) and n.name not in aud.names:
                head = applied(n.name)
                if head and head not in out:
                    out.append(head)
    return out


def quantity(aud, name: str) -> bool:
    """``D_KL(q||p)``, ``H(p,q)``, ``E_p[…]``: an information quantity, not a new function."""
    head = applied(name) or name
    if head.split("_")[0] in QUANTITY_HEADS or head in QUANTITY_HEADS:
        return True
    try:
        return bool(expect.Context(aud, state(aud)).is_quantity(name))
    except Exception:  # a name the quantity readers cannot take is not one of theirs
        return False


def _evaluable(aud, node) -> bool:
    try:
        aud.point(node)
    except (N.NotEvaluable, TypeError, ValueError, ZeroDivisionError):
        return False
    return True


def _definition(aud, prev, node, new_name) -> str | None:
    """The message of a relation that defines the name on its left, or None."""
    name = prev.name
    if isinstance(node, getattr(N, "Tuple", ())):
        return f"defines {name} (a vector of values); later uses are checked against it"
    if new_name and name in aud.names:  # bound by the step: a = 2, x = 0.5
        what = "a value for a new name" if _is_literal(node) else "a new name on the left"
        return f"defines {name} = {_text(node)} ({what}); later uses are checked against it"
    if not new_name:
        return None
    on_right = undefined_functions(aud, node)
    head = applied(name)
    if isinstance(node, N.Name) and applied(node.name) in FAMILIES:
        return f"names the distribution of {name} ({node.name}), not a claim"
    unknown = [h for h in on_right if h.split("_")[0] not in QUANTITY_HEADS]
    if head is not None and not unknown and not quantity(aud, name):  # F(θ) = −E[∇²ln p]
        return f"defines {name} ({head} is new on the left), not a claim"
    if head is None and S.SIMPLE.match(name.removesuffix("^*")) and not quantity(aud, name):
        if isinstance(node, N.Name) and not on_right:
            return (f"{name} and {node.name} name the same quantity; its value, if stated, "
                    "follows")
        why = (f"undefined function{'s' if len(on_right) > 1 else ''} {', '.join(on_right)}"
               if on_right else _why_not(aud, node))
        return f"defines {name} (a new name on the left); its formula has no value here: {why}"
    return None


def reason(aud, prev, rel, node, new_name) -> tuple[str, str | None, str]:
    """(message, kind, check) of a relation no judge gave a finding."""
    check = "inequality" if rel.op in ("≤", "≥", "<", ">") else "step"
    if isinstance(prev, N.Name) and rel.op in ("=", "≈", ":="):
        defines = _definition(aud, prev, node, new_name)
        if defines:
            return defines, "definition", check
    heads = undefined_functions(aud, prev, node)
    quantities = [h for h in heads if h.split("_")[0] in QUANTITY_HEADS]
    functions = [h for h in heads if h not in quantities]
    said = []
    if quantities:
        said.append(f"{', '.join(quantities)} of distributions the text does not specify")
    if functions:
        said.append(f"undefined function{'s' if len(functions) > 1 else ''} "
                    f"{', '.join(functions)}")
    if said:
        return "; ".join(said) + ": nothing to evaluate", None, check
    for side in (prev, node):
        if isinstance(side, Unsupported) or not _evaluable(aud, side):
            return _why_not(aud, side), None, check
    return "no judge applies to this relation", None, check


def add(aud, prev, rel, node, at, new_name) -> None:
    """Record the one finding of ``prev rel node``, which no judge gave one."""
    message, kind, check = reason(aud, prev, rel, node, new_name)
    relation = f"{_text(prev)} {rel.op} {_text(node)}"
    aud.add(at, "unchecked", relation, _text(node), None, message, check, kind=kind)


_WEIGHT = {"error": 4, "warning": 3, "ok": 2, "unchecked": 1}


def keep_one(findings: list, before: int, alt: int | None = None) -> None:
    """Of the findings recorded from index ``before`` on for one relation, keep the weightiest
    (the first of equals); findings of check "term" (its terms, judged one by one) and those
    from index ``alt`` on (a second value stated in brackets, ``0.5 nats (0.72 bits)``) stay."""
    end = len(findings) if alt is None else alt
    own = [i for i in range(before, end) if findings[i].check != "term"]
    if len(own) < 2:
        return
    best = max(own, key=lambda i: (_WEIGHT.get(findings[i].severity, 0)
                                   - (0.5 if findings[i].kind else 0), -i))
    for i in reversed(own):
        if i != best:
            del findings[i]
