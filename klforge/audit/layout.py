"""Feed a document's math to the auditor as courses lay solutions out.

Events, in document order: prose numbers (data), prose text (conventions such as "all
logs are base 2"), math segments, and scope marks.

* **Chains begun in prose or inline math.**  A display block that begins with a relation
  (``=``, ``\\approx``, ``\\le``, …) continues the chain before it.  When no display chain
  is open but inline math closes the sentence that introduces the block —
  ``(a) $D_{\\mathrm{KL}}(p\\|q)$:`` or ``Cross-entropy $H(p,q) = -\\sum p\\log q$:``, with
  at most :data:`LEAD_GAP` characters of prose between — the two are read as one chain
  (the text between is blanked, so offsets stay exact).  Otherwise the block begins an
  anonymous chain: its leading relation is dropped and its first element is the start.
* **Scopes.**  A heading (``section``) forgets the names defined so far and ends the
  chain; a sub-problem (``part``: ``a)``, ``(ii)``, a list item, a bold label) ends the
  chain and makes every name rebindable — the hook :func:`new_part` marks names as data
  (``NameValue.datum``), which the auditor rebinds when a later chain gives the name new
  data instead of reporting a contradiction; values already bound still evaluate, so an
  error inherited through a name is still found.

Example: ``"(a) $H$:\\n\\n$$\\n= 0.5 + 0.25\\n$$\\n$$\\n= 0.75\\n$$"`` is the chain
``H = 0.5 + 0.25 = 0.75``.  Bounds: one pass over the events; the caller's deadline is
checked between events (the offset where it ran out is returned).
"""

from __future__ import annotations

import bisect
import re
import time

from .extract import Segment, prose_numbers

#: prose allowed between a lead-in inline formula and the display block it introduces
LEAD_GAP = 40
_REL = re.compile(r"\s*(?:=|≈|≤|≥|<|>|\\(?:approx|simeq|le|leq|ge|geq|leqslant|geqslant|lt|gt)"
                  r"(?![A-Za-z]))")
_BREAK = re.compile(r"\n[ \t>]*\n")
#: an inline relation that already ends in a stated number is finished, not a lead-in
_VALUE_END = re.compile(r"(?:=|\\approx)\s*-?\d[\d.,]*\s*(?:\\%|%)?\s*$")


def new_section(aud) -> None:
    """A heading: names defined so far mean nothing here; the chain ends."""
    aud.names.clear()
    aud.chain = None


def new_part(aud) -> None:
    """A sub-problem: the chain ends; every name may be rebound with new data."""
    aud.chain = None
    for value in aud.names.values():
        value.datum = True


def _begins_relation(text: str) -> bool:
    return bool(_REL.match(text))


def run(aud, text: str, doc, parse, deadline: float | None = None) -> int | None:
    """Feed ``doc`` (an :class:`~.extract.Extracted`) to ``aud``; returns the offset where
    the deadline stopped the audit, or None."""
    events = [(off, 0, lit) for off, lit in prose_numbers(doc.prose)]
    has_prose = hasattr(aud, "prose")
    if has_prose:
        events += [(p.offset, 0, p) for p in doc.prose if p.text.strip()]
    events += [(m.offset, -1, m.kind) for m in doc.marks]
    segs = sorted(doc.segments, key=lambda s: s.offset)
    merged = _merge_leads(text, segs, doc.marks)
    events += [(s.offset, 1, s) for s in merged]
    events.sort(key=lambda e: (e[0], e[1]))
    for k, (off, kind, item) in enumerate(events):
        if deadline is not None and k % 16 == 0 and time.monotonic() > deadline:
            return off
        if kind == -1:
            (new_section if item == "section" else new_part)(aud)
        elif kind == 0:
            if isinstance(item, str):
                aud.prose_number(item)
            else:
                aud.prose(item.text, item.offset)
        else:
            _segment(aud, item, parse)
    return None


def _segment(aud, seg: Segment, parse) -> None:
    text = seg.text
    if seg.display and aud.chain is None and _begins_relation(text):
        m = _REL.match(text)  # an anonymous chain: the relation has nothing on its left
        text = " " * m.end() + text[m.end():]
    try:
        aud.segment(text, seg.offset, seg.display, parse)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.chain = None
        aud.add(seg.offset, "unchecked", seg.text.strip()[:160], None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")


def _merge_leads(text: str, segs: list[Segment], marks) -> list[Segment]:
    """Join an inline lead-in to the display block that continues it (see module doc)."""
    out: list[Segment] = []
    mark_at = sorted(m.offset for m in marks)
    k = 0
    while k < len(segs):
        s = segs[k]
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        end = s.offset + len(s.text)
        if (nxt is not None and not s.display and nxt.display and _begins_relation(nxt.text)
                and not _VALUE_END.search(s.text)
                and _lead_gap_ok(text, end, nxt.offset)
                and bisect.bisect_right(mark_at, end) == bisect.bisect_right(mark_at,
                                                                             nxt.offset)):
            gap = re.sub(r"[^\n]", " ", text[end:nxt.offset])
            out.append(Segment(s.text + gap + nxt.text, s.offset, True))
            k += 2
            continue
        out.append(s)
        k += 1
    return out


def _lead_gap_ok(text: str, a: int, b: int) -> bool:
    """Only a delimiter and a few words between the lead-in and the block: ``$…$:``, ``is``."""
    if b < a or b - a > 400:
        return False
    gap = text[a:b]
    words = re.sub(r"\\\)|\\\]|\$+|\\\[|\\\(|[>:,.;\s]|\\begin\{[a-z*]+\}", " ", gap).split()
    return len(" ".join(words)) <= LEAD_GAP and len(_BREAK.findall(gap)) <= 2
