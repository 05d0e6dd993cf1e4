"""mpmath references of the row kernels (categorical, logits, Dirichlet, MVN, EG step, policy).

Textbook forms, never the stable rewrites, at the current mpmath precision (the caller,
:func:`~klforge.verify.settle.reference_value`, raises it until the value settles).
Categorical references renormalise their rows as the kernels do (p̂ = p/Σp); the MVN
reference applies Σ_q⁻¹ through the Cholesky factor (``mp_kl_mvn_dense`` is the full-matrix
form the tests compare with); multi-output kernels return one mpf per output element.
``cases.row_reference`` finds the reference of row kernel K as ``mp_K``.
Example: ``mp_kl_categorical([60, 40], [50, 50])`` = 0.0201355…
"""

from __future__ import annotations

import mpmath

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
    if not beta > 0:  # β ≤ 0 (a float32 β below its range rounds to 0): no policy
        return [mpmath.nan] * (len(logits) + 1)
    l = [mpmath.mpf(float(x)) for x in logits]
    m = max(l)
    u = [mpmath.exp(x - m) for x in l]
    ref = [x / mpmath.fsum(u) for x in u]
    w = [a * mpmath.exp(mpmath.mpf(float(r)) / beta) for a, r in zip(ref, reward, strict=True)]
    z = mpmath.fsum(w)
    if z == 0:  # a row of zeros: no distribution
        return [mpmath.nan] * len(w)
    return [x / z for x in w] + [beta * mpmath.log(z)]



#: the reference of the KL-regularised policy kernel by the ``mp_<kernel>`` convention
mp_kl_regularized_policy = mp_policy
