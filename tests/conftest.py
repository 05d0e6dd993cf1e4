import os
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
from filelock import FileLock
from hypothesis import settings

# No per-example deadline: kernels load lazily (first use compiles or reads numba's cache),
# and the machines are shared and noisy; speed is measured by `klforge bench`, not tests.
settings.register_profile("klforge", deadline=None)
settings.load_profile("klforge")


@pytest.fixture(autouse=True)
def _mp_precision():
    with mpmath.workdps(50):
        yield


# --- the built lesson site, shared by test_site and test_site_browser -----------------------
ROOT = Path(__file__).parents[1]


def site(*args, cache):
    env = {**os.environ, "KLFORGE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "klforge", "site", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env)


def _run_dir(tmp_path_factory) -> Path:
    """This run's temporary root: shared by every pytest-xdist worker of the run (each
    worker's base temp dir is a child of it), else this session's base temp dir."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def engine_cache(tmp_path_factory):
    """The engine cache ($KLFORGE_CACHE_DIR: derivations, figures, MathJax) of the test
    builds, one per run (its writes are atomic, so workers can share it)."""
    cache = _run_dir(tmp_path_factory) / "engine-cache"
    cache.mkdir(exist_ok=True)
    return cache


@pytest.fixture(scope="session")
def built(tmp_path_factory, engine_cache):
    """The lesson built once per run (`klforge site`, strict), shared by test_site and
    test_site_browser, and by the workers of a pytest-xdist run: the first to need it builds
    it under a file lock, the others wait and reuse it.  The build fills engine_cache."""
    root = _run_dir(tmp_path_factory)
    out, done = root / "site" / "html", root / "site" / "built"
    with FileLock(root / "site.lock"):
        if not done.exists():
            r = site("--out", out, cache=engine_cache)
            assert r.returncode == 0, r.stderr
            done.write_text("built\n")
    return out


@pytest.fixture(scope="session")
def warm_engine_cache(built, engine_cache):
    """engine_cache once the lesson's build has filled it: a later build of the same pages
    only reads it (no two builds compute and write the same entries at the same time)."""
    return engine_cache
