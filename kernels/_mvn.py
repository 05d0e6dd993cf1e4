"""KL between two multivariate normals from their lower Cholesky factors (numba, float64).

    KL(N(μ_p, L_p L_pᵀ) ‖ N(μ_q, L_q L_qᵀ))
        = ½[ Σ_{i≠j} D_ij² + Σ_i (M_ii² − 1 − 2 log M_ii) + |w|² ],

with M = L_q⁻¹ L_p = I + D, D = L_q⁻¹ (L_p − L_q) and w = L_q⁻¹ (μ_p − μ_q).  Every term is
non-negative, so the compensated sum of them loses nothing to cancellation; the error of
the result is the error of the terms:

* D and w come from forward substitution carried in double-double (``_mvn_solve``): the
  right-hand sides L_p − L_q and μ_p − μ_q enter exactly, and the solve is as accurate as
  one in twice the working precision (error ≈ u + cond(L_q)·u²), so ill-conditioned
  factors and p ≈ q (D → 0) both keep full relative accuracy.  For float32 inputs a plain
  float64 solve runs first (``_mvn_plain``) and is kept when a normwise bound of its error
  is below 2^-34 of the KL;
* the diagonal terms use M_ii = L_p,ii / L_q,ii exactly (``_mvn_terms.diagonal_term``),
  accurate for scale ratios 10⁻³⁰⁰ … 10³⁰⁰.

Domain: only the lower triangles of L_p and L_q are read (the upper triangle is ignored,
as numpy.linalg and scipy.linalg.cho_solve(lower=True) do); the diagonals must be > 0.
A non-positive diagonal entry, a NaN or an infinite entry in the lower triangles or in
μ_p, μ_q, or n = 0 gives NaN.  A result beyond the float64 range is +inf.

Stacks of ≥ 32 small pairs (n ≤ 16, C-contiguous) go 32 at a time across SIMD lanes
(``_mvn_batch``).  Modules: ``_mvn_vec`` (eight lanes as one numba value), ``_mvn_terms``
(double-double steps, diagonal terms), ``_mvn_solve`` (the double-double solve),
``_mvn_plain`` (float32's certified plain solve), ``_mvn_cold`` (float32's double-double
fallback, compiled on first reach), ``_mvn_batch``; this one holds the row
function the generated loops call and re-exports what they use.

Example: ``kl_mvn_row(np.zeros(3), 1e-16*np.eye(3), np.zeros(3), np.eye(3),
row_scratch(3))`` = 109.0240… (3·(½·1e-32 − ½ − log 1e-16)).
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from ._mvn_batch import BATCH_MAX, W, batch_may_apply, kl_mvn_batch, scratch_rows
from ._mvn_cold import ColdReach, dd_solve_cold, ensure_cold
from ._mvn_plain import plain_solve_normwise
from ._mvn_solve import dd_solve, fill_row
from ._mvn_terms import block_end, diagonal_sum, diagonal_term, diagonal_terms

__all__ = ["BATCH_MAX", "TINY_KL", "TOL32", "W", "ColdReach", "batch_may_apply", "block_end",
           "dd_solve", "dd_solve_cold", "diagonal_sum", "diagonal_term", "diagonal_terms",
           "ensure_cold", "fill_row", "kl_mvn_batch", "kl_mvn_row", "plain_solve_normwise",
           "row_scratch", "scratch_rows"]

_JIT = dict(cache=True, error_model="numpy")
NAN = math.nan
INF = math.inf

#: float32 inputs: the plain solve is kept when its error bound is at most this share of
#: the KL (far below a float32 ULP, 2^-24)
TOL32 = 2.0**-34
TINY_KL = 2.0**-900  # below this, products in the bound may underflow: exact path


@njit(inline="always", error_model="numpy")
def row_scratch(n):
    """kl_mvn_row's float64 scratch for pairs of dimension n, allocated once per call of the
    loop (no allocation per pair): 2n + 8 rows of whole blocks of eight covering columns
    0 … n (the solves' rows, the column sums, the diagonals and their terms, the float32
    bound's rows, and a row of −1.0 the double-double solve reads)."""
    wn = np.zeros((2 * n + 8, 8 * (n // 8 + 1)))  # block_end(n − 1), 8 for n = 0
    wn[2 * n + 7] = -1.0
    return wn


def _plain_attempt(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    """The plain solve for the inputs' dtype, or −1 (only that dtype's path is compiled)."""


def _no_plain_solve(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    # float64: a plain solve cannot be certified at 16 ULP for n in the tens (its error
    # bound grows with n); the double-double solve is the path
    return -1.0


@overload(_plain_attempt, jit_options=dict(error_model="numpy"))
def _plain_attempt_for(mu_p, L_p, mu_q, L_q, wn, n, tol, diag):
    if mu_p.dtype == types.float32:
        return plain_solve_normwise.py_func
    return _no_plain_solve


def _dd_attempt(mu_p, L_p, mu_q, L_q, wn, n):
    """The double-double solve for the inputs' dtype: Σ squares, or −1 for inputs not
    finite (float32: through ``_mvn_cold``, compiled when a call first needs it)."""


@overload(_dd_attempt, jit_options=dict(error_model="numpy"))
def _dd_attempt_for(mu_p, L_p, mu_q, L_q, wn, n):
    # the functions' own Python code, compiled here as one function (no wrapper level)
    if mu_p.dtype == types.float32:
        return dd_solve_cold.py_func
    return dd_solve.py_func


# inline="always" (numba IR; the function is small, its callees are not inlined): one
# level fewer of LLVM module optimisation over everything it calls
@njit(inline="always", **_JIT)
def kl_mvn_row(mu_p, L_p, mu_q, L_q, wn):
    """The KL above for one pair of distributions (n = mu_p.shape[0]); ``wn``: scratch from
    :func:`row_scratch` (n).

    float32 inputs: the plain float64 solve runs first and is kept when its normwise error
    bound is within ``TOL32`` of the KL; otherwise (and for float64 inputs) the solve is
    done in double-double (ill-conditioned L_q, extreme scales, overflow)."""
    n = mu_p.shape[0]
    if n == 0:
        return NAN
    dp = wn[2 * n + 3]
    dq = wn[2 * n + 4]
    positive = True
    for i in range(n):
        dp[i] = np.float64(L_p[i, i])
        dq[i] = np.float64(L_q[i, i])
        positive &= (dp[i] > 0.0) & (dq[i] > 0.0)
    if not positive:
        return NAN
    diag = diagonal_sum(dp, dq, wn[2 * n + 2], n)
    if diag < INF:  # not NaN or +inf
        sq = _plain_attempt(mu_p, L_p, mu_q, L_q, wn, n, TOL32, diag)
        kl = 0.5 * (sq + diag)
        if sq >= 0.0 and (TINY_KL < kl < INF or kl == 0.0):
            return kl
    sq = _dd_attempt(mu_p, L_p, mu_q, L_q, wn, n)
    if sq == -1.0:  # an input not finite (or float32's fallback not compiled yet)
        return NAN
    kl = 0.5 * (sq + diag)
    # The inputs are finite, so a NaN here is ∞ − ∞ from an overflowing term: KL = +inf.
    return INF if kl != kl else kl
