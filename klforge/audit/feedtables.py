"""Tables and joint distributions fed to the auditor as :mod:`.layout` reads a document.

* :func:`tables` — the tables the format's reader found, and the ``array``/``tabular``
  blocks inside the math it found, judged by :mod:`.tablecheck`; joint tables are handed
  to the document's :class:`~.joint.Tracker`.
* :func:`joint_statements` — a segment's marginals and conditionals checked against the
  joint given earlier (:mod:`.joint`).
* :func:`apart` — segments that do not overlap others (formulas found twice).

Example: ``tables(aud, text, doc)`` adds ``8 + 0 + 8 + 5 = 21`` (ok) for an HTML table with
a *Total* column.  Bounds: those of :mod:`.tables` (rows, columns, tables per piece); the
segment spans are searched by bisection.
"""

from __future__ import annotations

import bisect
import re

from . import joint, tablecheck
from .extract import Segment
from .information import information, plain_joint
from .pmf import distributions
from .tables import tex_tables


def apart(segs: list[Segment], taken: list[Segment]) -> list[Segment]:
    """``segs`` that do not overlap any of ``taken``."""
    spans = sorted((s.offset, s.offset + len(s.text)) for s in taken)
    return [s for s in segs if not any(a < s.offset + len(s.text) and s.offset < b
                                       for a, b in spans)] if spans else segs


_NAME = re.compile(r"(?:[A-Za-z]|\\[A-Za-z]{2,12})(?:_\{?[\w,]{1,6}\}?)?(?:\^\{?[\w]{1,3}\}?)?"
                   r"(?:\([^()]{1,30}\)|\[[^\[\]]{1,20}\])?")
_MARKUP = re.compile(r"<[^<>]{0,300}>|\$|\\[()]|\s")


def bindings(grids) -> list[Segment]:
    """``NAME = value`` for each row of a two-column table whose label is a math name
    (``P(A)``, ``$p_1$``, ``\\mu``, ``E[X]``; not a word) and whose value is a number, as an
    inline segment at the value's cell: the auditor binds it as if it were written so."""
    out = []
    for g in grids:
        if not g.lcol or g.width - g.c0 != 1:
            continue
        head = g.cells[0][g.c0] if g.head else None
        outcomes = head is not None and "(" in head.text   # | x | P(X=x) |: a, b are outcomes
        for i in g.data_rows:
            cell, v = g.cells[i][0], g.vals[i][g.c0]
            name = "" if cell is None else _MARKUP.sub("", cell.text)
            explicit = any(ch in name for ch in "(_[\\")
            if v is None or not _NAME.fullmatch(name) or not explicit and (
                    len(name) > 1 or outcomes):
                continue
            rel = f"{name} = "
            at = g.cells[i][g.c0].offset + v.at
            out.append(Segment(rel + v.literal, max(0, at - len(rel)), False))
    return out


def tables(aud, text: str, doc) -> list[Segment]:
    """Judge the tables the format's reader found and the ``array``/``tabular`` blocks
    inside the math it found (see :mod:`.tablecheck`)."""
    found = list(doc.tables)
    segs = sorted(doc.segments, key=lambda s: s.offset)
    if segs:
        starts = [s.offset for s in segs]
        ends, top = [], -1
        for s in segs:
            top = max(top, s.offset + len(s.text))
            ends.append(top)

        def within(a: int, b: int) -> bool:
            k = bisect.bisect_left(starts, b) - 1
            return k >= 0 and ends[k] > a
        lo, hi = starts[0], ends[-1]
        known = {t.offset for t in found}
        found += [t for t in tex_tables(text[lo:hi], lo, within) if t.offset not in known]
    if not found:
        return []
    found.sort(key=lambda t: t.offset)
    state = aud.__dict__.setdefault("table_state", {})
    try:
        tablecheck.judge(aud, text, found, state)
        found_joints = tracker(aud)
        for g in state.pop("joints", []):
            j = joint.from_grid(g)
            if j is not None:
                found_joints.joints.append(j)
        grids = state.pop("grids", [])
        info = information(aud)
        for g in grids:  # a bare grid named p(X,Y) or p(X,Y|Z=a): entropies stated later
            info.add(plain_joint(g, text))
        return bindings(grids)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.add(found[0].offset, "unchecked", "(table)", None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")
    return []


def tracker(aud) -> joint.Tracker:
    return aud.__dict__.setdefault("joint_tracker", joint.Tracker())


def joint_statements(aud, text: str, seg: Segment) -> None:
    """Marginals and conditionals stated from a joint given earlier (:mod:`.joint`)."""
    if "(" not in seg.text:
        return
    try:
        tracker(aud).segment(aud, text, seg.text, seg.offset)
        t = tracker(aud)
        information(aud).statement(aud, seg.text, seg.offset, t.section, t._pairs_joint(),
                                   t.pairs_offset)
        distributions(aud).statement(aud, seg.text, seg.offset, t.section)  # p_Y(l)=…=1/3
    except Exception as e:  # a bug must not hide the rest of the report
        aud.add(seg.offset, "unchecked", seg.text.strip()[:160], None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")
