r"""SymPy as a second opinion, where randomized identity testing is inconclusive.

When too few random points of an equality's domain evaluate (a factorial of a symbol sampled
as a real number, ``\frac{\lambda^x e^{-\lambda}}{x!}\cdot\frac{x!}{\lambda^x} =
e^{-\lambda}``), :func:`identical` asks SymPy whether ``simplify(lhs - rhs) == 0``, within
:data:`TIME_LIMIT` seconds of CPU time.  Only a proof counts: ``True`` makes the
verdict ok (the finding's JSON says ``"judge": "sympy"``); a nonzero or unfinished
simplification is no counterexample, so ``None`` leaves the relation unchecked as before.

SymPy is imported here, inside :func:`identical`, and only on that path: ``import
klforge.audit`` never loads it.  The time limit is a ``SIGPROF`` (CPU-time) timer, so the second
opinion is asked only in the main thread and when no other timer runs (else: ``None``).

Domains: each free symbol becomes a SymPy symbol with the assumptions of its sampled domain
(:func:`.symbols.interval`): integer (and nonnegative when the domain is), positive, or real.
Converted nodes: numbers (exact rationals), names, π and e, sums, products, quotients,
powers, ln/log/exp/sqrt/abs and factorials; anything else (sums over data, integrals,
indices, tuples) is not converted, and the relation keeps its unchecked verdict.

Example: ``identical(parse("n!/(n-1)!"), parse("n"), {"n"}, {}, {})`` → True.
"""

from __future__ import annotations

import signal
import threading

from . import nodes as N
from . import symbols as S

TIME_LIMIT = 2.0  # seconds of CPU time for one simplification (the same on a busy machine)


class _Unconvertible(Exception):
    pass


class _TimeUp(Exception):
    pass


def _convert(node, sp, syms):
    """The SymPy expression of ``node``; _Unconvertible for what has no faithful image."""
    c = lambda n: _convert(n, sp, syms)  # noqa: E731
    if isinstance(node, N.Num) and not node.truncated:
        return sp.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, N.Const) and node.name == "pi":
        return sp.pi
    if isinstance(node, (N.Name, N.Var)):
        if node.name == "e" and node.name not in syms:
            return sp.E
        if node.name in syms:
            return syms[node.name]
        raise _Unconvertible(node.name)
    if isinstance(node, N.Neg):
        return -c(node.arg)
    if isinstance(node, N.Add):
        return sp.Add(*[c(n) if s > 0 else -c(n) for s, n in node.terms])
    if isinstance(node, N.Mul):
        return sp.Mul(*[c(n) if op == "*" else 1 / c(n) for op, n in node.factors])
    if isinstance(node, N.Pow):
        return sp.Pow(c(node.base), c(node.exp))
    if isinstance(node, N.Func):
        x = c(node.arg)
        if node.name == "ln" or node.name == "log" and node.base is None:
            return sp.log(x)  # a plain log in an identity: the same base on both sides
        if node.name == "log":
            return sp.log(x, c(node.base))
        if node.name == "sqrt":
            return sp.sqrt(x) if node.base is None else sp.root(x, c(node.base))
        simple = {"exp": sp.exp, "abs": sp.Abs, "fact": sp.factorial}
        if node.name in simple:
            return simple[node.name](x)
    raise _Unconvertible(type(node).__name__)


def _symbols(names, domains, hints, sp) -> dict:
    out = {}
    for name in names:
        lo, _, integer = S.interval(name, domains, hints)
        if integer:
            out[name] = sp.Symbol(name, integer=True, nonnegative=bool(lo >= 0))
        elif lo >= 0:
            out[name] = sp.Symbol(name, positive=True)
        else:
            out[name] = sp.Symbol(name, real=True)
    return out


def identical(lhs, rhs, names, domains, hints) -> bool | None:
    """True when SymPy simplifies ``lhs − rhs`` to 0 within TIME_LIMIT; None otherwise (not
    converted, not zero, time up, or not in the main thread)."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(
            signal.ITIMER_PROF)[0] > 0:  # another timer runs (a profiler): leave it be
        return None
    if any(n.startswith("\0") for n in names):  # random distributions, not symbols
        return None
    try:
        import sympy as sp
    except ImportError:  # a slim install: no second opinion, the relation stays unchecked
        return None

    def _alarm(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, TIME_LIMIT)
    try:
        syms = _symbols(sorted(names), domains, hints, sp)
        difference = _convert(lhs, sp, syms) - _convert(rhs, sp, syms)
        return True if sp.simplify(difference) == 0 else None
    except (_Unconvertible, _TimeUp, TypeError, ValueError, ZeroDivisionError,
            RecursionError, AttributeError):
        return None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
