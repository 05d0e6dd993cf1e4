"""Row reductions loop over rows in compiled code: every layout gives the row function's
result, float32 rows are read directly, the callable picks NumPy's dtype, one dtype is
compiled at a time (kernels/_ufunc.py, kernels/_parallel.py, kernels/_rowsum.py)."""
import pickle
import subprocess
import sys
import tempfile

import mpmath
import numpy as np
import pytest
from klforge.kernels import _parallel

from klforge import kernels as K

ROW_KERNELS = {"kl_categorical": 2, "cross_entropy": 2, "entropy": 1, "kl_logits": 2}


def _rows(rng, shape, kind):
    x = rng.random(shape) + 1e-3
    return np.log(x) * 3 if kind == "kl_logits" else x


def _one_by_one(kernel, *arrays):
    """The reference: each row passed alone as its own contiguous array."""
    rows = np.broadcast_arrays(*arrays)
    lead = rows[0].shape[:-1]
    out = np.empty(lead, rows[0].dtype)
    for idx in np.ndindex(*lead):
        out[idx] = kernel(*[np.ascontiguousarray(r[idx]) for r in rows])
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ROW_KERNELS))
def test_every_layout_gives_the_row_result_bit_for_bit(name, dtype):
    kernel = getattr(K, name)
    rng = np.random.default_rng(1)
    wide = [_rows(rng, (7, 40), name).astype(dtype) for _ in range(ROW_KERNELS[name])]
    layouts = {
        "contiguous": [np.ascontiguousarray(w[:, :13]) for w in wide],
        "row-strided": [w[:, :13] for w in wide],
        "entry-strided": [w[:, :26:2] for w in wide],
        "fortran": [np.asfortranarray(w[:, :13]) for w in wide],
        "reversed": [w[::-1, 12::-1] for w in wide],
        "3-d": [w[:6, :13].reshape(2, 3, 13) for w in wide],
        "broadcast row": [w[:, :13] if i == 0 else w[0, :13] for i, w in enumerate(wide)],
    }
    for label, args in layouts.items():
        got = kernel(*args)
        assert got.dtype == dtype, label
        np.testing.assert_array_equal(got, _one_by_one(kernel, *args), err_msg=label)


@pytest.mark.parametrize("name", sorted(ROW_KERNELS))
def test_threaded_calls_equal_serial_ones_and_strided_out(name):
    """Past PARALLEL_MIN entries the shared driver splits the rows over the threads."""
    kernel = getattr(K, name)
    rng = np.random.default_rng(2)
    n = 10
    rows = _parallel.PARALLEL_MIN // n * 3 + 7
    args = [_rows(rng, (rows, n), name) for _ in range(ROW_KERNELS[name])]
    big = kernel(*args)
    small = np.concatenate([kernel(*[a[i:i + 100] for a in args]) for i in range(0, rows, 100)])
    np.testing.assert_array_equal(big, small)
    out = np.full(2 * rows, -1.0)
    assert kernel(*args, out=out[::2]) is not None
    np.testing.assert_array_equal(out[::2], big)
    assert (out[1::2] == -1.0).all()


def test_kl_mvn_layouts_and_broadcast_prior():
    rng = np.random.default_rng(3)
    n, rows = 4, 9
    L = np.tril(rng.normal(size=(rows, n, n)) * 0.2) + 2 * np.eye(n)
    mu = rng.normal(size=(rows, n))
    got = K.kl_mvn(mu, L, np.zeros(n), np.eye(n))  # one prior broadcast against every row
    ref = [K.kl_mvn(mu[i].copy(), L[i].copy(), np.zeros(n), np.eye(n)) for i in range(rows)]
    np.testing.assert_array_equal(got, ref)
    strided = K.kl_mvn(mu, np.swapaxes(np.swapaxes(L, 1, 2).copy(), 1, 2), mu[::-1], L[::-1])
    np.testing.assert_array_equal(strided, K.kl_mvn(mu, L, mu[::-1].copy(), L[::-1].copy()))


@pytest.mark.parametrize("n", [1, 3, 10, 100, 4096, 4097])
def test_float32_rows_are_the_float64_result_rounded_once(n):
    """float32 rows are read directly and computed in float64: the result is the float64
    result on the same (exactly widened) values, rounded once — within ½ ULP of it."""
    rng = np.random.default_rng(4)
    p = (rng.random((3, n)) + 1e-3).astype(np.float32)
    q = (rng.random((3, n)) + 1e-3).astype(np.float32)
    for kernel, args in ((K.kl_categorical, (p, q)), (K.cross_entropy, (p, q)),
                         (K.entropy, (p,)), (K.kl_logits, (np.log(p), np.log(q)))):
        got = kernel(*args)
        wide = kernel(*[a.astype(np.float64) for a in args])
        np.testing.assert_array_equal(got, wide.astype(np.float32))


@pytest.mark.parametrize("n", [1, 2, 7, 10, 33, 300, 4096, 4097, 20000])
def test_short_and_long_rows_against_mpmath(n):
    """Both row paths (whole rows per chunk up to BLK = 1 024 entries, chunk by chunk above)
    within 4 ULP of the renormalised mpmath reference (unnormalised rows included)."""
    mpmath.mp.dps = 40
    rng = np.random.default_rng(n)
    p = rng.random(n) * 3.0
    q = rng.random(n) * 0.7
    P = mpmath.fsum(mpmath.mpf(float(x)) for x in p)
    Q = mpmath.fsum(mpmath.mpf(float(x)) for x in q)
    kl = mpmath.fsum((mpmath.mpf(float(a)) / P) * mpmath.log((mpmath.mpf(float(a)) / P)
                                                             / (mpmath.mpf(float(b)) / Q))
                     for a, b in zip(p, q, strict=True))
    h = -mpmath.fsum((mpmath.mpf(float(a)) / P) * mpmath.log(mpmath.mpf(float(a)) / P)
                     for a in p)
    xent = -mpmath.fsum((mpmath.mpf(float(a)) / P) * mpmath.log(mpmath.mpf(float(b)) / Q)
                        for a, b in zip(p, q, strict=True))
    for got, ref in ((K.kl_categorical(p, q), kl), (K.entropy(p), h),
                     (K.cross_entropy(p, q), xent)):
        if ref == 0:
            assert got == 0
            continue
        assert float(abs(mpmath.mpf(float(got)) - ref) / abs(ref)) <= 4 * 2.0**-53, (got, ref)


@pytest.mark.parametrize("n", [31, 32, 33, 255, 256, 257, 1001])
def test_normalised_rows_take_the_fast_path_within_4_ulp(n):
    """Rows that sum to ≈ 1 with every entry ≤ 1 (softmax outputs) settle in the vectorised
    pass (entropy interleaves two accumulators per sum from 32 entries on, odd lengths and
    several chunks included): entropy and cross-entropy within 4 ULP of mpmath."""
    mpmath.mp.dps = 40
    rng = np.random.default_rng(1000 + n)
    p = rng.random(n) ** 3
    p /= p.sum()
    q = rng.random(n)
    q /= q.sum()
    P = mpmath.fsum(mpmath.mpf(float(x)) for x in p)
    Q = mpmath.fsum(mpmath.mpf(float(x)) for x in q)
    h = -mpmath.fsum((mpmath.mpf(float(a)) / P) * mpmath.log(mpmath.mpf(float(a)) / P)
                     for a in p)
    xent = -mpmath.fsum((mpmath.mpf(float(a)) / P) * mpmath.log(mpmath.mpf(float(b)) / Q)
                        for a, b in zip(p, q, strict=True))
    for got, ref in ((K.entropy(p), h), (K.cross_entropy(p, q), xent)):
        assert float(abs(mpmath.mpf(float(got)) - ref) / ref) <= 4 * 2.0**-53, (n, got, ref)


def test_the_callable_picks_numpys_dtype():
    k = K.kl_normal
    assert k.resolve([np.zeros(2, np.float32), 1.0, 2, np.float32(1)]) == "float32"
    assert k.resolve([np.zeros(2, np.int16)]) == "float32"
    assert k.resolve([np.zeros(2, np.int64)]) == "float64"
    assert k.resolve([1.0, 2.0]) == "float64"
    assert k.resolve([[1.0, 2.0], np.float32(1)]) == "float64"
    assert K.kl_normal(np.float32(0), np.float32(1), 0.5, 2).dtype == np.float32
    assert K.kl_normal(0, 1, 1, 2).dtype == np.float64
    assert K.entropy(np.array([1, 1], np.int16)).dtype == np.float32
    with pytest.raises(TypeError, match="float32 or float64"):
        k.ufunc("int32")


def test_kernels_pickle_to_the_same_object_and_keep_their_docs():
    for k in (K.kl_normal, K.kl_categorical, K.eg_step):
        assert pickle.loads(pickle.dumps(k)) is k
        assert k.__doc__ and "Special values" in k.__doc__ and k.__name__ in repr(k)
    assert K.kl_categorical.signature == "(n),(n)->()" and K.kl_normal.signature is None
    assert (K.kl_regularized_policy.nin, K.kl_regularized_policy.nout) == (3, 2)


def test_no_flag_escapes_from_threaded_or_short_rows():
    rng = np.random.default_rng(5)
    p = rng.random((20000, 10))
    p[::7, 3] = 0.0
    p[::11, 2] = np.inf
    q = rng.random((20000, 10))
    q[::13, 4] = 0.0
    with np.errstate(all="ignore"):
        a, b = np.log(p), np.log(q)  # −inf logits: masked entries
    with np.errstate(all="raise"):
        for kernel, args in ((K.kl_categorical, (p, q)), (K.cross_entropy, (p, q)),
                             (K.entropy, (p,)), (K.kl_logits, (a, b))):
            for dtype in (np.float64, np.float32):
                kernel(*[a.astype(dtype) for a in args])


def test_first_use_compiles_only_the_called_dtype():
    code = ("import numpy as np; from klforge import kernels as K\n"
            "K.kl_categorical(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32))\n"
            "assert K.kl_categorical.compiled == ('float32',), K.kl_categorical.compiled\n"
            "assert K.kl_normal.compiled == ()\n")
    with tempfile.TemporaryDirectory() as cache:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"NUMBA_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr[-2000:]


def test_threaded_kl_mvn_equals_serial():
    """Many random factors (the driver's chunk table must outlive every thread's work)."""
    import numba
    rng = np.random.default_rng(6)
    rows, n = 3000, 8
    L = [np.tril(rng.normal(size=(rows, n, n)) * 0.1) + np.eye(n) for _ in range(2)]
    mu = [rng.normal(size=(rows, n)) for _ in range(2)]
    threaded = K.kl_mvn(mu[0], L[0], mu[1], L[1])
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        serial = K.kl_mvn(mu[0], L[0], mu[1], L[1])
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(threaded, serial)
    assert np.isfinite(serial).all() and (serial > 0).all()


def _renormalised(name, p, q):
    """mpmath reference on the exactly widened entries: KL(p̂‖q̂), H(p̂, q̂) or H(p̂) of the
    renormalised rows, at 50 digits plus the row's decimal spread (Σp exact)."""
    x = np.abs(np.concatenate([p, p if q is None else q]).astype(np.float64))
    spread = np.log10(x.max()) - np.log10(x[x > 0].min())
    with mpmath.workdps(50 + int(spread)):
        pm = [mpmath.mpf(float(x)) for x in p]
        qm = [mpmath.mpf(float(x)) for x in (p if q is None else q)]
        P, Q = mpmath.fsum(pm), mpmath.fsum(qm)
        if name == "kl_categorical":
            return mpmath.fsum(a / P * mpmath.log((a / P) / (b / Q))
                               for a, b in zip(pm, qm, strict=True) if a > 0)
        return -mpmath.fsum(a / P * mpmath.log(b / Q)
                            for a, b in zip(pm, qm, strict=True) if a > 0)


def _within(got, ref, dtype, ulps):
    """|got − ref| ≤ ulps·ULP(ref) in dtype (float32: ulps ≤ ½ + 2⁻¹⁰ means correctly
    rounded but for ties)."""
    ulp = float(np.spacing(dtype(abs(float(ref)))))
    err = float(abs(mpmath.mpf(float(got)) - ref)) / ulp
    assert err <= ulps, (got, float(ref), err)


CONFIDENT = {np.float64: [[1e-16, 1.0, 1e-16], [1e-12, 1.0, 1e-12], [1e-20, 1.0, 1e-20],
                          [0.2, 1e300, 0.5], [3e-300, 1.0, 7e-200, 1e-310]],
             np.float32: [[1e-16, 1.0, 1e-16], [1e-12, 1.0, 1e-12], [1e-20, 1.0, 1e-20],
                          [0.2, 1e38, 0.5], [1e-8, 0.999, 1e-3, 1e-30]]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_dominant_entry_keeps_its_log1p_term(dtype):
    """(issue 16, F4) H(p̂) when Σp rounds to the dominant p_k: its term p̂_k·log1p(R/p_k)
    comes from the other entries' sum R, in the batch (next to ordinary rows, which the
    vectorised pass settles) and alone; cross_entropy(p, p) is the same number."""
    bar = 4.0 if dtype is np.float64 else 0.5 + 2.0**-10
    ordinary = np.array([0.25, 0.5, 0.25, 0.0])
    for row in CONFIDENT[dtype]:
        p = np.array(row, dtype)
        ref = _renormalised("entropy", p, None)
        _within(K.entropy(p), ref, dtype, bar)
        _within(K.cross_entropy(p, p), ref, dtype, bar)
        batch = np.zeros((3, len(row)), dtype)
        batch[0], batch[2] = ordinary[:len(row)], p
        batch[1] = p[::-1]
        got = K.entropy(batch)
        _within(got[2], ref, dtype, bar)
        _within(got[1], ref, dtype, bar)
        _within(got[0], _renormalised("entropy", batch[0], None), dtype, bar)


@pytest.mark.parametrize("scale", [1e-320, 1.5e-323, 1e-310, 2.0**-1000, 1e-300, 1.0, 1e300])
def test_rows_of_any_scale_f64(scale):
    """(issue 16, F9) float64 rows whose entries or totals are subnormal are ordinary rows:
    equal entries give ln n within 2 ULP (as rows of ones do; F9 saw 5e-5 relative), and KL /
    cross-entropy against [.3, .7] match mpmath (both argument orders)."""
    for n in (2, 3, 7, 1000):
        p = np.full(n, scale)
        with mpmath.workdps(50):
            ref = mpmath.log(n)
        _within(K.entropy(p), ref, np.float64, 2.0)
        _within(K.entropy(np.stack([np.full(n, 1.0 / n), p]))[1], ref, np.float64, 2.0)
    p, q = np.full(2, scale), np.array([0.3, 0.7])
    for name, args in (("kl_categorical", (p, q)), ("kl_categorical", (q, p)),
                       ("cross_entropy", (p, q)), ("cross_entropy", (q, p)),
                       ("cross_entropy", (p, p))):
        ref = _renormalised(name, *args)
        _within(getattr(K, name)(*args), ref, np.float64, 4.0)
        both = [np.stack([a, np.array([0.5, 0.5])]) for a in args]
        _within(getattr(K, name)(*both)[0], ref, np.float64, 4.0)
