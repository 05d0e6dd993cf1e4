"""kernels/_cachestamp.py: editing any module of the package invalidates the package's whole
numba cache (numba itself stamps each function with its own file only)."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

KERNELS = Path(__file__).resolve().parents[1] / "kernels"

_PROBE = textwrap.dedent("""
    import numpy as np
    import kcopy
    from kcopy import _kernels
    one = lambda v: np.array([v])
    got = kcopy.kl_normal(one(0.5), one(1.0), one(0.0), one(2.0))[0]
    print(got)
""")


def _probe(root: Path, cache: Path) -> tuple[int, int, float]:
    """(functions loaded from the cache, functions compiled and saved, the value)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(root),
               NUMBA_DEBUG_CACHE="1")
    run = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    log = run.stdout + run.stderr
    return log.count("data loaded from"), log.count("data saved to"), float(
        run.stdout.split()[-1])


@pytest.mark.slow
def test_an_edit_to_any_kernel_module_recompiles_the_callers_in_other_files(tmp_path):
    root = tmp_path / "pkgs"
    shutil.copytree(KERNELS, root / "kcopy", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    loaded, saved, first = _probe(root, cache)
    assert loaded == 0 and saved > 0
    loaded, saved, again = _probe(root, cache)
    assert loaded > 0 and saved == 0 and again == first      # all from the cache
    helper = root / "kcopy" / "_primitives.py"                 # not the caller's own file
    helper.write_text(helper.read_text() + "\n# edited\n")
    loaded, saved, _ = _probe(root, cache)
    assert loaded == 0 and saved > 0                           # the stamp changed: recompiled


def test_the_stamp_covers_every_module_of_the_package():
    from klforge.kernels import _cachestamp
    before = _cachestamp.sources_sha256()
    assert before == _cachestamp.sources_sha256()              # deterministic
    names = sorted(p.name for p in KERNELS.glob("*.py"))
    assert "_kernels.py" in names and "_cachestamp.py" in names and len(names) > 10
