"""The worked problems' values: from the engine's derivations, checked here against an
independent mpmath computation of the textbook definitions at 50 digits."""
import mpmath
import pytest

from derive import problems as P


def close(a, b):
    return abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b))


def test_k1_against_the_definitions():
    p = [mpmath.mpf(x) for x in P.K1_P]
    q = [mpmath.mpf(x) for x in P.K1_Q]
    kl = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(p, q))
    ce = -mpmath.fsum(a * mpmath.log(b) for a, b in zip(p, q))
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
