"""State of an audit: findings, named values, chains, and the interval helpers verdicts use.

A printed number stands for an interval: ``_rounded_iv(0.274)`` is [0.2735, 0.2745],
``_exact_iv`` the number itself; ``_contains``/``_meets`` compare with a tolerance of
``SLACK`` (relative 10⁻⁴⁰, far below any printed digit) so that 60-digit evaluation error never
decides a verdict.  Example: ``fmt(mpf("0.27329"), like=Num(…0.274…))`` → ``0.27329…``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import mpmath

from . import nodes as N
from .tokens import Unsupported

mp, iv = mpmath.mp, mpmath.iv
SLACK = mpmath.mpf(10) ** -40
UNIT_OF_LOG = {"nats": "ln", "bits": "log₂", "hartleys": "log₁₀"}


@dataclass
class Finding:
    path: str
    line: int
    severity: str          # error | warning | ok | unchecked
    relation: str
    stated: str | None
    computed: str | None
    message: str
    check: str             # step | inequality | name | unit | parse
    cell: int | None = None  # notebooks: 0-based cell index; line is then within the cell
    kind: str | None = None  # unchecked only: "condition" (p > 0) or "definition" (s² = 0.25),
    #                          relations that state no claim; None for everything else

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class NameValue:
    exact: object          # mp value
    stated: str
    unit: str | None
    line: int
    datum: bool = False    # bound to a bare number (`p = 0.9`): data, rebound by a later `p = …`
    printed: N.Num | None = None  # the value as last printed (H = 0.72): what later steps use
    wrong_line: int | None = None  # that printed value was judged an error there


@dataclass
class Chain:
    definition: object = None          # the node whose value is T
    exact: object = None               # T
    name: str | None = None            # head name, when the chain defines one
    known: set = field(default_factory=set)   # literal keys exact in later steps
    accumulated: object = 0            # Σ half-widths of earlier steps' intervals
    prev: object = None                # previous element (node) or None
    prev_point: object = None
    prev_interval: object = None
    error_line: int | None = None
    unit: str | None = None
    defines: bool = False              # the chain introduces its head name
    seen: set = field(default_factory=set)    # literal keys printed in earlier steps
    base: object = None                # base of a plain \log in this chain (None: e)
    base_open: bool = False            # plain \log, no convention yet: the first step decides
    inherited: str = ""                # a rounded input whose own statement was an error
    flagged: set = field(default_factory=set)  # lines where this chain has an error
    substituted: bool = False          # the definition reuses values printed rounded earlier


def _point(n: N.Num):
    return mp.mpf(n.value.numerator) / n.value.denominator


def _exact_iv(n: N.Num):
    return iv.mpf(n.value.numerator) / n.value.denominator


def _rounded_iv(n: N.Num):
    if n.decimals == 0 and not n.truncated and not getattr(n, "approx", False):
        return _exact_iv(n)
    unit = iv.mpf(1) / iv.mpf(10) ** n.decimals
    v = _exact_iv(n)
    if n.truncated:
        return iv.mpf([v.a, (v + unit).b])
    return iv.mpf([(v - unit / 2).a, (v + unit / 2).b])


def lo(interval):
    return mp.mpf(interval.a)


def hi(interval):
    return mp.mpf(interval.b)


def _contains(interval, x) -> bool:
    tol = SLACK * max(1, abs(x))
    return lo(interval) - tol <= x <= hi(interval) + tol


def _meets(i, j) -> bool:
    tol = SLACK * max(1, abs(lo(i)), abs(hi(i)))
    return lo(i) <= hi(j) + tol and lo(j) <= hi(i) + tol


def _distance(x, interval):
    return max(lo(interval) - x, x - hi(interval), 0)


def _half(interval):
    return (hi(interval) - lo(interval)) / 2


def fmt(x, like: N.Num | None = None) -> str:
    """A value with two more decimals than the stated number it is compared with."""
    if like is not None and isinstance(like, N.Num):
        digits = like.decimals + 2
        return mpmath.nstr(x, max(1, int(mpmath.floor(mpmath.log10(abs(x)))) + 1 + digits)
                           if x != 0 else 1) + "…"
    return mpmath.nstr(x, 10)


def _is_literal(node) -> bool:
    """A number as written: 0.9, −2, ½, 1.5²  (not a computation with several terms)."""
    if isinstance(node, N.Num):
        return True
    if isinstance(node, N.Neg):
        return _is_literal(node.arg)
    if isinstance(node, N.Mul):  # \frac{1}{2}: factors [("*", 1), ("/", 2)]
        return (len(node.factors) == 2 and node.factors[1][0] == "/"
                and all(_is_literal(f) for _, f in node.factors))
    if isinstance(node, N.Pow):
        return _is_literal(node.base) and _is_literal(node.exp)
    return False


def _free_name(aud, node) -> bool:
    """A symbol that the text has not given a value (or only a rebindable datum), alone or
    inside an expression (``2\\,\\mathrm{TV}^2 \\le 0.02`` after ``\\mathrm{TV} = 1``)."""
    return any(isinstance(n, N.Name) and (n.name not in aud.names or aud.names[n.name].datum)
               for n in N.walk(node))


def _unit_of(node, base=None):
    units = N.log_bases(node, base)
    return units.pop() if len(units) == 1 else None


@functools.lru_cache(maxsize=4096)
def _alias(name: str) -> str:
    """``H(Y|X=1)`` → ``H(Y|1)``: a conditioning value written without its variable."""
    head, paren, args = name.partition("(")
    return head + paren + re.sub(r"(?<![\w])[A-Za-z]\w*=", "", args) if paren else name


def _hull(interval, x):
    return iv.mpf([min(lo(interval), x), max(hi(interval), x)])


def _is_number(node) -> bool:
    return isinstance(node, N.Num) or isinstance(node, N.Neg) and isinstance(node.arg, N.Num)


def _last_unit(node):
    """One unit in the last printed digit of a stated number (0 for an expression)."""
    if isinstance(node, N.Num):
        return mpmath.mpf(10) ** -node.decimals
    return 0


def node_pos(node) -> int:
    return getattr(node, "pos", 0)


def _text(node) -> str:
    if node is None:
        return "…"
    if isinstance(node, Unsupported):
        return getattr(node, "text", "") or "(unreadable)"
    return getattr(node, "written", None) or N.to_text(node)


def _why_not(aud, node) -> str:
    if isinstance(node, Unsupported):
        return node.reason
    try:
        aud.point(node)
    except N.NotEvaluable as e:
        return str(e)
    return "no value to compare with"


def _round_like(x, node) -> str | None:
    """x rounded to the printed decimals of a stated number."""
    if isinstance(node, N.Num) and not node.truncated:
        from decimal import ROUND_HALF_EVEN, Decimal
        d = Decimal(mpmath.nstr(x, 40, strip_zeros=False))
        return f"{d.quantize(Decimal(10) ** -node.decimals, ROUND_HALF_EVEN):.{node.decimals}f}"
    return None
