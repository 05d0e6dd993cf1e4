"""The lesson's toy VAE: prior N(0, 1), decoder N(x; z, s²), encoder q = N(μ, σ²).

Derived by SymPy: the expected reconstruction log-likelihood by integration over q, the KL
term from ``kl_normal``, the ELBO, the exact posterior (completing the square in z), the
log evidence by integrating z out, and the identity log p(x) − ELBO = KL(q ‖ posterior).
"""

from __future__ import annotations

import sympy as sp

from .checks import agree
from .core import Derivation, DerivationError, Param, StableForm, Step, derivation, get
from .primitives import textbook
from .rewriting import rewrite
from .spec import KernelSpec

DBL_MAX = 1.7976931348623157e308
TINY = 2.2250738585072014e-308  # the smallest normal double
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


#: the half residual (x − μ)/2, named to sort after σ² so the kernel adds its quotient last
w_h = sp.Symbol("w_h", real=True)
t = sp.Symbol("t", positive=True)
c = sp.Symbol("c", positive=True)


class scaled_quotient(sp.Function):  # noqa: N801 - SymPy convention: functions are lower case
    """scaled_quotient(a, b, c, j) = a·b·2^j/c for b = a (a square) or b = 1, ±inf only where
    that is beyond the float range.

    The kernel forms s = a·b·2^j, then s/c, where s is a normal number (two roundings, the
    ·2^j exact); where s overflows it divides first, (a/c)·a·2^j ((a/c)·(a·2^j) for j < 0),
    and where s underflows, (a/c)·a·2^j too: the same two roundings, and no intermediate
    over- or underflows where the value does not (a/c ≥ 2^-513 when a² overflows; a/c ≤
    2^564 when it underflows).  No calls: the branches are selects, the loop vectorises.
    Plain forms fail both ways: x = s² = 1e300 gives x·x = inf (the quotient is 5e299),
    a = 1e-10, c = 1e-320 gives a/c = inf (a²/c is 1e300), ½·σ² = ½·5e-324 is 0.
    Domain: finite a; c > 0.  Example: scaled_quotient(x, x, t, -1) is x²/(2t).
    """

    nargs = 4

    @classmethod
    def eval(cls, a, b, c, j):
        if not (b == a or b == 1) or not j.is_integer:
            raise ValueError(f"scaled_quotient({a}, {b}, {c}, {j}): b must be a or 1, j integer")

    def _eval_rewrite_as_textbook(self, a, b, c, j, **kwargs):
        return a * b * sp.Integer(2) ** j / c

    def _eval_evalf(self, prec):
        return self.rewrite("textbook")._eval_evalf(prec)

    def _latex(self, printer):
        return printer._print(self.rewrite("textbook"))

    def _pythoncode(self, printer):
        a, b, c, j = self.args
        pa, pc, k = printer._print(a), printer._print(c), float(2) ** int(j)
        if b == 1:
            s, slow = f"({pa})*{k!r}", f"(({pa})/({pc}))*{k!r}"
            lo = TINY
        else:
            s = f"({pa})*({pa})*{k!r}"
            slow = f"((({pa})/({pc}))*({pa}))*{k!r}"
            if j < 0:  # where s overflows: (a/c)·(a·2^j), a·2^j exact (|a| ≥ 2^511)
                slow = f"((({pa})/({pc}))*(({pa})*{k!r}) if abs({s}) > 1.0 else {slow})"
            lo = TINY * max(k, 1.0)  # a·a normal before the ·2^j
        return f"(({s})/({pc}) if {lo!r} <= abs({s}) <= {DBL_MAX!r} else {slow})"


def quotients(expr: sp.Expr, v: sp.Expr) -> sp.Expr:
    """Each term k·a²/v or k·a/v of ``expr`` (k = ±2^j, a a symbol) becomes
    ±scaled_quotient(a, a or 1, v, j); the other terms are kept.  Example:
    ``quotients(-w**2/(2*v) - log(v)/2, v)`` → ``-scaled_quotient(w, w, v, -1) - log(v)/2``."""
    out = []
    for term in sp.Add.make_args(expr):
        k, factors = (term * v).as_coeff_mul()
        j = sp.log(abs(k), 2)
        if term.has(v) and not (term * v).has(v) and j.is_integer:
            ab = [f for f in factors for _ in range(2 if f.is_Pow and f.exp == 2 else 1)]
            ab = [f.base if f.is_Pow else f for f in ab]
            if len(ab) in (1, 2) and all(f.is_Symbol for f in ab) and len(set(ab)) == 1:
                a, b = (*ab, sp.S.One)[:2]
                term = sp.sign(k) * scaled_quotient(a, b, v, j)
        out.append(term)
    return sp.Add(*out)


def with_constant(bindings: tuple, result: sp.Expr) -> StableForm:
    """The normaliser's constant −log(2π)/2 bound as c (one piece, |c| = |log π|/2 +
    |log 2|/2): the kernel then adds the terms as c, the logs, then the quotients, the
    largest last (SymPy would print the constants after the quotients: two more roundings
    at the quotients' scale)."""
    half_log_2pi = sp.log(sp.pi) / 2 + sp.log(2) / 2
    rest = sp.expand(result + half_log_2pi)
    if rest.has(sp.pi):
        raise DerivationError(f"no −log(2π)/2 to bind in {result}")
    return StableForm(((c, half_log_2pi), *bindings), rest - c)


def _residual_form(expr: sp.Expr) -> StableForm:
    """Rewrite in the half residual w_h = x/2 − μ/2 (= (x − μ)/2 rounded, finite for every
    finite x, μ) and expand: the sum of −2w_h²/s², −σ²/(2s²) and the logs, each accurate,
    instead of x² − 2μx + μ², which cancels when x ≈ μ is large; the quotients by s² are
    evaluated by :class:`scaled_quotient`, which overflows or underflows only where the
    value does."""
    expanded = sp.expand(sp.expand_log(expr.subs(x, 2 * w_h + mu), force=True))
    return with_constant(((w_h, x / 2 - mu / 2),), quotients(expanded, noise))


def _build(name, title, closed, stable, steps, kernel, checks=()):
    return Derivation(name=name, title=title, params=PARAMS, definition=steps[0].expr,
                      steps=steps, closed_form=closed, stable_form=stable, kernel=kernel,
                      checks=checks)


@derivation("expected_loglik_normal", spec=KernelSpec(
    "expected_loglik_normal", page="vae", no_torch="an expectation, not a KL",
    # (x − μ)² formed before the division by s² gave −inf (x = s² = 1e300); x − μ overflows
    # alone at the second point, w_h/s² at the fourth, σ²/s² at the fifth (each value finite);
    # ½·σ² rounded to 0 at the sixth (σ² = s² = 5e-324; verify's reference keeps σ² beside x²
    # since it starts at the precision of the arguments' span, klforge/verify/settle.py).
    hard_points=((0.3, 1e300, 0.7, 1e300), (DBL_MAX, -0.2 * DBL_MAX, 1e-300, DBL_MAX),
                 (1e300, -1e300, 1e-300, DBL_MAX), (1e-10, 0.0, 1e-300, 1e-320),
                 (0.3, 0.3, DBL_MAX, 0.7), (0.3, 0.3, 5e-324, 5e-324)),
    bound=(4, "a sum of −w²/2s², −σ²/2s², −log s²/2, −log 2π/2; cancels only where the log "
              "term offsets the quadratic ones.")))
def _expected_loglik() -> Derivation:
    e = expected_loglik()
    defn = sp.Integral(sp.Symbol("q(z)") * _log_normal(x, z, noise), (z, -sp.oo, sp.oo))
    stable = _residual_form(e)
    check = agree("stable form = closed form", textbook(stable.inline()), e, PARAMS)
    return _build("expected_loglik_normal", "E_q[log N(x; z, s²)] for q = N(μ, σ²)", e,
                  stable, (Step("Definition", defn), Step("Gaussian integral", e)),
                  "expected_loglik_normal", (check,))


@derivation("elbo_normal", spec=KernelSpec(
    "elbo_normal", page="vae", no_torch="an ELBO, not a KL between torch distributions",
    hard_points=((1e300, -0.2, 0.7, 1e300), (1e-10, 0.0, 1e-300, 1e-320),
                 (0.3, 0.3, 5e-324, 1e-320)),
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
    # Stable: the reconstruction term in the half residual (x − μ)/2, and the KL term with the scale
    # rule: σ² − 1 − log σ² → rm1mlog(σ² − 1, log σ²).
    kl_stable, _ = rewrite(sp.expand(sp.expand_log(kl, force=True)), "scale")
    recon = _residual_form(e)
    stable = StableForm(recon.bindings, sp.expand(recon.result - kl_stable))
    check2 = agree("stable form = closed form", textbook(stable.inline()), elbo, PARAMS)
    return _build("elbo_normal", "ELBO of the toy linear-Gaussian VAE", elbo, stable, (
        Step("ELBO = E_q[log p(x|z)] − KL(q ‖ N(0,1))", sp.Eq(sp.Symbol("ELBO"), elbo)),
        Step("Exact posterior mean and variance (complete the square)", sp.Tuple(m, v)),
        Step("Log evidence log ∫ p(x|z)p(z) dz", logz),
        Step("Gap log p(x) − ELBO = KL(q ‖ posterior)", kl_post)),
        "elbo_normal", (check, check2))


@derivation("log_evidence_normal", spec=KernelSpec(
    "log_evidence_normal", page="vae", no_torch="a log evidence, not a KL",
    hard_points=((1e300, 1e300), (DBL_MAX, DBL_MAX), (-1e200, 5e-324)),  # x² overflowed
    bound=(4, "−x²/(2(1 + s²)) − log(2π(1 + s²))/2, which cancel only near the zero of "
              "log p(x).")))
def _log_evidence() -> Derivation:
    logz = log_evidence()
    # t = 1 + s², then x²/(2t) as a scaled quotient: finite where it is (x = s² = 1e300).
    # Without with_constant: this order gives the old kernel's values at all 600 verify points.
    stable = StableForm(((t, noise + 1),), quotients(sp.expand(logz.subs(noise + 1, t)), t))
    params = (PARAMS[0], PARAMS[3])
    check = agree("stable form = closed form", textbook(stable.inline()), logz, params)
    return Derivation(name="log_evidence_normal", title="log p(x) = log N(x; 0, 1 + s²)",
                      params=params,
                      definition=sp.Integral(sp.Symbol("p(x|z)p(z)"), (z, -sp.oo, sp.oo)),
                      steps=(Step("Gaussian integral over z", logz),), closed_form=logz,
                      stable_form=stable, kernel="log_evidence_normal", checks=(check,))
