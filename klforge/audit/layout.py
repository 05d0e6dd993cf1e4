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
  chain and makes every name bound so far rebindable — :func:`new_part` marks them stale
  and :func:`rebind_stale` forgets a stale name just before a chain that it heads, so the
  chain binds it anew instead of contradicting it; until then it keeps its value, so an
  error inherited through a name in a later part is still found.  A datum given a new
  value (``n = 60`` … ``n = 600``) starts a new example the same way (:func:`new_data`).

* **Reach.**  A definition made in an example, exercise or solution block, a parenthetical
  or an "e.g." clause ends with it (:mod:`.scopes`); a relation after "when", "if", "for", …
  is a condition whose bindings end with its sentence (:class:`.conditions.Reach`).

* **Tables** the reader found (and ``array``/``tabular`` inside math) are judged first
  (:mod:`.feedtables`, :mod:`.tablecheck`); marginals and conditionals stated later are
  checked against a joint given earlier (:mod:`.joint`); formulas typed with HTML
  ``<sub>``/``<sup>`` in prose are math (:func:`.plaintext.tag_math`).

Example: ``"(a) $H$:\\n\\n$$\\n= 0.5 + 0.25\\n$$\\n$$\\n= 0.75\\n$$"`` is the chain
``H = 0.5 + 0.25 = 0.75``.  Bounds: one pass over the events; the caller's deadline is
checked between events (the offset where it ran out is returned).
"""

from __future__ import annotations

import bisect
import re
import time

from . import conditions as _conditions
from . import scopes as _scopes
from .extract import Segment, prose_numbers, split_prose
from .feedtables import apart as _apart
from .feedtables import joint_statements as _joint_statements
from .feedtables import tables as _tables
from .feedtables import tracker as _tracker
from .plaintext import bare_functions, plain_arithmetic, tag_math

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
    aud.stale_names = set()
    aud.scope_stack = []  # a heading ends every example, parenthetical and condition
    aud.functions = {}
    aud.section_no = getattr(aud, "section_no", 0) + 1  # where data were given (atdata.py)


def new_part(aud) -> None:
    """A sub-problem: the chain ends; every name bound so far may be rebound here (it is
    *stale*: a chain headed by it defines it anew, see :func:`rebind_stale`), and until
    then it keeps its value, so later parts that use it inherit it."""
    aud.chain = None
    aud.stale_names = set(aud.names)


def rebind_stale(aud, text: str, parse) -> None:
    """Before a segment: a stale name that heads one of its chains is forgotten, so the
    chain binds it to the sub-problem's new data instead of contradicting it."""
    stale = getattr(aud, "stale_names", None)
    if not stale or "=" not in text and "approx" not in text:
        return
    from . import nodes as N
    try:
        from .check import clauses
        parts = [text[a:b] for a, b in clauses(text)]
    except ImportError:
        parts = [text]
    for part in parts:
        try:
            items = parse(part)
        except Exception:
            continue
        head = items[0] if items else None
        if isinstance(head, N.Name) and head.name in stale:
            stale.discard(head.name)
            aud.names.pop(head.name, None)


def _begins_relation(text: str) -> bool:
    return bool(_REL.match(text))


def run(aud, text: str, doc, parse, deadline: float | None = None) -> int | None:
    """Feed ``doc`` (an :class:`~.extract.Extracted`) to ``aud``; returns the offset where
    the deadline stopped the audit, or None."""
    bound = _tables(aud, text, doc)  # tables judged; a name = value table binds its names
    plain = plain_arithmetic(doc.prose)   # `0.5 * 0.3 = 0.15` written without delimiters
    plain += _apart(tag_math(doc.prose), plain)  # p<sub>i</sub>=<sup>1</sup>/<sub>4</sub>
    prose = _without(doc.prose, plain)      # is math now: its numbers are not data
    events = [(off, 0, lit) for off, lit in prose_numbers(prose)]
    segments = doc.segments + plain + bound
    if hasattr(aud, "prose"):  # the prose after each formula is a piece of its own
        ends = [s.offset + len(s.text.rstrip()) for s in segments]
        events += [(p.offset, 0, p) for p in split_prose(prose, ends) if p.text.strip()]
    events += [(m.offset, -1, m.kind) for m in doc.marks]
    segs = _merge_leads(text, sorted(segments, key=lambda s: s.offset), doc.marks)
    runs = _continuations(segs, doc.marks)
    events += [(s.offset, 1, s) for s in segs]
    events.sort(key=lambda e: (e[0], e[1]))
    consumed: set[int] = set()
    lo = min([e[0] for e in events] + [len(text)])
    hi = max([s.offset + len(s.text) for s in segs] + [p.offset + len(p.text) for p in prose]
             + [lo])
    cached = getattr(aud, "scope_blocks", None)
    if cached is None or cached[0] is not text:  # the document's blocks, found once
        aud.scope_blocks = cached = (text, _scopes.blocks(text))
        aud.scope_units = _scopes.units(text)
    masked, regions = _scopes.regions(text, segs, lo, hi, cached[1])
    scope = _conditions.Reach(aud, regions, masked, lo, _segment)
    for k, (off, kind, item) in enumerate(events):
        if deadline is not None and k % 16 == 0 and time.process_time() > deadline:
            return off
        scope.at(off)
        if kind == -1:
            if item == "section" and any(a < off < b for a, b, _ in aud.scope_blocks[1]):
                continue  # a heading inside an example block titles it (Quarto's "## Example")
            (new_section if item == "section" else new_part)(aud)
            if item == "section":
                _tracker(aud).new_section(off)
        elif kind == 0:
            if isinstance(item, str):
                aud.prose_number(item)
            else:
                _prose(aud, item)
        elif id(item) not in consumed:
            if (item.display and aud.chain is None and _begins_relation(item.text)
                    and not getattr(aud, "pair_chains", None)):  # pairs: continued per end
                # an anonymous chain: the relation has nothing on its left; the display
                # blocks that continue it are read with it
                m = _REL.match(item.text)
                more = runs.get(id(item), [])
                consumed.update(id(x) for x in more)
                item = _joined(text, [Segment(" " * m.end() + item.text[m.end():],
                                              item.offset, True)] + more)
            _joint_statements(aud, text, item)
            scope.segment(text, item, parse)
    return None


def _without(prose, segs) -> list:
    """Prose with the given segments (found in it) blanked."""
    if not segs:
        return prose
    starts = sorted((s.offset, s.offset + len(s.text)) for s in segs)
    out = []
    for p in prose:
        text, end = p.text, p.offset + len(p.text)
        k = bisect.bisect_left(starts, (p.offset, -1))
        while k < len(starts) and starts[k][0] < end:
            a, b = starts[k][0] - p.offset, starts[k][1] - p.offset
            text = text[:a] + " " * (b - a) + text[b:]
            k += 1
        out.append(type(p)(text, p.offset))
    return out


def _continuations(segs: list[Segment], marks) -> dict[int, list[Segment]]:
    """For each display block that begins with a relation: the display blocks right after
    it that begin with a relation too (no inline math or scope mark between)."""
    mark_at = sorted(m.offset for m in marks)
    runs: dict[int, list[Segment]] = {}
    k = 0
    while k < len(segs):
        s = segs[k]
        j = k + 1
        if s.display and _begins_relation(s.text):
            while (j < len(segs) and segs[j].display and _begins_relation(segs[j].text)
                   and bisect.bisect_right(mark_at, segs[j - 1].offset) ==
                   bisect.bisect_right(mark_at, segs[j].offset) and j - k < 200):
                j += 1
            runs[id(s)] = segs[k + 1:j]
        k = j
    return runs


def _joined(text: str, parts: list[Segment]) -> Segment:
    """Several segments read as one, the text between them blanked (offsets exact)."""
    out = parts[0].text
    end = parts[0].offset + len(parts[0].text)
    for p in parts[1:]:
        out += re.sub(r"[^\n]", " ", text[end:p.offset]) + p.text
        end = p.offset + len(p.text)
    return Segment(out, parts[0].offset, True)


def _prose(aud, piece) -> None:
    try:
        aud.prose(piece.text, piece.offset)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.add(piece.offset, "unchecked", piece.text.strip()[:160], None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")


def _segment(aud, seg: Segment, parse) -> None:
    data = {k: v.exact for k, v in aud.names.items() if getattr(v, "datum", False)}
    seg = Segment(bare_functions(seg.text), seg.offset, seg.display)
    try:
        rebind_stale(aud, seg.text, parse)
        aud.segment(seg.text, seg.offset, seg.display, parse)
    except Exception as e:  # a bug must not hide the rest of the report
        aud.chain = None
        aud.add(seg.offset, "unchecked", seg.text.strip()[:160], None, None,
                f"internal error: {type(e).__name__}: {e}", "parse")
    new_data(aud, data)


def new_data(aud, before: dict) -> None:
    """A datum (``n = 60``) given a new value (``n = 600``) starts a new example, as a
    sub-problem does: the names computed so far may be rebound."""
    changed = [k for k, x in before.items() if k in aud.names and aud.names[k].exact != x]
    if changed:
        aud.stale_names = set(aud.names) - set(changed)


def _merge_leads(text: str, segs: list[Segment], marks) -> list[Segment]:
    """Join an inline lead-in to the display block that continues it, and inline formulas
    that continue the one just before (``$H = a + b$ $= 0.5$`` on the next line: nothing
    but white space or a comma between) into one (see module doc)."""
    out: list[Segment] = []
    mark_at = sorted(m.offset for m in marks)

    def same_scope(a, b):
        return bisect.bisect_right(mark_at, a) == bisect.bisect_right(mark_at, b)
    k = 0
    while k < len(segs):
        s = segs[k]
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        end = s.offset + len(s.text)
        if (nxt is not None and not s.display and nxt.display and _begins_relation(nxt.text)
                and not _VALUE_END.search(s.text)
                and _lead_gap_ok(text, end, nxt.offset) and same_scope(end, nxt.offset)):
            out.append(_joined(text, [s, nxt]))
            k += 2
            continue
        run = [s]
        while (k + 1 < len(segs) and not run[-1].display and not segs[k + 1].display
               and _begins_relation(segs[k + 1].text) and len(run) < 200
               and re.fullmatch(r"[\s,$()\\]*", text[run[-1].offset + len(run[-1].text):
                                                     segs[k + 1].offset])
               and same_scope(run[-1].offset, segs[k + 1].offset)):
            k += 1
            run.append(segs[k])
        out.append(s if len(run) == 1 else Segment(_joined(text, run).text, s.offset, False))
        k += 1
    return out


def _lead_gap_ok(text: str, a: int, b: int) -> bool:
    """Only a delimiter and a few words between the lead-in and the block: ``$…$:``, ``is``."""
    if b < a or b - a > 400:
        return False
    gap = text[a:b]
    words = re.sub(r"\\\)|\\\]|\$+|\\\[|\\\(|[>:,.;\s]|\\begin\{[a-z*]+\}", " ", gap).split()
    return len(" ".join(words)) <= LEAD_GAP and len(_BREAK.findall(gap)) <= 2
