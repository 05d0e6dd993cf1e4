"""Scales of the stated error bounds "≤ k·eps·scale", by the kind a kernel's spec names.

A kernel with a stated bound (``KernelSpec.bound``) is measured as |y − r| / (eps·scale) per
output, with the scale of kind ``KernelSpec.scale``: ``stable_pieces`` (Σ |piece| over the
stable form's top-level terms), ``output_terms`` (per output, Σ |terms| of that component of
the closed form) or ``policy_terms`` (the KL-regularised policy, :func:`policy_scale`).
Example: ``scale_reference(get("elbo_normal"), "stable_pieces")(*inputs)`` -> [scale].
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive.core import StableForm
from ..derive.primitives import textbook
from .measure import DPS
from .row_references import mp_policy
from .settle import reference_value

# --- scales of the stated bounds "≤ k·eps·scale", by the kind a spec names (KernelSpec.scale) --
# Each factory takes the derivation and returns f(*inputs) -> [scale of each output].


def _output_terms_scale(d):
    """Per output: Σ |terms| of that component of the closed form (a step θ − lr·(…) cancels
    where the step nearly undoes the parameter)."""
    syms = [p.symbol for p in d.params]
    pieces = [[sp.lambdify(syms, t, modules=["mpmath"]) for t in sp.Add.make_args(e)]
              for e in d.closed_form]

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        with mpmath.workdps(DPS):
            return [mpmath.fsum(abs(g(*xs)) for g in ps) for ps in pieces]
    return scale


def policy_scale(logits, reward, beta):
    """Per output of the KL-regularised policy (π*, V): |π*_i| (a relative bound), and for V
    β·E_ref|expm1(r/β)| + |V|, the size of the terms whose mean is taken."""
    with mpmath.workdps(DPS):
        out = mp_policy(logits, reward, beta)
        b = mpmath.mpf(float(beta))
        if not b > 0:  # outside the domain: NaN outputs, no scale
            return out
        l = [mpmath.mpf(float(x)) for x in logits]
        u = [mpmath.exp(x - max(l)) for x in l]
        terms = mpmath.fsum(w * abs(mpmath.expm1(mpmath.mpf(float(r)) / b))
                            for w, r in zip(u, reward, strict=True)) / mpmath.fsum(u)
        return [abs(x) for x in out[:-1]] + [b * terms + abs(out[-1])]


def _stable_pieces_scale(d):
    """Σ |piece| over the stable form's top-level terms (textbook values, mpmath)."""
    syms = [p.symbol for p in d.params]
    pieces = []
    for term in sp.Add.make_args(d.stable_form.result):
        expr = StableForm(d.stable_form.bindings, term).inline()
        pieces.append(sp.lambdify(syms, textbook(expr), modules=["mpmath"]))

    def scale(*args):
        xs = [mpmath.mpf(float(a)) for a in args]
        return [mpmath.fsum(abs(reference_value(g, *xs)) for g in pieces)]
    return scale


#: scale kind (``KernelSpec.scale``) -> factory(derivation) -> f(*inputs) -> [scale per output]
SCALES = {
    "stable_pieces": _stable_pieces_scale,
    "output_terms": _output_terms_scale,
    "policy_terms": lambda d: policy_scale,
}


def scale_reference(d, kind: str):
    """The scale function of kind ``kind`` (:data:`SCALES`) for the kernel of ``d``: against
    it, kernels with a stated bound are measured (|y − r| / (eps·scale) per output)."""
    try:
        factory = SCALES[kind]
    except KeyError:
        raise LookupError(f"{d.kernel}: its spec names scale {kind!r}, not one of "
                          f"{', '.join(sorted(SCALES))} (klforge/verify/scales.py)") from None
    return factory(d)
