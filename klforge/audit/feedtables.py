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

from . import joint, tablecheck
from .extract import Segment
from .tables import tex_tables


def apart(segs: list[Segment], taken: list[Segment]) -> list[Segment]:
    """``segs`` that do not overlap any of ``taken``."""
    spans = sorted((s.offset, s.offset + len(s.text)) for s in taken)
    return [s for s in segs if not any(a < s.offset + len(s.text) and s.offset < b
                                       for a, b in spans)] if spans else segs


def tables(aud, text: str, doc) -> None:
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
        return
    found.sort(key=lambda t: t.offset)
    state = aud.__dict__.setdefault("table_state", {})
    try:
        tablecheck.judge(aud, text, found, state)
        found_joints = tracker(aud)
        for g in state.pop("joints", []):
            j = joint.from_grid(g)
            if j is not None:
                found_joints.joints.append(j)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.add(found[0].offset, "unchecked", "(table)", None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")


def tracker(aud) -> joint.Tracker:
    return aud.__dict__.setdefault("joint_tracker", joint.Tracker())


def joint_statements(aud, text: str, seg: Segment) -> None:
    """Marginals and conditionals stated from a joint given earlier (:mod:`.joint`)."""
    if "(" not in seg.text:
        return
    try:
        tracker(aud).segment(aud, text, seg.text, seg.offset)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.add(seg.offset, "unchecked", seg.text.strip()[:160], None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")
