"""Kernels: accuracy against mpmath, special values, dtypes, broadcasting, out=."""
import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from klforge import kernels as K
from klforge.verify import BARS, mp_kl_categorical, mp_kl_logits, mp_kl_mvn, ulp_error


def test_import_does_not_pull_in_sympy_mpmath_sphinx():
    # every kernel is built (kernels load lazily), then the modules are inspected
    code = ("import sys\nfrom klforge import kernels\n"
            "for n in kernels.__all__: getattr(kernels, n)\n"
            "print(sorted(m for m in ('sympy','mpmath','sphinx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_matches_generated():
    from klforge.kernels import _kernels
    assert sorted(K.__all__) == sorted(_kernels.__all__)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved_and_out(dtype):
    x = np.ones(3, dtype)
    assert K.kl_normal(x, x, x, 2 * x).dtype == dtype
    out = np.empty(3, dtype)
    r = K.kl_normal(x, x, x, 2 * x, out=out)
    assert r is out
    assert K.kl_categorical(np.full((2, 4), 0.25, dtype), np.full(4, 0.25, dtype)).dtype == dtype


def test_broadcasting():
    mu = np.linspace(-1, 1, 5)[:, None]
    assert K.kl_normal(mu, 1.0, 0.0, np.array([1.0, 2.0])).shape == (5, 2)


def test_special_values():
    assert math.isnan(K.kl_normal(np.nan, 1, 0, 1))
    assert math.isnan(K.kl_normal(0, -1, 0, 1))
    assert math.isnan(K.kl_normal(0, 1, 0, 0))
    assert K.kl_normal(0.3, 2.0, 0.3, 2.0) == 0.0
    assert K.kl_bernoulli(0.0, 0.5) == pytest.approx(math.log(2), rel=1e-15)
    assert K.kl_bernoulli(0.5, 0.0) == math.inf
    assert math.isnan(K.kl_bernoulli(-0.1, 0.5))
    assert K.kl_categorical([0.5, 0.5, 0.0], [0.5, 0.25, 0.25]) == pytest.approx(
        0.5 * math.log(2), rel=1e-15)
    assert K.kl_categorical([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert math.isnan(K.kl_categorical([0.5, -0.5], [0.5, 0.5]))
    assert math.isnan(K.kl_categorical([0.5, np.nan], [0.5, 0.5]))
    assert K.entropy([1.0, 0.0]) == 0.0
    # a −inf logit in a is p_i = 0, but q = softmax(b) keeps its mass there: the limit
    # a_1 → −inf of KL, by hand: log(1/q_0) = log(1 + e^5) (torch gives the same)
    assert K.kl_logits([0.0, -np.inf], [0.0, 5.0]) == pytest.approx(
        math.log1p(math.exp(5.0)), rel=4e-16)
    assert K.kl_logits([0.0, -np.inf], [0.0, -np.inf]) == 0.0
    assert K.kl_logits([0.0, 0.0], [0.0, -np.inf]) == math.inf
    assert math.isnan(K.kl_logits([np.inf, 0.0], [0.0, 0.0]))


def test_kl_of_identical_inputs_is_exactly_zero():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(50))
    assert K.kl_categorical(p, p) == 0.0
    a = rng.normal(size=50) * 30
    assert K.kl_logits(a, a) == 0.0
    L = np.tril(rng.normal(size=(6, 6)))
    L[np.diag_indices(6)] = 1 + rng.random(6)
    assert K.kl_mvn(np.ones(6), L, np.ones(6), L) == 0.0


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8, 1e-12])
def test_near_equal_categorical_within_bar(sep):
    rng = np.random.default_rng(int(-math.log10(sep)))
    for _ in range(20):
        p = rng.dirichlet(np.ones(32))
        q = p * (1 + sep * rng.uniform(-1, 1, 32))
        q /= q.sum()
        e = ulp_error(K.kl_categorical(p, q), mp_kl_categorical(p, q), np.float64)
        assert e <= BARS["kl_categorical"], (p.tolist(), q.tolist(), e)


@pytest.mark.parametrize("sep", [1e-1, 1e-4, 1e-8, 1e-12])
@pytest.mark.parametrize("kind", ["counts", "scaled", "totals differ"])
def test_unnormalised_rows_are_renormalised_within_bar(sep, kind):
    """Rows as users pass them: KL, cross-entropy and entropy of p/Σp and q/Σq, against
    mpmath on the renormalised rows (verify's references normalise at 50+ digits)."""
    from klforge.verify import mp_cross_entropy, mp_entropy, reference_value

    rng = np.random.default_rng(200 + int(-math.log10(sep)))
    for _ in range(10):
        p = rng.dirichlet(np.ones(32))
        q = p * (1 + sep * rng.uniform(-1, 1, 32))
        if kind == "counts":
            p, q = np.round(p * 1e6), np.round(q * 1e6) + 1
        elif kind == "scaled":
            p, q = p * 10.0 ** rng.uniform(-200, 200), q * 10.0 ** rng.uniform(-200, 200)
        else:
            q = q * (1 + rng.choice([-1, 1]) * 10.0 ** rng.uniform(-9, -1))
        for f, ref in ((K.kl_categorical, mp_kl_categorical), (K.cross_entropy, mp_cross_entropy)):
            e = ulp_error(f(p, q), reference_value(ref, p, q), np.float64)
            assert e <= BARS[f.__name__], (f.__name__, kind, e)
        e = ulp_error(K.entropy(q), reference_value(mp_entropy, q), np.float64)
        assert e <= BARS["entropy"], (kind, e)


def test_issue_examples_renormalised_and_scipy_agrees():
    from scipy.stats import entropy as scipy_entropy

    # kl_categorical([.5, .5], [.5, .6]) was −0.0912; [60, 40] vs [50, 50] was 2.0136.
    assert K.kl_categorical([0.5, 0.5], [0.5, 0.6]) == pytest.approx(
        scipy_entropy([0.5, 0.5], [0.5, 0.6]), rel=1e-14)
    assert K.kl_categorical([60.0, 40.0], [50.0, 50.0]) == pytest.approx(
        scipy_entropy([0.6, 0.4], [0.5, 0.5]), rel=1e-14)
    assert K.entropy([0.5, 0.7]) == pytest.approx(scipy_entropy([0.5, 0.7]), rel=1e-14)
    p, q = np.array([3.0, 1.0, 0.0, 6.0]), np.array([1.0, 1.0, 2.0, 4.0])
    assert K.cross_entropy(p, q) == pytest.approx(
        scipy_entropy(p) + scipy_entropy(p, q), rel=1e-14)


def test_categorical_never_negative_and_nan_for_bad_rows():
    rng = np.random.default_rng(8)
    p = rng.random((2000, 5)) * 10.0 ** rng.uniform(-3, 3, (2000, 1))
    q = p * (1 + 1e-9 * rng.uniform(-1, 1, p.shape)) * 10.0 ** rng.uniform(-3, 3, (2000, 1))
    for f in (K.kl_categorical, K.cross_entropy):
        assert (f(p, q) >= 0).all()
    assert (K.entropy(p) >= 0).all()
    for row in ([0.0, 0.0], [], [1.0, -0.5], [1.0, np.inf], [1.0, np.nan]):
        assert math.isnan(K.kl_categorical(row, np.ones(len(row))))
        assert math.isnan(K.kl_categorical(np.ones(len(row)), row))
        assert math.isnan(K.cross_entropy(np.ones(len(row)), row))
        assert math.isnan(K.entropy(row))
    assert K.kl_categorical([1.0, 1.0], [2.0, 0.0]) == math.inf
    assert K.cross_entropy([1.0, 1.0], [2.0, 0.0]) == math.inf
    big = np.full(4, 1e308)  # the total overflows; the row is rescaled by 2^-64
    assert K.entropy(big) == pytest.approx(math.log(4), rel=1e-15)
    assert K.kl_categorical(big, [1.0, 1.0, 1.0, 1.0]) == 0.0


@pytest.mark.parametrize("sep", [1e-2, 1e-6, 1e-10])
def test_near_equal_normal_within_bar(sep):
    rng = np.random.default_rng(7)
    for _ in range(50):
        mp_, sp_ = rng.normal(), math.exp(rng.uniform(-3, 3))
        mq, sq = mp_ + sep * rng.uniform(-1, 1), sp_ * (1 + sep * rng.uniform(-1, 1))
        ref = (mpmath.log(mpmath.mpf(sq) / sp_)
               + (mpmath.mpf(sp_) ** 2 + (mpmath.mpf(mp_) - mq) ** 2)
               / (2 * mpmath.mpf(sq) ** 2) - mpmath.mpf(1) / 2)
        e = ulp_error(K.kl_normal(mp_, sp_, mq, sq), ref, np.float64)
        assert e <= BARS["kl_normal"], (mp_, sp_, mq, sq, e)


# σ_p/σ_q from 1e-150 to 1e150: both sides of the rm1mlog branch (t = −0.5, t = 1) and
# ratios where 1 + (r − 1) cannot be formed in float64.
@pytest.mark.parametrize("ratio", [1e-150, 1e-8, 0.01157 / 233.5, 0.7071, 0.70711, 1.4142,
                                   1.41422, 3.0, 1e8, 1e150])
def test_normal_far_apart_scales_within_bar(ratio):
    ref = lambda a, b, c, d: (mpmath.log(mpmath.mpf(d) / b)
                              + (mpmath.mpf(b) ** 2 + (mpmath.mpf(a) - c) ** 2)
                              / (2 * mpmath.mpf(d) ** 2) - mpmath.mpf(1) / 2)
    args = (0.3, 2.0 * ratio, -0.1, 2.0)
    assert ulp_error(K.kl_normal(*args), ref(*args), np.float64) <= BARS["kl_normal"]
    r = mpmath.mpf(2.0) / (2.0 * ratio)  # λ_q/λ_p
    assert ulp_error(K.kl_exponential(2.0 * ratio, 2.0), r - 1 - mpmath.log(r),
                     np.float64) <= BARS["kl_exponential"]


def test_mvn_near_equal_within_bar():
    rng = np.random.default_rng(11)
    for sep in (1e-3, 1e-9):
        for n in (1, 4, 16):
            L = np.tril(rng.normal(size=(n, n)) * 0.3)
            L[np.diag_indices(n)] = 1 + rng.random(n)
            Lq = L * (1 + sep * rng.uniform(-1, 1, (n, n)))
            mu, mq = rng.normal(size=n), None
            mq = mu + sep * rng.uniform(-1, 1, n)
            e = ulp_error(K.kl_mvn(mu, L, mq, Lq), mp_kl_mvn(mu, L, mq, Lq), np.float64)
            assert e <= BARS["kl_mvn"], (n, sep, e)


def test_mvn_diagonal_equals_sum_of_normals():
    rng = np.random.default_rng(5)
    s1, s2 = np.exp(rng.normal(size=4)), np.exp(rng.normal(size=4))
    m1, m2 = rng.normal(size=4), rng.normal(size=4)
    assert K.kl_mvn(m1, np.diag(s1), m2, np.diag(s2)) == pytest.approx(
        K.kl_normal(m1, s1, m2, s2).sum(), rel=1e-14)


def test_logits_match_mpmath_moderate():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=20), rng.normal(size=20)
    assert ulp_error(K.kl_logits(a, b), mp_kl_logits(a, b), np.float64) <= 8


def test_eg_step_and_policy_against_mpmath():
    p, g, lr = np.array([0.2, 0.3, 0.5]), np.array([1.0, -2.0, 0.5]), 0.7
    w = [mpmath.mpf(x) * mpmath.exp(-lr * mpmath.mpf(y)) for x, y in zip(p, g, strict=True)]
    ref = [x / mpmath.fsum(w) for x in w]
    got = K.eg_step(p, g, lr)
    assert max(ulp_error(a, b, np.float64) for a, b in zip(got, ref, strict=True)) <= 4
    pi, v = K.kl_regularized_policy(np.log(p), g, 0.5)
    w = [mpmath.mpf(x) * mpmath.exp(mpmath.mpf(y) / 0.5) for x, y in zip(p, g, strict=True)]
    z = mpmath.fsum(w)
    assert ulp_error(v, 0.5 * mpmath.log(z), np.float64) <= 8
    assert max(ulp_error(a, b / z, np.float64) for a, b in zip(pi, w, strict=True)) <= 8


def test_natgrad_normal_step():
    mu, ls = K.natgrad_normal_step(0.5, math.log(2.0), 1.0, 0.4, 0.1)
    assert mu == pytest.approx(0.5 - 0.1 * 4.0 * 1.0, rel=1e-15)
    assert ls == pytest.approx(math.log(2.0) - 0.1 * 0.4 / 2, rel=1e-15)


def test_toy_vae_identity():
    x, mu, var, s2 = 1.5, 1.2, 0.4, 0.25
    gap = K.log_evidence_normal(x, s2) - K.elbo_normal(x, mu, var, s2)
    pm, pv = x / (1 + s2), s2 / (1 + s2)
    assert gap == pytest.approx(K.kl_normal(mu, math.sqrt(var), pm, math.sqrt(pv)), rel=1e-12)


# --- kl_mvn over its whole domain ------------------------------------------------------------


@pytest.mark.parametrize("s", [1e-150, 1e-30, 1e-16, 1e-9, 1e-3, 0.5, 2.0, 1e3, 1e30, 1e150])
def test_mvn_scale_ratios_within_bar(s):
    """p's factor scaled by s against q = N(0, I) (the VAE case at s ≪ 1): was NaN from
    s = 1e-16 and 3e9 ULP at 1e-12."""
    from klforge.verify import reference_value

    rng = np.random.default_rng(int(abs(math.log10(s))) + 1)
    for n in (1, 3, 8):
        L = np.tril(rng.normal(size=(n, n)) * 0.3)
        L[np.diag_indices(n)] = np.exp(rng.uniform(-1, 1, n))
        args = (rng.normal(size=n), s * L, np.zeros(n), np.eye(n))
        e = ulp_error(K.kl_mvn(*args), reference_value(mp_kl_mvn, *args), np.float64)
        assert e <= BARS["kl_mvn"], (s, n, e)
    three = K.kl_mvn(np.zeros(3), 1e-16 * np.eye(3), np.zeros(3), np.eye(3))
    assert three == pytest.approx(1.5 * (1e-32 - 1) - 3 * math.log(1e-16), rel=1e-15)


def test_mvn_n64_ill_conditioned_within_bar():
    from klforge.verify import reference_value

    rng = np.random.default_rng(64)
    for case in range(4):
        n = 64
        Lp = np.tril(rng.normal(size=(n, n)))
        Lp[np.diag_indices(n)] = 10.0 ** rng.uniform(-4, 4, n)  # condition ~1e8 and more
        if case % 2:  # unrelated factors, both ill-conditioned
            Lq = np.tril(rng.normal(size=(n, n)))
            Lq[np.diag_indices(n)] = 10.0 ** rng.uniform(-4, 4, n)
        else:  # near p = q at relative separation 1e-9
            Lq = Lp * (1 + 1e-9 * rng.normal(size=(n, n)))
        args = (rng.normal(size=n), Lp * 10.0 ** (50 * (case - 2)), rng.normal(size=n), Lq)
        e = ulp_error(K.kl_mvn(*args), reference_value(mp_kl_mvn, *args), np.float64)
        assert e <= BARS["kl_mvn"], (case, e)


def test_mvn_factor_reference_equals_dense_textbook_form():
    """verify's reference through the factors agrees with the full-matrix textbook form."""
    from klforge.verify import mp_kl_mvn_dense

    rng = np.random.default_rng(9)
    for n in (1, 2, 5):
        L1, L2 = np.tril(rng.normal(size=(n, n))), np.tril(rng.normal(size=(n, n)))
        L1[np.diag_indices(n)] = L2[np.diag_indices(n)] = 1.5
        args = (rng.normal(size=n), L1, rng.normal(size=n), L2)
        with mpmath.workdps(40):
            assert abs(mp_kl_mvn(*args) - mp_kl_mvn_dense(*args)) < mpmath.mpf(10) ** -30


def test_mvn_reads_lower_triangles_only_and_rejects_bad_diagonals():
    """Decided: the upper triangle is ignored (as numpy.linalg.cholesky returns and
    scipy.linalg.cho_solve(lower=True) reads); a diagonal entry ≤ 0 (or NaN) gives NaN."""
    rng = np.random.default_rng(4)
    n = 5
    Lp, Lq = np.tril(rng.normal(size=(n, n))), np.tril(rng.normal(size=(n, n)))
    Lp[np.diag_indices(n)] = Lq[np.diag_indices(n)] = 1.0 + rng.random(n)
    mu = rng.normal(size=n)
    clean = K.kl_mvn(mu, Lp, 0 * mu, Lq)
    junk = np.triu(rng.normal(size=(n, n)) * 1e6, 1)
    assert K.kl_mvn(mu, Lp + junk, 0 * mu, Lq + junk.T.T) == clean
    assert K.kl_mvn(mu, Lp + np.triu(np.full((n, n), np.nan), 1), 0 * mu, Lq) == clean
    for bad in (0.0, -1.0, -0.0, np.nan):
        L = Lp.copy()
        L[2, 2] = bad
        assert math.isnan(K.kl_mvn(mu, L, 0 * mu, Lq))
        assert math.isnan(K.kl_mvn(mu, Lq, 0 * mu, L))


# --- one special-value table for every kernel (klforge.emit.templates.SPECIAL_VALUE_RULES) ----

_ROW = np.array([0.2, 0.3, 0.5])
_L = np.array([[1.0, 0.0], [0.3, 0.8]])
#: valid arguments for every kernel, and each argument's kind
SPECIAL_ARGS = {
    "kl_normal": ((0.1, 1.2, -0.3, 0.8), ("real", "pos", "real", "pos")),
    "kl_normal_std": ((0.4, -0.2), ("real", "real")),
    "kl_bernoulli": ((0.3, 0.6), ("unit", "unit")),
    "kl_poisson": ((2.0, 3.0), ("pos", "pos")),
    "kl_exponential": ((2.0, 3.0), ("pos", "pos")),
    "kl_gamma": ((2.0, 1.5, 3.0, 0.5), ("pos",) * 4),
    "kl_beta": ((2.0, 1.5, 3.0, 0.5), ("pos",) * 4),
    "kl_geometric": ((0.5, 0.25), ("pos", "pos")),  # p ∈ (0, 1]: ≤ 0 → NaN
    "kl_laplace": ((0.1, 1.2, -0.3, 0.8), ("real", "pos", "real", "pos")),
    "expected_loglik_normal": ((0.5, 0.2, 0.3, 0.4), ("real", "real", "pos", "pos")),
    "elbo_normal": ((0.5, 0.2, 0.3, 0.4), ("real", "real", "pos", "pos")),
    "log_evidence_normal": ((0.5, 0.4), ("real", "pos")),
    "kl_categorical": ((_ROW, _ROW[::-1].copy()), ("weights", "weights")),
    "cross_entropy": ((_ROW, _ROW[::-1].copy()), ("weights", "weights")),
    "entropy": ((_ROW,), ("weights",)),
    "kl_logits": ((_ROW, -_ROW), ("logits", "logits_b")),
    "kl_dirichlet": ((_ROW + 1, _ROW + 2), ("pos_row", "pos_row")),
    "kl_mvn": ((np.array([0.1, 0.2]), _L, np.array([0.0, -0.1]), 2 * _L),
               ("real_row", "chol", "real_row", "chol")),
    "eg_step": ((_ROW, np.array([1.0, -2.0, 0.5]), 0.7), ("weights", "real_row", "pos")),
    "kl_regularized_policy": ((np.log(_ROW), np.array([1.0, -2.0, 0.5]), 0.5),
                              ("logits", "real_row", "pos")),
    "natgrad_normal_step": ((0.5, 0.1, 1.0, 0.4, 0.1), ("real",) * 4 + ("pos",)),
}


def test_special_value_table_covers_every_kernel():
    assert set(SPECIAL_ARGS) == set(K.__all__)


def _replace(args, i, value, kind):
    args = [np.array(a, dtype=np.float64) for a in args]
    a = args[i]
    if kind == "chol":
        a[1, 0] = value  # a read entry below the diagonal
    elif a.ndim:
        a[0] = value
    else:
        args[i] = np.float64(value)
    return args


def _values(y):
    return np.concatenate([np.ravel(v) for v in (y if isinstance(y, tuple) else (y,))])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(SPECIAL_ARGS))
def test_special_value_table(name, dtype):
    """Every row of the table, for every argument of every kernel, with every floating-point
    exception raising (no flag may escape)."""
    fn = getattr(K, name)
    base, kinds = SPECIAL_ARGS[name]
    call = lambda args: _values(fn(*[np.asarray(a, dtype=dtype) for a in args]))
    with np.errstate(all="raise"):
        assert np.isfinite(call(base)).all()
        for i, kind in enumerate(kinds):
            assert np.isnan(call(_replace(base, i, np.nan, kind))).all(), (i, "nan")
            assert np.isnan(call(_replace(base, i, np.inf, kind))).all(), (i, "+inf")
            low = call(_replace(base, i, -np.inf, kind))
            if kind == "logits":  # a masked entry: probability 0, a finite result
                assert np.isfinite(low).all(), (i, "-inf logit")
            elif kind == "logits_b":  # p_i > 0 against q_i = 0
                assert (low == np.inf).all(), (i, "-inf logit of q")
            else:
                assert np.isnan(low).all(), (i, "-inf")
            sub = float(np.finfo(dtype).smallest_subnormal)
            tiny = call(_replace(base, i, sub, kind))  # subnormal: an ordinary number
            assert not np.isnan(tiny).any(), (i, "subnormal")
            if kind in ("pos", "pos_row"):
                for bad in (-0.0, -1.0):
                    assert np.isnan(call(_replace(base, i, bad, kind))).all(), (i, bad)
            if kind in ("weights", "unit"):
                assert np.isnan(call(_replace(base, i, -0.5, kind))).all(), (i, "negative")
                assert (call(_replace(base, i, -0.0, kind))
                        == call(_replace(base, i, 0.0, kind))).all(), (i, "-0.0")
        if kinds[0] in ("weights", "logits", "pos_row", "real_row"):  # empty rows
            empty = [np.zeros((0, 0)) if k == "chol" else (np.zeros(0) if k not in ("pos",)
                     else a) for a, k in zip(base, kinds, strict=True)]
            out = fn(*[np.asarray(a, dtype=dtype) for a in empty])
            parts = out if isinstance(out, tuple) else (out,)
            for part in parts:
                part = np.asarray(part)
                assert part.size == 0 or np.isnan(part).all(), (name, "empty row")


def test_warm_compiles_the_named_kernels_and_reports_progress():
    seen = []
    assert K.warm(["kl_normal", "entropy"], progress=lambda *a: seen.append(a[:3])) == [
        "kl_normal", "entropy"]
    assert seen == [(1, 2, "kl_normal"), (2, 2, "entropy")]
    for kernel in (K.kl_normal, K.entropy):  # both dtypes compiled, each a real numpy.ufunc
        assert kernel.compiled == ("float32", "float64")
        assert all(isinstance(kernel.ufunc(t), np.ufunc) for t in ("float32", "float64"))
    with pytest.raises(KeyError, match="nosuch"):
        K.warm(["nosuch"])


# --- ½·(σ_p/σ_q)² and ½·e^ℓ past the square's / exponential's overflow (outside tester T4, H1) ---

def _mp_kl_normal(mu_p, s_p, mu_q, s_q):
    """The textbook KL of two normals at 60 digits: log(σ_q/σ_p) + (σ_p² + Δμ²)/(2σ_q²) − ½."""
    with mpmath.workdps(60):
        mu_p, s_p, mu_q, s_q = (mpmath.mpf(x) for x in (mu_p, s_p, mu_q, s_q))
        return mpmath.log(s_q / s_p) + (s_p**2 + (mu_p - mu_q) ** 2) / (2 * s_q**2) - 0.5


def _mp_kl_normal_std(mu, logvar):
    """½(μ² + e^ℓ − 1 − ℓ) at 60 digits."""
    with mpmath.workdps(60):
        mu, lv = mpmath.mpf(mu), mpmath.mpf(logvar)
        return (mu**2 + mpmath.exp(lv) - 1 - lv) / 2


def _ulp(got, ref):
    return float(abs(mpmath.mpf(float(got)) - ref) / np.spacing(abs(float(ref))))


@pytest.mark.parametrize("args", [(0.0, 1.4e154, 0.0, 1.0), (0.0, 1.5e154, 0.0, 1.0),
                                  (0.0, 1.8e154, 0.0, 1.0), (0.0, 1.5e-10, 0.0, 1e-164),
                                  (2.0, 3e150, -1.0, 2.5e-4), (1.5e154, 1.0, 0.0, 1.0)])
def test_kl_normal_finite_where_the_variance_ratio_overflows(args):
    ref = _mp_kl_normal(*args)
    got = K.kl_normal(*args)
    assert math.isfinite(got) and _ulp(got, ref) <= BARS["kl_normal"], (args, got, ref)


@pytest.mark.parametrize("logvar", [709.0, 709.5, 709.9, 710.0, 710.3, 710.47])
def test_kl_normal_std_finite_where_exp_logvar_overflows(logvar):
    for mu in (0.0, 1e100, 1e153):  # (the exact value stays below DBL_MAX)
        ref = _mp_kl_normal_std(mu, logvar)
        got = K.kl_normal_std(mu, logvar)
        assert math.isfinite(got) and _ulp(got, ref) <= BARS["kl_normal_std"], (mu, logvar, got)


def test_kl_normal_overflow_stays_inf_beyond_the_range():
    assert K.kl_normal(0.0, 1.9e154, 0.0, 1.0) == math.inf  # ½·3.6e308 > DBL_MAX
    assert K.kl_normal_std(0.0, 710.5) == math.inf
    # float32: computed in float64, rounded once (the tester's points)
    assert K.kl_normal_std(np.float32(0), np.float32(89.5)) == np.float32(np.inf)
    got = K.kl_normal_std(np.float32(0), np.float32(89.4))
    assert got == np.float32(_mp_kl_normal_std(0, float(np.float32(89.4))))


def test_constant_inside_primitives_match_the_plain_ones_in_range_and_extend_them():
    from klforge.kernels import _primitives as P
    rng = np.random.default_rng(16)
    for u in np.concatenate([rng.uniform(-0.99, 3.0, 200), 10.0 ** rng.uniform(-8, 150, 200)]):
        t, l = u * (u + 2.0), 2.0 * math.log1p(u)
        assert P.crm1mlog(0.5, u, u + 2.0, l) == 0.5 * P.rm1mlog(t, l)  # the same bits
    for x in np.concatenate([rng.uniform(-50.0, 709.0, 300), [-1.0, 0.0, 1e-9, 1.0, 709.0]]):
        assert P.cexpm1mx(0.5, x) == 0.5 * P.expm1mx(x)
    with mpmath.workdps(60):
        for x in (709.01, 709.5, 709.78, 710.0, 710.4):
            assert _ulp(P.cexpm1mx(0.5, x), (mpmath.expm1(x) - x) / 2) <= 4, x
        assert P.expm1mx(710.0) == math.inf  # the plain primitive overflows there
        u = 1.5e154
        ref = (mpmath.mpf(u) * (u + 2) - 2 * mpmath.log1p(u)) / 2
        assert _ulp(P.crm1mlog(0.5, u, u + 2.0, 2.0 * math.log1p(u)), ref) <= 2
    assert math.isnan(P.crm1mlog(0.5, math.nan, 2.0, 0.0))
    assert math.isnan(P.cexpm1mx(0.5, math.nan))
