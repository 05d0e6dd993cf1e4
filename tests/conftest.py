import os
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
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


@pytest.fixture(scope="session")
def engine_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("engine-cache")


@pytest.fixture(scope="session")
def built(tmp_path_factory, engine_cache):
    out = tmp_path_factory.mktemp("site") / "html"
    r = site("--out", out, cache=engine_cache)
    assert r.returncode == 0, r.stderr
    return out
