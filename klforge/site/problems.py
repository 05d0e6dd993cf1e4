"""The lesson's worked problems as data, solved by the engine (values for the site's roles).

Each problem holds its data (from ``../shared/lesson-brief.md``, Appendix K) and the values
the lesson prints, computed at 50 digits from the derivations' closed forms (never typed
in).  ``value("k1.kl")`` returns an mpmath number; the site formats it with the format
spec the page asks for (``{kl}`k1.kl:.4f```).
"""

from __future__ import annotations

import functools

import mpmath
import sympy as sp

from ..derive.core import get

DIGITS = 50

K1_TOKENS = ("Paris", "London", "Rome", "Berlin", "other")
K1_P = ("0.92", "0.03", "0.02", "0.02", "0.01")
K1_Q = ("0.70", "0.10", "0.10", "0.05", "0.05")

K2 = {"x": "1.5", "mu": "1.2", "var": "0.4", "noise_var": "0.25"}

K3_P = ("0.5", "0.3", "0.2")
K3_Q = ("0.2", "0.3", "0.5")
K3_T_A = ("0.8", "0.5", "0.1")  # T(A | x)

# Problems of our own (Appendix K.4–K.7)
K4 = {"mu_p": "2", "sigma_p": "1.5", "mu_q": "0", "sigma_q": "1"}   # Gaussian KL, both ways
K5 = {"p": "0.9", "target": "0.6", "lr": "0.1"}                     # Bernoulli natural gradient
K6 = {"ref": ("0.5", "0.3", "0.2"), "r": ("1", "2", "0"), "beta": "0.5"}  # RLHF optimal policy
K7 = {"pold": ("0.5", "0.3", "0.2"), "g": ("1", "0", "-1"), "lr": "0.5"}  # exponentiated gradient
#: K.6 again at other KL coefficients (section 9's table of β against reward and KL)
K6_BETAS = ("4", "1", "0.5", "0.25")


def _mp(s: str):
    return mpmath.mpf(s)


def _per_outcome(name: str, *vectors):
    """Evaluate a K = 3 categorical derivation at any length through its per-outcome
    summand: the closed form is Σ_i f(p_i, q_i, …) over three outcomes, so keep the terms
    of outcome 0 and sum them over the given vectors (named p, q, … in order)."""
    syms = [[sp.Symbol(f"{n}_{i}", positive=True) for i in range(3)] for n in "pq"[:len(vectors)]]
    others = {s for row in syms for s in row[1:]}
    expr = sp.expand(get(name).closed_form)
    f = sum(t for t in sp.Add.make_args(expr) if not (t.free_symbols & others))
    with mpmath.workdps(DIGITS + 10):
        fn = sp.lambdify([row[0] for row in syms], f, "mpmath")
        return mpmath.fsum(fn(*map(_mp, xs)) for xs in zip(*vectors, strict=True))


def _at(name: str, data: dict) -> list:
    """The closed form of derivation ``name`` at ``data`` (by symbol name; a tuple value
    fills name0, name1, …), as a list of mpmath numbers (one per component)."""
    flat = {}
    for k, v in data.items():
        flat.update({f"{k}{i}": x for i, x in enumerate(v)} if isinstance(v, tuple) else {k: v})
    expr = get(name).closed_form
    comps = list(expr) if isinstance(expr, (sp.Tuple, sp.MatrixBase)) else [expr]
    subs = {s: sp.Rational(flat[str(s)]) for c in comps for s in c.free_symbols}
    return [mpmath.mpf(sp.N(c.subs(subs), DIGITS + 10)) for c in comps]


def _vae(name: str):
    d = get(name)
    subs = {s: sp.Rational(K2[str(s)]) for s in d.closed_form.free_symbols if str(s) in K2}
    return mpmath.mpf(sp.N(d.closed_form.subs(subs), DIGITS + 10))


@functools.cache
def values() -> dict:
    """Every value the lesson may print, by dotted key."""
    out = {}
    kl = _per_outcome("kl_categorical", K1_P, K1_Q)
    ce = _per_outcome("cross_entropy_categorical", K1_P, K1_Q)
    h = _per_outcome("entropy_categorical", K1_P)
    out.update({"k1.kl": kl, "k1.cross_entropy": ce, "k1.entropy": h,
                "k1.ppl_p": mpmath.exp(h), "k1.ppl_q": mpmath.exp(ce)})
    for tok, a, b in zip(K1_TOKENS, K1_P, K1_Q, strict=True):
        out[f"k1.log_ratio.{tok}"] = mpmath.log(_mp(a) / _mp(b))
        out[f"k1.term.{tok}"] = _mp(a) * mpmath.log(_mp(a) / _mp(b))
    elbo, recon = _vae("elbo_normal"), _vae("expected_loglik_normal")
    evidence = _vae("log_evidence_normal")
    steps = {s.text.split(" (")[0]: s.expr for s in get("elbo_normal").steps}
    post = steps["Exact posterior mean and variance"]
    k2 = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in K2.items()}
    k2.update({sp.Symbol(k, positive=True): sp.Rational(v) for k, v in K2.items()})
    post_mean, post_var = (mpmath.mpf(sp.N(e.subs(k2), DIGITS + 10)) for e in post)
    out.update({"k2.recon": recon, "k2.kl": recon - elbo, "k2.elbo": elbo,
                "k2.log_evidence": evidence, "k2.gap": evidence - elbo,
                "k2.post_mean": post_mean, "k2.post_var": post_var})
    out["k3.kl_before"] = _per_outcome("kl_categorical", K3_P, K3_Q)
    pa = mpmath.fsum(_mp(p) * _mp(t) for p, t in zip(K3_P, K3_T_A, strict=True))
    qa = mpmath.fsum(_mp(q) * _mp(t) for q, t in zip(K3_Q, K3_T_A, strict=True))
    out.update({"k3.p_A": pa, "k3.q_A": qa,
                "k3.kl_after": _per_outcome("kl_categorical", (str(pa), str(1 - pa)),
                                            (str(qa), str(1 - qa)))})
    out.update(_k3_divergences())
    out.update(_own_problems())
    return out


#: The f-divergences of Appendix J's table, D_f(p‖q) = Σ_x q(x) f(p(x)/q(x)), by their f.
F_DIVERGENCES = {
    "chi2": lambda t: (t - 1) ** 2,
    "tv": lambda t: abs(t - 1) / 2,
    "hellinger2": lambda t: (mpmath.sqrt(t) - 1) ** 2,
    "js": lambda t: (t * mpmath.log(2 * t / (1 + t)) + mpmath.log(2 / (1 + t))) / 2,
    "reverse_kl": lambda t: -mpmath.log(t),
}


def _k3_divergences() -> dict:
    """K.3's pair under each f-divergence of Appendix J, from the definition
    D_f(p‖q) = Σ_x q(x) f(p(x)/q(x)) at 50 digits (an independent route: not the engine's
    KL derivations), keyed ``k3.<name>``."""
    with mpmath.workdps(DIGITS + 10):
        p, q = [_mp(x) for x in K3_P], [_mp(x) for x in K3_Q]
        return {f"k3.{name}": mpmath.fsum(b * f(a / b) for a, b in zip(p, q, strict=True))
                for name, f in F_DIVERGENCES.items()}


def _own_problems() -> dict:
    out = {}
    out["k4.kl_pq"], = _at("kl_normal", K4)
    swap = {"mu_p": K4["mu_q"], "sigma_p": K4["sigma_q"], "mu_q": K4["mu_p"],
            "sigma_q": K4["sigma_p"]}
    out["k4.kl_qp"], = _at("kl_normal", swap)
    # K.5: loss L(p) = −(t log p + (1 − t) log(1 − p)), so dL/dp = −t/p + (1 − t)/(1 − p)
    p, t = sp.Rational(K5["p"]), sp.Rational(K5["target"])
    grad = -t / p + (1 - t) / (1 - p)
    out["k5.grad"] = mpmath.mpf(sp.N(grad, DIGITS + 10))
    out["k5.p_next"], = _at("natgrad_bernoulli_usual", {"p": K5["p"], "g_p": str(grad),
                                                        "lr": K5["lr"]})
    out["k5.p_plain"] = mpmath.mpf(sp.N(p - sp.Rational(K5["lr"]) * grad, DIGITS + 10))
    *pi, v = _at("kl_regularized_policy", K6)
    ref = [mpmath.mpf(x) for x in K6["ref"]]
    r = [mpmath.mpf(x) for x in K6["r"]]
    for i, x in enumerate(pi):
        out[f"k6.pi.{i}"] = x
    out["k6.value"] = v
    out["k6.reward"] = mpmath.fsum(a * b for a, b in zip(pi, r, strict=True))
    out["k6.kl"] = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(pi, ref, strict=True))
    for b in K6_BETAS:
        *pi_b, v_b = _at("kl_regularized_policy", {**K6, "beta": b})
        out[f"k6.beta.{b}.pi.1"] = pi_b[1]
        out[f"k6.beta.{b}.value"] = v_b
        out[f"k6.beta.{b}.reward"] = mpmath.fsum(a * c for a, c in zip(pi_b, r, strict=True))
        out[f"k6.beta.{b}.kl"] = mpmath.fsum(a * mpmath.log(a / c)
                                             for a, c in zip(pi_b, ref, strict=True))
    for i, x in enumerate(_at("eg_step", K7)):
        out[f"k7.p.{i}"] = x
    return out


def value(key: str):
    """The engine's value for ``key``; KeyError names the known keys."""
    vals = values()
    if key not in vals:
        raise KeyError(f"unknown value {key!r}; known: {', '.join(sorted(vals))}")
    return vals[key]
