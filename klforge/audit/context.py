"""What a document says about its own conventions: the base of ``\\log``, units of information.

``\\log`` without a base means what the document says it means:

* a stated convention in prose — "all logs are base 2", "logarithms to the base 2",
  "log base 2", "we measure entropy in bits", "\\log = \\log_2", "natural logarithm", "in nats";
* else a result labelled in a unit (``\\log 4 = 2 \\text{ bits}``) fixes the base of its chain;
* else the first chain that can be checked decides among e, 2 and 10 (the base whose value the
  author's number matches), and the rest of the document follows it.

``\\ln``, ``\\lg`` (base 2), ``\\log_2``, ``\\log_{10}`` are read as written.

Units of information convert by ``1 bit = ln 2 nats``, ``1 hartley = ln 10 nats``.

Example: ``stated_base("Throughout, all logs are base 2.")`` → 2.
"""

from __future__ import annotations

import re

import mpmath

#: base of a unit of information (None: e)
UNIT_BASE = {"bits": 2, "nats": None, "hartleys": 10}
#: candidate bases for a plain \log, in the order they are tried
CANDIDATES = (None, 2, 10)

_WORD = r"(?:2|two|e|10|ten)"
_STATED = [
    re.compile(r"\blog(?:arithm)?s?\b[^.\n]{0,40}?\b(?:to\s+)?(?:the\s+)?base[\s-]*"
               r"(?:\$\s*)?(?P<b>" + _WORD + r")\b", re.I),
    re.compile(r"\bbase[\s-]*(?:\$\s*)?(?P<b>" + _WORD + r")\b(?:\$)?\s*log(?:arithm)?s?", re.I),
    re.compile(r"\\log\s*(?:=|\\equiv)\s*\\log_\{?(?P<b>2|10|e)\}?"),
    re.compile(r"\b(?:measured|expressed|given|entropy|information)\b[^.\n]{0,30}?\bin\s+"
               r"(?P<u>bits|nats|hartleys|bans)\b", re.I),
    re.compile(r"\b(?P<n>natural)\s+log(?:arithm)?s?\b(?![^.\n]{0,20}\bof\b)", re.I),
]
_WORD_BASE = {"2": 2, "two": 2, "e": None, "10": 10, "ten": 10}
_UNIT_WORD_BASE = {"bits": 2, "nats": None, "hartleys": 10, "bans": 10}


def stated_base(text: str):
    """The base a document states for ``\\log`` in ``text``: 2, 10, None (e) or "unknown"."""
    for pattern in _STATED:
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        if groups.get("b"):
            return _WORD_BASE[groups["b"].lower()]
        if groups.get("u"):
            return _UNIT_WORD_BASE[groups["u"].lower()]
        if groups.get("n"):
            return None
    return "unknown"


def base_value(base, ctx):
    """The base as a value of ``ctx`` (None stays None: natural logarithm)."""
    return None if base is None else ctx.mpf(base)


def base_name(base) -> str:
    return {None: "e", 2: "2", 10: "10"}.get(base, str(base))


def convert(value, from_unit: str, to_unit: str):
    """A quantity of information in another unit: 1 bit = ln 2 nats."""
    def nats_per(unit):
        b = UNIT_BASE[unit]
        return mpmath.mpf(1) if b is None else mpmath.log(b)
    return value * nats_per(from_unit) / nats_per(to_unit)
