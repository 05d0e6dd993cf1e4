"""Fixes for wrong numbers, like a linter's: a replacement text and its exact span.

A number gets a fix when the audit says what it should be and there is exactly one correct
replacement at its printed precision: the exact value (printed by the audit with two more
digits) rounds to one value at the number's decimals; when those digits read ``5``/``50``
(a midpoint as printed), both neighbours are tried and the re-audit keeps the one whose chain
ends cleaner — none for a true tie; never for formulas.  Sources:

* "ln(0.92/0.70) = 0.27329…, written 0.274" (a broken term) → ``0.273``;
* a stated result whose exact value is printed (``0.1464``, exact ``0.145689…``) → ``0.1457``;
* "the exact value 0.693147… rounds to 0.6931" → ``0.6931``;
* "contradicts D = 0.1466 (line 28; exact 0.14664…)" on ``0.138`` → ``0.147``;
* a sign error in a term ("= 1.704748…, written −1.7047") → ``1.7047``.

Fixes are found and checked by re-auditing: candidates are applied one at a time in document
order (an inherited error is fixed at its source first, and the chain re-audited, which then
names the next wrong intermediate); a fix is kept only if it makes progress (fewer errors,
or the first error later in the chain), and the set is kept only if no error is left on a
line it touched or inherited from one, and no error appears where there was none.

``propose(text, fmt, path)`` → (fixes, fixed text); ``annotate(report, texts)`` adds ``fix``
to the findings (JSON); ``sarif_fixes`` adds SARIF 2.1.0 ``fixes``; :func:`diff` for ``--diff``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

MAX_ROUNDS = 20
MAX_ATTEMPTS = 6
MAX_BRANCH_DEPTH = 3
_BLAME = re.compile(r"= (?P<exact>-?\d+\.\d+)…?, written (?P<written>−?-?\d+(?:\.\d+)?)")
_ROUNDS = re.compile(r"the exact value (?P<exact>-?\d+\.\d+)…? rounds to (?P<to>-?\d+\.\d+)")
_NAME = re.compile(r"; exact (?P<exact>-?\d+\.\d+)…?\)")
_NUMBER = re.compile(r"^−?-?\d+(?:\.\d+)?$")


@dataclass
class Fix:
    path: str
    line: int
    start: int          # offset in the document (characters)
    end: int
    old: str
    new: str

    def as_dict(self) -> dict:
        return {"replacement": self.new, "original": self.old, "line": self.line,
                "span": {"start": self.start, "end": self.end}}


def rounded(exact: str, like: str) -> str | None:
    """``exact`` (printed with two more significant digits, trailing zeros stripped) rounded
    to the decimals of ``like``; None for a tie (``…5``) or when it gives ``like`` itself."""
    like = like.replace("−", "-")
    decimals = len(like.partition(".")[2])
    beyond = exact.partition(".")[2][decimals:]
    if re.fullmatch(r"50*", beyond):  # printed without trailing zeros: "" means exact
        return None
    try:
        value = Decimal(exact).quantize(Decimal(10) ** -decimals, ROUND_HALF_EVEN)
    except ArithmeticError:  # decimal.InvalidOperation: not a plain decimal
        return None
    text = f"{value:.{decimals}f}"
    return None if text == like else text


def options(exact: str, like: str) -> list[str]:
    """Replacements for ``like`` given ``exact`` (printed with two more digits): the one
    rounding, or — when the printed digits beyond ``like``'s decimals read ``5``/``50``, so
    the exact value may lie on either side of the midpoint (``0.0985…`` for 0.098503…) — the
    two neighbours, for the re-audit to choose between (a true tie fits both: no fix)."""
    one = rounded(exact, like)
    if one is not None:
        return [one]
    like = like.replace("−", "-")
    decimals = len(like.partition(".")[2])
    beyond = exact.partition(".")[2][decimals:]
    if not re.fullmatch(r"50*", beyond):
        return []
    try:
        cut = Decimal(exact).quantize(Decimal(10) ** -decimals, rounding="ROUND_DOWN")
    except ArithmeticError:
        return []
    away = cut + (Decimal(10) ** -decimals).copy_sign(Decimal(exact))
    texts = [f"{abs(v) if v == 0 else v:.{decimals}f}" for v in (cut, away)]
    return [t for t in texts if t != like]


def candidates(findings) -> list[tuple[int, str, list[str]]]:
    """(line, written, replacements) proposed by the audit's messages; two replacements when
    the printed exact value sits on the midpoint of the written precision (see
    :func:`options`)."""
    out = []
    for f in findings:
        if f.severity not in ("error", "warning"):
            continue
        for m in _BLAME.finditer(f.message):
            new = options(m.group("exact"), m.group("written"))
            if new:
                out.append((f.line, m.group("written").replace("−", "-"), new))
        m = _ROUNDS.search(f.message)
        if m and f.stated and _NUMBER.match(f.stated):
            out.append((f.line, f.stated, [m.group("to")]))
        elif (f.severity == "error" and f.check == "name" and f.stated
              and _NUMBER.match(f.stated) and (m := _NAME.search(f.message))):
            new = options(m.group("exact"), f.stated)  # contradicts an earlier value
            if new:
                out.append((f.line, f.stated, new))
        elif (f.severity == "error" and f.check in ("step", "name") and f.stated and f.computed
              and _NUMBER.match(f.stated) and "exact value" in f.message):
            new = options(f.computed.rstrip("…"), f.stated)
            if new:
                out.append((f.line, f.stated, new))
    return out


def _locate(text: str, line: int, written: str, new: str):
    """(start, end, replacement) of the one occurrence of ``written`` on ``line`` (or the
    next lines of the same display block); None when absent or ambiguous.  A negative term
    written with the operator (``- 1.3126`` for −1.3126) is found too, and its sign fixed
    there (``+ 1.3126``)."""
    forms = [(re.compile(r"(?<![\d.])" + re.escape(written) + r"(?![\d])"), new)]
    if written.startswith("-"):
        op = "- " + new[1:] if new.startswith("-") else "+ " + new
        forms.append((re.compile(r"(?<=[\s\d)}])-\s+" + re.escape(written[1:]) + r"(?![\d])"),
                      op))
    lines = text.split("\n")
    for pat, replacement in forms:
        offset = sum(len(x) + 1 for x in lines[:line - 1])
        for k in range(line - 1, min(len(lines), line + 3)):
            hits = list(pat.finditer(lines[k]))
            if len(hits) == 1:
                return offset + hits[0].start(), offset + hits[0].end(), replacement
            if len(hits) > 1:
                return None
            offset += len(lines[k]) + 1
    return None


def _problems(report) -> list[tuple[int, str]]:
    return [(f.line, f.severity) for f in report.findings if f.severity in ("error", "warning")]


def _errors(report) -> list[tuple[int, int]]:
    return [(f.line, i) for i, f in enumerate(report.findings) if f.severity == "error"]


def _progress(before, after) -> bool:
    """Fewer errors; or as many, the first one later in the chain (fixed at its source, the
    re-audit names the next wrong intermediate); or, with no error, fewer warnings."""
    eb, ea = _errors(before), _errors(after)
    if len(ea) != len(eb):
        return len(ea) < len(eb)
    if eb:
        return ea[0] > eb[0]
    return len(_problems(after)) < len(_problems(before))


def propose(text: str, fmt: str = "md", path: str = "<text>"):
    """(fixes, fixed text) for one document; ([], text) when nothing can be fixed safely.
    A chain a fix would leave with an error is not fixed: its fixes are banned and the
    search runs again (at most ``MAX_ATTEMPTS`` times)."""
    from .api import audit_text

    original = audit_text(text, fmt, path)
    before = {line for line, _ in _errors(original)}
    banned: set = set()
    for _ in range(MAX_ATTEMPTS):
        fixes, current, report = _greedy(text, fmt, path, original, banned, audit_text)
        if not fixes:
            return [], text
        touched = {f.line for f in fixes}
        dirty = set()
        for f in report.findings:
            if f.severity != "error":
                continue
            if f.line in touched:
                dirty.add(f.line)
            dirty |= {t for t in touched if f"introduced at line {t}" in f.message}
            if f.line not in before:  # an error where there was none: the last fix on or
                dirty |= {max((t for t in touched if t <= f.line), default=min(touched))}
        if not dirty:
            return _original_spans(text, fixes), current
        banned |= dirty
    return [], text


def _badness(report) -> tuple[int, int]:
    errors = len(_errors(report))
    return errors, len(_problems(report)) - errors


def _greedy(text, fmt, path, report, banned, audit_text, depth=0):
    """Fixes applied one at a time in document order while each makes progress.  When both
    neighbours of a printed midpoint make progress, each is followed to the end of the search
    and the one that leaves fewer errors (then warnings) is kept; if they end alike, the
    exact value is a tie at the printed precision and that number gets no fix."""
    current, fixes, tried = text, [], set()
    for _ in range(MAX_ROUNDS):
        step = None
        for line, written, news in candidates(report.findings):
            if line in banned:
                continue
            trials = []
            for new in news:
                found = _locate(current, line, written, new)
                if found is None or found in tried:
                    continue
                tried.add(found)
                start, end, text_new = found
                trial = current[:start] + text_new + current[end:]
                after = audit_text(trial, fmt, path)
                if _progress(report, after):
                    trials.append((Fix(path, line, start, end, current[start:end], text_new),
                                   trial, after))
            if len(trials) == 1:
                step = trials[0]
                break
            if len(trials) > 1 and depth < MAX_BRANCH_DEPTH:
                ends = [(fx, *_greedy(trial, fmt, path, after, banned, audit_text, depth + 1))
                        for fx, trial, after in trials]
                scores = [_badness(end[3]) for end in ends]
                if scores.count(min(scores)) == 1:
                    fx, more, final, last = ends[scores.index(min(scores))]
                    return fixes + [fx] + more, final, last
        if step is None:
            break
        fixes.append(step[0])
        current, report = step[1], step[2]
    return fixes, current, report


def _original_spans(text: str, fixes: list[Fix]) -> list[Fix]:
    """Spans of sequentially applied fixes, mapped back to offsets in the original text."""
    out = []
    for i, f in enumerate(fixes):
        start = f.start
        for g in fixes[:i]:
            if g.start < f.start:
                start -= len(g.new) - (g.end - g.start)
        out.append(Fix(f.path, f.line, start, start + len(f.old), f.old, f.new))
    for f in out:
        assert text[f.start:f.end] == f.old
    return out


def apply(text: str, fixes: list[Fix]) -> str:
    """``text`` with every fix's span replaced (spans of the original text)."""
    for f in sorted(fixes, key=lambda f: f.start, reverse=True):
        text = text[:f.start] + f.new + text[f.end:]
    return text


def annotate(report, fixes: list[Fix]) -> None:
    """Attach each fix to the error/warning finding at its line (JSON field ``fix``)."""
    for fx in fixes:
        for f in report.findings:
            if f.path == fx.path and f.line == fx.line and f.severity in ("error", "warning") \
                    and not hasattr(f, "fix"):
                f.fix = fx.as_dict()
                break


def column(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1) + 1


def sarif_fixes(sarif_text: str, report, texts: dict) -> str:
    """Add SARIF ``fixes`` to the results whose findings carry a ``fix``."""
    doc = json.loads(sarif_text)
    shown = [f for f in report.findings if f.severity != "ok"]
    for result, f in zip(doc["runs"][0]["results"], shown, strict=False):
        fx = getattr(f, "fix", None)
        if not fx:
            continue
        text = texts[f.path]
        start, end = fx["span"]["start"], fx["span"]["end"]
        result["fixes"] = [{
            "description": {"text": f"replace {fx['original']} by {fx['replacement']}"},
            "artifactChanges": [{"artifactLocation": {"uri": f.path}, "replacements": [{
                "deletedRegion": {"startLine": fx["line"], "startColumn": column(text, start),
                                  "endColumn": column(text, end)},
                "insertedContent": {"text": fx["replacement"]}}]}]}]
    return json.dumps(doc, indent=2, ensure_ascii=False)


def diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
