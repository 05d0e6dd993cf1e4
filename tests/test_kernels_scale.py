"""Kernels beyond one array: Dask arrays chunk by chunk, lazy loading, a read-only package."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from klforge import kernels as K

ROOT = Path(__file__).parents[1]


def test_kernels_are_numpy_ufuncs_built_lazily():
    code = ("import sys; from klforge import kernels; assert 'kl_normal' not in vars(kernels); "
            "f = kernels.kl_normal; import numpy as np; assert f.compiled == (); "
            "assert isinstance(f.ufunc('float64'), np.ufunc) and f.compiled == ('float64',); "
            "assert vars(kernels)['kl_normal'] is f; print(sorted(dir(kernels))[:3])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    with pytest.raises(AttributeError, match="no attribute 'kl_nope'"):
        K.kl_nope  # noqa: B018


@pytest.fixture(scope="module")
def da():
    return pytest.importorskip("dask.array")


def test_elementwise_kernels_on_dask_arrays(da):
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=10_000), rng.random(10_000) + 0.1
    x = da.from_array(mu, chunks=1_000)  # ten chunks
    s = da.from_array(sigma, chunks=1_000)
    lazy = K.kl_normal(x, s, 0.5, 2.0)
    assert isinstance(lazy, da.Array) and lazy.numblocks == (10,)
    got = lazy.compute(scheduler="synchronous")
    np.testing.assert_array_equal(got, K.kl_normal(mu, sigma, 0.5, 2.0))


def test_row_reductions_on_dask_arrays(da):
    rng = np.random.default_rng(1)
    p = rng.random((400, 256))
    p /= p.sum(-1, keepdims=True)
    q = rng.random((400, 256))
    q /= q.sum(-1, keepdims=True)
    dp, dq = da.from_array(p, chunks=(50, 256)), da.from_array(q, chunks=(50, 256))
    for kernel in (K.kl_categorical, K.kl_logits, K.cross_entropy):
        lazy = kernel(dp, dq)
        assert lazy.numblocks == (8,)
        for scheduler in ("synchronous", "threads"):
            np.testing.assert_array_equal(lazy.compute(scheduler=scheduler), kernel(p, q))


def test_dask_core_dimension_split_is_a_clear_error(da):
    p = da.from_array(np.full((4, 10), 0.1), chunks=(2, 5))
    with pytest.raises(ValueError, match="consists of multiple chunks"):
        K.kl_categorical(p, p).compute()


def test_read_only_package_uses_a_user_cache():
    """A system install (read-only package directory) still works: numba falls back to a
    per-user cache directory, without NUMBA_CACHE_DIR.  Run as an unprivileged user (root
    could write anyway); skipped when that cannot be arranged."""
    base = Path(tempfile.mkdtemp(prefix="klforge-ro-"))
    try:
        base.chmod(0o755)
        pkg = base / "site" / "kernels"
        shutil.copytree(ROOT / "kernels", pkg, ignore=shutil.ignore_patterns("__pycache__"))
        for p in [base / "site", pkg, *pkg.iterdir()]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        home = base / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
        env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
                   PYTHONPATH=str(base / "site"), PYTHONDONTWRITEBYTECODE="1")
        demote = None
        if os.geteuid() == 0:
            import pwd
            try:
                nobody = pwd.getpwnam("nobody")
            except KeyError:
                pytest.skip("running as root without a 'nobody' user to drop to")
            os.chown(home, nobody.pw_uid, nobody.pw_gid)
            demote = lambda: (os.setgid(nobody.pw_gid), os.setuid(nobody.pw_uid))  # noqa: E731
        code = "import kernels; print(kernels.kl_normal(0.0, 1.0, 0.0, 2.0))"
        try:
            r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=env, cwd=home, preexec_fn=demote)
        except PermissionError as e:
            pytest.skip(f"the unprivileged user cannot run this interpreter ({e})")
        assert r.returncode == 0, r.stderr[-2000:]
        assert float(r.stdout) > 0
        assert not (pkg / "__pycache__").exists()
        assert any(home.rglob("*.nbi")), "no user-wide numba cache written"
    finally:
        for p in base.rglob("*"):
            if not p.is_symlink():
                p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(base, ignore_errors=True)


def test_numba_cache_dir_override(tmp_path):
    """NUMBA_CACHE_DIR (documented for read-only installs) receives the compiled cache."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = "from klforge import kernels; print(kernels.kl_bernoulli(0.3, 0.4))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert any(tmp_path.rglob("*kl_bernoulli*.nbi"))
