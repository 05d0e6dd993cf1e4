r"""Definitions are not claims: recording them, and telling a restated name from a new one.

* ``_colon_define``: ``D := \ln\frac{\sigma_2}{\sigma_1}`` (read as ``D :`` = …) records
  ``D``'s formula for later uses;
* ``_distribution_text``: ``p = \mathcal N(\mu_1, \sigma_1^2)`` names a distribution
  (``N(mu_1,sigma_1^2)``), recognised by :mod:`.known`;
* ``_restated``: a name defined before and given a formula in the same free symbols is a
  claim judged against its first definition; other symbols give it a new meaning;
* ``_definition``: the one finding (kind "definition") of a definition, or of ``p = q``
  (kind "condition").

Called by :func:`.identity.judge`.  Example: ``r = \sigma_1^2/\sigma_2^2`` at the head of a
chain → unchecked, kind "definition", "defines r (a new name on the left); later uses are
checked against it".
"""

from __future__ import annotations

import re

import mpmath

from . import expect, known
from . import nodes as N
from . import symbols as S
from .judging import _add, _continue, state
from .latex import Unsupported

mp = mpmath.mp


def _restated(ctx, st, prev, op, node) -> bool:
    """``D = \\ln\\frac{\\sigma_1}{\\sigma_2}`` after ``D = \\ln\\frac{\\sigma_2}{\\sigma_1}``:
    a name defined before, given a formula in the same symbols as its first definition, is a claim
    judged against that definition.  A formula with other symbols (``A = \\Sigma_q^{-1}``
    after ``A = \\Sigma_p^{-1}``; ``y = \\beta_0 + \\beta_1 x`` after the model
    ``y = \\beta_0 + \\beta_1 x + \\varepsilon``) gives the name a new meaning: a definition."""
    if op == ":=" or prev.name not in st.defs:
        return False
    return ctx.free(node)[0] == ctx.free(st.defs[prev.name])[0]


def _definition(aud, at, relation, stated, prev, node, again):
    """The one finding of a definition (``r = \\sigma_1^2/\\sigma_2^2``): kind "definition";
    two distributions said equal (``p = q``) are a condition the text states."""
    if isinstance(node, N.Name) and {prev.name, node.name} <= {"p", "q", "P", "Q"}:
        _add(aud, at, "unchecked", relation, stated, "two distributions said equal: a "
             "condition the text states, not a claim", "step", kind="condition")
        return
    what = ("gives it a new meaning (other symbols than its earlier definition)" if again
            else "a new name on the left")
    _add(aud, at, "unchecked", relation, stated, f"defines {prev.name} ({what}); later uses "
         "are checked against it", "step", kind="definition")


def _distribution_text(node):
    """``N(mu,sigma^2)`` for a named distribution as parsed: a name, or (numbers inside)
    the family's name times a tuple ``N·(0, 1)``; None otherwise."""
    if isinstance(node, N.Name):
        return node.name if known.distribution(node.name) else None
    tup = getattr(N, "Tuple", None)
    factors = [f for _, f in node.factors] if isinstance(node, N.Mul) else []
    if (len(factors) == 2 and isinstance(factors[0], N.Name) and tup is not None
            and isinstance(factors[1], tup)):
        args = ",".join(N.to_text(i) for i in factors[1].items)
        text = f"{factors[0].name}({args})".replace("−", "-")
        return text if known.distribution(text) else None
    return None


def _colon_define(aud, prev, node) -> bool:
    """``D := \\ln\\frac{\\sigma_2}{\\sigma_1}`` (read as ``D :`` = …): record a definition."""

    from .latex import parse_chain

    m = re.fullmatch(r"\s*(.+?)\s*:\s*", getattr(prev, "text", "") or "")
    if not m or isinstance(node, Unsupported):
        return False
    items = parse_chain(m.group(1))
    if len(items) != 1 or not isinstance(items[0], N.Name) or not S.SIMPLE.match(items[0].name):
        return False
    st = state(aud)
    with mp.workdps(N.DPS):
        free, special = expect.Context(aud, st).free(node)
    if not (free or special):
        return False
    st.defs[items[0].name] = node
    _continue(aud, node)
    return True
