"""The worked problems' values: from the engine's derivations, checked here against an
independent mpmath computation of the textbook definitions at 50 digits."""
import pathlib

import mpmath
import pytest

from klforge.site import problems as P


def close(a, b):
    return abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b))


def test_k1_against_the_definitions():
    p = [mpmath.mpf(x) for x in P.K1_P]
    q = [mpmath.mpf(x) for x in P.K1_Q]
    kl = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(p, q, strict=True))
    ce = -mpmath.fsum(a * mpmath.log(b) for a, b in zip(p, q, strict=True))
    h = -mpmath.fsum(a * mpmath.log(a) for a in p)
    assert close(P.value("k1.kl"), kl) and close(P.value("k1.cross_entropy"), ce)
    assert close(P.value("k1.entropy"), h) and close(P.value("k1.ppl_q"), mpmath.exp(ce))


def test_k2_gap_is_the_kl_to_the_posterior():
    # independent: the posterior of the linear-Gaussian model by Bayes for Gaussians
    x, mu, var, s2 = (mpmath.mpf(P.K2[k]) for k in ("x", "mu", "var", "noise_var"))
    post_var = 1 / (1 + 1 / s2)
    post_mean = post_var * x / s2
    kl_post = (mpmath.log(mpmath.sqrt(post_var / var)) + (var + (mu - post_mean) ** 2)
               / (2 * post_var) - mpmath.mpf(1) / 2)
    assert close(P.value("k2.post_mean"), post_mean) and close(P.value("k2.post_var"), post_var)
    assert close(P.value("k2.gap"), kl_post)
    evidence = -mpmath.log(2 * mpmath.pi * (1 + s2)) / 2 - x**2 / (2 * (1 + s2))
    assert close(P.value("k2.log_evidence"), evidence)


def test_k3_data_processing():
    assert P.value("k3.kl_after") <= P.value("k3.kl_before")
    assert close(P.value("k3.q_A"), mpmath.mpf("0.36"))


def test_unknown_key_names_the_known_ones():
    with pytest.raises(KeyError, match="unknown value 'k9'.*k1.kl"):
        P.value("k9")


def _normal_kl_by_quadrature(mp_, sp_, mq, sq):
    """Independent: ∫ p log(p/q) by mpmath quadrature (not the derived closed form)."""
    def p(x):
        return mpmath.npdf(x, mp_, sp_)

    def q(x):
        return mpmath.npdf(x, mq, sq)

    return mpmath.quad(lambda x: p(x) * (mpmath.log(p(x)) - mpmath.log(q(x))),
                       [-mpmath.inf, mp_ - 10 * sp_, mp_, mp_ + 10 * sp_, mpmath.inf])


def test_k4_gaussian_kl_both_ways_by_quadrature():
    mp_, sp_, mq, sq = (mpmath.mpf(P.K4[k]) for k in ("mu_p", "sigma_p", "mu_q", "sigma_q"))
    assert close(P.value("k4.kl_pq"), _normal_kl_by_quadrature(mp_, sp_, mq, sq))
    assert close(P.value("k4.kl_qp"), _normal_kl_by_quadrature(mq, sq, mp_, sp_))


def test_k5_natural_gradient_step_uses_the_inverse_fisher():
    p, t, lr = (mpmath.mpf(P.K5[k]) for k in ("p", "target", "lr"))
    grad = mpmath.diff(lambda u: -(t * mpmath.log(u) + (1 - t) * mpmath.log(1 - u)), p)
    fisher = 1 / (p * (1 - p))  # Var of the score of Bernoulli(p)
    assert close(P.value("k5.grad"), grad)
    assert close(P.value("k5.p_next"), p - lr * grad / fisher)
    assert close(P.value("k5.p_plain"), p - lr * grad)


def test_k6_policy_maximises_the_objective():
    ref = [mpmath.mpf(x) for x in P.K6["ref"]]
    r = [mpmath.mpf(x) for x in P.K6["r"]]
    beta = mpmath.mpf(P.K6["beta"])
    pi = [P.value(f"k6.pi.{i}") for i in range(3)]

    def objective(w):
        return mpmath.fsum(a * b for a, b in zip(w, r, strict=True)) - beta * mpmath.fsum(
            a * mpmath.log(a / b) for a, b in zip(w, ref, strict=True))

    best = objective(pi)
    assert close(P.value("k6.value"), best)
    assert close(best, beta * mpmath.log(mpmath.fsum(a * mpmath.exp(b / beta)
                                                     for a, b in zip(ref, r, strict=True))))
    for k in range(3):  # any feasible perturbation lowers the objective
        for eps in (mpmath.mpf("1e-3"), mpmath.mpf("-1e-3")):
            w = list(pi)
            w[k] += eps
            w[(k + 1) % 3] -= eps
            assert objective(w) < best


def test_k7_exponentiated_gradient_is_the_kl_proximal_step():
    pold = [mpmath.mpf(x) for x in P.K7["pold"]]
    g = [mpmath.mpf(x) for x in P.K7["g"]]
    lr = mpmath.mpf(P.K7["lr"])
    new = [P.value(f"k7.p.{i}") for i in range(3)]
    assert close(mpmath.fsum(new), 1)

    def prox(w):  # lr·gᵀw + KL(w‖pold), minimised by the step
        return lr * mpmath.fsum(a * b for a, b in zip(g, w, strict=True)) + mpmath.fsum(
            a * mpmath.log(a / b) for a, b in zip(w, pold, strict=True))

    for k in range(3):
        w = list(new)
        w[k] += mpmath.mpf("1e-3")
        w[(k + 2) % 3] -= mpmath.mpf("1e-3")
        assert prox(w) > prox(new)


def test_k6_beta_sweep_against_the_tilted_reference():
    """Independent: π_β = π_ref·e^{r/β}/Z computed directly; the value is β ln Z, and the
    KL to the reference grows as β falls (the reward-versus-distance trade-off)."""
    ref = [mpmath.mpf(x) for x in P.K6["ref"]]
    r = [mpmath.mpf(x) for x in P.K6["r"]]
    kls = []
    for b in P.K6_BETAS:
        beta = mpmath.mpf(b)
        w = [a * mpmath.exp(c / beta) for a, c in zip(ref, r, strict=True)]
        z = mpmath.fsum(w)
        pi = [x / z for x in w]
        kl = mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(pi, ref, strict=True))
        reward = mpmath.fsum(a * c for a, c in zip(pi, r, strict=True))
        assert close(P.value(f"k6.beta.{b}.pi.1"), pi[1])
        assert close(P.value(f"k6.beta.{b}.kl"), kl)
        assert close(P.value(f"k6.beta.{b}.value"), beta * mpmath.log(z))
        assert close(P.value(f"k6.beta.{b}.reward"), reward)
        assert close(reward - beta * kl, beta * mpmath.log(z))
        kls.append(kl)
    assert kls == sorted(kls)  # K6_BETAS decrease, so the KL must increase



def test_beta_vae_figure_optimum_maximises_the_beta_objective():
    """Section 7's rate–distortion figure uses a closed-form optimal encoder: every nearby
    encoder must do worse on the averaged β-objective (evaluated here from the definitions
    in mpmath), the figure's rate and distortion must be that encoder's, and at β = 1
    R + D must equal the entropy of x ~ N(0, 1 + s²) (the exact posterior closes the gap)."""
    from klforge.site.plots_learning import beta_vae_encoder, beta_vae_optimum

    s2, ex2 = mpmath.mpf("0.25"), 1 + mpmath.mpf("0.25")

    def parts(c, v):  # x ~ N(0, 1 + s²), q(z|x) = N(c x, v): E[KL to N(0,1)], E[−ln p(x|z)]
        rate = (v + c * c * ex2 - 1 - mpmath.log(v)) / 2
        dist = mpmath.log(2 * mpmath.pi * s2) / 2 + ((1 - c) ** 2 * ex2 + v) / (2 * s2)
        return rate, dist

    for beta in ("0.25", "1", "4"):
        c, v = (mpmath.mpf(float(x)) for x in beta_vae_encoder(float(beta)))
        b = mpmath.mpf(beta)
        best = sum(w * x for w, x in zip((b, 1), parts(c, v), strict=True))
        for dc, dv in ((1e-4, 0), (-1e-4, 0), (0, 1e-4), (0, -1e-4)):
            r, d = parts(c + dc, v + dv)
            assert b * r + d > best
        rate, dist = beta_vae_optimum(float(beta))
        assert abs(rate - parts(c, v)[0]) < 1e-12 and abs(dist - parts(c, v)[1]) < 1e-12
    rate, dist = beta_vae_optimum(1.0)
    assert abs(rate + dist - mpmath.log(2 * mpmath.pi * mpmath.e * ex2) / 2) < 1e-12


def test_k6_marginal_value_of_the_kl_budget_is_beta():
    """Appendix G.3: along the optimal policies π_β ∝ π_ref e^{r/β}, the best reward V as a
    function of the KL budget δ has slope dV/dδ = β (envelope theorem) and is concave, so a
    whole extra nat buys less than β.  Independent: mpmath derivatives of the direct sums."""
    ref = [mpmath.mpf(x) for x in P.K6["ref"]]
    r = [mpmath.mpf(x) for x in P.K6["r"]]

    def policy(beta):
        w = [a * mpmath.exp(c / beta) for a, c in zip(ref, r, strict=True)]
        z = mpmath.fsum(w)
        return [x / z for x in w]

    def reward(beta):
        return mpmath.fsum(a * c for a, c in zip(policy(beta), r, strict=True))

    def kl(beta):
        return mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(policy(beta), ref, strict=True))

    with mpmath.workdps(40):
        for b in P.K6_BETAS:
            beta = mpmath.mpf(b)
            slope = mpmath.diff(reward, beta) / mpmath.diff(kl, beta)
            assert abs(slope - beta) < mpmath.mpf(10) ** -25
            # one whole extra nat of budget: the reward gained is below β (concavity)
            target = kl(beta) + 1
            if target < kl(mpmath.mpf("0.01")):  # reachable: below the β → 0 limit
                b1 = mpmath.findroot(lambda x, t=target: kl(x) - t, (mpmath.mpf("0.01"), beta),
                                     solver="illinois")
                assert 0 < reward(b1) - reward(beta) < beta


def _markdown_table(path, first_header):
    rows = []
    root = pathlib.Path(__file__).resolve().parents[1]
    text = (root / path).read_text(encoding="utf-8").splitlines()
    inside = False
    for row in text:
        if row.startswith("| " + first_header):
            inside = True
            continue
        if inside and row.startswith("|---"):
            continue
        if inside and row.startswith("|"):
            rows.append([c.strip() for c in row.strip("|").split("|")])
        elif inside:
            break
    return rows


def test_appendix_j_table_of_f_divergences_on_k3():
    """Appendix J's table prints each f-divergence of K.3's pair and f''(1); tables are not
    read by the auditor, so every entry is recomputed here from the definitions (mpmath,
    and f''(1) by numerical differentiation of the f written in this test)."""
    p = [mpmath.mpf(x) for x in P.K3_P]
    q = [mpmath.mpf(x) for x in P.K3_Q]

    def d_f(f):
        return mpmath.fsum(b * f(a / b) for a, b in zip(p, q, strict=True))

    fs = {
        "KL": lambda t: t * mpmath.log(t),
        "reverse KL": lambda t: -mpmath.log(t),
        "total variation": lambda t: abs(t - 1) / 2,
        "Pearson": lambda t: (t - 1) ** 2,
        "squared Hellinger": lambda t: (mpmath.sqrt(t) - 1) ** 2,
        "Jensen–Shannon": lambda t: (t * mpmath.log(2 * t / (1 + t)) + mpmath.log(2 / (1 + t))) / 2,
    }
    second = {"1": 1, "2": 2, r"$\frac12$": mpmath.mpf(1) / 2, r"$\frac14$": mpmath.mpf(1) / 4}
    rows = _markdown_table("content/appendix-j.md", "divergence")
    assert len(rows) == len(fs)
    for (name, f), row in zip(fs.items(), rows, strict=True):
        assert row[0].startswith(name), (name, row[0])
        printed = row[3]
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        assert abs(d_f(f) - mpmath.mpf(printed)) <= mpmath.mpf(10) ** -decimals / 2, (name, d_f(f))
        if row[2] in second:
            assert abs(mpmath.diff(f, 1, 2) - second[row[2]]) < mpmath.mpf(10) ** -10, name
        else:
            assert "not smooth" in row[2]
    # the values section 12 prints through {kl} roles (klforge/site/problems.py)
    keys = {"KL": "k3.kl_before", "reverse KL": "k3.reverse_kl", "total variation": "k3.tv",
            "Pearson": "k3.chi2", "squared Hellinger": "k3.hellinger2",
            "Jensen–Shannon": "k3.js"}
    for name, key in keys.items():
        assert abs(P.value(key) - d_f(fs[name])) < mpmath.mpf(10) ** -40, key


def test_applied_figure_captions_state_what_the_figures_draw():
    """The captions of sections 10, 11, 9 and 13 quote measured facts about their figures;
    each is recomputed from the figure code (fixed seeds) and checked here."""
    import numpy as np

    from klforge.site import plots_learning as learning
    from klforge.site import plots_practice as practice

    # section 11: k3's (and k2's) spread is 2.4–2.9 times smaller than k1's, around √7.3
    _, res = practice.estimator_spread()
    for k in ("k2", "k3"):
        ratio = res["k1"][1] / res[k][1]
        assert 2.35 <= ratio.min() and ratio.max() < 2.95, (k, ratio)
    e = mpmath.e ** mpmath.mpf("0.25") - 1 - mpmath.mpf("0.25")
    assert abs(mpmath.sqrt(mpmath.mpf("0.25") / e) - mpmath.mpf("2.7")) < 0.05
    # section 9: the proxy reward rises throughout, the true reward peaks near KL 3
    _, kl, proxy, true = learning.overoptimisation()
    assert np.all(np.diff(kl) >= -1e-9) and np.all(np.diff(proxy) >= -1e-12)
    i = int(np.argmax(true))
    assert 0 < i < len(true) - 1 and 2.5 <= kl[i] <= 3.5 and true[-1] < true[i] - 0.1
    # section 10: projected gradient lands on the edge in three steps and stays; EG never
    paths = practice.eg_vs_projected()
    pg, eg = paths["projected gradient"][:, 2], paths["exponentiated gradient"][:, 2]
    assert pg[2] > 0 and np.all(pg[3:] == 0)
    assert np.all(eg > 0) and np.all(np.diff(eg) < 0)
    assert np.allclose(practice.project_simplex(np.array([0.8, 0.5, -0.3])), [0.65, 0.35, 0])
    # section 13: the textbook Gaussian formula returns 0 below δ ≈ 1e-8 in float64 and below
    # δ ≈ 1e-4 in float32; the two ε/δ² guides are 2^29 (8.7 decades) apart
    err64 = practice.textbook_gaussian_error([3e-8, 5e-9], np.float64)
    err32 = practice.textbook_gaussian_error([3e-3, 1e-4], np.float32)
    assert err64[0] < 1 and err64[1] == 1 and err32[0] < 1 and err32[1] == 1
    ratio = np.finfo(np.float32).eps / np.finfo(np.float64).eps
    assert ratio == 2.0 ** 29 and abs(np.log10(ratio) - 8.7) < 0.05
    assert abs(np.log10(np.sqrt(ratio)) - 4.4) < 0.05
