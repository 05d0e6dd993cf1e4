"""Figures for the learning sections 7–9 — the β-VAE's rate–distortion curve,
temperature in distillation, the PPO/TRPO trust region and over-optimisation of a learned
reward under a KL penalty — drawn at build time with fixed seeds.

Each figure is a zero-argument function returning a matplotlib figure, registered in
:data:`FIGURES` under the name a page uses in ```` ```{klforge-figure} name ```` ; the site's
registry (:data:`klforge.site.plots.FIGURES`) includes these.  Closed forms used here are
the lesson's own (stated beside each function); random draws use ``SEED``.

Example: ``FIGURES["beta-vae-rate-distortion"]().savefig("rd.png")``.
"""

from __future__ import annotations

import numpy as np

SEED = 20261201


def _plt():
    import matplotlib.pyplot as plt

    return plt


def softmax(z, axis=-1):
    """exp(z) / Σ exp(z) along ``axis``, shifted by the maximum (no overflow)."""
    z = np.asarray(z, float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _kl(p, q, axis=-1):
    """Σ p ln(p/q) with 0 ln 0 = 0 (p, q strictly positive where p > 0)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1) / q), 0.0), axis=axis)


# ---- section 7: β-VAE ----------------------------------------------------------------------

def beta_vae_encoder(beta, s2=0.25):
    """The best encoder N(c·x, v) of the K.2 model under weight β: (c, v)."""
    beta = np.asarray(beta, float)
    return 1 / (1 + beta * s2), beta * s2 / (1 + beta * s2)


def beta_vae_optimum(beta, s2=0.25, ex2=1.25):
    """Rate and distortion of the best Gaussian encoder of the K.2 model for weight β.

    Maximising E_q[ln p(x|z)] − β KL(q‖N(0,1)) over q = N(c·x, v) gives c = 1/(1 + β s²)
    and v = β s²/(1 + β s²); averaged over x ~ N(0, 1 + s²) (E[x²] = ex2):
    rate R = ½(v + c² E[x²] − 1 − ln v), distortion D = ½ ln(2π s²) + ((1−c)² E[x²] + v)/(2s²).
    At β = 1 the encoder is the exact posterior and R + D = −E[ln p(x)].
    """
    c, v = beta_vae_encoder(beta, s2)
    rate = 0.5 * (v + c * c * ex2 - 1 - np.log(v))
    dist = 0.5 * np.log(2 * np.pi * s2) + ((1 - c) ** 2 * ex2 + v) / (2 * s2)
    return rate, dist


def beta_vae_rate_distortion():
    plt = _plt()
    betas = np.logspace(-2, 2, 400)
    rate, dist = beta_vae_optimum(betas)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.3))
    a.plot(rate, dist, color="C0")
    for bb in (0.25, 1.0, 4.0):
        r, d = beta_vae_optimum(bb)
        a.plot(r, d, "o", color="C3" if bb == 1 else "C1")
        a.annotate(f"β = {bb:g}", (r, d), textcoords="offset points", xytext=(6, 4), fontsize=8)
    a.set_xlabel("rate: E[KL(q(z|x) ‖ p(z))] (nats)")
    a.set_ylabel("distortion: −E[ln p(x|z)] (nats)")
    a.set_title("best encoder for each β", fontsize=9)
    b.semilogx(betas, rate, label="rate")
    b.semilogx(betas, dist, label="distortion")
    b.semilogx(betas, rate + dist, "k--", lw=1, label="rate + distortion = −ELBO")
    b.axvline(1, color="0.6", ls=":", lw=1)
    b.set_xlabel("β")
    b.set_ylabel("nats")
    b.legend(fontsize=7, frameon=False)
    fig.suptitle("β-VAE on the linear-Gaussian model of K.2 (s² = 0.25): β > 1 compresses, "
                 "β < 1 reconstructs", fontsize=9)
    fig.tight_layout()
    return fig


# ---- section 8: distillation ---------------------------------------------------------------

TEACHER = np.array([4.0, 2.5, 1.5, 0.5, 0.0, -1.0])
STUDENT = np.array([3.0, 2.8, 1.0, 0.2, 0.3, -0.5])


def distill_kl_scaled(temps, a=TEACHER, b=STUDENT):
    """T² · KL(softmax(a/T) ‖ softmax(b/T)) for each T."""
    temps = np.asarray(temps, float)
    return temps ** 2 * _kl(softmax(a / temps[:, None]), softmax(b / temps[:, None]))


def distillation_temperature():
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.3))
    k = np.arange(len(TEACHER))
    for i, t in enumerate((1, 2, 5)):
        a.bar(k + (i - 1) * 0.27, softmax(TEACHER / t), width=0.27, label=f"T = {t}")
    a.set_xticks(k, [f"class {j}" for j in k], fontsize=7)
    a.set_ylabel("teacher probability")
    a.set_title("softened teacher outputs", fontsize=9)
    a.legend(fontsize=8, frameon=False)
    temps = np.logspace(-0.3, 1.5, 200)
    d, e = TEACHER - TEACHER.mean(), STUDENT - STUDENT.mean()
    limit = np.mean((d - e) ** 2) / 2
    b.semilogx(temps, distill_kl_scaled(temps), label="T² · KL(p_T ‖ q_T)")
    b.semilogx(temps, distill_kl_scaled(temps) / temps ** 2, label="KL(p_T ‖ q_T)")
    b.axhline(limit, color="0.5", ls=":", lw=1)
    b.text(temps[0], limit * 1.05, f"large-T limit {limit:.3f}", fontsize=7, color="0.3")
    b.set_xlabel("temperature T")
    b.set_ylabel("nats")
    b.set_title("the T² factor keeps the loss's scale", fontsize=9)
    b.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


# ---- section 9: reinforcement learning -----------------------------------------------------

PI_OLD = np.array([0.5, 0.3, 0.2])


def trust_region():
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.5))
    rho, eps = np.linspace(0.3, 1.8, 400), 0.2
    for adv, c in ((1.0, "C0"), (-1.0, "C3")):
        a.plot(rho, np.minimum(rho * adv, np.clip(rho, 1 - eps, 1 + eps) * adv), color=c,
               label=f"A = {adv:+g}")
    a.axvspan(1 - eps, 1 + eps, color="0.92")
    a.set_xlabel("probability ratio ρ = π_θ / π_old")
    a.set_ylabel("clipped surrogate")
    a.set_title("PPO: no gain from leaving [1−ε, 1+ε], ε = 0.2", fontsize=9)
    a.legend(fontsize=8, frameon=False)
    # logits of actions 1 and 2 relative to the old policy (action 0 fixed)
    u = np.linspace(-1.6, 1.6, 241)
    d1, d2 = np.meshgrid(u, u)
    logits = np.log(PI_OLD)[None, None, :] + np.stack([0 * d1, d1, d2], axis=-1)
    kl = _kl(PI_OLD, softmax(logits))
    fisher = np.diag(PI_OLD[1:]) - np.outer(PI_OLD[1:], PI_OLD[1:])
    quad = 0.5 * (fisher[0, 0] * d1 ** 2 + 2 * fisher[0, 1] * d1 * d2 + fisher[1, 1] * d2 ** 2)
    levels = [0.01, 0.05, 0.2]
    cs = b.contour(d1, d2, kl, levels=levels, colors="C0")
    b.clabel(cs, fontsize=7, fmt="KL %g")
    b.contour(d1, d2, quad, levels=levels, colors="C1", linestyles="--", linewidths=0.9)
    adv = np.array([1.0, 2.0, 0.0])
    g = (PI_OLD * (adv - PI_OLD @ adv))[1:]          # ∇ of E_π[A] in the free logits
    nat = np.linalg.solve(fisher, g)
    for vec, c, lab in ((g, "C2", "plain gradient"), (nat, "C3", "natural gradient")):
        step = vec * np.sqrt(2 * 0.05 / (vec @ fisher @ vec))
        b.annotate("", xy=step, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": c})
        b.plot([], [], color=c, label=lab)
    b.plot([], [], "C1--", lw=0.9, label="½ dᵀF d (quadratic model)")
    b.set_xlabel("change of logit of action 1")
    b.set_ylabel("change of logit of action 2")
    b.set_title("TRPO: KL(π_old ‖ π_θ) ≤ δ in logit space", fontsize=9)
    b.legend(fontsize=7, frameon=False, loc="lower right")
    b.set_aspect("equal")
    fig.tight_layout()
    return fig


def overoptimisation(n=300, seed=SEED):
    """A toy learned reward: proxy = true + noise whose scale grows where π_ref has little
    mass (the reward model saw few such samples).  For each β the optimal policy
    π_β ∝ π_ref e^{proxy/β}; returns (betas, KL, E[proxy], E[true])."""
    rng = np.random.default_rng(seed)
    ref = softmax(1.5 * rng.normal(size=n))
    true = rng.normal(size=n)
    proxy = true + rng.normal(size=n) * 0.3 / np.sqrt(n * ref)
    betas = np.logspace(1.2, -1.6, 120)
    pis = softmax(np.log(ref)[None, :] + proxy[None, :] / betas[:, None])
    return betas, _kl(pis, ref[None, :]), pis @ proxy, pis @ true


def rlhf_overoptimisation():
    plt = _plt()
    betas, kl, proxy, true = overoptimisation()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(kl, proxy, label="learned (proxy) reward")
    ax.plot(kl, true, label="true reward")
    i = int(np.argmax(true))
    ax.plot(kl[i], true[i], "o", color="C1")
    ax.annotate(f"best true reward at β ≈ {betas[i]:.2f}", (kl[i], true[i]),
                textcoords="offset points", xytext=(8, -14), fontsize=8)
    ax.set_xlabel("KL(π_β ‖ π_ref) (nats) — smaller β to the right")
    ax.set_ylabel("expected reward under π_β")
    ax.set_title("Reward hacking: the proxy keeps rising, the true reward peaks", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


FIGURES: dict = {
    "beta-vae-rate-distortion": beta_vae_rate_distortion,
    "distillation-temperature": distillation_temperature,
    "trust-region": trust_region,
    "rlhf-overoptimisation": rlhf_overoptimisation,
}
