"""kl_mvn's blocked row path (eight columns per block, kernels/_mvn_solve.py and
_mvn_plain.py) against mpmath at dimensions around the block edges, and the lane type it is
built on (kernels/_mvn_vec.py) against hand-computed values.  References come from
mpmath's textbook form (``mp_kl_mvn``), never from the kernel."""

import os
import subprocess
import sys

import numpy as np
import pytest
from klforge.kernels import _mvn
from klforge.kernels._mvn_vec import lane, splat, vfma, vhead, vload, vstore
from numba import njit

from klforge import kernels as K
from klforge.verify import BARS, mp_kl_mvn, reference_value, ulp_error


def _pair(rng, n, sep=None, cond=False):
    """One pair with n-dimensional factors; ``sep``: q a relative perturbation of p of that
    size; ``cond``: an ill-conditioned L_q (off-diagonals ten times the diagonal)."""
    def chol(off):
        L = np.tril(rng.normal(size=(n, n))) * off
        L[np.diag_indices(n)] = 10.0 ** rng.uniform(-0.3, 0.3, n)
        return L
    mp, lp = rng.normal(size=n), chol(0.3)
    if sep is not None:
        lq = lp * (1 + sep * rng.uniform(-1, 1, (n, n)))
        mq = mp + sep * rng.uniform(-1, 1, n)
    else:
        lq, mq = chol(10.0 if cond else 0.3), rng.normal(size=n)
    lp += np.triu(np.full((n, n), np.nan), 1)  # the upper triangle is never read
    return mp, lp, mq, lq


@pytest.mark.parametrize("n", [7, 8, 9, 15, 17, 24, 25, 63, 64, 65])
def test_row_path_within_bar_at_block_edges(n):
    rng = np.random.default_rng(900 + n)
    for kind in ("plain", "near", "cond"):
        args = _pair(rng, n, sep=1e-9 if kind == "near" else None, cond=kind == "cond")
        ref = reference_value(mp_kl_mvn, *(np.nan_to_num(a) if a.ndim == 2 else a
                                          for a in args))
        got = K.kl_mvn(*args)
        assert ulp_error(got, ref, np.float64) <= BARS["kl_mvn"], (n, kind, got, ref)
        got32 = K.kl_mvn(*(a.astype(np.float32) for a in args))
        ref32 = reference_value(mp_kl_mvn, *(np.nan_to_num(a.astype(np.float32).astype(
            np.float64)) if a.ndim == 2 else a.astype(np.float32).astype(np.float64)
            for a in args))
        assert ulp_error(got32, ref32, np.float32) <= 1.0, (n, kind, got32, ref32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shared_non_positive_diagonal_is_nan(dtype):
    # a diagonal entry ≤ 0 is outside the domain even when p and q share it (the float32
    # plain solve used to accept it: M_ii = 1 made its diagonal term 0)
    lp = np.array([[-1.0, 0.0], [0.5, 1.0]], dtype)
    lq = np.array([[-1.0, 0.0], [0.7, 1.0]], dtype)
    z = np.zeros(2, dtype)
    assert np.isnan(K.kl_mvn(z, lp, z, lq))
    assert np.isnan(K.kl_mvn(z, lp, z, lp))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairs_in_one_call_do_not_share_scratch_values(dtype):
    # the row loop reuses one scratch for every pair of a call: a pair must give the same
    # bits after an invalid pair, a larger-valued one or alone
    rng = np.random.default_rng(5)
    n = 20
    good = _pair(rng, n)
    bad = [a.copy() for a in good]
    bad[1][n - 1, 3] = np.nan
    big = [a * 1e30 if a.ndim == 2 else a for a in _pair(rng, n)]
    stack = [np.stack([b, g, h, g]).astype(dtype) for b, g, h in
             zip(bad, good, big, strict=True)]
    out = K.kl_mvn(*stack)
    alone = K.kl_mvn(*(a.astype(dtype) for a in good))
    assert np.isnan(out[0])
    assert out[1] == out[3] == alone


def test_equal_pairs_give_zero():
    for n in (1, 8, 9, 64):
        L = np.tril(np.random.default_rng(n).normal(size=(n, n)), -1) + 2 * np.eye(n)
        mu = np.arange(n, dtype=float)
        assert K.kl_mvn(mu, L, mu, L) == 0.0
        assert K.kl_mvn(mu.astype(np.float32), L.astype(np.float32), mu.astype(np.float32),
                        L.astype(np.float32)) == 0.0


@njit
def _lanes(a, m):
    v = vload(a, 0, 0)
    vstore(a, 1, 0, vfma(v, v, splat(1.0)))   # v² + 1
    vstore(a, 2, 0, vhead(v - splat(0.5), m))
    vstore(a, 3, 0, -(v * v) / splat(2.0))
    return lane(v, 3)


def test_lane_type_by_hand():
    a = np.zeros((4, 8))
    a[0] = np.arange(8.0)
    assert _lanes(a, 3) == 3.0
    assert a[1].tolist() == [1.0, 2.0, 5.0, 10.0, 17.0, 26.0, 37.0, 50.0]
    assert a[2].tolist() == [-0.5, 0.5, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert a[3].tolist() == [-0.0, -0.5, -2.0, -4.5, -8.0, -12.5, -18.0, -24.5]
    _lanes(a, 0)
    assert not a[2].any()


def test_row_scratch_covers_whole_blocks():
    # every row of the solves ends within the scratch's width (whole blocks of eight)
    for n in (1, 7, 8, 9, 63, 64, 65):
        wn = _mvn.row_scratch(n)
        assert wn.shape[1] % 8 == 0 and wn.shape[1] >= n + 1
        assert wn.shape[1] >= _mvn.block_end(n - 1)


_FALLBACK_PAIR = '''
import numpy as np
n = 12
rng = np.random.default_rng(0)
lq = np.tril(rng.normal(size=(n, n)), -1) * 3.0 + np.diag(10.0 ** rng.uniform(-1, 0, n))
lp = np.tril(rng.normal(size=(n, n)), -1) * 0.3 + np.eye(n)
pair = [x.astype(np.float32) for x in (rng.normal(size=n), lp, rng.normal(size=n), lq)]
'''


def test_float32_fallback_compiled_on_first_reach(tmp_path):
    """A fresh interpreter, empty cache: a float32 pair the plain solve certifies (p = q)
    leaves the double-double fallback uncompiled; an ill-conditioned pair then misses once,
    the call is run again with the fallback, and the value is within one float32 ULP."""
    code = _FALLBACK_PAIR + '''
from klforge import kernels as K
from klforge.kernels import _mvn_cold as C
eye, zero = np.eye(3, dtype=np.float32), np.zeros(3, np.float32)
assert K.kl_mvn(zero, eye, zero, eye) == 0.0
print(C.ADDRESS.value, C.MISSES.value, repr(float(K.kl_mvn(*pair))), C.MISSES.value)
'''
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    address, before, value, after = r.stdout.split()
    assert (address, before, after) == ("0", "0", "1")
    scope = {}
    exec(_FALLBACK_PAIR, scope)
    ref = reference_value(mp_kl_mvn, *(x.astype(np.float64) for x in scope["pair"]))
    assert ulp_error(np.float32(float(value)), ref, np.float32) <= 1.0
