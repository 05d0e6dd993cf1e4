"""ψ (digamma) and lnΓ for x > 0 as numba ``njit`` float64 functions, the two special
functions the generated kernels call besides the stable primitives; re-exported by
``_primitives.py`` (the generated code calls ``_p.digamma``, ``_p.lgamma``).

* ``digamma(x)`` = ψ(x): recurrence up to x ≥ 10, then the asymptotic series; a Taylor series
  about the positive root x₀ ≈ 1.4616 keeps the relative error bounded there (NaN for x ≤ 0
  and NaN; +inf → +inf).  Example: ``digamma(1.0)`` ≈ −0.5772156649.
* ``lgamma(x)`` = ln Γ(x) for x > 0 (math.lgamma; NaN for x ≤ 0).
"""

import math

from numba import njit

_CACHE = True
NAN = math.nan
INF = math.inf


@njit(cache=_CACHE, error_model="numpy")
def digamma(x):
    """ψ(x) for x > 0: recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic
    series ln x − 1/(2x) − Σ B_{2k}/(2k·x^{2k}); near the positive root x₀ a Taylor series
    in (x − x₀) keeps the relative error small (coefficients: _ROOT_C below)."""
    if x != x or x <= 0.0:
        return NAN
    if x == INF:
        return INF
    h = x - _X0_HI - _X0_LO
    if -0.25 <= h <= 0.25:
        acc = 0.0
        for i in range(_N_ROOT - 1, -1, -1):
            acc = acc * h + _ROOT_C[i]
        return acc * h
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    # Bernoulli terms B_{2k}/(2k): 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12
    series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (
        1.0 / 240 - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12))))))
    return result + math.log(x) - 0.5 * inv - series


@njit(cache=_CACHE, error_model="numpy")
def lgamma(x):
    """ln Γ(x) for x > 0 (math.lgamma; NaN for x ≤ 0)."""
    if x != x or x <= 0.0:
        return NAN
    return math.lgamma(x)


# Positive root of ψ split into two doubles, and the Taylor coefficients of ψ about it:
# c_k = ψ^{(k)}(x₀)/k! for k = 1..N.  Produced by mpmath at 50 digits with
#   mpmath.findroot(mpmath.digamma, 1.46) and mpmath.polygamma(k, x0)/mpmath.factorial(k);
# tests/test_primitives.py recomputes them and compares.
_X0_HI = 1.4616321449683622
_X0_LO = 9.549995429965697e-17
_ROOT_C = (
    0.9676722454476212,
    -0.4427631689835921,
    0.258499760955651,
    -0.16394270544240652,
    0.10782405069126237,
    -0.07219956125645471,
    0.04880428816414311,
    -0.03316112647484736,
    0.022597648232218104,
    -0.01542476590494896,
    0.010538791616612175,
    -0.007204534386356869,
    0.004926781395729853,
    -0.003369801655439328,
    0.002305126326734928,
    -0.0015769367714301972,
    0.0010788252019162967,
    -0.0007380709389960052,
    0.000504953265834602,
    -0.0003454680251063077,
    0.00023635601564027053,
    -0.00016170622091974803,
    0.0001106337276874741,
    -7.569179582195066e-05,
    5.178575795222081e-05,
    -3.5430070947659604e-05,
)
_N_ROOT = len(_ROOT_C)
