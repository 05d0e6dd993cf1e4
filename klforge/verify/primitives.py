"""``klforge verify``'s table of primitives: the scalar building blocks (kernels/_primitives.py)
and the branch-free SIMD forms (kernels/_simd.py) against their mpmath textbook forms, with
points on both sides of every switch.  Example: ``verify_primitives()[0].max_ulp``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from ..derive.primitives import MPMATH_PRIMITIVES
from .cases import _log_uniform
from .measure import DPS, Result, ulp_error
from .references import reference_value

#: Primitives that take the exact difference of their arguments as an extra argument.
_DIFF = {"kl_div": lambda p, q: p - q, "lgamma_bregman": lambda x, y: y - x,
         "stirling_bregman": lambda x, y: y - x}


def _near_pairs(rng, lo, hi, size):
    """(a, b) pairs: a log-uniform on [lo, hi], b = a·(1 + s) with s from 1e-14 to 1e3."""
    a = _log_uniform(rng, lo, hi, size)
    s = _log_uniform(rng, 1e-14, 1e3, size)
    b = np.where(rng.random(size) < 0.5, a * (1 + s), a / (1 + s))
    return a, b


def verify_primitives(seed=0):
    from ..kernels import _primitives as P

    rng = np.random.default_rng(seed)
    out = []
    x_small = np.concatenate([
        rng.choice([-1, 1], 400) * _log_uniform(rng, 1e-12, 1.0, 400),
        rng.uniform(-0.99, 10, 200), [-0.5, 1.0, -0.5 - 1e-16, 1.0 + 2e-16]])
    cases = {
        "log1pmx": [(x,) for x in x_small],
        "expm1mx": [(x,) for x in np.concatenate([x_small, rng.uniform(-30, 30, 100)])],
        "kl_div": [(p, p * (1 + s)) for p in _log_uniform(rng, 1e-5, 1e5, 300)
                   for s in (rng.choice([-1, 1]) * _log_uniform(rng, 1e-12, 3, 1))],
        "digamma": [(x,) for x in np.concatenate([
            _log_uniform(rng, 1e-3, 1e4, 400), 1.4616321449683622 + rng.uniform(-0.3, 0.3, 100)])],
        "lgamma": [(x,) for x in _log_uniform(rng, 1e-3, 1e4, 400)],
        "log_ratio": [(a, b) for a, b in zip(*_near_pairs(rng, 1e-300, 1e300, 400), strict=True)],
        "lgamma_bregman": [(x, y) for x, y in zip(*_near_pairs(rng, 1e-3, 1e6, 400), strict=True)],
        "stirling_bregman": [(x, y) for x, y in zip(*_near_pairs(rng, 1e-3, 1e6, 400),
                                                    strict=True)],
        "log_ratio2": [(a, b, c, a * b / c * (1 + s)) for a, b, c, s in zip(
            *(_log_uniform(rng, 1e-100, 1e100, 300) for _ in range(3)),
            rng.choice([-1, 1], 300) * _log_uniform(rng, 1e-15, 0.5, 300), strict=True)],
        "rm1mlog": [(x, y) for x, y in zip(*_near_pairs(rng, 1e-300, 1e300, 400), strict=True)],
        # z = d/b from 1e-12 to 1e12 (both sides of 700, overflowing for subnormal b); b/c
        # normal, subnormal and overflowing
        "perspective_expm1mx": [(b, d, c) for b, d, c in (
            (b, b * z, b / r) for b, z, r in zip(
                _log_uniform(rng, 1e-320, 1e280, 400), _log_uniform(rng, 1e-12, 1e12, 400),
                _log_uniform(rng, 1e-20, 1e20, 400), strict=True))
            if 0.0 < d < math.inf and 0.0 < c < math.inf][:300],
        # c·expm1mx(x): x over the normal range and past 709, where e^x alone overflows
        # (c = ½ is kl_normal_std's; c·e^x finite up to x = 709.78 − log c)
        "cexpm1mx": [(c, x) for c, x in zip(
            np.concatenate([np.full(150, 0.5), _log_uniform(rng, 1e-3, 1.0, 150)]),
            np.concatenate([rng.uniform(-30, 30, 100), rng.uniform(700, 709.78, 100),
                            rng.uniform(709.0, 710.47, 100)]), strict=True)
            if x + math.log(c) < 709.78],
    }
    # The branch-free SIMD forms (kernels/_simd.py) on their normal domain, with points
    # on both sides of every switch (p/q = 1/2 and 2; |x| = 1; the exponent rounding).
    switch = np.array([0.5, 2.0])
    around = np.concatenate([switch * (1 + k * 2.0**-52) for k in (-2, -1, 0, 1, 2)])
    simd_cases = {
        "kl_div_normal": [c for c in cases["kl_div"] if c[1] > 0]
                         + [(q * r, q) for q in _log_uniform(rng, 1e-300, 1e300, 20)
                            for r in around]
                         + list(zip(_log_uniform(rng, 1e-300, 1e300, 100),
                                    _log_uniform(rng, 1e-300, 1e300, 100), strict=True)),
        "log_ratio_normal": cases["log_ratio"]
                            + [(q * r, q) for q in _log_uniform(rng, 1e-300, 1e300, 20)
                               for r in around],
        "log1pmx_normal": [(x,) for x in np.concatenate([
            rng.choice([-1, 1], 300) * _log_uniform(rng, 1e-12, 0.5, 300),
            rng.uniform(-0.5, 1.0, 100), [-0.5, 1.0]])],
        "exp_normal": [(x,) for x in np.concatenate([
            rng.uniform(-708, 709, 300),
            rng.choice([-1, 1], 100) * _log_uniform(rng, 1e-12, 1, 100),
            (np.arange(-20, 21) + 0.5) * math.log(2) * (1 + 1e-15)])],
        "expm1mx_normal": [(x,) for x in np.concatenate([
            rng.choice([-1, 1], 300) * _log_uniform(rng, 1e-12, 700, 300),
            [s_ * (1 + k * 2.0**-52) for s_ in (-1.0, 1.0) for k in (-2, -1, 0, 1, 2)],
            (np.arange(-20, 21) + 0.5) * math.log(2) * (1 + 1e-15)])],
    }
    simd_refs = {"kl_div_normal": MPMATH_PRIMITIVES["kl_div"],
                 "log_ratio_normal": MPMATH_PRIMITIVES["log_ratio"],
                 "log1pmx_normal": MPMATH_PRIMITIVES["log1pmx"],
                 "exp_normal": lambda x: mpmath.exp(mpmath.mpf(x)),
                 "expm1mx_normal": MPMATH_PRIMITIVES["expm1mx"]}
    from ..kernels import _simd as S

    jobs = [(name, getattr(P, name), MPMATH_PRIMITIVES[name], pts) for name, pts in cases.items()]
    jobs += [(f"simd.{name}", getattr(S, name), simd_refs[name], pts)
             for name, pts in simd_cases.items()]
    for name, fn, ref, pts in jobs:
        errs = []
        worst, we = "", -1
        for args in pts:
            with mpmath.workdps(2 * DPS):
                if name == "rm1mlog":
                    # r = b/a given as its two accurate pieces t = r − 1 and l = log r.
                    a, b = (mpmath.mpf(float(v)) for v in args)
                    t, l = (b - a) / a, mpmath.log(b / a)
                    y, r = fn(float(t), float(l)), t - l
                    args = (float(t), float(l))
                else:
                    args = tuple(float(a) for a in args)
                    y = fn(*args, _DIFF[name](*args)) if name in _DIFF else fn(*args)
                    r = reference_value(ref, *args)
            e = ulp_error(y, r, np.float64)
            errs.append(e)
            if e > we:
                we, worst = e, (f"inputs={list(map(float, args))} kernel={y!r} "
                                f"mpmath={mpmath.nstr(r, 20)}")
        out.append(Result(name, "float64", max(errs), float(np.mean(errs)), len(errs), worst))
    return out
