"""Elementwise kernels whose stable form calls a primitive with a light twin (kl_beta: its
extreme-ratio fallback, ``kernels/_gbd_range.py``): a first call runs light loops without
the fallback; a call that reaches it runs again on the full loops (``_ufunc.FirstReach``),
so the value is the same either way (issue 12.5: compile only what a call reaches)."""
import subprocess
import sys

import mpmath
import numpy as np

from klforge.verify import ulp_error


def _kl_beta_ref(a, b, c, d):
    """Textbook KL(Beta(a, b) ‖ Beta(c, d)) at 120 digits beyond the parameters' exponents."""
    with mpmath.workdps(120 + 3 * max(abs(int(mpmath.log10(x))) for x in (a, b, c, d))):
        a, b, c, d = (mpmath.mpf(float(x)) for x in (a, b, c, d))
        lb = lambda x, y: mpmath.loggamma(x) + mpmath.loggamma(y) - mpmath.loggamma(x + y)
        return (lb(c, d) - lb(a, b) + (a - c) * mpmath.digamma(a) + (b - d) * mpmath.digamma(b)
                + (c - a + d - b) * mpmath.digamma(a + b))


def test_first_call_is_light_and_the_fallback_reruns_on_the_full_loops():
    code = ("import numpy as np; from klforge import kernels as K\n"
            "k = K.kl_beta\n"
            "v = k(np.array([2.0, 1.5]), 3.0, 4.0, 1.0)\n"
            "print(sorted(k._ufuncs), sorted(k._reach_ufuncs))\n"
            "w = k(np.array([1.3, 2.0]), np.array([1e20, 3.0]), 2.1, np.array([1e-300, 1.0]))\n"
            "print(sorted(k._ufuncs), repr(float(w[0])), repr(float(v[0])))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()
    assert first == "[] ['float64']", first  # the full loops are not built by an ordinary call
    built, wide, ordinary = second.rsplit(" ", 2)
    assert built == "['float64']", second  # the fallback's call built the full loops
    assert ulp_error(float(wide), _kl_beta_ref(1.3, 1e20, 2.1, 1e-300), np.float64) <= 12
    assert ulp_error(float(ordinary), _kl_beta_ref(2.0, 3.0, 4.0, 1.0), np.float64) <= 12
