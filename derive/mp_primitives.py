"""mpmath references for the kernel primitives of ``kernels/_primitives.py``: each
primitive's textbook form evaluated at mpmath's working precision (the verifier raises it to
50 digits), so that ``klforge verify`` measures the kernels against the definitions, not
against themselves.  Re-exported by ``derive/primitives.py``.

Example: ``mp_stirling_bregman(20, 21)`` ≈ 6.1483e-4 (at ``mpmath.workdps(50)``).
"""

from __future__ import annotations

import mpmath


def mp_log1pmx(x):
    x = mpmath.mpf(x)
    if x == -1:
        return mpmath.ninf
    return mpmath.log1p(x) - x


def mp_expm1mx(x):
    x = mpmath.mpf(x)
    return mpmath.expm1(x) - x


def mp_kl_div(p, q):
    p, q = mpmath.mpf(p), mpmath.mpf(q)
    if p == 0:
        return q
    if q == 0:
        return mpmath.inf
    return p * mpmath.log(p / q) - p + q


def mp_rm1mlog(t, l):
    return mpmath.mpf(t) - mpmath.mpf(l)


def mp_log_ratio(a, b):
    return mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))


def mp_lgamma_bregman(x, y):
    x, y = mpmath.mpf(x), mpmath.mpf(y)
    return mpmath.loggamma(y) - mpmath.loggamma(x) - (y - x) * mpmath.digamma(x)


def mp_stirling_bregman(x, y):
    x, y = mpmath.mpf(x), mpmath.mpf(y)
    return (mpmath.loggamma(y) - mpmath.loggamma(x) - (y - x) * mpmath.digamma(x)
            - (y * mpmath.log(y / x) - y + x))


def mp_log_ratio2(a, b, c, d):
    a, b, c, d = (mpmath.mpf(v) for v in (a, b, c, d))
    return mpmath.log(a * b / (c * d))


def mp_perspective_expm1mx(b, d, c):
    b, d, c = mpmath.mpf(b), mpmath.mpf(d), mpmath.mpf(c)
    return (b * mpmath.expm1(-d / b) + d) / c


def mp_cexpm1mx(c, x):
    c, x = mpmath.mpf(c), mpmath.mpf(x)
    return c * (mpmath.expm1(x) - x)


MPMATH_PRIMITIVES = {
    "cexpm1mx": mp_cexpm1mx,
    "perspective_expm1mx": mp_perspective_expm1mx,
    "lgamma_bregman": mp_lgamma_bregman,
    "stirling_bregman": mp_stirling_bregman,
    "log_ratio2": mp_log_ratio2,
    "rm1mlog": mp_rm1mlog,
    "log_ratio": mp_log_ratio,
    "log1pmx": mp_log1pmx,
    "expm1mx": mp_expm1mx,
    "kl_div": mp_kl_div,
    "digamma": lambda x: mpmath.digamma(mpmath.mpf(x)),
    "lgamma": lambda x: mpmath.loggamma(mpmath.mpf(x)),
}
