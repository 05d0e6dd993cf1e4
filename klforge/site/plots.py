"""The lesson's figures, drawn at build time (matplotlib, Agg, fixed seeds).

Each figure is a function of nothing that returns a matplotlib Figure; :data:`FIGURES`
names them for the ``klforge-figure`` directive (:mod:`derive.site.figures`), which caches
the PNG by the engine hash.  The numbers behind each figure come from the engine: the VAE
curves from the derived closed forms, the accuracy curves from the generated kernels and the
verifier's mpmath references.
"""

from __future__ import annotations

import numpy as np

from .plots_fitting import FIGURES as FITTING_FIGURES
from .plots_learning import FIGURES as LEARNING_FIGURES
from .plots_measures import FIGURES as MEASURES_FIGURES
from .plots_practice import FIGURES as PRACTICE_FIGURES

SEED = 20261124


def _normal_pdf(x, m, s):
    return np.exp(-0.5 * ((x - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))


#: the bimodal target of the forward/reverse figure: weights, means, standard deviations
MIXTURE = ((0.6, -2.0, 0.7), (0.4, 2.5, 0.9))


def mixture_pdf(x):
    return sum(w * _normal_pdf(x, m, s) for w, m, s in MIXTURE)


def _reverse_kl(x, p, m, s):
    q = _normal_pdf(x, m, s)
    ok = q > 1e-300
    return np.trapezoid(np.where(ok, q * (np.log(np.where(ok, q, 1)) - np.log(p)), 0.0), x)


def fit_forward_reverse():
    """Fit N(m, s²) to the mixture both ways.  Forward KL(p‖q) is minimised by matching
    moments; reverse KL(q‖p) by a grid search refined three times (deterministic)."""
    mean = sum(w * m for w, m, _ in MIXTURE)
    var = sum(w * (s * s + m * m) for w, m, s in MIXTURE) - mean * mean
    x = np.linspace(-12, 12, 6001)
    p = mixture_pdf(x)
    ms, ls = np.linspace(-5, 5, 101), np.linspace(-2.5, 1.5, 81)
    for _ in range(4):
        vals = np.array([[_reverse_kl(x, p, m, np.exp(ll)) for ll in ls] for m in ms])
        i, j = np.unravel_index(np.argmin(vals), vals.shape)
        dm, dl = ms[1] - ms[0], ls[1] - ls[0]
        ms = np.linspace(ms[i] - 2 * dm, ms[i] + 2 * dm, 21)
        ls = np.linspace(ls[j] - 2 * dl, ls[j] + 2 * dl, 21)
    return (mean, np.sqrt(var)), (ms[10], float(np.exp(ls[10])))


def forward_reverse():
    import matplotlib.pyplot as plt

    (mf, sf), (mr, sr) = fit_forward_reverse()
    rng = np.random.default_rng(SEED)
    comp = rng.choice(len(MIXTURE), size=20000, p=[w for w, _, _ in MIXTURE])
    samples = rng.normal([MIXTURE[c][1] for c in comp], [MIXTURE[c][2] for c in comp])
    x = np.linspace(-6, 7, 800)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.hist(samples, bins=120, density=True, color="0.85", label="samples of p (seeded)")
    ax.plot(x, mixture_pdf(x), color="k", lw=2, label="p: bimodal mixture")
    ax.plot(x, _normal_pdf(x, mf, sf), lw=2, label=f"forward KL(p‖q): N({mf:.2f}, {sf:.2f}²)")
    ax.plot(x, _normal_pdf(x, mr, sr), lw=2, ls="--",
            label=f"reverse KL(q‖p): N({mr:.2f}, {sr:.2f}²)")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.set_title("Forward KL covers both modes; reverse KL picks one")
    return fig


def accuracy_near_equal():
    """Relative error of the textbook formula and of our kernels as q → p, against the
    verifier's mpmath references (reference_value: 50 digits, doubled until settled)."""
    import matplotlib.pyplot as plt
    import mpmath

    from .. import kernels, verify
    from ..derive.core import get

    delta = np.logspace(-1, -13, 49)
    ref_normal = verify.scalar_reference(get("kl_normal"))
    p = np.array([0.5, 0.3, 0.2])
    rows = {"kl_normal": [], "kl_categorical": []}
    for d in delta:
        sq = 1.0 + d
        textbook = np.log(sq / 1.0) + (1.0 + 0.0) / (2 * sq * sq) - 0.5
        ours = float(kernels.kl_normal(0.0, 1.0, 0.0, sq))
        ref = verify.reference_value(ref_normal, 0.0, 1.0, 0.0, sq)
        rows["kl_normal"].append((textbook, ours, ref))
        q = np.array([0.5 + d, 0.3 - d, 0.2])
        textbook = float(np.sum(p * np.log(p / q)))
        ours = float(kernels.kl_categorical(p, q))
        ref = verify.reference_value(verify.mp_kl_categorical, p, q)
        rows["kl_categorical"].append((textbook, ours, ref))
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
    for ax, (name, data) in zip(axes, rows.items(), strict=True):
        for k, label, style in ((0, "textbook formula (float64)", "o-"),
                                (1, f"kernels.{name}", "s-")):
            err = [max(abs(mpmath.mpf(r[k]) - r[2]) / abs(r[2]), 1e-18) for r in data]
            ax.loglog(delta, [float(e) for e in err], style, ms=3, label=label)
        ax.axhline(np.finfo(float).eps, color="0.5", lw=0.8, ls=":")
        ax.text(delta[-1], np.finfo(float).eps * 1.6, "machine ε", fontsize=7, color="0.4")
        ax.set_xlabel("distance δ between p and q")
        ax.set_title(name, fontsize=10)
        ax.invert_xaxis()
    axes[0].set_ylabel("relative error vs 50-digit mpmath")
    axes[0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def elbo_gap():
    """ELBO, log evidence and their gap for the toy VAE of problem K.2 as the encoder
    variance varies (closed forms from the engine, lambdified)."""
    import matplotlib.pyplot as plt
    import sympy as sp

    from ..derive.core import get
    from .problems import K2

    def curve(name):
        expr = get(name).closed_form
        fixed = {s: sp.Rational(K2[str(s)]) for s in expr.free_symbols if str(s) in K2
                 and str(s) != "var"}
        var = [s for s in expr.free_symbols if str(s) == "var"]
        f = sp.lambdify(var, expr.subs(fixed), "numpy")
        return lambda v: np.broadcast_to(f(v) if var else float(expr.subs(fixed)), v.shape)

    v = np.linspace(0.02, 1.2, 400)
    elbo, evidence = curve("elbo_normal")(v), curve("log_evidence_normal")(v)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(v, evidence, "k-", label="log p(x)")
    a.plot(v, elbo, label="ELBO(σ²)")
    a.axvline(0.4, color="0.6", ls=":", lw=1)
    a.text(0.41, elbo.min(), "K.2: σ² = 0.4", fontsize=7, color="0.4")
    a.set_xlabel("encoder variance σ²")
    a.legend(fontsize=8, frameon=False)
    b.plot(v, evidence - elbo, color="C3")
    b.axvline(0.2, color="0.6", ls=":", lw=1)
    b.text(0.21, (evidence - elbo).max() * 0.8, "posterior variance 0.2", fontsize=7)
    b.set_xlabel("encoder variance σ²")
    b.set_ylabel("gap = KL(q ‖ posterior)")
    fig.suptitle("x = 1.5, μ = 1.2: the gap vanishes only at the posterior variance",
                 fontsize=10)
    fig.tight_layout()
    return fig


FIGURES = {"forward-reverse": forward_reverse, "accuracy-near-equal": accuracy_near_equal,
           "elbo-gap": elbo_gap, **MEASURES_FIGURES, **FITTING_FIGURES,
           **LEARNING_FIGURES, **PRACTICE_FIGURES}
