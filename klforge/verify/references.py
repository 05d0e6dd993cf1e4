"""mpmath references for ``klforge verify``: textbook forms, never the stable rewrites.

This module holds the references of the scalar kernels (their closed forms, lambdified to
mpmath) and re-exports the rest, split by what it does:

* :mod:`.settle` — ``reference_value`` evaluates a reference at 50 digits and doubles the
  precision until two evaluations agree to 25 digits (textbook forms cancel near p = q);
* :mod:`.row_references` — the row kernels' references ``mp_<kernel>`` (categorical rows
  renormalised as the kernels do, MVN through the Cholesky factor, EG step, policy);
* :mod:`.scales` — the scales of stated bounds "≤ k·eps·scale" (``SCALES``).

Example: ``reference_value(mp_kl_categorical, [60, 40], [50, 50])`` = 0.0201355…
"""

from __future__ import annotations

import mpmath
import sympy as sp

from .row_references import (  # noqa: F401 - re-exported (mp_<kernel> is looked up here)
    mp_cross_entropy,
    mp_eg_step,
    mp_entropy,
    mp_kl_categorical,
    mp_kl_dirichlet,
    mp_kl_logits,
    mp_kl_mvn,
    mp_kl_mvn_dense,
    mp_kl_regularized_policy,
    mp_policy,
)
from .scales import SCALES, policy_scale, scale_reference  # noqa: F401 - re-exported
from .settle import MAX_DPS, reference_value, reference_vector  # noqa: F401 - re-exported


def vector_output(d) -> bool:
    """Whether the kernel of ``d`` returns several values per call: its closed form is a
    tuple or a matrix (one reference per output element)."""
    return isinstance(d.closed_form, sp.Tuple | sp.MatrixBase)


def scalar_reference(d):
    """The closed form of a kernel over scalars, in mpmath: one mpf, or a list of them (one per
    component) for a closed form with several components (:func:`vector_output`)."""
    syms = [p.symbol for p in d.params]
    if vector_output(d):
        fs = [sp.lambdify(syms, e, modules=["mpmath"]) for e in d.closed_form]

        def refs(*args):
            xs = [mpmath.mpf(float(a)) for a in args]
            return [f(*xs) for f in fs]
        return refs
    f = sp.lambdify(syms, d.closed_form, modules=["mpmath"])

    def ref(*args):
        return f(*[mpmath.mpf(float(a)) for a in args])

    return ref
