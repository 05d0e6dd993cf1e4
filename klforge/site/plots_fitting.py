"""Figures for sections 4–6 — fitting and closed forms: forward and reverse Gaussian fits
as the modes of a mixture separate, the asymmetry of KL under a change of scale, the
average negative log-likelihood converging (law of large numbers) to the cross-entropy,
perplexity under sharpening and flattening, the Gaussian KL surface with its Fisher
quadratic, and KL as a Bregman gap of the log-partition.  Drawn at build time with a
fixed seed.

Each figure is a zero-argument function returning a matplotlib figure, registered in
:data:`FIGURES` (merged into :data:`klforge.site.plots.FIGURES`).  Gaussian divergences come
from the engine's derived closed form (``kl_normal``, lambdified).
Example: ``FIGURES["asymmetry-scale"]()`` returns the two directions of KL against scale.
"""

from __future__ import annotations

import functools

import numpy as np

SEED = 20261201


def _plt():
    import matplotlib.pyplot as plt

    return plt


@functools.cache
def kl_normal():
    """The engine's KL(N(μp, σp²) ‖ N(μq, σq²)) as a NumPy function of (μp, σp, μq, σq)."""
    import sympy as sp

    from ..derive.core import get

    d = get("kl_normal")
    return sp.lambdify(d.symbols, d.closed_form, "numpy")


def _fit_both(sep, x):
    """Forward (moment matching) and reverse (numerical) Gaussian fits to the mixture
    0.5 N(−sep/2, 1) + 0.5 N(sep/2, 1); the reverse fit starts on the right mode."""
    from scipy.optimize import minimize

    def pdf(x, m, s):
        return np.exp(-0.5 * ((x - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))

    p = 0.5 * pdf(x, -sep / 2, 1) + 0.5 * pdf(x, sep / 2, 1)
    fwd = (0.0, np.sqrt(1 + sep ** 2 / 4))

    def rev(v):
        q = pdf(x, v[0], np.exp(v[1]))
        return np.trapezoid(q * (np.log(q + 1e-300) - np.log(p + 1e-300)), x)

    best = min((minimize(rev, [m0, 0.0], method="Nelder-Mead",
                         options={"xatol": 1e-6, "fatol": 1e-10}) for m0 in (0.0, sep / 2)),
               key=lambda r: r.fun)
    return fwd, (best.x[0], float(np.exp(best.x[1])))


def modes_separate():
    """Fitted mean and standard deviation of both fits as the two modes move apart."""
    plt = _plt()
    x = np.linspace(-20, 20, 4001)
    seps = np.linspace(0, 8, 33)
    fits = [_fit_both(s, x) for s in seps]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(seps, [f[0][1] for f in fits], lw=2, label="forward KL(p‖q)")
    a.plot(seps, [f[1][1] for f in fits], lw=2, ls="--", label="reverse KL(q‖p)")
    a.axhline(1, color="0.6", lw=0.8, ls=":")
    a.set_xlabel("distance between the modes")
    a.set_ylabel("fitted standard deviation")
    a.legend(fontsize=8, frameon=False)
    a.set_title("forward keeps widening; reverse jumps to one mode", fontsize=9)
    b.plot(seps, [abs(f[0][0]) for f in fits], lw=2, label="forward: |mean|")
    b.plot(seps, [abs(f[1][0]) for f in fits], lw=2, ls="--", label="reverse: |mean|")
    b.plot(seps, seps / 2, color="0.6", lw=0.8, ls=":", label="a mode's position")
    b.set_xlabel("distance between the modes")
    b.set_ylabel("|fitted mean|")
    b.legend(fontsize=8, frameon=False)
    fig.suptitle("Fitting N(m, s²) to 0.5 N(−d/2, 1) + 0.5 N(d/2, 1)", fontsize=10)
    fig.tight_layout()
    return fig


def asymmetry_scale():
    """KL(N(0,1) ‖ N(0,s²)) and KL(N(0,s²) ‖ N(0,1)) against s (engine closed form)."""
    plt = _plt()
    kl = kl_normal()
    s = np.logspace(-1, 1, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.semilogx(s, kl(0.0, 1.0, 0.0, s), lw=2, label="KL(N(0,1) ‖ N(0,s²))")
    ax.semilogx(s, kl(0.0, s, 0.0, 1.0), lw=2, ls="--", label="KL(N(0,s²) ‖ N(0,1))")
    ax.set_ylim(0, 5)
    ax.set_xlabel("scale s of the second Gaussian (log axis)")
    ax.set_ylabel("nats")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("A model too narrow is punished far more by forward KL", fontsize=9)
    fig.tight_layout()
    return fig


def nll_lln():
    """Average negative log-likelihood of N samples from N(0,1) under q = N(0.5, 1.2²)
    converging to the cross-entropy (law of large numbers); five seeded runs."""
    plt = _plt()
    kl = kl_normal()
    m, s = 0.5, 1.2
    h_p = 0.5 * np.log(2 * np.pi * np.e)
    ce = h_p + kl(0.0, 1.0, m, s)
    rng = np.random.default_rng(SEED)
    n = np.arange(1, 5001)
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for _ in range(5):
        x = rng.standard_normal(n.size)
        nll = 0.5 * np.log(2 * np.pi * s * s) + (x - m) ** 2 / (2 * s * s)
        ax.semilogx(n, np.cumsum(nll) / n, lw=1)
    ax.axhline(ce, color="k", lw=1.5, label=f"H(p, q) = {ce:.4f}")
    ax.axhline(h_p, color="k", ls=":", lw=1, label=f"H(p) = {h_p:.4f}")
    ax.set_xlabel("number of samples N")
    ax.set_ylabel("average NLL (nats)")
    ax.set_ylim(0.8, 2.4)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("p = N(0, 1), q = N(0.5, 1.2²): the gap to H(p) is KL(p‖q)", fontsize=9)
    fig.tight_layout()
    return fig


#: the next-token distribution of problem K.1 (truth), for the perplexity figure
K1_P = np.array([0.92, 0.03, 0.02, 0.02, 0.01])


def perplexity_temperature():
    """Cross-entropy = entropy + KL and perplexity when the truth of K.1 is sharpened or
    flattened by a temperature T: q ∝ p^(1/T)."""
    plt = _plt()
    temps = np.logspace(-0.5, 1, 300)
    logits = np.log(K1_P)
    h = -np.sum(K1_P * np.log(K1_P))
    ce = []
    for t in temps:
        z = logits / t
        logq = z - np.log(np.sum(np.exp(z - z.max()))) - z.max()
        ce.append(-np.sum(K1_P * logq))
    ce = np.array(ce)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.semilogx(temps, ce, lw=2, label=r"$H(p, q_T)$")
    a.axhline(h, color="k", ls=":", label=r"$H(p)$")
    a.fill_between(temps, h, ce, alpha=0.15, label=r"KL$(p \,\|\, q_T)$")
    a.set_xlabel(r"temperature $T$  ($q_T \propto p^{1/T}$)")
    a.set_ylabel("nats per token")
    a.legend(fontsize=8, frameon=False)
    b.semilogx(temps, np.exp(ce), lw=2, label=r"perplexity $e^{H(p,q_T)}$")
    b.axhline(np.exp(h), color="k", ls=":", label=r"$e^{H(p)}$")
    b.axhline(len(K1_P), color="0.6", lw=0.8, ls="--", label="5 outcomes, uniform")
    b.set_xlabel(r"temperature $T$")
    b.set_ylabel("perplexity")
    b.legend(fontsize=8, frameon=False)
    fig.suptitle("K.1's truth p, miscalibrated by a temperature: KL is zero only at T = 1",
                 fontsize=10)
    fig.tight_layout()
    return fig


def gaussian_surface():
    """Contours of KL(N(μ, σ²) ‖ N(0, 1)) (engine form) with the Fisher quadratic
    approximation ½(μ² + 2(σ − 1)²) near the minimum."""
    plt = _plt()
    kl = kl_normal()
    mu, sig = np.meshgrid(np.linspace(-2.5, 2.5, 300), np.linspace(0.2, 2.5, 300))
    z = kl(mu, sig, 0.0, 1.0)
    quad = 0.5 * (mu ** 2 + 2 * (sig - 1) ** 2)
    levels = [0.02, 0.1, 0.25, 0.5, 1.0, 2.0]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    cs = ax.contour(mu, sig, z, levels=levels, colors="k", linewidths=1.2)
    ax.clabel(cs, fontsize=7, fmt="%.2f")
    ax.contour(mu, sig, quad, levels=levels[:3], colors="C3", linestyles="--", linewidths=1)
    ax.plot([0], [1], "k+", ms=10)
    ax.set_xlabel("mean μ of p")
    ax.set_ylabel("standard deviation σ of p")
    ax.set_title("KL(N(μ, σ²) ‖ N(0,1)): black, exact; red dashed, Fisher quadratic",
                 fontsize=9)
    fig.tight_layout()
    return fig


def bregman_gap():
    """The Poisson log-partition A(η) = e^η, its tangent at η_p, and the gap at η_q, which
    is KL(Poi(λp) ‖ Poi(λq)) for λ = e^η."""
    plt = _plt()
    lp, lq = 2.0, 5.0
    ep, eq = np.log(lp), np.log(lq)
    eta = np.linspace(-0.5, 2.0, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(eta, np.exp(eta), "k-", lw=2, label=r"$A(\eta) = e^{\eta}$ (Poisson)")
    ax.plot(eta, np.exp(ep) + np.exp(ep) * (eta - ep), "C0--", label=r"tangent at $\eta_p$")
    gap = np.exp(eq) - (np.exp(ep) + np.exp(ep) * (eq - ep))
    ax.vlines(eq, np.exp(eq) - gap, np.exp(eq), color="C3", lw=3,
              label=f"gap = KL(Poi({lp:g}) ‖ Poi({lq:g})) = {gap:.4f}")
    ax.plot([ep, eq], [np.exp(ep), np.exp(eq)], "ko", ms=4)
    ax.set_xlabel("natural parameter η = ln λ")
    ax.set_ylabel("A(η)")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title("KL between exponential-family members is a Bregman gap", fontsize=9)
    fig.tight_layout()
    return fig


FIGURES = {"modes-separate": modes_separate, "asymmetry-scale": asymmetry_scale,
           "nll-lln": nll_lln, "perplexity-temperature": perplexity_temperature,
           "gaussian-surface": gaussian_surface, "bregman-gap": bregman_gap}
