"""First use of the categorical kernels compiles the light loops only (the one vectorised
pass); a call with a row that pass does not settle — a special entry, a correction that
cancels, an entry-strided layout — runs again on the full loops, compiled then, and gives
the full loops' answer (kernels/_categorical.py, klforge/emit/reductions.py)."""
import subprocess
import sys
import tempfile

CHILD = r"""
import math
import mpmath
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
# rows the vectorised pass hands back (issue 16): a float64 row of subnormal entries (F9),
# then a confident float32 row (F4) as the first call to reach the float32 full loops
mpmath.mp.dps = 50


def exact(name, p, q):
    pm, qm = [mpmath.mpf(float(x)) for x in p], [mpmath.mpf(float(x)) for x in q]
    P, Q = mpmath.fsum(pm), mpmath.fsum(qm)
    lr = (lambda a, b: mpmath.log((a / P) / (b / Q))) if name == "kl_categorical" else (
        lambda a, b: -mpmath.log(b / Q))
    return float(mpmath.fsum(a / P * lr(a, b) for a, b in zip(pm, qm) if a > 0))


def args_of(p, q):
    return (p,) if k.__name__ == "entropy" else (p, q)


tiny, pair = np.array([1e-320, 1e-320]), np.array([0.3, 0.7])
ref = exact(k.__name__, tiny, tiny if k.__name__ == "entropy" else pair)
got = k(*args_of(tiny, pair))
assert abs(got - ref) <= 4 * float(np.spacing(ref)), (got, ref)
assert "float32" not in k._ufuncs
conf = np.array([1e-16, 1.0, 1e-16], np.float32)
ref = exact(k.__name__, conf, conf)
got = k(*args_of(conf, conf))
assert abs(float(got) - ref) <= 0.51 * float(np.spacing(np.float32(ref))), (got, ref)
assert "float32" in k._ufuncs or k.__name__ == "kl_categorical"
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
