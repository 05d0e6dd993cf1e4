"""kl_gamma at every positive finite parameter (numba ``njit``, float64): the two pieces of
KL(Gamma(α_p, β_p) ‖ Gamma(α_q, β_q)) = α_q·(r − 1 − log r) + B_S(α_p, α_q), r = e^{−s} =
(α_p·β_q)/(α_q·β_p) the ratio of the means, each with a light twin for the generated
elementwise loop and a full form for the rare inputs the light one leaves (``derive/
primitives.py``: ``kernel_call`` and ``light_selects`` of ``scaled_expm1mx`` and
``stirling_bregman``).  A light twin marks such an element with NaN — a select, so the loop
stays vectorised; the loop counts NaN results of in-domain inputs and hands the call back
once (``_ufunc.bail``), which then runs on the full loops (``_ufunc.FirstReach``).

* ``scaled_expm1mx_light(a, s, n1, n2, d)`` = a·(e^{−s} − 1 + s) with e = a·e^{−s} = n1·n2/d
  (Gamma: a = α_q, n1·n2 = α_p·β_q, d = β_p; s from ``log_ratio2``): ``_primitives.scaled_
  expm1mx(a, s, (n2·n1)/d)`` — the kernel's form — where it is accurate: both products of
  s (α_q·β_p and α_p·β_q) in (1e-290, 1e290), where ``log_ratio2`` forms them exactly, and,
  when e is used (s < −1), e a normal finite number.  Elsewhere NaN (handed back).
  Branch-free.
* ``scaled_expm1mx_full(a, s, n1, n2, d)``: the same where the light one holds, else
  ``mean_term_wide(a, n1, n2, d)``: every argument split as m·2^k (``math.frexp``, exact,
  subnormals too), so r = (m1·m2/(m_d·m_a))·2^K with mantissa products in [¼, 4): s =
  ``log_ratio2`` of the mantissas with 2^K folded into one of them (|K| ≤ 900: products stay
  in [2^−902, 2^902], the exact-product path; no cancellation between log α_q/α_p and log
  β_p/β_q, which cost 276 ULP of s at α_q = β_q = 1e300), or + K·ln 2 beyond (|s| > 620,
  the mantissa part ≤ ln 4: no cancellation).  For s ≥ −1, a·expm1mx(−s); for s < −1,
  (e′ − a′·(1 − s))·2^{K_e} with e′ = m1·m2/m_d, a′ = a·2^{−K_e} (≤ 4: e ≥ a·e), so neither
  α_p·β_q/β_p overflowing (β_q = DBL_MAX: was +inf, exact 7.79e307) nor a subnormal
  product (β_q = 1e-310, β_p = 5e-324: 77 ULP) costs digits; the two terms cancel by at most
  ×(1 − 2/e)^{−1} ≈ 3.8, e′ carries 2 roundings: a few ULP.  +inf where the value overflows.
* ``stirling_bregman_light(x, y, h)`` = B_S(x, y), S(a) = lnΓ(a) − a·log a + a:
  ``_stirling.stirling_bregman`` (branch-free) except for ``wide`` pairs — min(x, y) < 8 and
  either max(x, y) ≥ 1e15 or x ≥ 8 with x ≥ 1e15·y — where its first shift piece over- or
  underflows (B_S(1.3, DBL_MAX) NaN, B_S(1e20, 5e-324) +inf, B_S(1e14, 5e-324) 2e7 ULP off):
  NaN there (handed back).  ``stirling_bregman_full``: there ``bs_any``.
* ``bs_any(x, y)``: x ≥ 8, y < 8, x < 1e15 and x ≥ 1e15·y by the direct form B_S = S(y) +
  ½log x − ½log 2π − T(x) − (1 − y/x)·(½ + Σ_k (2k − 1)c_k x^{1−2k}) (``_gbd_range``'s
  pieces: S(y) by lgamma for y < 8, T Stirling's tail); else ``_gbd_range.bs_wide``.  Error:
  with x/y ≥ 1e15, B_S ≥ ½log x + S(y) − 1.5 ≥ 7 while the terms are ≤ 3·B_S, so a few
  roundings per term stay a few ULP of B_S.

Domain: positive finite arguments (the generated core selects NaN for the others, and the
light loop does not hand those back).  Example: ``kl_gamma(1.3, 3.0, 2.1, DBL_MAX)`` =
α_q·expm1mx(−s) + B_S(1.3, 2.1) ≈ 7.7900035844033683e307 (the full form of the first piece).
"""

import math

from numba import njit

from . import _gbd_range as _gr
from . import _primitives as _p
from . import _simd as _s
from . import _stirling as _st

_CACHE = True
NAN = math.nan
INF = math.inf
_TINY = 2.2250738585072014e-308
_LN2 = math.log(2.0)
#: B_S pairs whose branch-free form's first shift piece leaves the float range: min < _SMALL
#: and max ≥ _FAR, or x ≥ _SMALL with x ≥ _FAR·y
_SMALL, _FAR = 8.0, 1e15
#: s from the mantissas with 2^K folded in while |K| ≤ _FOLD (products within 2^±902)
_FOLD = 900


@njit(cache=_CACHE, forceinline=True, error_model="numpy")
def _positive(a, b, c, d):
    return ((a > 0.0) & (a < INF) & (b > 0.0) & (b < INF) & (c > 0.0) & (c < INF)
            & (d > 0.0) & (d < INF))


@njit(inline="always", error_model="numpy")
def scaled_expm1mx_light(a, s, n1, n2, d):
    """a·(e^{−s} − 1 + s), e = n1·n2/d = a·e^{−s}, where the products fit; else NaN.
    (numba-inlined: nothing of its own to compile on a first use.)
    Example: ``scaled_expm1mx_light(1.0, 0.0, 1.0, 1.0, 1.0)`` = 0."""
    pa = a * d
    pn = n1 * n2
    e = pn / d
    inside = (pa > 1e-290) & (pa < 1e290) & (pn > 1e-290) & (pn < 1e290)
    fits = inside & ((s >= -1.0) | ((e >= _TINY) & (e < INF)))
    return _p.scaled_expm1mx(a, s, e) if fits else NAN


@njit(cache=_CACHE, error_model="numpy")
def scaled_expm1mx_full(a, s, n1, n2, d):
    """a·(e^{−s} − 1 + s), e = n1·n2/d = a·e^{−s}, for all positive finite a, n1, n2, d.
    Example: with s = ``log_ratio2(2.1, 3.0, 1.3, DBL_MAX)`` (≈ −708.2),
    ``scaled_expm1mx_full(2.1, s, 1.3, DBL_MAX, 3.0)`` ≈ 7.7900035844033683e307."""
    value = scaled_expm1mx_light(a, s, n1, n2, d)
    if value == value or not _positive(a, n1, n2, d):
        return value
    return mean_term_wide(a, n1, n2, d)


@njit(cache=_CACHE, error_model="numpy")
def mean_term_wide(a, n1, n2, d):
    """a·(r − 1 − log r), r = n1·n2/(a·d), for positive finite a, n1, n2, d (module
    docstring); +inf where it overflows.  Example: ``mean_term_wide(1.0, 1.0, 1.0, 1.0)`` = 0."""
    ma, ea = math.frexp(a)
    m1, e1 = math.frexp(n1)
    m2, e2 = math.frexp(n2)
    md, ed = math.frexp(d)
    ke = e1 + e2 - ed  # e = n1·n2/d = (m1·m2/md)·2^ke
    k = ke - ea  # r = (m1·m2/(md·ma))·2^k
    if abs(k) <= _FOLD:
        s = _p.log_ratio2(ma, md, m1, math.ldexp(m2, k))  # s = log(a·d/(n1·n2)) = −log r
    else:
        s = _p.log_ratio2(ma, md, m1, m2) - k * _LN2
    if s >= -1.0:
        x = -s
        em = _s.expm1mx_normal(x) if x >= -700.0 else -1.0 - x
        return a * em
    ep = (m1 * m2) / md
    ap = math.ldexp(ma, ea - ke)  # a·2^−ke ≤ 4 (e ≥ a·e); 0 when negligible
    return math.ldexp(ep - ap * (1.0 - s), ke)


@njit(inline="always", error_model="numpy")
def stirling_bregman_light(x, y, h):
    """B_S(x, y) (h = y − x) by the branch-free form; NaN on the pairs it does not cover
    (``wide``, docstring; also some outside the domain, which the kernel's select masks).
    (numba-inlined: nothing of its own to compile on a first use.)
    Example: ``stirling_bregman_light(20.0, 21.0, 1.0)`` ≈ 6.1483e-4."""
    lo = y if y < x else x
    hi = y if y > x else x
    wide = (lo < _SMALL) & ((hi >= _FAR) | ((x >= _SMALL) & (x >= _FAR * y)))
    value = _st.stirling_bregman(x, y, h)
    return NAN if wide else value


@njit(cache=_CACHE, error_model="numpy")
def stirling_bregman_full(x, y, h):
    """B_S(x, y) (h = y − x) for every positive finite pair: the branch-free form, or
    ``bs_any`` on the pairs it does not cover.  Example: ``stirling_bregman_full(1e14,
    5e-324, -1e14)`` ≈ 759.139."""
    value = stirling_bregman_light(x, y, h)
    if value == value or not _positive(x, y, 1.0, 1.0):
        return value
    return bs_any(x, y)


@njit(cache=_CACHE, error_model="numpy")
def bs_any(x, y):
    """B_S(x, y) for positive finite x, y (module docstring).
    Example: ``bs_any(1e14, 5e-324)`` ≈ 759.139."""
    if (x >= _SMALL) & (x < _FAR) & (y < _SMALL) & (x >= _FAR * y):
        lin = (1.0 - y / x) * (0.5 + _gr._dtail(x))
        return (_gr._s_value(y) + 0.5 * math.log(x)) - ((_gr._HALF_LOG_2PI + _gr._tail(x)) + lin)
    return _gr.bs_wide(x, y)
