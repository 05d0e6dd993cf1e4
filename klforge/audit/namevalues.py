r"""A document's named values as a mapping for the evaluator (:mod:`.evaluate`).

``NameValues(aud, ctx, printed)`` reads ``aud.names`` (:class:`.state.NameValue`) in one
context: in intervals (``mpmath.iv``) a name stands for the hull of its exact value and its
value as printed (``H = 0.72`` is [0.715, 0.725] ∪ exact); with ``printed`` the printed value;
otherwise the exact one.  Values are converted on first use (a document may bind thousands).
``H(X|a)`` finds ``H(X|Y=a)`` through :func:`.state._alias`.

Example: after ``$H = 0.5\ln 2 = 0.3466$``, ``NameValues(aud, mpmath.mp, True)["H"]`` is
0.3466 and ``NameValues(aud, mpmath.mp, False)["H"]`` is 0.34657359….
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath

from .state import _alias, _hull, _point, _rounded_iv

iv = mpmath.iv


class NameValues(Mapping):
    """The auditor's names as values of one context, converted on first use: in intervals a
    name stands for its exact value or its value as printed; ``printed`` reads the printed
    value; otherwise the exact one.  ``H(X|a)`` finds ``H(X|Y=a)``."""

    def __init__(self, aud, ctx, printed):
        self.aud, self.ctx, self.printed = aud, ctx, printed
        self.memo = {}

    def _name(self, key):
        names = self.aud.names
        if key in names:
            return key
        index = self.aud.__dict__.get("_alias_index")
        stamp = (id(names), len(names), self.aud.version)
        if index is None or index[0] != stamp:
            index = (stamp, {})
            for k in names:
                index[1].setdefault(_alias(k), k)
            self.aud._alias_index = index
        return index[1].get(key)

    def __getitem__(self, key):
        if key in self.memo:
            return self.memo[key]
        name = self._name(key)
        if name is None:
            raise KeyError(key)
        v = self.aud.names[name]
        if self.ctx is iv:
            value = _hull(_rounded_iv(v.printed), v.exact) if v.printed else iv.mpf(
                [v.exact, v.exact])
        elif self.printed and v.printed:
            value = _point(v.printed)
        else:
            value = v.exact
        self.memo[key] = value
        return value

    def __contains__(self, key):
        return self._name(key) is not None

    def __iter__(self):
        return iter(self.aud.names)

    def __len__(self):
        return len(self.aud.names)
