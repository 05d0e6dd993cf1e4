"""klforge.verify.settle: references settle on the value, not on a term both precisions drop."""

import math

import mpmath
import numpy as np

from klforge.verify.settle import reference_value, span_digits


def test_a_term_beside_a_huge_argument_is_kept():
    # lnΓ(x + a) − lnΓ(x) = a·log x + a(a − 1)/(2x) + O(x⁻²): at x = 1e300 the first term is
    # the value to double precision (independent of mpmath's loggamma)
    x, a = 1e300, 1.3
    got = reference_value(lambda u, v: mpmath.loggamma(mpmath.mpf(u) + v)
                          - mpmath.loggamma(u), x, a)
    want = a * math.log(x)
    assert abs(float(got) - want) <= 2 * math.ulp(want), (got, want)


def test_a_subnormal_beside_a_square_is_kept():
    # (x² + s) − x² is s exactly; at 50 or 100 digits x² + 5e-324 rounds to x²
    got = reference_value(lambda x, s: (mpmath.mpf(x) ** 2 + s) - mpmath.mpf(x) ** 2,
                          0.3, 5e-324)
    assert float(got) == 5e-324


def test_span_counts_decimal_orders_of_nonzero_finite_arguments():
    assert span_digits((1e300, 1.3)) == 300 + 17
    assert span_digits((np.array([0.0, 2.0, 2e10]), [np.inf, 3.0])) == 10 + 17
    assert span_digits((0.0, np.nan)) == 0
    assert span_digits((5e-324, 1.7e308)) == 632 + 17  # 1.7e308 / 5e-324 = 3.4e631
    assert span_digits(("text", None, 1.0)) == 17
