"""kl_beta and kl_dirichlet (kernels/_lbeta.py) against mpmath at 60 digits, near p ≈ q and far
apart, at the spec's bars; the inputs below include the points where the textbook grouping
B(α) + B(β) − B(α + β) lost up to 3e4 ULP and the first non-negative grouping 85 ULP."""

import math

import mpmath
import numpy as np
import pytest
from klforge.derive.core import specs
from klforge.kernels import _lbeta

from klforge import kernels as K
from klforge.verify.ulp import ulp_error

BETA_BAR = specs()["kl_beta"].bar
DIRICHLET_BAR = specs()["kl_dirichlet"].bar


def mp_lbeta_kl(ap, aq):
    """KL(Dir(ap) ‖ Dir(aq)) at 60 digits from its textbook form (Beta: two entries):
    Σ [lnΓ(β_i) − lnΓ(α_i)] − [lnΓ(n_q) − lnΓ(n_p)] − Σ (β_i − α_i)(ψ(α_i) − ψ(n_p))."""
    with mpmath.workdps(60):
        ap = [mpmath.mpf(float(x)) for x in ap]
        aq = [mpmath.mpf(float(x)) for x in aq]
        n_p, n_q = mpmath.fsum(ap), mpmath.fsum(aq)
        pairs = list(zip(ap, aq, strict=True))
        return (mpmath.fsum(mpmath.loggamma(y) - mpmath.loggamma(x) for x, y in pairs)
                - (mpmath.loggamma(n_q) - mpmath.loggamma(n_p))
                - mpmath.fsum((y - x) * (mpmath.digamma(x) - mpmath.digamma(n_p))
                              for x, y in pairs))


#: (α_p, β_p, α_q, β_q): near p ≈ q at 1e-13 … 1e-4 with mixed magnitudes, and far apart
BETA_POINTS = [
    (0.014043875686677951, 518.5136882405236, 0.01404387568682781, 518.5136882816532),
    (1.5201727337816786, 1.374921119397446, 1.5201727337728013, 1.3749211193855007),
    (137.9, 0.01463, 137.9 * (1 + 3e-13), 0.01463 * (1 - 2e-13)),
    (500.0, 700.0, 500.0 * (1 + 1e-12), 700.0 * (1 + 1e-12)),  # proportional: π unchanged
    (800.0, 900.0, 800.0, 900.0 * (1 + 1e-9)),
    (2.2929455718202325, 1.7613992396681994, 2.2928911012797535, 1.7613017448164323),
    (0.6294114402948109, 288.7582035971669, 0.17102720265394153, 50.11964749871569),
    (80.09786195713802, 121.38760401840501, 2.023929669635595, 2.437228962709953),
    (1.4565892392369484, 2.7295062888273462, 80.50225888406207, 168.26857269550646),
    (5.894575176755075, 2.113301692608733, 0.016000664053840832, 199.13802369701932),
    (0.5548796305916711, 1.1695487818645627, 0.025498929605028777, 0.8493936980336988),
    (2.0, 3.0, 4.0, 1.0),
    # beyond verify's domain: q ≫ p with one tiny concentration (the Stirling tails of the
    # shifted coordinate and of the total nearly equal: 568 ULP before _tail_far)
    (14.905700433222979, 2.409294565718734e-06, 1567714.767104202, 9.034640242916075e-06),
    (541508.9778802003, 33253704762.42455, 541495.4432687147, 33255568080.01406),
]


@pytest.mark.parametrize("point", BETA_POINTS)
def test_kl_beta_within_bar(point):
    ref = mp_lbeta_kl(point[:2], point[2:])
    got = K.kl_beta(*point)
    assert ulp_error(got, ref) <= BETA_BAR, (point, got, ref)
    # the same value with the coordinates swapped (the kernel shifts the larger one)
    assert ulp_error(K.kl_beta(point[1], point[0], point[3], point[2]), ref) <= BETA_BAR


def test_kl_beta_random_near_and_far():
    rng = np.random.default_rng(7)
    worst = 0.0
    for sep in (None, 1e-12, 1e-9, 1e-6, 1e-3, 1e-1):
        a, b = np.exp(rng.uniform(np.log(1e-2), np.log(1e3), (2, 30)))
        if sep is None:
            c, d = np.exp(rng.uniform(np.log(1e-2), np.log(1e3), (2, 30)))
        else:
            c, d = (x * (1 + sep * rng.uniform(-1, 1, 30)) for x in (a, b))
        got = K.kl_beta(a, b, c, d)
        for i in range(30):
            worst = max(worst, ulp_error(got[i], mp_lbeta_kl((a[i], b[i]), (c[i], d[i]))))
    assert worst <= BETA_BAR


def test_kl_beta_zero_and_sign():
    assert K.kl_beta(3.5, 0.25, 3.5, 0.25) == 0.0
    x = np.array([0.3, 7.0, 900.0])
    assert np.all(K.kl_beta(x, x[::-1], x * (1 + 1e-14), x[::-1]) >= 0.0)


def test_kl_beta_outside_the_shifted_range_takes_the_textbook_grouping():
    # concentrations beyond [1e-100, 1e100]: the former formula, still finite and close
    ref = mp_lbeta_kl((1e-120, 2.0), (3e-120, 2.5))
    assert float(ref) == pytest.approx(K.kl_beta(1e-120, 2.0, 3e-120, 2.5), rel=1e-12)
    assert math.isnan(K.kl_beta(-1.0, 2.0, 1.0, 1.0))


def _rows(rng, n, sep):
    ap = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), n))
    aq = (np.exp(rng.uniform(np.log(1e-2), np.log(1e2), n)) if sep is None
          else ap * (1 + sep * rng.uniform(-1, 1, n)))
    return ap, aq


@pytest.mark.parametrize("n,sep", [(3, None), (3, 1e-12), (17, 1e-9), (64, None),
                                   (64, 1e-12), (300, 1e-6), (700, None)])
def test_kl_dirichlet_within_bar(n, sep):
    rng = np.random.default_rng(n)
    ap, aq = _rows(rng, n, sep)
    assert ulp_error(K.kl_dirichlet(ap, aq), mp_lbeta_kl(ap, aq)) <= DIRICHLET_BAR


def test_kl_dirichlet_two_entries_is_kl_beta_and_one_entry_is_zero():
    for a, b, c, d in BETA_POINTS:
        ref = mp_lbeta_kl((a, b), (c, d))
        assert ulp_error(K.kl_dirichlet([a, b], [c, d]), ref) <= DIRICHLET_BAR
    assert K.kl_dirichlet([2.5], [7.0]) == 0.0


def test_kl_dirichlet_special_rows():
    assert math.isnan(K.kl_dirichlet(np.array([]), np.array([])))
    assert math.isnan(K.kl_dirichlet([1.0, 0.0], [1.0, 1.0]))
    assert math.isnan(_lbeta.kl_dirichlet_row(np.array([1.0, np.inf]), np.array([1.0, 1.0]),
                                              np.empty((2, 2))))
    assert K.kl_dirichlet([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 0.0
    ap = np.array([0.5, 1e-130, 4.0])  # below 1e-100, every p·q product ≥ 1e-300: shifted
    aq = np.array([0.6, 2e-130, 3.0])
    assert float(mp_lbeta_kl(ap, aq)) == pytest.approx(K.kl_dirichlet(ap, aq), rel=1e-12)


@pytest.mark.parametrize("n,sep", [(40, 1e-3), (16, None), (16, 1e-6), (3, 1e-7), (2, None),
                                   (64, None), (16, 1e-2)])
def test_kl_dirichlet_float32_rows_within_one_ulp(n, sep):
    # float32 rows take the ~1e-10 path (kernels/_stirling32.py): against mpmath at 60
    # digits on the float32 inputs, each row's result within 1 float32 ULP (a value within
    # 1e-10 of a rounding midpoint may round either way, so not bit-equal to float64's)
    rng = np.random.default_rng(n + 11)
    rows = [tuple(x.astype(np.float32) for x in _rows(rng, n, sep)) for _ in range(6)]
    ap = np.stack([r[0] for r in rows])
    aq = np.stack([r[1] for r in rows])
    got = K.kl_dirichlet(ap, aq)
    assert got.dtype == np.float32
    for i in range(len(rows)):
        assert ulp_error(got[i], mp_lbeta_kl(ap[i], aq[i]), np.float32) <= 1.0, (n, sep, i)


def test_kl_dirichlet_float32_rows_agree_with_float64_to_1e_9():
    rng = np.random.default_rng(3)
    ap = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), (500, 16))).astype(np.float32)
    aq = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), (500, 16))).astype(np.float32)
    got = K.kl_dirichlet(ap, aq).astype(np.float64)
    ref = K.kl_dirichlet(ap.astype(np.float64), aq.astype(np.float64))
    # both rounded: ≤ half a float32 ULP apart plus the float32 path's own error
    assert np.all(np.abs(got - ref) <= np.abs(ref) * (2.0**-24 + 1e-9))


def mp_textbook_beta(a1, b1, a2, b2):
    """The textbook form lnB(α_q, β_q) − lnB(α_p, β_p) + (α_p − α_q)ψ(α_p) + (β_p − β_q)ψ(β_p)
    + (α_q − α_p + β_q − β_p)ψ(α_p + β_p), at 80 digits beyond the largest exponent (its terms
    are up to ~max·log(max) large and cancel to the KL)."""
    top = max(abs(math.log10(float(x))) for x in (a1, b1, a2, b2))
    with mpmath.workdps(80 + int(top)):
        a1, b1, a2, b2 = (mpmath.mpf(float(x)) for x in (a1, b1, a2, b2))

        def lbeta(x, y):
            return mpmath.loggamma(x) + mpmath.loggamma(y) - mpmath.loggamma(x + y)

        return +(lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) * mpmath.digamma(a1)
                 + (b1 - b2) * mpmath.digamma(b1)
                 + (a2 - a1 + b2 - b1) * mpmath.digamma(a1 + b1))


def mp_textbook_dirichlet(ap, aq):
    """lnΓ(n_p) − Σ lnΓ(α_i) − lnΓ(n_q) + Σ lnΓ(β_i) + Σ (α_i − β_i)(ψ(α_i) − ψ(n_p)), at 80
    digits beyond the largest exponent."""
    top = max(abs(math.log10(float(x))) for x in list(ap) + list(aq))
    with mpmath.workdps(80 + int(top)):
        ap = [mpmath.mpf(float(x)) for x in ap]
        aq = [mpmath.mpf(float(x)) for x in aq]
        n_p, n_q = mpmath.fsum(ap), mpmath.fsum(aq)
        return +(mpmath.loggamma(n_p) - mpmath.loggamma(n_q)
                 + mpmath.fsum(mpmath.loggamma(y) - mpmath.loggamma(x)
                               + (x - y) * (mpmath.digamma(x) - mpmath.digamma(n_p))
                               for x, y in zip(ap, aq, strict=True)))


#: one parameter set apart from the others by these factors (issue 16, outside tester's F1:
#: NaN from 2e12 on — (1 + ρ)^{−n} overflowing in the far Stirling tail — and 0 or the
#: value without the huge entry beyond 1e100, where the textbook grouping cancelled)
IMBALANCES = [1.0, 1e3, 1e6, 1e12, 5e12, 1e14, 1e16, 1e20, 1e30, 1e50, 1e100, 1e101, 1e150,
              1e200, 1e250, 1e300]


def _beta_args(pos, v):
    """kl_beta's arguments (2, 3, 4, 1.5) with argument ``pos`` replaced by ``v``."""
    args = [2.0, 3.0, 4.0, 1.5]
    args[pos] = v
    return args


def _dirichlet_args(pos, v):
    """kl_dirichlet's rows (1, 2, 3), (2, 2, 2) with entry ``pos`` of the two replaced by ``v``."""
    ap, aq = [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]
    (ap if pos < 3 else aq)[pos % 3] = v
    return [ap, aq]


#: kernel -> (its arguments with one replaced, the textbook reference, the bar, positions)
FAR_CASES = {"kl_beta": (_beta_args, mp_textbook_beta, BETA_BAR, 4),
             "kl_dirichlet": (_dirichlet_args, mp_textbook_dirichlet, DIRICHLET_BAR, 6)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel, pos", [(k, p) for k, case in FAR_CASES.items()
                                         for p in range(case[3])])
def test_one_parameter_far_from_the_others(kernel, pos, dtype):
    """Each factor of IMBALANCES and its inverse (inside the dtype's range) in argument
    ``pos`` of kl_beta / entry ``pos`` of kl_dirichlet's two rows, against the textbook form
    in mpmath at the kernel's bar."""
    place, reference, bar, _ = FAR_CASES[kernel]
    tiny, top = float(np.finfo(dtype).tiny), float(np.finfo(dtype).max) / 1e3
    bad = []
    for s in IMBALANCES:
        for v in (s, 1.0 / s):
            if not (tiny * 1e3 < v < top):
                continue
            args = [np.asarray(a, dtype) for a in place(pos, v)]
            got = getattr(K, kernel)(*args)
            ref = reference(*args)
            err = ulp_error(got, ref, dtype)
            if not err <= bar:
                bad.append(([a.tolist() for a in args], got, mpmath.nstr(ref, 10), err))
    assert not bad, bad


@pytest.mark.parametrize("v", [5e-324, 1e-320, 1e-310, 1e-300])
def test_subnormal_q_parameters_give_the_finite_kl(v):
    # issue 16, outside tester's F3: a subnormal β_q gave +inf where the KL is ~745 (the
    # ratio y/x of the first shift step underflowed to 0, and x/y of B_g overflowed)
    for args in ((2.0, 3.0, v, 1.5), (2.0, 3.0, 4.0, v), (0.5, 7.0, v, v)):
        ref = mp_textbook_beta(*args)
        got = K.kl_beta(*args)
        assert ulp_error(got, ref) <= BETA_BAR, (args, got, ref)
    for aq in ([2.0, v, 2.0], [v, 2.0, v]):
        ap = np.array([1.0, 2.0, 3.0])
        ref = mp_textbook_dirichlet(ap, aq)
        got = K.kl_dirichlet(ap, np.array(aq))
        assert ulp_error(got, ref) <= DIRICHLET_BAR, (aq, got, ref)
