"""One import namespace: `klforge` installs klforge.derive and klforge.kernels (from the design
card's derive/ and kernels/ folders) and no top-level `derive` or `kernels` module, both as the
editable install the tests run on and as a wheel."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _python(code, cwd, env=None):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          env=env)


def test_editable_install_has_one_namespace(tmp_path):
    code = ("import importlib.util as u, klforge.derive, klforge.kernels, klforge.audit\n"
            "print(u.find_spec('derive') is None, u.find_spec('kernels') is None)\n"
            "print(klforge.derive.__file__)")
    r = _python(code, cwd=tmp_path)  # not the checkout: its folders are not on sys.path
    assert r.returncode == 0, r.stderr
    flags, path = r.stdout.splitlines()
    assert flags == "True True"
    assert Path(path) == ROOT / "derive" / "__init__.py"


@pytest.mark.slow
def test_wheel_installs_one_namespace(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True)
    if r.returncode and "Could not" in r.stderr + r.stdout:
        pytest.skip(f"cannot build a wheel here (no build backend reachable): {r.stderr[-300:]}")
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = (tmp_path / "dist").glob("klforge-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("klforge-")}
    assert tops == {"klforge"}, tops
    # every module of the tree is in the wheel (pyproject's package list is kept by hand: a
    # new subpackage missing from it fails here), plus the data files
    folders = {"klforge": "klforge", "derive": "klforge/derive", "kernels": "klforge/kernels"}
    expected = {"klforge/kernels/manifest.json", "klforge/audit/audit.schema.json",
                "klforge/site/static/klforge.css"}
    for folder, package in folders.items():
        for src in (ROOT / folder).rglob("*.py"):
            rel = src.relative_to(ROOT / folder)
            if "__pycache__" not in rel.parts and (src.parent / "__init__.py").exists():
                expected.add(f"{package}/{rel.as_posix()}")
    missing = sorted(expected - set(names))
    assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                        str(target), str(whl)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    # the wheel's copy comes first on sys.path (numpy, numba from this environment)
    env = dict(os.environ, PYTHONPATH=str(target), NUMBA_CACHE_DIR=str(tmp_path / "nc"))
    code = ("import importlib.util as u, klforge.kernels as K, klforge.derive as D\n"
            "assert u.find_spec('derive') is None and u.find_spec('kernels') is None\n"
            "print(K.__file__); print(D.__file__); print(K.kl_bernoulli(0.3, 0.4))")
    r = _python(code, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    kfile, dfile, value = r.stdout.splitlines()
    assert kfile.startswith(str(target)) and dfile.startswith(str(target))
    # KL(Ber(0.3) ‖ Ber(0.4)) = 0.3 ln(3/4) + 0.7 ln(7/6), by hand
    import math
    assert abs(float(value) - (0.3 * math.log(0.75) + 0.7 * math.log(7 / 6))) < 1e-15
