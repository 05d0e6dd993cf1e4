"""The auditor's state a passage may change, saved when it opens and put back when it closes.

:func:`snapshot` copies the auditor's names (values copied: a later step may mark them
printed), vectors, declared variables, defined functions (:mod:`.derivatives`) and the identity
judge's definitions, aliases, domains; :func:`restore` undoes what an example passage added or
changed (:mod:`.scopes`); :func:`changes` and :func:`undo` do the same entry by entry for the
bindings of a condition (:mod:`.conditions`), leaving alone what the text defined again since.

Example: ``s = snapshot(aud)``; the text binds ``p = 0.3``; ``restore(aud, s)`` — p is free
again, while a name the passage let go stays free.
"""

from __future__ import annotations

import copy

_STATE_FIELDS = ("defs", "aliases", "alias_vars", "conditionals", "domains", "formulas",
                 "params")


def snapshot(aud) -> dict:
    """What a passage may change: the auditor's names (values copied: a later step may mark
    them printed), vectors, declared variables, defined functions and the identity judge's
    definitions, aliases, domains."""
    from .judging import state
    st = state(aud)
    snap = {"names": {k: copy.copy(v) for k, v in aud.names.items()},
            "vectors": dict(aud.vectors), "declared": dict(getattr(aud, "declared", {})),
            "functions": dict(getattr(aud, "functions", {})), "st": st,
            "unread": set(st.unread)}
    for f in _STATE_FIELDS:
        snap[f] = dict(getattr(st, f))
    return snap


def restore(aud, snap: dict) -> None:
    """Undo what the passage defined since :func:`snapshot`: names and formulas it added are
    dropped, those it changed get their earlier value back; a name it let go (``(where $n$ is
    again the number of flips)``: a datum mentioned alone is free again) stays free.  Nothing
    when a heading in between reset the judge's state (the names were forgotten there)."""
    from .judging import state
    if getattr(aud, "_identity", None) is not snap["st"]:
        return
    _put_back(aud.names, snap["names"], lambda a, b: _same(a, b))
    aud.vectors = _put_back(dict(aud.vectors), snap["vectors"])
    aud.declared = _put_back(dict(getattr(aud, "declared", {})), snap["declared"])
    aud.functions = _put_back(dict(getattr(aud, "functions", {})), snap["functions"])
    st = state(aud)
    st.unread = set(st.unread) & set(snap["unread"])
    for f in _STATE_FIELDS:
        setattr(st, f, _put_back(dict(getattr(st, f)), snap[f]))
    aud.version += 1
    aud.chain = None


def _put_back(current: dict, saved: dict, same=None) -> dict:
    """``current`` with the entries added since ``saved`` removed and the changed ones reset
    (in place; returned for convenience)."""
    for k in [k for k in current if k not in saved]:
        del current[k]
    for k, v in saved.items():
        if k in current and current[k] is not v and not (same and same(current[k], v)):
            current[k] = v
    return current


def changes(aud, before: dict) -> dict:
    """The entries a stretch of text changed since ``before`` (a :func:`snapshot`): for each
    field, name -> the value it had before (None: it was absent).  Domains are left out: a
    condition such as ``t > 0`` also tells the reader where the text's symbols live."""
    from .judging import state
    st = state(aud)
    now = {"names": aud.names, "functions": getattr(aud, "functions", {}),
           "declared": getattr(aud, "declared", {}),
           **{f: getattr(st, f) for f in _STATE_FIELDS if f != "domains"}}
    out: dict = {}
    for f, current in now.items():
        old = before[f]
        diff = {k: old.get(k) for k, v in current.items()
                if k not in old or (old[k] is not v and not (f == "names" and _same(old[k], v)))}
        diff.update({k: old[k] for k in old if k not in current})
        if diff:
            out[f] = (diff, {k: current.get(k) for k in diff})
    return out


def _same(a, b) -> bool:
    return a.exact == b.exact and a.stated == b.stated


def undo(aud, changed: dict) -> None:
    """Undo :func:`changes`, entry by entry, where a later text has not changed it again."""
    from .judging import state
    st = state(aud)
    for f, (old, new) in changed.items():
        if f in ("functions", "declared"):
            current = dict(getattr(aud, f, {}))
            setattr(aud, f, current)
        else:
            current = aud.names if f == "names" else getattr(st, f)
        for k, before in old.items():
            if current.get(k) is not new.get(k):
                continue  # defined again since: the later definition stands
            if before is None:
                current.pop(k, None)
            else:
                current[k] = before
    aud.version += 1
