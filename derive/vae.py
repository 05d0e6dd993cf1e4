"""The lesson's toy VAE: prior N(0, 1), decoder N(x; z, s²), encoder q = N(μ, σ²).

Derived by SymPy: the expected reconstruction log-likelihood by integration over q, the KL
term from ``kl_normal``, the ELBO, the exact posterior (completing the square in z), the
log evidence by integrating z out, and the identity log p(x) − ELBO = KL(q ‖ posterior).
"""

from __future__ import annotations

import sympy as sp

from .checks import agree
from .core import Derivation, Param, StableForm, Step, derivation, get
from .primitives import textbook
from .rewriting import rewrite
from .spec import KernelSpec

x, mu, z = sp.symbols("x mu z", real=True)
var, noise = sp.symbols("var noise_var", positive=True)
PARAMS = (Param("x", x, "real", "observation"), Param("mu", mu, "real", "encoder mean"),
          Param("var", var, "positive", "encoder variance σ²"),
          Param("noise_var", noise, "positive", "decoder variance s²"))


def _log_normal(v, mean, variance):
    return -sp.log(2 * sp.pi * variance) / 2 - (v - mean) ** 2 / (2 * variance)


def _gauss_integral(f):
    return sp.simplify(sp.integrate(sp.expand(f), (z, -sp.oo, sp.oo), conds="none"))


def _q_density():
    return sp.exp(_log_normal(z, mu, var))


def expected_loglik():
    return _gauss_integral(_q_density() * _log_normal(x, z, noise))


def kl_term():
    n = get("kl_normal")
    mu_p, s_p, mu_q, s_q = n.symbols
    return sp.simplify(n.closed_form.subs({mu_p: mu, s_p: sp.sqrt(var), mu_q: 0, s_q: 1}))


def posterior():
    """Complete the square: log p(z|x) is quadratic in z; read off mean and variance."""
    log_joint = sp.expand(_log_normal(x, z, noise) + _log_normal(z, 0, 1))
    a2 = log_joint.coeff(z, 2)
    a1 = log_joint.coeff(z, 1)
    post_var = sp.simplify(-1 / (2 * a2))
    return sp.simplify(a1 * post_var), post_var


def log_evidence():
    joint = sp.exp(_log_normal(x, z, noise) + _log_normal(z, 0, 1))
    return sp.simplify(sp.log(_gauss_integral(joint)))


w = sp.Symbol("w", real=True)


def _residual_form(expr: sp.Expr) -> StableForm:
    """Rewrite in the residual w = x − μ and expand: the sum of −w²/(2s²), −σ²/(2s²) and the
    logs, each accurate, instead of x² − 2μx + μ², which cancels when x ≈ μ is large."""
    return StableForm(((w, x - mu),), sp.expand(sp.expand_log(expr.subs(x, w + mu), force=True)))


def _build(name, title, closed, stable, steps, kernel, checks=()):
    return Derivation(name=name, title=title, params=PARAMS, definition=steps[0].expr,
                      steps=steps, closed_form=closed, stable_form=stable, kernel=kernel,
                      checks=checks)


@derivation("expected_loglik_normal", spec=KernelSpec(
    "expected_loglik_normal", page="vae", no_torch="an expectation, not a KL",
    bound=(4, "a sum of −w²/2s², −σ²/2s², −log s²/2, −log 2π/2; cancels only where the log "
              "term offsets the quadratic ones.")))
def _expected_loglik() -> Derivation:
    e = expected_loglik()
    defn = sp.Integral(sp.Symbol("q(z)") * _log_normal(x, z, noise), (z, -sp.oo, sp.oo))
    stable = _residual_form(e)
    check = agree("stable form = closed form", stable.inline(), e, PARAMS)
    return _build("expected_loglik_normal", "E_q[log N(x; z, s²)] for q = N(μ, σ²)", e,
                  stable, (Step("Definition", defn), Step("Gaussian integral", e)),
                  "expected_loglik_normal", (check,))


@derivation("elbo_normal", spec=KernelSpec(
    "elbo_normal", page="vae", no_torch="an ELBO, not a KL between torch distributions",
    bound=(4, "expected_loglik_normal minus kl_normal_std's pieces.")))
def _elbo() -> Derivation:
    e, kl = expected_loglik(), kl_term()
    elbo = sp.expand(e - kl)
    m, v = posterior()
    logz = log_evidence()
    mu_p, s_p, mu_q, s_q = get("kl_normal").symbols
    kl_post = get("kl_normal").closed_form.subs({mu_p: mu, s_p: sp.sqrt(var), mu_q: m,
                                                 s_q: sp.sqrt(v)})
    check = agree("log p(x) − ELBO = KL(q ‖ p(z|x))", logz - elbo, kl_post, PARAMS)
    # Stable: the reconstruction term in the residual x − μ, and the KL term with the scale
    # rule: σ² − 1 − log σ² → rm1mlog(σ² − 1, log σ²).
    kl_stable, _ = rewrite(sp.expand(sp.expand_log(kl, force=True)), "scale")
    recon = _residual_form(e)
    stable = StableForm(recon.bindings, recon.result - kl_stable)
    check2 = agree("stable form = closed form", textbook(stable.inline()), elbo, PARAMS)
    return _build("elbo_normal", "ELBO of the toy linear-Gaussian VAE", elbo, stable, (
        Step("ELBO = E_q[log p(x|z)] − KL(q ‖ N(0,1))", sp.Eq(sp.Symbol("ELBO"), elbo)),
        Step("Exact posterior mean and variance (complete the square)", sp.Tuple(m, v)),
        Step("Log evidence log ∫ p(x|z)p(z) dz", logz),
        Step("Gap log p(x) − ELBO = KL(q ‖ posterior)", kl_post)),
        "elbo_normal", (check, check2))


@derivation("log_evidence_normal", spec=KernelSpec(
    "log_evidence_normal", page="vae", no_torch="a log evidence, not a KL",
    bound=(4, "−x²/(2(1 + s²)) − log(2π(1 + s²))/2, which cancel only near the zero of "
              "log p(x).")))
def _log_evidence() -> Derivation:
    logz = log_evidence()
    return Derivation(name="log_evidence_normal", title="log p(x) = log N(x; 0, 1 + s²)",
                      params=(PARAMS[0], PARAMS[3]),
                      definition=sp.Integral(sp.Symbol("p(x|z)p(z)"), (z, -sp.oo, sp.oo)),
                      steps=(Step("Gaussian integral over z", logz),), closed_form=logz,
                      stable_form=StableForm((), logz), kernel="log_evidence_normal")
