"""The worked problems' values: from the engine's derivations, checked here against an
independent mpmath computation of the textbook definitions at 50 digits."""
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
    from klforge.site.plots_applied import beta_vae_encoder, beta_vae_optimum

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
