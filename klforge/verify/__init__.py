"""``klforge verify``: every kernel against an mpmath reference at 50 digits, in ULPs.

References are evaluated from the *textbook* closed forms (the derivations' ``closed_form``
or the defining sums), never from the stable rewrite.  Inputs (SciPy ``_mptestutils``
style): magnitudes spread log-uniformly over many decades, near-equal p/q pairs with
relative separation 10⁻¹ … 10⁻¹², values near the ends of each domain.  The error of a
result y against reference r is |y − r| / spacing(|r|) in the output dtype.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp

from .._io import build_dir, write_atomic
from ..derive.core import StableForm, by_kernel
from ..derive.primitives import MPMATH_PRIMITIVES, textbook
from ..emit import DEFAULT_OUT

DPS = 50
SEPARATIONS = [10.0**-k for k in range(1, 13)]

#: Max-ULP bars from the issue; kernels not listed record their measured bound.
BARS = {k: 8 for k in ("kl_normal", "kl_normal_std", "kl_categorical", "kl_logits",
                       "cross_entropy", "entropy", "kl_bernoulli", "kl_poisson",
                       "kl_exponential")}
BARS["kl_mvn"] = 16
BARS["eg_step"] = 8  # every element of the returned row

#: Kernels without a bar from the issue: the bound we state, and why (published beside the
#: measured table).  "scale" is the sum of the magnitudes of the stable form's pieces.
BOUNDS = {  # kernel: (k in "≤ k eps·scale", why)
    "kl_gamma": (8, "α_p·rm1mlog + (α_p − α_q)·log r + B_lnΓ, the middle term has "
                    "either sign, so the relative error grows with the Fisher matrix's condition "
                    "in the direction of p − q (measured max below)."),
    "kl_beta": (8, "B(α) + B(β) − B(α+β); the subtraction loses ~log10(min(α, β)) "
                   "digits when α and β are large and move in proportion."),
    "kl_dirichlet": (8, "Σ B(α_i) − B(Σα), as kl_beta."),
    "expected_loglik_normal": (4, "a sum of −w²/2s², −σ²/2s², −log s²/2, −log 2π/2; "
                                  "cancels only where the log term offsets the quadratic ones."),
    "elbo_normal": (4, "expected_loglik_normal minus kl_normal_std's pieces."),
    "kl_regularized_policy": (8, "π*: scale π*_i (a relative bound); V = β·log E_ref[exp(r/β)]: "
                                 "scale β·E_ref|expm1(r/β)| + |V|, the size of the terms whose "
                                 "mean is taken (V → E_ref[r] cancels when rewards have mixed "
                                 "signs)."),
    "natgrad_normal_step": (4, "μ − lr·σ²·g_μ and log σ − lr·g_logσ/2: one subtraction each, "
                               "which cancels where the step nearly undoes the parameter "
                               "(scale per output)."),
    "log_evidence_normal": (4, "−x²/(2(1 + s²)) − log(2π(1 + s²))/2, which "
                               "cancel only near the zero of log p(x)."),
}


def bound_text(kernel: str) -> str | None:
    """The stated bound of a kernel without a bar, as published in the manifest."""
    if kernel not in BOUNDS:
        return None
    factor, why = BOUNDS[kernel]
    return f"≤ {factor} eps·scale: {why}"


#: Bars not met yet, with the reason; reported in the table and the manifest, never hidden.
KNOWN_MISSES: dict[tuple[str, str], str] = {}

#: Stated bars (max ULP, float64) for the scalar primitives.  Bars, not one machine's
#: measurement: LLVM's code for the same source differs between CPUs (AVX2, AVX-512,
#: generic), so a primitive measured at 3.2 ULP on one reads 4.05 on another.
#: lgamma_bregman is lnΓ(y) − lnΓ(x) − ψ(x)(y − x) from a Taylor series in y − x whose
#: terms carry ψ's own error; digamma has a root near 1.4616 where only an absolute bound
#: holds, so its relative error reaches ~17 ULP at the root's edge.
PRIMITIVE_BARS = {"log1pmx": 4, "expm1mx": 4, "kl_div": 4, "lgamma": 4, "log_ratio": 4,
                  "rm1mlog": 4, "lgamma_bregman": 8, "digamma": 32}


@dataclass
class Result:
    kernel: str
    dtype: str
    max_ulp: float
    mean_ulp: float
    points: int
    worst: str
    #: for kernels with a stated bound: max |y − r| / (eps · scale), scale = Σ |pieces|
    max_scaled: float | None = None

    def row(self) -> str:
        bar = BARS.get(self.kernel)
        ok = "" if bar is None else ("ok" if self.max_ulp <= bar else f"FAIL (bar {bar})")
        if ok.startswith("FAIL") and (self.kernel, self.dtype) in KNOWN_MISSES:
            ok = f"known miss (bar {bar})"
        if self.max_scaled is not None:
            factor = BOUNDS[self.kernel][0]
            ok = (f"{self.max_scaled:.3g} eps·scale "
                  + ("ok" if self.max_scaled <= factor else f"FAIL (bound {factor})"))
        return (f"{self.kernel:<24}{self.dtype:<9}{self.max_ulp:>12.3g}{self.mean_ulp:>12.3g}"
                f"{self.points:>8}  {ok}")


def ulp_error(y, ref: mpmath.mpf, dtype) -> float:
    y = float(y)
    if mpmath.isnan(ref):
        return 0.0 if math.isnan(y) else math.inf
    if mpmath.isinf(ref):
        return 0.0 if y == float(ref) else math.inf
    if isinstance(ref, mpmath.mpc):
        ref = mpmath.re(ref) if mpmath.im(ref) == 0 else mpmath.nan
        if mpmath.isnan(ref):
            return 0.0 if math.isnan(y) else math.inf
    r = float(ref)  # rounds to nearest double
    with np.errstate(over="ignore"):
        r_typed = dtype(r)
    if np.isinf(r_typed):
        return 0.0 if np.isinf(y) and np.sign(y) == np.sign(r) else math.inf
    if math.isnan(y) or math.isinf(y):
        return math.inf
    spacing = float(np.spacing(np.abs(r_typed)))
    return float(abs(mpmath.mpf(y) - ref) / spacing)


# --- input generators ----------------------------------------------------------------------


def _log_uniform(rng, lo, hi, size):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def _domain_sample(rng, domain, size, name=""):
    if domain == "real":
        return rng.choice([-1.0, 1.0], size) * _log_uniform(rng, 1e-3, 1e3, size)
    if domain in ("unit_interval", "open_unit_interval"):
        x = _log_uniform(rng, 1e-12, 0.5, size)
        return np.where(rng.random(size) < 0.5, x, 1.0 - x)
    if "shape" in name or "alpha" in name or "beta" in name:
        return _log_uniform(rng, 1e-2, 1e3, size)
    return _log_uniform(rng, 1e-3, 1e3, size)


def _nearby(rng, x, domain, sep):
    u = rng.uniform(-1, 1, x.shape)
    if domain == "real":
        return x + sep * u * np.maximum(np.abs(x), 1.0)
    y = x * (1 + sep * u)
    if domain in ("unit_interval", "open_unit_interval"):
        y = np.clip(y, 1e-300, 1 - 1e-16)
    return y


def scalar_inputs(d, rng, n_random=600, n_near=40):
    """Columns of inputs: random points, and near-equal p/q pairs at every separation."""
    params = d.params
    cols = [_domain_sample(rng, p.domain, n_random, p.name) for p in params]
    pairs = _pairs(params)
    if pairs:
        for sep in SEPARATIONS:
            base = [_domain_sample(rng, p.domain, n_near, p.name) for p in params]
            for i, j in pairs:
                base[j] = _nearby(rng, base[i], params[i].domain, sep)
            cols = [np.concatenate([c, b]) for c, b in zip(cols, base, strict=True)]
    return cols


def _pairs(params):
    names = [p.name for p in params]
    out = []
    for i, n in enumerate(names):
        for suffix_p, suffix_q in (("_p", "_q"), ("p", "q")):
            if n.endswith(suffix_p):
                other = n[: -len(suffix_p)] + suffix_q
                if other in names:
                    out.append((i, names.index(other)))
    return out


MAX_DPS = 1600


def reference_value(f, *args):
    """f(*args) in mpmath at DPS digits, doubled until two precisions agree to 25 digits.

    Textbook forms cancel catastrophically near p = q (that is why the kernels exist), so a
    fixed 50 digits is not always enough for the *reference*: e.g. the second Bernoulli term
    at p ≈ q ≈ 5e-12 keeps only 13 of 50 digits.  Raises if MAX_DPS digits do not settle.
    """
    def at(dps):
        with mpmath.workdps(dps):
            try:
                v = f(*args)
            except (ValueError, ZeroDivisionError, OverflowError):
                return mpmath.nan
            if isinstance(v, mpmath.mpc):
                v = mpmath.re(v) if mpmath.im(v) == 0 else mpmath.nan
            return +v

    dps, prev = DPS, at(DPS)
    while True:
        cur = at(2 * dps)
        if not mpmath.isfinite(cur) or not mpmath.isfinite(prev):
            return cur
        if abs(cur - prev) <= abs(cur) * mpmath.mpf(10) ** -25 or cur == prev:
            return cur
        if abs(cur) < mpmath.mpf(10) ** -(3 * dps // 2) and abs(prev) < mpmath.mpf(10) ** -(dps // 2):
            return mpmath.mpf(0)  # rounding noise of an exact zero (e.g. KL(p, p))
        dps *= 2
        if dps > MAX_DPS:
            raise ArithmeticError(f"reference did not settle at {MAX_DPS} digits for {args}")
        prev = cur


def scalar_reference(d):
    syms = [p.symbol for p in d.params]
    expr = d.closed_form
    f = sp.lambdify(syms, expr, modules=["mpmath"])

    def ref(*args):
        return f(*[mpmath.mpf(float(a)) for a in args])

    return ref


# --- vector references (textbook forms) ------------------------------------------------------


def _mp_normalised(x):
    """x/Σx at the current mpmath precision (the kernels renormalise rows)."""
    x = [mpmath.mpf(float(v)) for v in x]
    total = mpmath.fsum(x)
    return [v / total for v in x], total


def _mp_support_sum(p, q, term):
    """Σ term(p̂_i, q̂_i) over p̂_i > 0 for the renormalised rows p̂ = p/Σp, q̂ = q/Σq;
    +inf if some q_i = 0 < p_i; NaN for a zero total."""
    (p, tp), (q, tq) = _mp_normalised(p), _mp_normalised(q)
    if tp == 0 or tq == 0:
        return mpmath.nan
    s = mpmath.mpf(0)
    for a, b in zip(p, q, strict=True):
        if a == 0:
            continue
        if b == 0:
            return mpmath.inf
        s += term(a, b)
    return s


def mp_kl_categorical(p, q):
    """KL(p̂ ‖ q̂) = Σ p̂_i log(p̂_i/q̂_i), textbook form on the renormalised rows."""
    return _mp_support_sum(p, q, lambda a, b: a * mpmath.log(a / b))


def mp_cross_entropy(p, q):
    """H(p̂, q̂) = −Σ p̂_i log q̂_i."""
    return _mp_support_sum(p, q, lambda a, b: -a * mpmath.log(b))


def mp_entropy(p):
    """H(p̂) = −Σ p̂_i log p̂_i."""
    return mp_cross_entropy(p, p)


def mp_kl_logits(a, b):
    """Σ softmax(a)_i (log softmax(a)_i − log softmax(b)_i), textbook form.

    Σ exp(a_i) drops terms e^{−spread} below the largest, and both precisions that
    `reference_value` compares drop them alike, so the working precision is first raised by
    the logits' spread in decimal digits: precision doubling alone would not notice.
    """
    a = [mpmath.mpf(float(x)) for x in a]
    b = [mpmath.mpf(float(x)) for x in b]
    spread = max(max(a) - min(a), max(b) - min(b)) if mpmath.isfinite(sum(a + b)) else 0
    extra = int(min(spread, 10**5) / 2.3) + 10
    with mpmath.extradps(extra):
        la, lb = mpmath.log(mpmath.fsum(mpmath.exp(x) for x in a)), mpmath.log(
            mpmath.fsum(mpmath.exp(x) for x in b))
        r = mpmath.fsum(mpmath.exp(x - la) * ((x - la) - (y - lb)) for x, y in zip(a, b, strict=True))
    return +r


def mp_kl_dirichlet(ap, aq):
    ap = [mpmath.mpf(float(x)) for x in ap]
    aq = [mpmath.mpf(float(x)) for x in aq]
    sp_, sq = mpmath.fsum(ap), mpmath.fsum(aq)
    return (mpmath.loggamma(sp_) - mpmath.fsum(mpmath.loggamma(x) for x in ap)
            - mpmath.loggamma(sq) + mpmath.fsum(mpmath.loggamma(x) for x in aq)
            + mpmath.fsum((x - y) * (mpmath.digamma(x) - mpmath.digamma(sp_))
                          for x, y in zip(ap, aq, strict=True)))


def _mp_lower(m, n):
    return [[mpmath.mpf(float(m[i][j])) if j <= i else mpmath.mpf(0) for j in range(n)]
            for i in range(n)]


def _mp_forward(L, b):
    """L⁻¹ b for a lower-triangular L (lists of mpf), by forward substitution."""
    x = []
    for i in range(len(b)):
        x.append((b[i] - mpmath.fsum(L[i][k] * x[k] for k in range(i))) / L[i][i])
    return x


def mp_kl_mvn(mu_p, lp, mu_q, lq):
    """½[tr(Σ_q⁻¹Σ_p) + δᵀΣ_q⁻¹δ − n + log det Σ_q − log det Σ_p], textbook form, with Σ_q⁻¹
    applied through the factor: tr(Σ_q⁻¹Σ_p) = ‖L_q⁻¹L_p‖²_F, δᵀΣ_q⁻¹δ = ‖L_q⁻¹δ‖²,
    log det Σ = 2 Σ log L_ii (lower triangles read, as the kernel).  O(n³/6) operations, so
    n = 64 stays cheap; ``mp_kl_mvn_dense`` is the same with full matrices (tests compare)."""
    n = len(mu_p)
    lp, lq = _mp_lower(lp, n), _mp_lower(lq, n)
    if any(lp[i][i] <= 0 or lq[i][i] <= 0 for i in range(n)) or n == 0:
        return mpmath.nan
    tr = mpmath.mpf(0)
    for j in range(n):
        col = _mp_forward(lq, [lp[i][j] for i in range(n)])
        tr += mpmath.fsum(x * x for x in col)
    w = _mp_forward(lq, [mpmath.mpf(float(mu_q[i])) - mpmath.mpf(float(mu_p[i]))
                         for i in range(n)])
    logdet = 2 * mpmath.fsum(mpmath.log(lq[i][i]) - mpmath.log(lp[i][i]) for i in range(n))
    return (tr + mpmath.fsum(x * x for x in w) - n + logdet) / 2


def mp_kl_mvn_dense(mu_p, lp, mu_q, lq):
    """The textbook form with full matrices: Σ = L Lᵀ, Σ_q⁻¹ and determinants by mpmath."""
    n = len(mu_p)
    to = lambda m: mpmath.matrix(_mp_lower(m, n))
    lp, lq = to(lp), to(lq)
    sp_, sq = lp * lp.T, lq * lq.T
    sqi = sq ** -1
    delta = mpmath.matrix([mpmath.mpf(float(mu_q[i])) - mpmath.mpf(float(mu_p[i]))
                           for i in range(n)])
    tr = sum((sqi * sp_)[i, i] for i in range(n))
    quad = (delta.T * sqi * delta)[0]
    return (tr + quad - n + mpmath.log(mpmath.det(sq)) - mpmath.log(mpmath.det(sp_))) / 2


# --- multi-output kernels: references return one mpf per output element ------------------


def mp_eg_step(p, g, lr):
    """p_i·exp(−lr·g_i) / Σ_j p_j·exp(−lr·g_j)."""
    lr = mpmath.mpf(float(lr))
    w = [mpmath.mpf(float(a)) * mpmath.exp(-lr * mpmath.mpf(float(b))) for a, b in zip(p, g, strict=True)]
    z = mpmath.fsum(w)
    return [x / z for x in w]


def mp_policy(logits, reward, beta):
    """(π*, V): π*_i = π_ref,i·exp(r_i/β)/Z, V = β·log Z, Z = Σ π_ref,i·exp(r_i/β),
    π_ref = softmax(logits); −inf logits are masked."""
    beta = mpmath.mpf(float(beta))
    l = [mpmath.mpf(float(x)) for x in logits]
    m = max(l)
    u = [mpmath.exp(x - m) for x in l]
    ref = [x / mpmath.fsum(u) for x in u]
    w = [a * mpmath.exp(mpmath.mpf(float(r)) / beta) for a, r in zip(ref, reward, strict=True)]
    z = mpmath.fsum(w)
    return [x / z for x in w] + [beta * mpmath.log(z)]


def _simplex(rng, n, lo=1e-8):
    x = _log_uniform(rng, lo, 1.0, n)
    return x / x.sum()


def _unnormalise(rng, i, p):
    """Every third row as users pass them: counts, a row scaled by 10^±100, or a total off 1."""
    kind = i % 6
    if kind == 1:
        return np.floor(p * 1000.0) + rng.integers(0, 2, p.shape)  # counts (zeros included)
    if kind == 3:
        return p * 10.0 ** rng.uniform(-100, 100)
    if kind == 5:
        return p * (1 + rng.choice([-1, 1]) * _log_uniform(rng, 1e-9, 0.5, 1)[0])
    return p


def _mvn_case(rng, i, sep):
    """Factors for kl_mvn over its whole domain: n up to 64, diagonals spread over up to
    10^±4 (ill-conditioned), off-diagonals up to 10× the diagonal scale, and the scale of p
    against q from 10^-150 to 10^150; every other case near p = q at separation ``sep``."""
    m = int(rng.integers(1, 17)) if i % 5 else int(rng.integers(17, 65))
    spread = rng.choice([0.5, 2.0, 4.0]) if i % 3 == 0 else 0.5

    def chol():
        L = np.tril(rng.normal(size=(m, m))) * rng.choice([0.3, 1.0, 10.0])
        L[np.diag_indices(m)] = 10.0 ** rng.uniform(-spread, spread, m)
        return L
    lp, mp_ = chol(), rng.normal(size=m)
    if sep is None:
        lq, mq = chol(), rng.normal(size=m)
        ratio = 10.0 ** rng.uniform(-150, 150) if i % 4 == 0 else 1.0
        lp = lp * ratio
    else:
        lq = lp * (1 + sep * rng.uniform(-1, 1, (m, m)))
        mq = mp_ + sep * rng.uniform(-1, 1, m)
    return mp_, lp, mq, lq


def vector_cases(kernel, rng, count):
    """(inputs tuple, (reference, args)) pairs for a row kernel; the reference returns one
    mpf, or a list of them for the kernels with vector outputs."""
    cases = []
    for i in range(count):
        n = int(rng.integers(2, 65))
        if i % 16 == 15:  # long rows: whole 256-element blocks of the vectorised fast paths
            n = int(rng.integers(257, 1200))
        sep = SEPARATIONS[i % len(SEPARATIONS)] if i % 2 else None
        if kernel in ("kl_categorical", "cross_entropy", "entropy"):
            p = _simplex(rng, n)
            q = _simplex(rng, n) if sep is None else p * (1 + sep * rng.uniform(-1, 1, n))
            p = _unnormalise(rng, i, p)
            q = _unnormalise(rng, i + 2 * (i % 2), q)
            if kernel == "entropy":
                cases.append(((p,), (mp_entropy, (p,))))
            else:
                f = mp_kl_categorical if kernel == "kl_categorical" else mp_cross_entropy
                cases.append(((p, q), (f, (p, q))))
        elif kernel == "kl_logits":
            scale = _log_uniform(rng, 1e-2, 3e2, 1)[0]
            a = rng.normal(size=n) * scale
            b = rng.normal(size=n) * scale if sep is None else a + sep * rng.uniform(-1, 1, n)
            if i % 8 == 2:  # shift invariance: b = a + c + tiny noise, large c
                b = a + rng.uniform(-1e3, 1e3) + _log_uniform(rng, 1e-13, 1e-3, 1) * rng.normal(size=n)
            elif i % 8 == 4:  # one logit moved, the rest identical (tiny KL if it is in the tail)
                b = a.copy()
                b[rng.integers(n)] += _log_uniform(rng, 1e-8, 10.0, 1)[0]
            elif i % 8 == 6:  # relative perturbation of large logits
                b = a * (1 + _log_uniform(rng, 1e-12, 1e-1, 1) * rng.normal(size=n))
            cases.append(((a, b), (mp_kl_logits, (a, b))))
        elif kernel == "kl_dirichlet":
            ap = _log_uniform(rng, 1e-2, 1e2, n)
            aq = _log_uniform(rng, 1e-2, 1e2, n) if sep is None else ap * (
                1 + sep * rng.uniform(-1, 1, n))
            cases.append(((ap, aq), (mp_kl_dirichlet, (ap, aq))))
        elif kernel == "kl_mvn":
            args = _mvn_case(rng, i, sep)
            cases.append((args, (mp_kl_mvn, args)))
        elif kernel == "eg_step":
            m = min(n, 24)
            p = _unnormalise(rng, i, _simplex(rng, m))
            if i % 4 == 1:
                p[rng.integers(m)] = 0.0
            g = rng.normal(size=m) * _log_uniform(rng, 1e-2, 1e2, 1)[0]
            lr = _log_uniform(rng, 1e-3, 10.0, 1)[0]
            cases.append(((p, g, lr), (mp_eg_step, (p, g, lr))))
        elif kernel == "kl_regularized_policy":
            m = min(n, 24)
            logits = rng.normal(size=m) * _log_uniform(rng, 1e-2, 30.0, 1)[0]
            if i % 4 == 1:
                logits[rng.integers(m)] = -np.inf
            reward = rng.normal(size=m) * _log_uniform(rng, 1e-3, 1e2, 1)[0]
            beta = _log_uniform(rng, 1e-2, 1e2, 1)[0]
            cases.append(((logits, reward, beta), (mp_policy, (logits, reward, beta))))
    for a, b in HARD_VECTOR_POINTS.get(kernel, ()):
        a, b = np.array(a), np.array(b)
        cases.append(((a, b), (mp_kl_logits, (a, b))))
    return cases


#: Hand-picked hard points (SciPy-harness style): tail weights that underflow while their
#: e_i is large, results near the subnormal range, the log-sum-exp switch from both sides,
#: a shift by a large constant.
HARD_VECTOR_POINTS = {
    "kl_logits": [
        ([0.0, -800.0], [0.0, -100.0]), ([0.0, -800.0], [0.0, -800.0 + 1e-3]),
        ([0.0, -750.0, -3.0], [0.0, -10.0, -3.0]), ([0.0, -1000.0], [-1000.0, 0.0]),
        ([0.0, -720.0], [0.0, -719.0]), ([5.0, -2000.0, 1.0], [5.0, -1300.0, 1.0 + 1e-9]),
        ([0.0, -705.0], [-0.5, -10.0]), ([0.0, -300.0], [0.0, 399.0]),
        ([0.0, -300.0], [0.0, 401.0]), ([0.0, -10.0], [0.0, 595.0]), ([0.0, -10.0], [0.0, 605.0]),
        ([1e3, 1e3 - 1e-6, 999.0], [-5e2, -5e2, -5e2 - 1.0 + 1e-12]),
    ],
}


VECTOR_KERNELS = ("kl_categorical", "cross_entropy", "entropy", "kl_logits", "kl_dirichlet",
                  "kl_mvn", "eg_step", "kl_regularized_policy")
VECTOR_COUNTS = {"kl_mvn": 160, "eg_step": 200, "kl_regularized_policy": 200}


def reference_vector(f, *args):
    """Like :func:`reference_value` for a reference returning a list (one mpf per output
    element): each element's precision is doubled until it settles."""
    with mpmath.workdps(DPS):
        count = len(f(*args))
    return [reference_value(lambda *a, k=k: f(*a)[k], *args) for k in range(count)]


def natgrad_reference(d):
    """The derivation's closed form (a 2-vector: μ and log σ after the step), in mpmath, with
    the scale Σ|terms| of each component for the stated eps·scale bound."""
    syms = [p.symbol for p in d.params]
    comps = list(d.closed_form)
    fs = [sp.lambdify(syms, e, modules=["mpmath"]) for e in comps]
    pieces = [[sp.lambdify(syms, t, modules=["mpmath"]) for t in sp.Add.make_args(e)]
              for e in comps]

    def ref(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        return [f(*xs) for f in fs]

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        with mpmath.workdps(DPS):
            return [mpmath.fsum(abs(g(*xs)) for g in ps) for ps in pieces]
    return ref, scale


def policy_scale(logits, reward, beta):
    """Per output of kl_regularized_policy, the scale of its stated bound (see BOUNDS)."""
    with mpmath.workdps(DPS):
        out = mp_policy(logits, reward, beta)
        b = mpmath.mpf(float(beta))
        l = [mpmath.mpf(float(x)) for x in logits]
        u = [mpmath.exp(x - max(l)) for x in l]
        terms = mpmath.fsum(w * abs(mpmath.expm1(mpmath.mpf(float(r)) / b))
                            for w, r in zip(u, reward, strict=True)) / mpmath.fsum(u)
        return [abs(x) for x in out[:-1]] + [b * terms + abs(out[-1])]


def _outputs(y):
    """The kernel's outputs as one flat list of floats."""
    parts = y if isinstance(y, tuple) else (y,)
    return [float(v) for part in parts for v in np.ravel(part)]


def verify_kernel(kernel, d, dtypes=(np.float64, np.float32), seed=0, quick=False):
    from .. import kernels as K

    fn = getattr(K, kernel)
    rng = np.random.default_rng(seed)
    results = []
    multi = kernel in MULTI_OUTPUT
    vector_scale = None
    if kernel in VECTOR_KERNELS:
        cases = vector_cases(kernel, rng, (24 if quick else VECTOR_COUNTS.get(kernel, 400)))
        if kernel == "kl_regularized_policy":
            vector_scale = policy_scale
    else:
        cols = scalar_inputs(d, rng, *((100, 6) if quick else (600, 40)))
        if kernel == "natgrad_normal_step":
            ref, vector_scale = natgrad_reference(d)
            cols[1] = rng.uniform(-20.0, 20.0, cols[1].shape)  # log σ: σ² within range
        else:
            ref = scalar_reference(d)
        cases = [(tuple(c[i] for c in cols), (ref, tuple(c[i] for c in cols)))
                 for i in range(len(cols[0]))]
    scale = scale_reference(kernel, d) if kernel in BOUNDS and vector_scale is None else None
    for dtype in dtypes:
        errs, worst, worst_err, scaled = [], "", -1.0, []
        eps = float(np.finfo(dtype).eps)
        for inputs, (ref, _) in cases:
            with np.errstate(all="ignore"):  # overflow to ±inf is measured, not warned about
                typed = tuple(np.asarray(x, dtype=dtype) for x in inputs)
                y = fn(*typed)
            ys = _outputs(y)
            rs = reference_vector(ref, *typed) if multi else [reference_value(ref, *typed)]
            es = [ulp_error(a, r, dtype) for a, r in zip(ys, rs, strict=True)]
            keep = [e for e, r in zip(es, rs, strict=True)
                    if math.isfinite(e) or mpmath.isfinite(r)]
            if not keep:
                continue  # reference outside the domain the kernel covers (e.g. overflow)
            e = max(keep)
            errs.append(e)
            if vector_scale is not None:
                scs = vector_scale(*typed)
                tiny = float(np.finfo(dtype).tiny)  # below it, spacing stops shrinking
                scaled.append(max(float(abs(mpmath.mpf(a) - r) / (eps * max(sc, tiny)))
                                  if math.isfinite(a) else math.inf
                                  for a, r, sc in zip(ys, rs, scs, strict=True)))
            elif scale is not None and math.isfinite(e) and math.isfinite(ys[0]):
                sc = scale(*typed)
                scaled.append(0.0 if sc == 0 else float(abs(mpmath.mpf(ys[0]) - rs[0]) / (eps * sc)))
            if e > worst_err:
                worst_err = e
                worst = (f"inputs={[np.asarray(t).tolist() for t in typed][:4]} "
                         f"kernel={ys[:4]!r} mpmath={[mpmath.nstr(r, 20) for r in rs[:4]]}")[:600]
        results.append(Result(kernel, np.dtype(dtype).name, max(errs), float(np.mean(errs)),
                              len(errs), worst, max(scaled) if scaled else None))
    return results


#: kernels with more than one output value per call
MULTI_OUTPUT = ("eg_step", "kl_regularized_policy", "natgrad_normal_step")


def scale_reference(kernel, d):
    """Σ |piece| over the stable form's top-level terms (textbook values, mpmath): the scale
    against which kernels with a stated bound are measured."""
    if kernel == "kl_dirichlet":
        def breg(x, y):
            return mpmath.loggamma(y) - mpmath.loggamma(x) - (y - x) * mpmath.digamma(x)

        def f(ap, aq):
            ap = [mpmath.mpf(float(v)) for v in ap]
            aq = [mpmath.mpf(float(v)) for v in aq]
            return (mpmath.fsum(abs(breg(x, y)) for x, y in zip(ap, aq, strict=True))
                    + abs(breg(mpmath.fsum(ap), mpmath.fsum(aq))))
        return lambda *args: reference_value(f, *args)
    syms = [p.symbol for p in d.params]
    pieces = []
    for term in sp.Add.make_args(d.stable_form.result):
        expr = StableForm(d.stable_form.bindings, term).inline()
        pieces.append(sp.lambdify(syms, textbook(expr), modules=["mpmath"]))

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        return mpmath.fsum(abs(reference_value(g, *xs)) for g in pieces)
    return scale


#: Primitives that take the exact difference of their arguments as an extra argument.
_DIFF = {"kl_div": lambda p, q: p - q, "lgamma_bregman": lambda x, y: y - x}


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
        "digamma": [(x,) for x in np.concatenate([_log_uniform(rng, 1e-3, 1e4, 400),
                                                    1.4616321449683622 + rng.uniform(-0.3, 0.3, 100)])],
        "lgamma": [(x,) for x in _log_uniform(rng, 1e-3, 1e4, 400)],
        "log_ratio": [(a, b) for a, b in zip(*_near_pairs(rng, 1e-300, 1e300, 400), strict=True)],
        "lgamma_bregman": [(x, y) for x, y in zip(*_near_pairs(rng, 1e-3, 1e6, 400), strict=True)],
        "rm1mlog": [(x, y) for x, y in zip(*_near_pairs(rng, 1e-300, 1e300, 400), strict=True)],
    }
    # The branch-free SIMD forms (kernels/_simd.py) on their normal domain, with points
    # on both sides of every switch (p/q = 1/2 and 2; |x| = 1; the exponent rounding).
    switch = np.array([0.5, 2.0])
    around = np.concatenate([switch * (1 + k * 2.0**-52) for k in (-2, -1, 0, 1, 2)])
    simd_cases = {
        "kl_div_normal": [c for c in cases["kl_div"] if c[1] > 0] + [(q * r, q) for q in _log_uniform(rng, 1e-300, 1e300, 20)
                                            for r in around]
                         + [(p, q) for p, q in zip(_log_uniform(rng, 1e-300, 1e300, 100),
                                                    _log_uniform(rng, 1e-300, 1e300, 100), strict=True)],
        "log_ratio_normal": cases["log_ratio"] + [(q * r, q) for q in _log_uniform(rng, 1e-300, 1e300, 20)
                                                  for r in around],
        "log1pmx_normal": [(x,) for x in np.concatenate([
            rng.choice([-1, 1], 300) * _log_uniform(rng, 1e-12, 0.5, 300),
            rng.uniform(-0.5, 1.0, 100), [-0.5, 1.0]])],
        "exp_normal": [(x,) for x in np.concatenate([
            rng.uniform(-708, 709, 300), rng.choice([-1, 1], 100) * _log_uniform(rng, 1e-12, 1, 100),
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
                we, worst = e, f"inputs={list(map(float, args))} kernel={y!r} mpmath={mpmath.nstr(r, 20)}"
        out.append(Result(name, "float64", max(errs), float(np.mean(errs)), len(errs), worst))
    return out


def machine() -> dict:
    """What the measurement ran on: CPU model and vector extensions, the CPU LLVM compiled
    for, and the numba/llvmlite/LLVM/NumPy versions (ULPs of the same source differ
    between AVX2, AVX-512 and generic code)."""
    import platform

    import llvmlite
    import llvmlite.binding as llvm
    import numba

    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() in ("flags", "Features"):
                    flags = set(value.split())
                if model and flags:
                    break
    except OSError:
        pass
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl", "neon", "asimd")
    return {
        "cpu": model,
        "cpu_flags": [f for f in wanted if f in flags],
        "llvm_target_cpu": os.environ.get("NUMBA_CPU_NAME") or llvm.get_host_cpu_name(),
        "numba": numba.__version__,
        "llvmlite": llvmlite.__version__,
        "llvm": ".".join(map(str, llvm.llvm_version_info)),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def manifest_path(committed: bool = False) -> Path:
    """Where ``run`` writes: the build directory (default), or the committed
    ``kernels/manifest.json`` when asked (``klforge verify --write-manifest``)."""
    return DEFAULT_OUT / "manifest.json" if committed else build_dir() / "manifest.json"


def run(select=None, quick=False, write=True, progress=print, write_manifest=False):
    """Measure the selected kernels (default: all, then the primitives) and, for a full run,
    write the manifest to :func:`manifest_path` — the build directory unless
    ``write_manifest``.  Only the selected kernels are compiled.  Returns (results,
    primitive results, failures)."""
    derivs = by_kernel()
    unknown = sorted(set(select or ()) - set(derivs))
    if unknown:
        raise KeyError(f"unknown kernel(s) {', '.join(map(repr, unknown))}")
    results = []
    for k in sorted(select or derivs):
        res = verify_kernel(k, derivs[k], quick=quick)
        for r in res:
            progress(r.row())
        results += res
    prims = [] if select else verify_primitives()
    for r in prims:
        progress(r.row())
    misses = [r for r in results if r.kernel in BARS and r.max_ulp > BARS[r.kernel]]
    failures = [r for r in misses if (r.kernel, r.dtype) not in KNOWN_MISSES] + [
        r for r in results if r.max_scaled is not None and r.max_scaled > BOUNDS[r.kernel][0]]
    if write and not select:
        from ..emit import source_hash

        manifest = {
            "generated_by": "klforge verify — do not edit",
            "kernels_source_sha256": source_hash(),
            "reference": (f"mpmath from the textbook forms, at {DPS} digits and doubled until "
                          "two precisions agree to 25 digits"),
            "quick": quick,
            "machine": machine(),
            "kernels": {f"{r.kernel}/{r.dtype}": r.__dict__ | {
                "bar": BARS.get(r.kernel), "bound": bound_text(r.kernel),
                "known_miss": KNOWN_MISSES.get((r.kernel, r.dtype))} for r in results},
            "primitives": {r.kernel: r.__dict__ for r in prims},
        }
        path = manifest_path(write_manifest)
        write_atomic(path, json.dumps(manifest, indent=1) + "\n")
        progress(f"wrote {path}")
    return results, prims, failures


HEADER_ROW = f"{'kernel':<24}{'dtype':<9}{'max ULP':>12}{'mean ULP':>12}{'points':>8}  bar"


def markdown_table(manifest: dict) -> str:
    """The manifest as a Boost.Math-style table: max/mean error in ULP per kernel and dtype."""
    rows = ["| kernel | dtype | max ULP | mean ULP | points | bar / bound |",
            "|---|---|---:|---:|---:|---|"]
    for key, r in sorted(manifest["kernels"].items()):
        if r["bar"] is not None:
            note = f"≤ {r['bar']}" + (" — **known miss**" if r["known_miss"] else " ✓")
        else:
            note = (f"{(r['bound'] or '').split(':')[0]}; measured "
                    f"{r['max_scaled']:.3g} eps·scale")
        rows.append(f"| {r['kernel']} | {r['dtype']} | {r['max_ulp']:.3g} | {r['mean_ulp']:.3g} "
                    f"| {r['points']} | {note} |")
    rows.append("")
    rows.append("| primitive | max ULP | mean ULP | points |")
    rows.append("|---|---:|---:|---:|")
    for name, r in manifest["primitives"].items():
        rows.append(f"| {name} | {r['max_ulp']:.3g} | {r['mean_ulp']:.3g} | {r['points']} |")
    return "\n".join(rows)
