"""Figures for sections 10–13 — KL balls of the Gaussian family, exponentiated vs
projected gradient on the simplex, the spread of the k1/k2/k3 estimators against sample
size, Pinsker and Bretagnolle–Huber against total variation, and the pitfalls of the
textbook formulas in floating point — drawn at build time with fixed seeds.

Each figure is a zero-argument function returning a matplotlib figure, registered in
:data:`FIGURES` (merged into :data:`klforge.site.plots.FIGURES`).  Closed forms used here
are the lesson's own (stated beside each function); random draws use ``SEED``.

Example: ``FIGURES["estimator-variance"]().savefig("k123.png")``.
"""

from __future__ import annotations

import numpy as np

from .plots_learning import SEED, softmax


def _plt():
    import matplotlib.pyplot as plt

    return plt


# ---- section 10: geometry ------------------------------------------------------------------

def kl_balls():
    """Contours KL(N(μ0, σ0²) ‖ N(μ, σ²)) = 0.05 around several centres: balls of the same
    KL size are small where σ is small (the Fisher metric is (dμ² + 2 dσ²)/σ²)."""
    plt = _plt()
    mu, sg = np.meshgrid(np.linspace(-3, 3, 400), np.linspace(0.05, 3.2, 400))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for m0, s0 in ((-2, 0.3), (0, 0.6), (2, 1.2), (0, 2.4)):
        kl = np.log(sg / s0) + (s0 ** 2 + (m0 - mu) ** 2) / (2 * sg ** 2) - 0.5
        ax.contour(mu, sg, kl, levels=[0.05], colors="C0")
        ax.plot(m0, s0, "k.", ms=4)
    ax.set_xlabel("mean μ")
    ax.set_ylabel("standard deviation σ")
    ax.set_title("Distributions within 0.05 nats of each dot: KL balls grow with σ", fontsize=9)
    fig.tight_layout()
    return fig


def project_simplex(v):
    """Euclidean projection onto the probability simplex (sort-and-threshold)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1
    k = np.nonzero(u - css / np.arange(1, len(v) + 1) > 0)[0][-1]
    return np.maximum(v - css[k] / (k + 1), 0.0)


def eg_vs_projected(steps=40, lr=0.3):
    """Minimise f(p) = ½‖p − t‖² over the simplex with t = (0.8, 0.5, −0.3) outside it (the
    minimiser, t's projection, is (0.65, 0.35, 0) on an edge), from the uniform point:
    exponentiated gradient p ← p·e^{−η∇f}/Σ (in log space, as the engine's ``eg_step``
    derivation) against projected gradient p ← Π(p − η∇f)."""
    t = np.array([0.8, 0.5, -0.3])
    paths = {"exponentiated gradient": [], "projected gradient": []}
    p_eg = p_pg = np.full(3, 1 / 3)
    for _ in range(steps):
        paths["exponentiated gradient"].append(p_eg)
        paths["projected gradient"].append(p_pg)
        p_eg = softmax(np.log(p_eg) - lr * (p_eg - t))
        p_pg = project_simplex(p_pg - lr * (p_pg - t))
    return {k: np.array(v) for k, v in paths.items()}


def eg_projected():
    plt = _plt()
    paths = eg_vs_projected()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.4))
    corners = np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])
    a.plot(*np.vstack([corners, corners[:1]]).T, color="0.6", lw=1)
    for (name, P), st in zip(paths.items(), ("o-", "s-"), strict=True):
        xy = P @ corners
        a.plot(xy[:, 0], xy[:, 1], st, ms=2.5, lw=1, label=name)
        b.semilogy(np.maximum(P[:, 2], 1e-17), st, ms=2.5, lw=1, label=name)
    for xy, lab in zip(corners, ("p₁ = 1", "p₂ = 1", "p₃ = 1"), strict=True):
        a.annotate(lab, xy, fontsize=7, ha="center", va="top" if xy[1] == 0 else "bottom")
    a.set_aspect("equal")
    a.axis("off")
    a.set_title("paths on the simplex toward (0.65, 0.35, 0)", fontsize=9)
    a.legend(fontsize=7, frameon=False, loc="upper left")
    b.set_xlabel("iteration")
    b.set_ylabel("p₃ (floored at 1e-17 for the log axis)")
    b.set_title("EG shrinks p₃ geometrically; projection sets it to 0", fontsize=9)
    fig.tight_layout()
    return fig


# ---- section 11: estimation ----------------------------------------------------------------

def estimator_spread(delta=0.5, sizes=(10, 30, 100, 300, 1000, 3000, 10000), reps=300,
                     seed=SEED):
    """p = N(0,1), q = N(δ,1): the mean and standard deviation over ``reps`` replicates of
    the N-sample averages of k1 = ℓ, k2 = ℓ²/2 and k3 = (ρ − 1) + ℓ, with ℓ = δ²/2 − δx and
    ρ = e^{−ℓ}.  Exact KL: δ²/2."""
    rng = np.random.default_rng(seed)
    out = {k: ([], []) for k in ("k1", "k2", "k3")}
    for n in sizes:
        x = rng.normal(size=(reps, n))
        ell = delta ** 2 / 2 - delta * x
        ests = {"k1": ell, "k2": ell ** 2 / 2, "k3": np.expm1(-ell) + ell}
        for k, v in ests.items():
            m = v.mean(axis=1)
            out[k][0].append(m.mean())
            out[k][1].append(m.std(ddof=1))
    return np.array(sizes), {k: (np.array(a), np.array(b)) for k, (a, b) in out.items()}


def estimator_variance():
    plt = _plt()
    delta = 0.5
    kl = delta ** 2 / 2
    sizes, res = estimator_spread(delta)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.3))
    for k, st in (("k1", "o-"), ("k2", "^-"), ("k3", "s-")):
        a.loglog(sizes, res[k][1] / kl, st, ms=3, label=k)
        b.semilogx(sizes, res[k][0], st, ms=3, label=k)
    a.loglog(sizes, 2 / (delta * np.sqrt(sizes)), "k:", lw=1, label="k1 theory 2/(δ√N)")
    a.set_xlabel("sample size N")
    a.set_ylabel("std of the estimate / KL")
    a.legend(fontsize=7, frameon=False)
    b.axhline(kl, color="k", lw=1, ls=":")
    b.text(sizes[0], kl * 1.01, "exact KL = 0.125", fontsize=7)
    b.set_xlabel("sample size N")
    b.set_ylabel("mean of 300 estimates")
    b.set_title("k2 is biased (here upward)", fontsize=9)
    fig.suptitle("Estimating KL(N(0,1) ‖ N(0.5,1)) from samples (300 seeded replicates)",
                 fontsize=9)
    fig.tight_layout()
    return fig


# ---- section 12: relatives -----------------------------------------------------------------

def tv_bounds():
    plt = _plt()
    g = np.linspace(0.001, 0.999, 120)
    p, q = np.meshgrid(g, g)
    kl = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
    tv = np.abs(p - q)
    d = np.linspace(0, 6, 400)
    fig, ax = plt.subplots(figsize=(6.4, 3.5))
    ax.plot(kl.ravel(), tv.ravel(), ".", ms=1, color="0.7", label="Bernoulli pairs (p, q)")
    ax.plot(d, np.sqrt(d / 2), label="Pinsker √(KL/2)")
    ax.plot(d, np.sqrt(1 - np.exp(-d)), label="Bretagnolle–Huber √(1 − e^(−KL))")
    ax.axhline(1, color="k", lw=0.6)
    ax.set_xlim(0, 6)
    ax.set_ylim(0, 1.6)
    ax.set_xlabel("KL(p ‖ q) (nats)")
    ax.set_ylabel("total variation")
    ax.set_title("Pinsker is tight for small KL and vacuous past KL = 2", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


# ---- section 13: practice -----------------------------------------------------------------

def textbook_gaussian_error(deltas, dtype):
    """Relative error of ln s + 1/(2s²) − ½ (KL(N(0,1) ‖ N(0,s²)), s = 1 + δ) evaluated in
    ``dtype`` against mpmath at 50 digits (at the s actually stored in that dtype)."""
    import mpmath

    out = []
    with mpmath.workdps(50):
        for d in deltas:
            s = dtype(1) + dtype(d)
            val = np.log(s) + dtype(1) / (dtype(2) * s * s) - dtype(0.5)
            ms = mpmath.mpf(float(s))
            ref = mpmath.log(ms) + 1 / (2 * ms * ms) - mpmath.mpf(1) / 2
            out.append(float(abs(mpmath.mpf(float(val)) - ref) / ref) if ref else np.nan)
    return np.array(out)


def practice_pitfalls():
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.3))
    eps = np.logspace(-16, -1, 200)
    a.semilogx(eps, 0.9 * np.log(0.9 / (1 - eps)) + 0.1 * np.log(0.1 / eps))
    a.set_xlabel("clipping floor ε")
    a.set_ylabel("“KL” after clipping (nats)")
    a.set_title("p = (0.9, 0.1), q = (1, 0): true KL = +∞", fontsize=9)
    a.invert_xaxis()
    deltas = np.logspace(-1, -9, 33)
    for dt, st, name in ((np.float64, "o-", "float64"), (np.float32, "s-", "float32")):
        err = np.maximum(textbook_gaussian_error(deltas, dt), 1e-17)
        b.loglog(deltas, err, st, ms=3, label=f"textbook formula, {name}")
        guide = np.finfo(dt).eps / deltas ** 2
        b.loglog(deltas, np.minimum(guide, 1e3), ":", color="0.5", lw=0.8)
    b.axhline(1, color="k", lw=0.6)
    b.set_ylim(1e-17, 1e3)
    b.set_xlabel("separation δ (σ_q = 1 + δ)")
    b.set_ylabel("relative error vs 50-digit mpmath")
    b.set_title("error ≈ ε/δ² (dotted): 100 % at δ ≈ 3e-4 in float32", fontsize=9)
    b.invert_xaxis()
    b.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


FIGURES: dict = {
    "kl-balls": kl_balls,
    "eg-vs-projected": eg_projected,
    "estimator-variance": estimator_variance,
    "tv-bounds": tv_bounds,
    "practice-pitfalls": practice_pitfalls,
}
