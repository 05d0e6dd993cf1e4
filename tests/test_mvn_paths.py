"""kl_mvn's fast paths against mpmath: the certified plain-float64 solve, the double-double
fallback, and the batch of small pairs across SIMD lanes (kernels/_mvn_batch.py), which a
C-contiguous stack of ≥ 32 pairs with n ≤ 16 takes.  The references are mpmath's textbook
form (``mp_kl_mvn`` at settled precision), never the kernel."""

import math

import numpy as np
import pytest
from klforge.kernels import _mvn

from klforge import kernels as K
from klforge.verify import BARS, mp_kl_mvn, reference_value, ulp_error


def _hard_pairs(rng, count, n, scale=150):
    """Pairs over kl_mvn's domain: scale ratios 1e-150…1e150, ill-conditioned factors,
    near-equal pairs (separation 1e-3…1e-12), ordinary ones — mixed in one stack."""
    mp, lp, mq, lq = (np.empty((count, n)), np.empty((count, n, n)), np.empty((count, n)),
                      np.empty((count, n, n)))
    for b in range(count):
        kind = b % 4

        def chol(spread, off):
            L = np.tril(rng.normal(size=(n, n))) * off
            L[np.diag_indices(n)] = 10.0 ** rng.uniform(-spread, spread, n)
            return L
        mp[b] = rng.normal(size=n)
        lp[b] = chol(0.3, 0.3)
        if kind == 0:
            lq[b], mq[b] = chol(0.3, 0.3), rng.normal(size=n)
            lp[b] *= 10.0 ** rng.uniform(-scale, scale)
        elif kind == 1:  # ill-conditioned: off-diagonals 10× the diagonal scale
            lq[b], mq[b] = chol(2.0, 10.0), rng.normal(size=n)
        elif kind == 2:
            sep = 10.0 ** rng.uniform(-12, -3)
            lq[b] = lp[b] * (1 + sep * rng.uniform(-1, 1, (n, n)))
            mq[b] = mp[b] + sep * rng.uniform(-1, 1, n)
        else:
            lq[b], mq[b] = chol(0.3, 0.3), rng.normal(size=n)
        lp[b] += np.triu(rng.normal(size=(n, n)), 1)  # the upper triangle is never read
    return mp, lp, mq, lq


@pytest.mark.parametrize("n", [1, 3, 8, 16])
def test_batch_equals_row_by_row_and_mpmath(n):
    rng = np.random.default_rng(100 + n)
    args = _hard_pairs(rng, 2 * _mvn.W + 5, n)  # two full batches and a tail of 5
    batch = K.kl_mvn(*args)
    single = np.array([K.kl_mvn(*(a[b:b + 1] for a in args))[0] for b in range(len(batch))])
    for b in range(0, len(batch), 3):
        ref = reference_value(mp_kl_mvn, *(a[b] for a in args))
        for got in (batch[b], single[b]):
            assert ulp_error(got, ref, np.float64) <= BARS["kl_mvn"], (n, b, got, ref)


@pytest.mark.parametrize("n", [8, 64])
def test_float32_within_one_ulp(n):
    rng = np.random.default_rng(7 + n)
    count = 40 if n == 8 else 6
    args = [a.astype(np.float32) for a in _hard_pairs(rng, count, n, scale=15)]
    got = K.kl_mvn(*args)
    assert got.dtype == np.float32
    for b in range(count):
        ref = reference_value(mp_kl_mvn, *(a[b].astype(np.float64) for a in args))
        assert ulp_error(got[b], ref, np.float32) <= 1.0, (n, b, got[b], ref)


def test_batch_special_values_stay_in_their_row():
    n, count = 3, _mvn.W + 3
    mp = np.zeros((count, n))
    lp = np.tile(np.eye(n), (count, 1, 1))
    mq, lq = mp.copy(), lp.copy()
    lp[1, 0, 0] = -1.0
    lq[2, 1, 1] = 0.0
    mp[3, 2] = np.inf
    lp[4, 2, 0] = np.nan
    lp[5, 0, 2] = np.nan  # upper triangle: ignored
    lp[6] *= 1e-16
    lp[7] *= 1e200
    lq[8, 1, 0] = -np.inf
    got = K.kl_mvn(mp, lp, mq, lq)
    assert [math.isnan(v) for v in got[:9]] == [False, True, True, True, True, False, False,
                                                 False, True]
    assert got[0] == 0.0 and got[5] == 0.0
    assert got[6] == pytest.approx(1.5 * (1e-32 - 1) - 3 * math.log(1e-16), rel=1e-15)
    assert got[7] == np.inf
    assert np.all(got[9:] == 0.0)


def test_plain_solve_is_rejected_when_its_bound_is_too_loose():
    """float32 inputs with an ill-conditioned L_q: the plain solve must hand over to the
    double-double one, and the result is still within one float32 ULP."""
    n = 24
    rng = np.random.default_rng(3)
    lq = np.tril(rng.normal(size=(n, n))) * 10.0
    lq[np.diag_indices(n)] = 10.0 ** rng.uniform(-2, 0, n)
    lp = np.tril(rng.normal(size=(n, n))) * 0.3
    lp[np.diag_indices(n)] = 1.0
    mp, mq = rng.normal(size=n), rng.normal(size=n)
    args = [a.astype(np.float32) for a in (mp, lp, mq, lq)]
    wn = _mvn.row_scratch(n)
    dp, dq = (np.diag(a).astype(np.float64) for a in (args[1], args[3]))
    diag = _mvn.diagonal_sum(dp, dq, np.empty(n), n)
    assert _mvn.plain_solve_normwise(*args, wn, n, _mvn.TOL32, diag) == -1.0
    # the same pair with a well-conditioned L_q: accepted, and equal to the exact solve
    good = [args[0], args[1], args[2], args[1] + np.float32(0.01) * np.tril(args[1], -1)]
    sq = _mvn.plain_solve_normwise(*good, wn, n, _mvn.TOL32, 0.0)  # equal diagonals
    assert sq > 0.0
    exact = _mvn.dd_solve(*good, wn, n)
    assert exact > 0.0
    assert sq == pytest.approx(exact, rel=2.0**-40)
    ref = reference_value(mp_kl_mvn, *(a.astype(np.float64) for a in args))
    assert ulp_error(K.kl_mvn(*args), ref, np.float32) <= 1.0


@pytest.mark.parametrize("shapes, expected", [
    (((3,), (3, 3), (3,), (3, 3)), False),                     # one pair
    (((31, 3), (31, 3, 3), (31, 3), (31, 3, 3)), False),       # fewer than W pairs
    (((32, 3), (32, 3, 3), (32, 3), (32, 3, 3)), True),
    (((32, 3), (32, 3, 3), (3,), (3, 3)), True),               # q broadcast: still a stack
    (((1, 3), (40, 1, 3, 3), (3,), (3, 3)), True),             # 40 pairs after broadcasting
    (((2, 16, 16), (2, 16, 16, 16), (16,), (16, 16)), True),   # 32 pairs in two loop axes
    (((64, 17), (64, 17, 17), (64, 17), (64, 17, 17)), False),  # n > BATCH_MAX
    (((64, 0), (64, 0, 0), (64, 0), (64, 0, 0)), False),       # n = 0
    (((3, 3), (3, 3), (3,), (3, 3)), False),                   # 3 pairs, L_p shared
    (((), (3, 3), (3,), (3, 3)), True),                        # unreadable: the full
    (((5, 3), (4, 3, 3), (3,), (3, 3)), True),                 # ufunc reports it
])
def test_batch_may_apply(shapes, expected):
    # hand labels: the row loop alone may serve a call only when no loop of the full ufunc
    # could take the batch path (n in 1…16 and ≥ 32 pairs after broadcasting)
    assert _mvn.batch_may_apply([np.zeros(s) for s in shapes]) is expected


@pytest.mark.parametrize("count, n, dtype", [(1, 3, np.float64), (31, 8, np.float64),
                                             (40, 20, np.float64), (31, 5, np.float32),
                                             (40, 17, np.float32)])
def test_light_loop_equals_full_ufunc(count, n, dtype):
    """Calls the batch cannot serve run on the row loop alone (Kernel.serve_lightly): the
    same bits as the full ufunc, which has the batch branch, and within the bar of mpmath."""
    rng = np.random.default_rng(count + n)
    args = [a.astype(dtype) for a in _hard_pairs(rng, count, n, scale=15)]
    assert not _mvn.batch_may_apply(args)
    light = K.kl_mvn(*args)
    full = K.kl_mvn.ufunc(dtype)(*args)
    assert light.dtype == full.dtype == dtype
    assert np.array_equal(light, full, equal_nan=True)
    ref = reference_value(mp_kl_mvn, *(a[0].astype(np.float64) for a in args))
    bar = BARS["kl_mvn"] if dtype == np.float64 else 1.0
    assert ulp_error(light[0], ref, dtype) <= bar


def test_warm_builds_the_row_loop_too():
    """``klforge warm`` must leave nothing to compile: the row-only ufuncs as well."""
    assert K.kl_mvn.warm().compiled == ("float32", "float64")
    assert sorted(K.kl_mvn._light_ufuncs) == ["float32", "float64"]
    assert sorted(K.kl_mvn._ufuncs) == ["float32", "float64"]


@pytest.mark.parametrize("pairs", [1, 40])  # the row path and the batch path (≥ W pairs)
def test_subnormal_cholesky_diagonal_of_q_within_bar(pairs):
    # 1/L_q,ii overflows for L_q,ii < 5.6e-309: the solve must scale, not give +inf
    # (outside tester G9: identical inputs with L_q,00 = 5e-324 gave +inf)
    rng = np.random.default_rng(17)
    cases = [(np.diag([5e-324]), np.diag([5e-324])), (np.diag([1e-310, 1.0]),) * 2,
             (np.diag([1e-308]), np.diag([1e-310])), (np.diag([1e-300]), np.diag([1e-310]))]
    L = np.tril(rng.normal(size=(3, 3))) + np.diag([2.0, 2.0, 2.0])
    Lq = L.copy()
    Lq[0, 0] = 3e-320
    cases.append((L, Lq))
    for Lp, Lq in cases:
        n = Lp.shape[0]
        mp_ = rng.normal(size=n) * 1e-315
        args = (np.tile(mp_, (pairs, 1)), np.tile(Lp, (pairs, 1, 1)), np.zeros((pairs, n)),
                np.tile(Lq, (pairs, 1, 1)))
        got = K.kl_mvn(*args)
        want = reference_value(mp_kl_mvn, mp_, Lp, np.zeros(n), Lq)
        for g in np.atleast_1d(got):
            assert ulp_error(g, want, np.float64) <= BARS["kl_mvn"], (Lp, Lq, g, want)
