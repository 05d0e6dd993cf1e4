"""Figures for sections 1–3 — what KL measures and the inequalities it obeys: surprise
−log₂ q, the summand p ln(p/q), Pinsker and Bretagnolle–Huber against total variation, and
the data-processing inequality through a binary symmetric channel.  Drawn at build time
with a fixed seed.

Each figure is a zero-argument function returning a matplotlib figure, registered in
:data:`FIGURES` (merged into :data:`klforge.site.plots.FIGURES`); the curves are the
elementary formulas the pages derive (categorical sums, Bernoulli KL and total variation).
Example: ``FIGURES["pinsker-bh"]()`` returns the Pinsker / Bretagnolle–Huber figure.
"""

from __future__ import annotations

import numpy as np

SEED = 20261201


def _plt():
    import matplotlib.pyplot as plt

    return plt


def kl_bernoulli(p, q):
    """KL(Ber(p) ‖ Ber(q)) in nats, 0 < p, q < 1 (elementwise)."""
    return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))


def surprise():
    """Surprise −log₂ q against q, with the fair-coin-coded-as-(0.9, 0.1) example of §1."""
    plt = _plt()
    q = np.linspace(0.005, 1, 400)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(q, -np.log2(q), "k-")
    for qq, txt in ((0.9, "heads coded for 0.9"), (0.1, "tails coded for 0.1"),
                    (0.5, "either, coded for 0.5")):
        a.plot(qq, -np.log2(qq), "o")
        a.annotate(f"{txt}: {-np.log2(qq):.3f} bits", (qq, -np.log2(qq)),
                   xytext=(8, 6), textcoords="offset points", fontsize=7)
    a.set_xlabel("probability q(x) the code assumes")
    a.set_ylabel("code length −log₂ q(x) (bits)")
    a.set_ylim(0, 8)
    t = np.linspace(0.01, 0.99, 300)  # coin with P(heads) = 0.5 coded for (t, 1 − t)
    b.plot(t, 0.5 * (-np.log2(t) - np.log2(1 - t)), label="cross-entropy H(p, q)")
    b.axhline(1.0, color="k", lw=1, ls=":", label="entropy H(p) = 1 bit")
    b.fill_between(t, 1.0, 0.5 * (-np.log2(t) - np.log2(1 - t)), color="C0", alpha=0.15,
                   label="waste = KL(p‖q)")
    b.set_xlabel("q(heads) used by the code (true p = 0.5)")
    b.set_ylabel("bits per toss")
    b.set_ylim(0, 4)
    b.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def summand():
    """The summand p ln(p/q): finite as p → 0 (0 ln 0 = 0), unbounded as q → 0 < p."""
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    p = np.linspace(1e-4, 1, 400)
    for q in (0.1, 0.3, 0.6):
        a.plot(p, p * np.log(p / q), label=f"q = {q}")
    a.axhline(0, color="0.6", lw=0.8)
    a.set_xlabel("p (q fixed)")
    a.set_ylabel("p ln(p/q)")
    a.set_title("p → 0: the term goes to 0", fontsize=9)
    a.legend(fontsize=7, frameon=False)
    q = np.logspace(-8, 0, 400)
    for pp in (0.01, 0.1, 0.5):
        b.semilogx(q, pp * np.log(pp / q), label=f"p = {pp}")
    b.axhline(0, color="0.6", lw=0.8)
    b.set_xlabel("q (p fixed, log scale)")
    b.set_title("q → 0 < p: the term grows without bound", fontsize=9)
    b.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def pinsker_bh():
    """Every Bernoulli pair's (TV, KL) lies above Pinsker's 2·TV² and Bretagnolle–Huber's
    −ln(1 − TV²); random pairs drawn with a fixed seed."""
    plt = _plt()
    rng = np.random.default_rng(SEED)
    p, q = rng.uniform(0.01, 0.99, (2, 3000))
    tv, kl = np.abs(p - q), kl_bernoulli(p, q)
    d = np.linspace(0, 0.98, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.scatter(tv, kl, s=3, color="0.6", label="Bernoulli pairs (p, q)")
    ax.plot(d, 2 * d ** 2, lw=2, label="Pinsker: 2 TV²")
    ax.plot(d, -np.log(1 - d ** 2), lw=2, ls="--", label="Bretagnolle–Huber: −ln(1 − TV²)")
    ax.set_xlabel("total variation TV(p, q)")
    ax.set_ylabel("KL(p ‖ q) (nats)")
    ax.set_ylim(0, 5)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title("KL is bounded below by both; BH is the tighter one for large TV", fontsize=9)
    fig.tight_layout()
    return fig


def dpi_channel():
    """Data processing: KL between two Bernoulli sources after a binary symmetric channel
    that flips each bit with probability ε; p = 0.8, q = 0.3."""
    plt = _plt()
    eps = np.linspace(0, 0.5, 200)
    p, q = 0.8, 0.3
    tp, tq = p * (1 - eps) + (1 - p) * eps, q * (1 - eps) + (1 - q) * eps
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(eps, kl_bernoulli(tp, tq), lw=2, label="KL(Tp ‖ Tq) after the channel")
    ax.axhline(kl_bernoulli(p, q), color="k", ls=":", label="KL(p ‖ q) before")
    ax.set_xlabel("flip probability ε of the channel")
    ax.set_ylabel("nats")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("Noise never adds evidence; at ε = 0.5 the output is independent of the input",
                 fontsize=9)
    fig.tight_layout()
    return fig


FIGURES = {"surprise": surprise, "summand": summand, "pinsker-bh": pinsker_bh,
           "dpi-channel": dpi_channel}
