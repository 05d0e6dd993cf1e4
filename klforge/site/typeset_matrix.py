"""Vectors and matrices built from a derivation's entry-wise symbols, for typed forms.

The engine derives the multivariate normal's KL entry by entry at n = 2: the means are the
symbols ``mu_p0, mu_p1`` and the covariances are given by lower-triangular Cholesky factors
with entries ``Lp_00, Lp_10, Lp_11`` (Σ_p = L_p L_pᵀ).  A textbook writes the whole objects,

    ½[tr(Σ_q⁻¹Σ_p) + (μ_q − μ_p)ᵀ Σ_q⁻¹ (μ_q − μ_p) − n + ln det Σ_q / det Σ_p],

so :func:`structures` names them for :mod:`.typeset`'s parser:

* ``mu_p`` — the column vector (mu_p0, mu_p1, …) of the symbols ``<name>_<letter><k>``;
* ``L_p`` — the lower-triangular matrix of the symbols ``L<letter>_<i><j>`` (i ≥ j), and
  ``Sigma_p`` = L_p L_pᵀ, symmetric positive definite whenever the diagonal is positive
  (the derivation's domain of ``Lp_ii``), so random points of the domains are random SPD
  matrices;
* ``n`` — the common dimension, when every vector and matrix has the same one.

The check is then exact algebra at the engine's dimension (n = 2 for kl_mvn), evaluated at
random points like every typed form; it says nothing about other n.

Example: ``structures({mu_p0, mu_p1})`` → ``{"mu_p": Matrix([mu_p0, mu_p1]), "n": 2}``.
"""

from __future__ import annotations

import re

import sympy as sp

_VECTOR = re.compile(r"(.+_[A-Za-z])(\d)")
_CHOLESKY = re.compile(r"L([A-Za-z])_(\d)(\d)")


def is_entry(name: str) -> bool:
    """Whether the symbol ``name`` is a Cholesky-factor entry (kept as the engine's symbol,
    not read back through its print)."""
    return _CHOLESKY.fullmatch(name) is not None


def structures(symbols) -> dict[str, sp.Basic]:
    """The vectors, Cholesky factors, covariances and dimension named by ``symbols``."""
    vectors: dict[str, dict[int, sp.Symbol]] = {}
    factors: dict[str, dict[tuple[int, int], sp.Symbol]] = {}
    for s in symbols:
        if m := _CHOLESKY.fullmatch(s.name):
            factors.setdefault(m.group(1), {})[int(m.group(2)), int(m.group(3))] = s
        elif m := _VECTOR.fullmatch(s.name):
            vectors.setdefault(m.group(1), {})[int(m.group(2))] = s
    env: dict[str, sp.Basic] = {}
    dims = set()
    for name, entries in vectors.items():
        if sorted(entries) == list(range(len(entries))):
            env[name] = sp.Matrix([entries[k] for k in range(len(entries))])
            dims.add(len(entries))
    for who, entries in factors.items():
        n = 1 + max(i for i, _ in entries)
        if set(entries) != {(i, j) for i in range(n) for j in range(i + 1)}:
            continue  # not a full lower triangle: no matrix is named
        lower = sp.Matrix([[entries[i, j] if i >= j else 0 for j in range(n)]
                           for i in range(n)])
        env[f"L_{who}"] = lower
        env[f"Sigma_{who}"] = lower * lower.T
        dims.add(n)
    if len(dims) == 1:
        env["n"] = sp.Integer(dims.pop())
    return env


def scalar(value):
    """A 1 × 1 matrix (a quadratic form vᵀAv) as the number it is; anything else as is."""
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value
