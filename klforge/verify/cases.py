"""Inputs of ``klforge verify`` (SciPy ``_mptestutils`` style): magnitudes log-uniform over
many decades (per domain, ``derive/domains.py``, or as the kernel's spec says), near-equal
p/q pairs at relative separations 10⁻¹ … 10⁻¹², the spec's hard points, rows as users pass
them (counts, scaled, totals off 1), MVN factors over the whole domain (n up to 64, scale
ratios 10^±150, ill-conditioned diagonals) and hand-picked hard points.
Row kernels are sampled by the kind their spec declares (``RowSampling``).
Example: ``vector_cases("kl_mvn", np.random.default_rng(0), 4)``.
"""

from __future__ import annotations

import numpy as np

from ..derive.core import specs
from ..derive.domains import DOMAINS
from .measure import SEPARATIONS


def _log_uniform(rng, lo, hi, size):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def _domain_sample(rng, domain, size, magnitudes=None):
    """Random values of a parameter: log-uniform magnitudes (the kernel spec's, else the
    domain's), with a random sign for real parameters, mirrored as x or 1 − x for
    probabilities (both ends of the interval)."""
    dom = DOMAINS[domain]
    lo, hi = magnitudes or dom.magnitudes
    if dom.signed:
        return rng.choice([-1.0, 1.0], size) * _log_uniform(rng, lo, hi, size)
    x = _log_uniform(rng, lo, hi, size)
    if dom.mirrored:
        return np.where(rng.random(size) < 0.5, x, 1.0 - x)
    return x


def _nearby(rng, x, domain, sep):
    u = rng.uniform(-1, 1, x.shape)
    dom = DOMAINS[domain]
    if dom.additive:
        return x + sep * u * np.maximum(np.abs(x), 1.0)
    y = x * (1 + sep * u)
    if dom.clip:
        y = np.clip(y, *dom.clip)
    return y


def scalar_inputs(d, rng, n_random=600, n_near=40):
    """Columns of inputs: random points, near-equal p/q pairs at every separation, and the
    kernel spec's hard points (sampling as the spec and the parameters' domains say; a
    parameter the spec names in ``uniform`` is drawn uniformly on its range instead)."""
    params = d.params
    spec = specs()[d.kernel]
    mags = [spec.magnitude(p.name) for p in params]
    cols = [_domain_sample(rng, p.domain, n_random, m) for p, m in zip(params, mags, strict=True)]
    pairs = _pairs(params)
    if pairs:
        for sep in SEPARATIONS:
            base = [_domain_sample(rng, p.domain, n_near, m)
                    for p, m in zip(params, mags, strict=True)]
            for i, j in pairs:
                base[j] = _nearby(rng, base[i], params[i].domain, sep)
            cols = [np.concatenate([c, b]) for c, b in zip(cols, base, strict=True)]
    for name, lo, hi in spec.uniform:  # after the others: their samples are unchanged
        i = [p.name for p in params].index(name)
        cols[i] = rng.uniform(lo, hi, cols[i].shape)
    if spec.hard_points:
        hard = np.array(spec.hard_points, dtype=np.float64).T
        cols = [np.concatenate([c, h]) for c, h in zip(cols, hard, strict=True)]
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


#: row lengths and ULP distances of the near-equal rows (outside tester G8)
NEAR_N = (2, 3, 10, 100)
NEAR_ULPS = (1, 2, 4, 16)


def _ulp_rows(rng, i):
    """Rows that agree to 1–16 ULP per entry (n = 2, 3, 10, 100): q_i = p_i + k_i·ulp(p_i),
    |k_i| ≤ K — a convergence check's p ≈ q, where the renormalised KL's one-pass correction
    cancels to the last bits (issue 16, G8).  Entries in [0.05, 1) or a normalised simplex."""
    n = NEAR_N[(i // 8) % len(NEAR_N)]
    k = NEAR_ULPS[(i // 32) % len(NEAR_ULPS)]
    p = rng.uniform(0.05, 1.0, n) if (i // 128) % 2 == 0 else _simplex(rng, n)
    return p, p + rng.integers(-k, k + 1, n) * np.spacing(p)


def _simplex_rows(rng, i, n, sep):
    if sep is not None and i % 8 == 3:
        return _ulp_rows(rng, i)
    p = _simplex(rng, n)
    q = _simplex(rng, n) if sep is None else p * (1 + sep * rng.uniform(-1, 1, n))
    return _unnormalise(rng, i, p), _unnormalise(rng, i + 2 * (i % 2), q)


def _logit_rows(rng, i, n, sep):
    scale = _log_uniform(rng, 1e-2, 3e2, 1)[0]
    a = rng.normal(size=n) * scale
    b = rng.normal(size=n) * scale if sep is None else a + sep * rng.uniform(-1, 1, n)
    if i % 8 == 2:  # shift invariance: b = a + c + tiny noise, large c
        noise = _log_uniform(rng, 1e-13, 1e-3, 1) * rng.normal(size=n)
        b = a + rng.uniform(-1e3, 1e3) + noise
    elif i % 8 == 4:  # one logit moved, the rest identical (tiny KL if it is in the tail)
        b = a.copy()
        b[rng.integers(n)] += _log_uniform(rng, 1e-8, 10.0, 1)[0]
    elif i % 8 == 6:  # relative perturbation of large logits
        b = a * (1 + _log_uniform(rng, 1e-12, 1e-1, 1) * rng.normal(size=n))
    return a, b


def _concentration_rows(rng, i, n, sep):
    ap = _log_uniform(rng, 1e-2, 1e2, n)
    aq = _log_uniform(rng, 1e-2, 1e2, n) if sep is None else ap * (
        1 + sep * rng.uniform(-1, 1, n))
    if i % 8 == 2 and n > 2:  # sparse priors: small coordinates shared by p and q (issue 16);
        # two left unshared, so that the KL is not itself ~ a shared value (below 1e-75 the
        # reference's settling reads that as a rounded zero)
        k = int(rng.integers(1, n - 1))
        idx = rng.choice(n, k, replace=False)
        ap[idx] = aq[idx] = _log_uniform(rng, 1e-300, 1e-3, k)
    return ap, aq


def _eg_rows(rng, i, n, sep):
    m = min(n, 24)
    p = _unnormalise(rng, i, _simplex(rng, m))
    if i % 4 == 1:
        p[rng.integers(m)] = 0.0
    g = rng.normal(size=m) * _log_uniform(rng, 1e-2, 1e2, 1)[0]
    return p, g, _log_uniform(rng, 1e-3, 10.0, 1)[0]


def _policy_rows(rng, i, n, sep):
    m = min(n, 24)
    logits = rng.normal(size=m) * _log_uniform(rng, 1e-2, 30.0, 1)[0]
    if i % 4 == 1:
        logits[rng.integers(m)] = -np.inf
    reward = rng.normal(size=m) * _log_uniform(rng, 1e-3, 1e2, 1)[0]
    beta = _log_uniform(rng, 1e-2, 1e2, 1)[0]
    if i % 4 == 2:  # a common reward offset up to 1e16·β (π* must not see it)
        reward = reward + beta * _log_uniform(rng, 1.0, 1e16, 1)[0]
    return logits, reward, beta


#: row generators by sampling kind (a kernel's spec names its kind: ``RowSampling``);
#: each takes (rng, case index, row length, separation or None) and returns the inputs
ROW_SAMPLERS = {
    "simplex": lambda rng, i, n, sep: _simplex_rows(rng, i, n, sep)[:1],
    "simplex_pair": _simplex_rows,
    "logits": _logit_rows,
    "concentrations": _concentration_rows,
    "mvn_factors": lambda rng, i, n, sep: _mvn_case(rng, i, sep),
    "simplex_gradient": _eg_rows,
    "policy": _policy_rows,
}


def row_reference(kernel):
    """The mpmath reference of a row kernel: ``references.mp_<kernel>``."""
    from . import references

    ref = getattr(references, f"mp_{kernel}", None)
    if ref is None:
        raise LookupError(f"{kernel}: declares row sampling but references.py has no "
                          f"mp_{kernel}")
    return ref


def vector_cases(kernel, rng, count):
    """(inputs tuple, (reference, args)) pairs for a row kernel, sampled as its spec's
    :class:`~klforge.derive.spec.RowSampling` says, then the spec's hard points; the
    reference returns one mpf, or a list of them for the kernels with vector outputs."""
    rows = specs()[kernel].rows
    if rows is None:
        raise LookupError(f"{kernel}: its spec declares no row sampling")
    sampler, ref = ROW_SAMPLERS[rows.kind], row_reference(kernel)
    cases = []
    for i in range(count):
        n = int(rng.integers(2, 65))
        if i % 16 == 15:  # long rows: whole 256-element blocks of the vectorised fast paths
            n = int(rng.integers(257, 1200))
        sep = SEPARATIONS[i % len(SEPARATIONS)] if i % 2 else None
        args = sampler(rng, i, n, sep)
        cases.append((args, (ref, args)))
    for point in rows.hard_points:
        args = tuple(np.array(x) for x in point)
        cases.append((args, (ref, args)))
    return cases


def vector_kernels() -> tuple[str, ...]:
    """Kernels over rows: those whose spec declares a :class:`RowSampling`."""
    return tuple(k for k, s in specs().items() if s.rows is not None)


def vector_count(kernel) -> int:
    """Rows measured by a full (not quick) run."""
    return specs()[kernel].rows.count
