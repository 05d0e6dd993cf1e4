"""Optimisation with KL geometry: natural gradient, exponentiated gradient, KL-regularised policy.

* Natural gradient for the Normal in (μ, log σ): F(μ, σ) from ``fisher_normal`` pulled back
  through σ = e^s, then θ ← θ − η F⁻¹ g.
* Exponentiated gradient: minimise ⟨g, p⟩ + KL(p ‖ p₀)/η over the simplex; the stationarity
  of the Lagrangian gives p_i ∝ p₀_i·exp(−η g_i).
* KL-regularised policy: maximise Σ π_i r_i − β Σ π_i log(π_i/π_ref,i) over the simplex;
  π* ∝ π_ref·exp(r/β), value β·log Σ π_ref,i exp(r_i/β).
Symbolic work at K = 3 for the simplex problems.
"""

from __future__ import annotations

import sympy as sp

from .checks import agree
from .core import Derivation, Param, StableForm, Step, derivation, get
from .spec import KernelSpec, RowSampling

K = 3


@derivation("natgrad_normal", spec=KernelSpec(
    "natgrad_normal_step", reduction="natgrad_normal_step", scale="output_terms",
    uniform=(("log_sigma", -20.0, 20.0),),  # σ² = e^{2 log σ} stays within the float range
    # σ² overflowing (log σ > 354.9) gave NaN for a zero gradient and ±inf for finite steps;
    # ½·g_logσ rounded a subnormal g to 0 before lr multiplied it
    hard_points=((0.3, 355.0, 0.0, 1.3, 0.1), (0.3, 400.0, 5e-324, 1.3, 0.1),
                 (0.3, 355.0, 0.7, 1.3, 0.1), (0.3, 400.0, 1e-300, 1.3, 0.1),
                 (0.3, -0.2, 0.7, 5e-324, 1.7976931348623157e308),
                 (0.3, -400.0, 1e300, -1e300, 1e300), (-2.0, 700.0, 5e-324, 0.0, 0.1),
                 (0.3, -0.2, 0.7, 1.7976931348623157e308, 1.5)),
    no_torch="an optimiser step, not a distribution: torch has no natural-gradient step",
    bound=(4, "μ − lr·σ²·g_μ and log σ − lr·g_logσ/2: one subtraction each, which cancels "
              "where the step nearly undoes the parameter (scale per output).")))
def _natgrad() -> Derivation:
    f = get("fisher_normal").closed_form
    mu, sigma = get("fisher_normal").symbols
    s = sp.Symbol("log_sigma", real=True)
    jac = sp.diag(1, sp.exp(s))  # ∂(μ, σ)/∂(μ, s)
    f_s = sp.simplify(jac.T * f.subs(sigma, sp.exp(s)) * jac)
    g_mu, g_s, lr = sp.Symbol("g_mu", real=True), sp.Symbol("g_log_sigma", real=True), sp.Symbol(
        "lr", positive=True)
    step = sp.Matrix([mu, s]) - lr * f_s.inv() * sp.Matrix([g_mu, g_s])
    step = sp.simplify(step)
    params = (Param("mu", mu, "real"), Param("log_sigma", s, "real"), Param("g_mu", g_mu, "real"),
              Param("g_log_sigma", g_s, "real"), Param("lr", lr, "positive"))
    # Stable: θ − (the step each parameter takes), the step lr·g·e^{2 log σ} (lr·g/2) bound as
    # one product that the kernel scales by exponents (klforge/emit/reductions.py): never
    # σ² = e^{2 log σ} alone (inf·0 = NaN for a zero gradient) nor ½·g (0 for g = 5e-324).
    moves = sp.symbols("step_mu step_log_sigma", real=True)
    stable = StableForm(tuple((h, sp.expand(p - e))
                              for h, p, e in zip(moves, (mu, s), step, strict=True)),
                        sp.Tuple(mu - moves[0], s - moves[1]))
    checks = tuple(agree(f"stable form = closed form ({name})", a, b, params)
                   for name, a, b in zip(("μ", "log σ"), stable.inline(), step, strict=True))
    return Derivation(
        name="natgrad_normal", title="Natural-gradient step for N(μ, σ²) in (μ, log σ)",
        params=params, definition=sp.Symbol("θ") - lr * sp.Symbol("F⁻¹∇L"),
        steps=(Step("Fisher information in (μ, σ)", f),
               Step("Pulled back to (μ, log σ): Jᵀ F J", f_s),
               Step("θ ← θ − η F⁻¹ g", step)),
        closed_form=step, stable_form=stable, kernel="natgrad_normal_step", checks=checks)


def _simplex_stationary(objective, p, lam):
    """Solve ∂/∂p_i [objective + λ(Σ p − 1)] = 0 for p_i, then normalise."""
    lag = objective + lam * (sum(p) - 1)
    sol = [sp.solve(sp.diff(lag, pi), pi)[0] for pi in p]
    lam_val = sp.solve(sum(sol) - 1, lam)[0]
    return [sp.simplify(si.subs(lam, lam_val)) for si in sol]


@derivation("eg_step", spec=KernelSpec(
    "eg_step", bar=8, rows=RowSampling("simplex_gradient", count=200),  # every element of the row
    reduction="eg_step", no_torch="an optimiser step, not a distribution"))
def _eg() -> Derivation:
    p = sp.symbols(f"p0:{K}", positive=True)
    p0 = sp.symbols(f"pold0:{K}", positive=True)
    g = sp.symbols(f"g0:{K}", real=True)
    eta, lam = sp.Symbol("lr", positive=True), sp.Symbol("lambda", real=True)
    obj = sum(gi * pi for gi, pi in zip(g, p, strict=True)) + sum(
        pi * sp.log(pi / qi) for pi, qi in zip(p, p0, strict=True)) / eta
    sol = _simplex_stationary(obj, p, lam)
    z = sum(qj * sp.exp(-eta * gj) for qj, gj in zip(p0, g, strict=True))
    target = [qi * sp.exp(-eta * gi) / z for qi, gi in zip(p0, g, strict=True)]
    params = tuple(Param(str(x), x, "positive") for x in p0) + tuple(
        Param(str(x), x, "real") for x in g) + (Param("lr", eta, "positive"),)
    checks = tuple(agree(f"Lagrangian solution p_{i} = p₀ e^(−ηg)/Z", s, t, params)
                   for i, (s, t) in enumerate(zip(sol, target, strict=True)))
    return Derivation(
        name="eg_step", title="Exponentiated-gradient (mirror-descent) step on the simplex",
        params=(Param("p", sp.IndexedBase("p"), "probability_vector"),
                Param("g", sp.IndexedBase("g"), "real_vector"), Param("lr", eta, "positive")),
        definition=obj, steps=(Step("Stationary point of the Lagrangian", sp.Tuple(*sol)),),
        closed_form=sp.Tuple(*target), stable_form=StableForm((), sp.Tuple(*target)),
        kernel="eg_step", checks=checks,
        notes="Evaluated in log space: p_i ← softmax(log p_i − η g_i); p_i = 0 stays 0.")


@derivation("kl_regularized_policy", spec=KernelSpec(
    "kl_regularized_policy", rows=RowSampling("policy", count=200, hard_points=(
        # masked actions (π_ref underflows: −1e4, −1e9, finfo.min logits) with large r/β —
        # V was −inf, of the wrong sign or wrong (issue 16, s12 H2)
        ((-1000.0, 0.0), (1.0, 0.0), 1e-3), ((-1e4, 0.0, 0.3), (10.0, 1.0, 2.0), 0.01),
        ((-1.7976931348623157e308, 0.5, 1.0), (1e10, 2.0, 3.0), 0.5),
        ((-1e9, 0.5, 1.0), (1e10, 2.0, 3.0), 0.5), ((-746.0, 0.0), (720.0, 0.0), 1.0),
        ((-744.0, 0.0), (744.0, 0.0), 1.0), ((-760.0, 0.0, 0.5), (745.0, 0.0, 0.2), 1.0),
        ((-1e5, 0.0), (1e300, 0.0), 0.5), ((-3e4, 0.0, 1.0), (2.0, 0.5, -0.5), 0.01),
        ((-800.0, 0.0, 0.1), (1.0, 2e-3, -1e-3), 1.0),
        # β from 1e-14 to 1e-300: the tail of r/β decides (π* was NaN, s12 H3)
        ((0.0, 2.0), (1.0, 1.0 + 1e-15), 1e-14), ((0.0, 1.0), (1.0, 1.0), 1e-20),
        ((0.1, -0.3, 1.2), (0.1, -0.2, 0.3), 1e-30), ((0.0, 1.0, -0.5), (1.0, 1.0, 1.0), 1e-100),
        ((-1e4, 0.0, 0.5), (0.7, 0.2, 0.2), 1e-200),
        ((0.1, -0.3, 1.2), (0.1, -0.2, 0.3), 1e-300))),
    reduction="kl_regularized_policy", scale="policy_terms",
    no_torch="an optimisation's solution, not a distribution's KL",
    bound=(8, "π*: scale π*_i (a relative bound); V = β·log E_ref[exp(r/β)]: scale "
              "β·E_ref|expm1(r/β)| + |V|, the size of the terms whose mean is taken (V → "
              "E_ref[r] cancels when rewards have mixed signs).")))
def _policy() -> Derivation:
    pi = sp.symbols(f"pi0:{K}", positive=True)
    ref = sp.symbols(f"ref0:{K}", positive=True)
    r = sp.symbols(f"r0:{K}", real=True)
    beta, lam = sp.Symbol("beta", positive=True), sp.Symbol("lambda", real=True)
    obj = (sum(a * b for a, b in zip(pi, r, strict=True))
           - beta * sum(a * sp.log(a / b) for a, b in zip(pi, ref, strict=True)))
    sol = _simplex_stationary(-obj, pi, lam)
    z = sum(b * sp.exp(ri / beta) for b, ri in zip(ref, r, strict=True))
    target = [b * sp.exp(ri / beta) / z for b, ri in zip(ref, r, strict=True)]
    value = sp.simplify(obj.subs(dict(zip(pi, target, strict=True))))
    params = tuple(Param(str(x), x, "positive") for x in ref) + tuple(
        Param(str(x), x, "real") for x in r) + (Param("beta", beta, "positive"),)
    checks = tuple(agree(f"Lagrangian solution π*_{i} = π_ref e^(r/β)/Z", s, t, params)
                   for i, (s, t) in enumerate(zip(sol, target, strict=True)))
    checks += (agree("value = β log E_ref[e^(r/β)]", value, beta * sp.log(z), params),)
    return Derivation(
        name="kl_regularized_policy",
        title="Optimal policy of max E_π[r] − β KL(π ‖ π_ref)",
        params=(Param("logits_ref", sp.IndexedBase("l"), "real_vector"),
                Param("reward", sp.IndexedBase("r"), "real_vector"),
                Param("beta", beta, "positive")),
        definition=obj,
        steps=(Step("Stationary point of the Lagrangian", sp.Tuple(*sol)),
               Step("Optimal value", sp.Eq(sp.Symbol("V"), beta * sp.log(z)))),
        closed_form=sp.Tuple(*target, beta * sp.log(z)),
        stable_form=StableForm((), sp.Tuple(*target, beta * sp.log(z))),
        kernel="kl_regularized_policy", checks=checks,
        notes="Kernel returns (π*, V) from reference logits: log π_ref = log_softmax(l).")
