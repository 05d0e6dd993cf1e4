"""mpmath references for ``klforge verify``: textbook forms, never the stable rewrites.

``reference_value`` evaluates a reference at 50 digits and doubles the precision until two
evaluations agree to 25 digits (textbook forms cancel near p = q).  Categorical references
renormalise their rows as the kernels do; the MVN reference applies Σ_q⁻¹ through the
Cholesky factor (``mp_kl_mvn_dense`` is the full-matrix form the tests compare with).
Example: ``reference_value(mp_kl_categorical, [60, 40], [50, 50])`` = 0.0201355…
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive.core import StableForm
from ..derive.primitives import textbook
from .measure import DPS

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
        tiny = abs(cur) < mpmath.mpf(10) ** -(3 * dps // 2)
        if tiny and abs(prev) < mpmath.mpf(10) ** -(dps // 2):
            return mpmath.mpf(0)  # rounding noise of an exact zero (e.g. KL(p, p))
        dps *= 2
        if dps > MAX_DPS:
            raise ArithmeticError(f"reference did not settle at {MAX_DPS} digits for {args}")
        prev = cur


def vector_output(d) -> bool:
    """Whether the kernel of ``d`` returns several values per call: its closed form is a
    tuple or a matrix (one reference per output element)."""
    return isinstance(d.closed_form, sp.Tuple | sp.MatrixBase)


def scalar_reference(d):
    """The closed form of a kernel over scalars, in mpmath: one mpf, or a list of them (one per
    component) for a closed form with several components (:func:`vector_output`)."""
    syms = [p.symbol for p in d.params]
    if vector_output(d):
        fs = [sp.lambdify(syms, e, modules=["mpmath"]) for e in d.closed_form]

        def refs(*args):
            xs = [mpmath.mpf(float(a)) for a in args]
            return [f(*xs) for f in fs]
        return refs
    f = sp.lambdify(syms, d.closed_form, modules=["mpmath"])

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
        r = mpmath.fsum(mpmath.exp(x - la) * ((x - la) - (y - lb))
                        for x, y in zip(a, b, strict=True))
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
    w = [mpmath.mpf(float(a)) * mpmath.exp(-lr * mpmath.mpf(float(b)))
         for a, b in zip(p, g, strict=True)]
    z = mpmath.fsum(w)
    if z == 0:  # a row of zeros: no distribution
        return [mpmath.nan] * len(w)
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
    if z == 0:  # a row of zeros: no distribution
        return [mpmath.nan] * len(w)
    return [x / z for x in w] + [beta * mpmath.log(z)]


def reference_vector(f, *args):
    """Like :func:`reference_value` for a reference returning a list (one mpf per output
    element): each element's precision is doubled until it settles."""
    with mpmath.workdps(DPS):
        count = len(f(*args))
    return [reference_value(lambda *a, k=k: f(*a)[k], *args) for k in range(count)]


# --- scales of the stated bounds "≤ k·eps·scale", by the kind a spec names (KernelSpec.scale) --
# Each factory takes the derivation and returns f(*inputs) -> [scale of each output].


def _output_terms_scale(d):
    """Per output: Σ |terms| of that component of the closed form (a step θ − lr·(…) cancels
    where the step nearly undoes the parameter)."""
    syms = [p.symbol for p in d.params]
    pieces = [[sp.lambdify(syms, t, modules=["mpmath"]) for t in sp.Add.make_args(e)]
              for e in d.closed_form]

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        with mpmath.workdps(DPS):
            return [mpmath.fsum(abs(g(*xs)) for g in ps) for ps in pieces]
    return scale


def policy_scale(logits, reward, beta):
    """Per output of the KL-regularised policy (π*, V): |π*_i| (a relative bound), and for V
    β·E_ref|expm1(r/β)| + |V|, the size of the terms whose mean is taken."""
    with mpmath.workdps(DPS):
        out = mp_policy(logits, reward, beta)
        b = mpmath.mpf(float(beta))
        l = [mpmath.mpf(float(x)) for x in logits]
        u = [mpmath.exp(x - max(l)) for x in l]
        terms = mpmath.fsum(w * abs(mpmath.expm1(mpmath.mpf(float(r)) / b))
                            for w, r in zip(u, reward, strict=True)) / mpmath.fsum(u)
        return [abs(x) for x in out[:-1]] + [b * terms + abs(out[-1])]


def _stable_pieces_scale(d):
    """Σ |piece| over the stable form's top-level terms (textbook values, mpmath)."""
    syms = [p.symbol for p in d.params]
    pieces = []
    for term in sp.Add.make_args(d.stable_form.result):
        expr = StableForm(d.stable_form.bindings, term).inline()
        pieces.append(sp.lambdify(syms, textbook(expr), modules=["mpmath"]))

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        return [mpmath.fsum(abs(reference_value(g, *xs)) for g in pieces)]
    return scale


#: scale kind (``KernelSpec.scale``) -> factory(derivation) -> f(*inputs) -> [scale per output]
SCALES = {
    "stable_pieces": _stable_pieces_scale,
    "output_terms": _output_terms_scale,
    "policy_terms": lambda d: policy_scale,
}


def scale_reference(d, kind: str):
    """The scale function of kind ``kind`` (:data:`SCALES`) for the kernel of ``d``: against
    it, kernels with a stated bound are measured (|y − r| / (eps·scale) per output)."""
    try:
        factory = SCALES[kind]
    except KeyError:
        raise LookupError(f"{d.kernel}: its spec names scale {kind!r}, not one of "
                          f"{', '.join(sorted(SCALES))} (klforge/verify/references.py)") from None
    return factory(d)


#: the reference of the KL-regularised policy kernel by the ``mp_<kernel>`` convention
mp_kl_regularized_policy = mp_policy
