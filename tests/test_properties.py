"""Property tests (hypothesis): KL ≥ 0, KL(p, p) = 0 exactly, diagonal MVN = Σ kl_normal,
and the Bregman closed forms agree with the defining expectation at random points."""
import math

import mpmath
import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from klforge.derive.core import get
from klforge.derive.expfam import definition_kl

from klforge import kernels as K

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
unit = st.floats(0.0, 1.0, allow_nan=False)
vec = lambda elements, n=16: arrays(np.float64, st.integers(1, n), elements=elements)


def _normalised(x):
    x = np.asarray(x, dtype=np.float64)
    s = x.sum()
    return x / s if s > 0 else None


@given(finite, positive, finite, positive)
def test_kl_normal_nonnegative_and_zero_on_diagonal(m1, s1, m2, s2):
    assert K.kl_normal(m1, s1, m2, s2) >= 0.0
    assert K.kl_normal(m1, s1, m1, s1) == 0.0


@given(unit, unit)
def test_kl_bernoulli_nonnegative(p, q):
    v = K.kl_bernoulli(p, q)
    assert v >= 0.0 or (math.isinf(v) and v > 0)
    assert K.kl_bernoulli(p, p) == 0.0


@given(positive, positive, positive, positive)
def test_scale_families_nonnegative(a, b, c, d):
    for v in (K.kl_poisson(a, b), K.kl_exponential(a, b), K.kl_gamma(a, b, c, d),
              K.kl_beta(a, b, c, d)):
        assert v >= 0.0
    assert K.kl_gamma(a, b, a, b) == 0.0 and K.kl_beta(a, b, a, b) == 0.0
    assert K.kl_poisson(a, a) == 0.0 and K.kl_exponential(a, a) == 0.0


@given(vec(st.floats(0.0, 1.0)), st.data())
def test_categorical_nonnegative_for_normalised_inputs(raw_p, data):
    p = _normalised(raw_p)
    raw_q = data.draw(arrays(np.float64, raw_p.shape, elements=st.floats(1e-6, 1.0)))
    q = _normalised(raw_q)
    if p is None:
        return
    # Normalised to within rounding: KL ≥ −(a few eps) is the exact statement for floats.
    assert K.kl_categorical(p, q) >= -4 * np.finfo(float).eps * len(p)
    assert K.kl_categorical(p, p) == 0.0
    assert K.entropy(p) >= 0.0


@given(vec(st.floats(-300, 300)), st.data())
def test_logits_nonnegative_and_shift_invariant(a, data):
    b = data.draw(arrays(np.float64, a.shape, elements=st.floats(-300, 300)))
    v = K.kl_logits(a, b)
    assert v >= 0.0
    assert K.kl_logits(a, a) == 0.0
    assert math.isclose(K.kl_logits(a + 7.0, b - 3.0), v, rel_tol=1e-9, abs_tol=1e-12)


@given(vec(st.floats(1e-2, 1e2), 8), st.data())
def test_dirichlet_nonnegative(ap, data):
    aq = data.draw(arrays(np.float64, ap.shape, elements=st.floats(1e-2, 1e2)))
    assert K.kl_dirichlet(ap, aq) >= 0.0
    assert K.kl_dirichlet(ap, ap) == 0.0


@given(arrays(np.float64, 5, elements=finite), arrays(np.float64, 5, elements=st.floats(0.05, 20)),
       arrays(np.float64, 5, elements=finite), arrays(np.float64, 5, elements=st.floats(0.05, 20)))
def test_diagonal_mvn_is_sum_of_normals(mp_, sp_, mq, sq):
    got = K.kl_mvn(mp_, np.diag(sp_), mq, np.diag(sq))
    expected = math.fsum(K.kl_normal(mp_, sp_, mq, sq))
    assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-300)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["normal", "bernoulli", "poisson", "exponential", "gamma"]), st.data())
def test_bregman_equals_definition_at_random_points(family, data):
    """The Bregman closed form (from the log-partition) equals E_p[log p − log q], SymPy's
    independent integral/sum of the definition, at a hypothesis-drawn point (50 digits)."""
    d = get(f"kl_{family}")
    point = {}
    for prm in d.params:
        if prm.domain == "real":
            point[prm.symbol] = sp.Rational(data.draw(st.integers(-50, 50)), 10)
        elif prm.domain in ("unit_interval", "open_unit_interval"):
            point[prm.symbol] = sp.Rational(data.draw(st.integers(1, 99)), 100)
        else:
            point[prm.symbol] = sp.Rational(data.draw(st.integers(1, 400)), 40)
    with mpmath.workdps(50):
        a = sp.N(d.closed_form.subs(point), 50)
        b = sp.N(definition_kl(family).subs(point), 50)
    assert abs(a - b) <= sp.Float(10) ** -45 * max(1, abs(a)), (family, point, a, b)
