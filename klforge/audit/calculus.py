"""Sums, products, integrals and evaluation bars of worked problems, evaluated rigorously.

* ``\\sum_{k=a}^{b} f(k)`` and ``\\prod`` — every term evaluated (at most ``MAX_SUM_TERMS``);
* ``\\sum_x p(x)\\ln\\frac{p(x)}{q(x)}``, ``\\sum_i p_i`` — over the positions of the data the
  body indexes: vectors bound by the document (``p = (0.5, 0.3, 0.2)``) or names ``p_1 … p_n``;
* ``\\int_a^b f(x)\\,dx`` — mpmath tanh-sinh quadrature with its error estimate; in the
  interval context the result is widened by ten times that estimate, and an estimate above
  ``QUAD_TOLERANCE`` (a singular or oscillating integrand) makes it "not evaluable";
* ``F(x)\\Big|_a^b`` — F(b) − F(a).

Example: ``\\frac38\\int_0^2 x^3\\,dx`` is 3/8 · 4 = 1.5.  Bounds: the per-expression time
limit of :mod:`.nodes` is checked at every evaluation of the integrand.
"""

from __future__ import annotations

import mpmath

from . import nodes as N

QUAD_DPS = N.DPS
QUAD_TOLERANCE = mpmath.mpf(10) ** -45
SERIES_TIME = 0.5   # seconds for one infinite series (a divergent one stops here)


def accumulate(node, env, ctx, ks, lo, outcomes=None):
    """Σ or Π of ``node.body`` with ``node.var`` bound to each k (position k − lo), or to
    ``outcomes[k − lo]`` when given (a sum over a random variable's outcomes)."""
    total = ctx.mpf(0 if node.kind == "sum" else 1)
    keys = (node.var, "#" + node.var)
    saved = {k: env.bindings.get(k) for k in keys}
    try:
        for k in ks:
            env.bindings[node.var] = k if outcomes is None else outcomes[k - lo]
            env.bindings["#" + node.var] = k - lo
            term = env.eval(node.body, ctx)
            total = total + term if node.kind == "sum" else total * term
    finally:
        for k, v in saved.items():
            if v is None:
                env.bindings.pop(k, None)
            else:
                env.bindings[k] = v
    return total


#: the key, before a vector's name, of the outcomes a sum over that pmf runs over
OUTCOMES = "@outcomes:"


def data_sum(node, env, ctx):
    """Σ/Π over the positions of the bound vectors the body indexes with ``node.var``."""
    used = {n.vector for n in N.walk(node.body) if isinstance(n, N.Index) and n.var == node.var}
    lengths = {len(env.vectors[v]) for v in used if v in env.vectors}
    if not used or len(lengths) != 1 or any(v not in env.vectors for v in used):
        missing = sorted(v for v in used if v not in env.vectors)
        raise N.NotEvaluable(f"sum over {node.var}: no data bound for "
                             f"{', '.join(missing) or 'its terms'}" if missing or not used else
                             f"sum over {node.var}: the vectors have different lengths")
    n = lengths.pop()
    # Σ_x x f(x) with f the pmf of X (:func:`.fallbacks.as_moments`): x runs over X's outcomes
    outcomes = [env.vectors[OUTCOMES + v] for v in used if OUTCOMES + v in env.vectors]
    outcomes = outcomes[0] if len(outcomes) == 1 and len(outcomes[0]) == n else None
    saved = env.bindings.get(node.var)
    env.bindings.pop(node.var, None)  # the index itself has no value: only p(x), q(x) do
    try:
        return accumulate(node, env, ctx, range(n), 0, outcomes)
    finally:
        if saved is not None:
            env.bindings[node.var] = saved


def element(node, env, ctx):
    """``p_i`` / ``p(x)``: the name ``p_k`` if the document bound it, else the vector's entry."""
    k, pos = env.bindings.get(node.var), env.bindings.get("#" + node.var)
    if pos is None:
        raise N.NotEvaluable(f"free symbol {node.vector}({node.var})")
    if k is not None and f"{node.vector}_{k}" in env.names:
        return env.names[f"{node.vector}_{k}"]
    vec = env.vectors.get(node.vector)
    if vec is None:
        raise N.NotEvaluable(f"no data bound for {node.vector}")
    if not 0 <= pos < len(vec):
        raise N.NotEvaluable(f"{node.vector} has no entry {pos + 1}")
    return vec[pos]


def _point_env(env):
    """The same document values as points (midpoints of intervals) for quadrature."""
    mid = (lambda v: mpmath.mp.mpf(v.mid)) if env.ctx is mpmath.iv else (lambda v: v)
    return type(env)(mpmath.mp, lambda n: mid(env.literal(n)),
                 {k: mid(v) for k, v in env.names.items()}, env.deadline,
                 {k: v for k, v in env.bindings.items()},
                 {k: [mid(x) for x in v] for k, v in env.vectors.items()},
                 env.log_base if env.ctx is mpmath.mp or env.log_base is None
                 else mpmath.mp.mpf(env.log_base.mid))


def _bound(node, penv):
    """An integration bound: ``\\infty``, ``+\\infty``, ``-\\infty`` are mpmath's ±inf (tanh-sinh
    quadrature maps the half-line and the line to finite intervals); anything else evaluated."""
    sign = 1
    while isinstance(node, N.Neg):
        node, sign = node.arg, -sign
    if isinstance(node, N.Const) and node.name == "inf":
        return sign * mpmath.inf
    v = sign * penv.eval(node, mpmath.mp)
    if not (mpmath.isfinite(v) or mpmath.isinf(v)):
        raise N.NotEvaluable("integration bound is not a number")
    return v


TAIL = mpmath.mpf(10) ** -70   # |f(t)|·|t| below this (relative to the bulk) ends a tail
_DOUBLINGS = 48                # an infinite end is cut at most 2^48 from the finite one


def _cut(f, start, direction, scale, tail=TAIL, unit=1):
    """Where the tail of ``f`` from ``start`` towards ±∞ is negligible: the first
    ``start ± unit·2^k`` with |f|·2^k < tail·scale, reached through points that all evaluate,
    with |f| decreasing over the last three; None when there is none (a slow or growing tail)."""
    last = []
    for k in range(_DOUBLINGS + 1):
        t = start + direction * unit * mpmath.mpf(2) ** k
        try:
            v = abs(f(t))
        except N.NotEvaluable as e:
            if "time limit" in str(e):
                raise
            return None  # an extreme value before the tail was seen to vanish
        last.append(v)
        if v * 2 ** k < tail * scale and len(last) >= 3 and last[-3] >= last[-2] >= last[-1]:
            return t
    return None


def quadrature(f, a, b, dps=QUAD_DPS, tol=QUAD_TOLERANCE, center=None):
    """(value, error estimate) of ∫_a^b f at ``dps`` digits (``tol``: the relative error
    estimate Gauss–Legendre must reach before tanh-sinh is tried).

    A finite range: tanh-sinh.  An infinite end whose tail vanishes fast (a Gaussian or
    exponential density) is cut where the integrand is below ``TAIL`` of its bulk: the nodes
    tanh-sinh puts near ±∞ (|x| ~ 10^18) give values such as e^{-x²} whose exponents the
    evaluator refuses.  The cut range is integrated split at the finite end or 0 (Gauss–Legendre
    up to 20 digits, whose nodes are slow to compute beyond; tanh-sinh above), or, if the error
    estimate is too large, by tanh-sinh split at ±1, ±2, ±4, ….  A slow
    tail (1/x²) keeps mpmath's own map of the infinite range.  ``center`` (mean, spread) of a
    density in the integrand puts the split and the doubling steps there instead of at 0, 1.
    Example: ∫_{-∞}^{∞} e^{-x²/2} dx = √(2π) (cut at |x| = 32)."""
    with mpmath.mp.workdps(dps):
        if not (mpmath.isinf(a) or mpmath.isinf(b)):
            return mpmath.quad(f, [a, b], error=True)
        mid = mpmath.mpf(0 if mpmath.isinf(a) and mpmath.isinf(b) else b if mpmath.isinf(a)
                         else a)
        unit = mpmath.mpf(1)
        if center is not None and a < center[0] < b:  # a density's mean and spread
            mid, unit = center
        try:
            scale = max(abs(f(mid + d * unit)) for d in (-1, 0, 1) if a <= mid + d * unit <= b)
        except N.NotEvaluable as e:
            if "time limit" in str(e):
                raise
            scale = 0
        tail = min(TAIL, tol * mpmath.mpf(10) ** -10)
        lo = _cut(f, mid, -1, scale, tail, unit) if mpmath.isinf(a) and scale else a
        hi = _cut(f, mid, 1, scale, tail, unit) if mpmath.isinf(b) and scale else b
        if lo is None or hi is None or mpmath.isinf(lo) or mpmath.isinf(hi):
            return mpmath.quad(f, [a, b], error=True)
        coarse = [x for x in (lo, mid, hi) if lo <= x <= hi]
        coarse = sorted(set(coarse))
        method = "gauss-legendre" if dps <= 20 else "tanh-sinh"  # GL's nodes: slow at 60 dps
        value, err = mpmath.quad(f, coarse, error=True, method=method)
        if mpmath.isfinite(value) and err <= tol * max(1, abs(value)):
            return value, err
        fine = sorted({lo, hi, *(x for x in (mid,) if lo < x < hi), *(
            mid + s * unit * mpmath.mpf(2) ** k for s in (-1, 1) for k in range(-2, _DOUBLINGS)
            if lo < mid + s * unit * 2 ** k < hi)})
        return mpmath.quad(f, fine, error=True)


_DONE: dict = {}  # an integral with no names in it (a numeric claim) → (value, error)


def _closed(node) -> bool:
    """No names or data in the integral: its value depends on nothing but its text."""
    return not any(isinstance(n, (N.Name, N.Index)) for n in N.walk(node))


def _constant_over_unbounded(node, penv):
    """∫ c dx over an infinite range: with no limits written (``-∫ 10 log 10 dx = -log 10``
    for U(0, 0.1)) the range is the support, not written — not evaluable; over a written one
    (``∫_0^∞ 2 dx``) it diverges unless c = 0 — a relation giving it a finite value is wrong."""
    if not node.ranged:
        raise N.NotEvaluable("an integral of a constant over an unbounded range: its "
                             "range (the support) is not written")
    if penv.eval(node.body, mpmath.mp) != 0:
        raise Divergent("the integral of a nonzero constant over an infinite range diverges")


class Divergent(N.NotEvaluable):
    """An integral written over an infinite range that diverges (a finite value given it is
    wrong)."""


def integral(node, env, ctx):
    key = (N.to_text(node), str(env.log_base)) if _closed(node) else None
    if key in _DONE:  # a numeric claim is evaluated in mp, again, then in intervals
        value, err = _DONE[key]
    else:
        penv = _point_env(env)
        a, b = _bound(node.lo, penv), _bound(node.hi, penv)
        if (mpmath.isinf(a) or mpmath.isinf(b)) and not any(
                getattr(n, "name", None) == node.var or getattr(n, "var", None) == node.var
                for n in N.walk(node.body)):
            _constant_over_unbounded(node, penv)

        def f(t):
            penv.bindings[node.var] = t
            return penv.eval(node.body, mpmath.mp)

        value, err = quadrature(f, a, b)
        if key is not None:
            if len(_DONE) > 256:
                _DONE.clear()
            _DONE[key] = value, err
    if not mpmath.isfinite(value) or err > QUAD_TOLERANCE * max(1, abs(value)):
        raise N.NotEvaluable("the integral did not converge (error estimate "
                             f"{mpmath.nstr(err, 3)})")
    if ctx is mpmath.iv:
        w = 10 * err + QUAD_TOLERANCE * max(1, abs(value))
        return mpmath.iv.mpf([value - w, value + w])
    return ctx.mpf(value)


def infinite_sum(node, env, ctx):
    """Σ_{k=a}^{∞} f(k) (or Π) by mpmath's nsum with its error estimate; divergent or slowly
    convergent series are not evaluable."""
    penv = _point_env(env)
    a = penv.eval(node.lo, mpmath.mp)
    if a != int(a):
        raise N.NotEvaluable("summation bounds must be integers")

    def f(k):
        penv.bindings[node.var] = int(k)
        return penv.eval(node.body, mpmath.mp)

    import time
    penv.deadline = min(penv.deadline or float("inf"), time.process_time() + SERIES_TIME)
    method = mpmath.nsum if node.kind == "sum" else mpmath.nprod
    try:
        with mpmath.mp.workdps(QUAD_DPS):
            value = method(f, [int(a), mpmath.inf])
        with mpmath.mp.workdps(QUAD_DPS // 2):  # error estimate: the sum at half the digits
            err = abs(method(f, [int(a), mpmath.inf]) - value)
    except N.NotEvaluable as e:
        if "time limit" in str(e):
            raise N.NotEvaluable(f"the series did not converge within {SERIES_TIME} s") from None
        raise
    if not mpmath.isfinite(value) or err > mpmath.mpf(10) ** -20 * max(1, abs(value)):
        raise N.NotEvaluable("the series did not converge to a checkable value")
    if ctx is mpmath.iv:
        w = 10 * err + mpmath.mpf(10) ** -40 * max(1, abs(value))
        return mpmath.iv.mpf([value - w, value + w])
    return ctx.mpf(value)


def bar(node, env, ctx):
    saved = env.bindings.get(node.var)
    try:
        out = []
        for b in (node.hi, node.lo):
            env.bindings[node.var] = env.eval(b, ctx)
            out.append(env.eval(node.body, ctx))
        return out[0] - out[1]
    finally:
        if saved is None:
            env.bindings.pop(node.var, None)
        else:
            env.bindings[node.var] = saved
