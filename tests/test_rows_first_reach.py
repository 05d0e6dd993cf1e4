"""First use of the categorical kernels compiles the light loops only (the one vectorised
pass); a call with a row that pass does not settle — a special entry, a correction that
cancels, an entry-strided layout — runs again on the full loops, compiled then, and gives
the full loops' answer (kernels/_categorical.py, klforge/emit/reductions.py)."""
import subprocess
import sys
import tempfile

CHILD = r"""
import math
import numpy as np
from klforge import kernels as K

k = K.{name}
plain = [np.full((3, 4), 0.25)] * k.nin
k(*plain)
assert set(k._reach_ufuncs) == {{"float64"}} and not k._ufuncs, (k._reach_ufuncs, k._ufuncs)
k(*[np.full((3, 4), 0.25, np.float32)] * k.nin)
assert not k._ufuncs, "a plain float32 call reached the full loops"
# a row the vectorised pass hands back: its totals differ so that the correction cancels
p, q = np.array([1.0, 1.0]), np.array([1.0, 3.0])
args = {{"kl_categorical": (p, q), "cross_entropy": (p, q), "entropy": (q,)}}[k.__name__]
ref = {{"kl_categorical": 0.5 * math.log(2.0) + 0.5 * math.log(2.0 / 3.0),
        "cross_entropy": -0.5 * math.log(0.25) - 0.5 * math.log(0.75),
        "entropy": -0.25 * math.log(0.25) - 0.75 * math.log(0.75)}}[k.__name__]
got = k(*args)
assert abs(got - ref) <= 4e-16 * ref, (got, ref)
assert set(k._ufuncs) == {{"float64"}}, "the cancelling row did not reach the full loops"
# an entry-strided row (a gather) and a NaN row, in float32: the full loops of that dtype
wide = np.full((2, 8), 0.125, np.float32)
wide[1, 2] = np.nan
out = k(*[wide[:, ::2]] * k.nin)
assert out[0] == 0.0 or abs(out[0] - math.log(4.0)) < 1e-6, out
assert math.isnan(out[1]), out
assert "float32" in k._ufuncs
print("ok")
"""


def _run(name):
    with tempfile.TemporaryDirectory() as cache:
        r = subprocess.run([sys.executable, "-c", CHILD.format(name=name)], capture_output=True,
                           text=True, env={"NUMBA_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


def test_kl_categorical_light_then_full():
    _run("kl_categorical")


def test_cross_entropy_light_then_full():
    _run("cross_entropy")


def test_entropy_light_then_full():
    _run("entropy")
