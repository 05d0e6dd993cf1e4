"""KL(p̂ ‖ q̂) of one categorical row by a sum of non-negative terms with exact differences
(numba): the second pass of ``_categorical_cold.kl_slow`` — rows whose one-pass correction
cancels (rows that agree to a few ULP, proportional rows, totals far apart) and rows whose
totals leave the float range or sit below 2⁻⁶⁴.

Formula: p̂ = p/P, q̂ = q/Q with P = Σ p_i, Q = Σ q_i (compensated pairs).  With
b_i = q_i/Q and the normalised difference formed from exact products (two_prod),

    δ_i = p̂_i − b_i = (p_i·Q − q_i·P)/(P·Q),

    KL = Σ kl_div(p̂_i, b_i; δ_i) = Σ b_i·[(1 + t_i)·log1pmx(t_i) + t_i²],  t_i = δ_i/b_i,

(``_primitives.kl_div`` takes δ_i as the exact difference): every term is ≥ 0 and nothing
cancels between terms.  When the rows agree to the last bits (q_i = p_i·(1 ± k·2⁻⁵³)) the
products p_i·Q and q_i·P agree in their high parts, whose difference is exact (Sterbenz), and
δ_i keeps full relative accuracy — what P and Q rounded, and the second-order expansion of the
earlier pass (Σ kl_div(p_i, c·q_i), c = P/Q in double-double), lose (outside tester's G8:
5.8e3 ULP at n = 2).
An error in P or Q is a common factor of every p̂_i (or b_i) and enters the generalised KL at
second order only.

Ranges: p and q are scaled separately, each by the power of two that brings its total into
[½, 1) (the KL of the normalised rows does not depend on either scale), so totals beyond the
float range or below it in either row, or far apart from each other, give the finite answer
(G6: ``([5e-324, 5e-324], [1e308, 1e308])`` → 0, was NaN).  Entries pushed below the normal
range by the scaling keep their share of the result to within 2⁻¹⁰²² absolute.

Domain: finite non-negative entries (float32 or float64, computed in float64), P > 0, Q > 0,
q_i > 0 wherever p_i > 0 — the caller checks (``kl_slow``).

Example (from compiled code: no Python wrapper): ``kl_renorm(np.array([60., 40.]),
np.array([50., 50.]))`` = 0.0201355… = KL([.6, .4] ‖ [.5, .5]).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from ._primitives import neumaier_add as _add
from ._ufunc import INTERNAL

_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
DOWN = 2.0**-64  # first scale of a row whose total overflows
TINY = 5e-324


@njit(**_JIT)
def total_scale(x):
    """The power of two s with Σ s·x_i in [½, 1) (capped at 2¹⁰²³: a subnormal total then
    lands at a normal number); x finite, non-negative, Σ x_i > 0."""
    t, c = 0.0, 0.0
    for i in range(x.shape[0]):
        t, c = _add(t, c, np.float64(x[i]))
    t += c
    base = 1.0
    if not t < math.inf:  # the total overflows: sum again scaled by 2⁻⁶⁴ (exact but subnormals)
        base = DOWN
        t, c = 0.0, 0.0
        for i in range(x.shape[0]):
            t, c = _add(t, c, np.float64(x[i]) * DOWN)
        t += c
    e = math.frexp(base)[1] - 1 - math.frexp(t)[1]
    return math.ldexp(1.0, e if e < 1023 else 1023)


@njit(**_JIT)
def _pair_sum(x, s):
    """Σ s·x_i as a normalised pair (h, l) (Neumaier, then two_sum)."""
    t, c = 0.0, 0.0
    for i in range(x.shape[0]):
        t, c = _add(t, c, np.float64(x[i]) * s)
    return _p.two_sum(t, c)


@njit(inline="always", error_model="numpy")
def _cross(pi, qi, ph, pl, qh, ql):
    """p_i·Q − q_i·P with P = ph + pl, Q = qh + ql: all four products exact (two_prod),
    the high parts' difference exact when they are close (Sterbenz), the other six terms
    summed compensated — at one ULP apart the result is ~2⁻⁵⁶ of the products, so every
    rounding of a low part would show."""
    x, xe = _p._two_prod(pi, qh)
    y, ye = _p._two_prod(qi, ph)
    u, ue = _p._two_prod(pi, ql)
    v, ve = _p._two_prod(qi, pl)
    s, c = _p.two_sum(x - y, xe)
    s, c = _add(s, c, -ye)
    s, c = _add(s, c, u)
    s, c = _add(s, c, -v)
    return s + (c + (ue - ve))


@njit(**_JIT)
def kl_renorm(p, q):
    """KL(p/Σp ‖ q/Σq) for one row (see the module docstring; the caller checks the
    domain)."""
    sp = total_scale(p)
    sq = total_scale(q)
    ph, pl = _pair_sum(p, sp)
    qh, ql = _pair_sum(q, sq)
    pt = ph + pl
    qt = qh + ql
    # 1/(P·Q) with P·Q in double-double (its error would be a common factor: second order)
    pq, pqe = _p._two_prod(ph, qh)
    pqe += ph * ql + pl * qh
    s, c = 0.0, 0.0
    for i in range(p.shape[0]):
        pi = np.float64(p[i]) * sp
        qi = np.float64(q[i]) * sq
        b = qi / qt
        if pi == 0.0:  # t = −1: the term is b_i
            s, c = _add(s, c, b)
            continue
        if b == 0.0:  # q_i > 0 pushed below the float range by the scaling (see docstring)
            b = TINY
        num = _cross(pi, qi, ph, pl, qh, ql)
        d = num / pq
        d -= d * (pqe / pq)
        s, c = _add(s, c, _p.kl_div(pi / pt, b, d))
    v = s + c
    return v if v >= 0.0 else 0.0
