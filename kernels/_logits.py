"""KL(softmax(a) ‖ softmax(b)) for rows of logits (numba), softmax never materialised.

Formula: with weights w_i = exp(a_i − max a), z = Σ w_i, p_i = w_i/z, d_i = b_i − a_i and
e_i = d_i − E_p[d] (so E_p[e] = 0 up to rounding),

    KL(p ‖ q) = log E_p[exp(e)] − E_p[e] = log1pmx(S0 + S2) + S2,
    S0 = E_p[e],  S2 = E_p[expm1mx(e)] ≥ 0,

with log1pmx(x) = log(1 + x) − x and expm1mx(x) = exp(x) − 1 − x: every term of S2 is
non-negative and the final cancellation is second order, so the result keeps full relative
accuracy as b → a (KL → 0), where log-sum-exp differences lose it.  The identity holds for
any centre of e; the cost of an off centre is measured per row (see "the vectorised pass").

Paths, one answer per row whatever the batch (a row's bits do not depend on its neighbours):

* the vectorised pass (``_logits_pass.kl_logits_rows``) over batches of rows walked as one
  flat array: per row a scan and a centre, per entry one branch-free map in SIMD lanes
  (float64: b_i − a_i and a_i − max a exact in double-double, compensated sums, re-centred
  once when the centre was poor; float32: the same form in plain float64 with lighter
  arithmetic — a float32 result needs 2^-25 relative, not 2^-52);
* rows with b_i = −inf against a live a_i, a weight below e^−700 or |e_i| > 600:
  ``kl_logits_scalar``, which forms such terms in log space and switches to log-sum-exp
  when some log p_i + e_i > 700 (KL ≥ 700 − log n there, no cancellation); rows with
  masked entries add ``masked_mass_term`` (``finish_row`` does both).

First use compiles the vectorised pass only: the kernel (``FirstReach``) first calls light
loops that hand back (``bail``) the rows needing the scalar code and entry-strided rows
(which need a gather); the full loops, with those paths, are compiled when a call first
reaches them (that call is then run again on them) and serve every later call.

Domain: rows of real logits of any length n ≥ 1, float32 or float64 (float32 entries are
converted exactly and computed in float64; the kernel rounds once).

Special values (the shared table in ``klforge/emit/templates.py``): a −inf logit a_i is a
masked entry (p_i = 0): no term of its own, but q = softmax(b) keeps its mass on it
(``masked_mass_term``: the limit a_i → −inf, as torch computes it); a finite a_i against
b_i = −inf → +inf (p_i > 0 = q_i); NaN or +inf anywhere → NaN; every a_i = −inf (or n = 0)
→ NaN.

Example: ``klforge.kernels.kl_logits(np.log([.6, .4]), np.log([.5, .5]))`` = 0.0201355…
= KL([.6, .4] ‖ [.5, .5]).

Modules: this one holds the formulas (the first-reach kernel, ``FirstReach`` and ``bail``,
shared by the row kernels, is in ``_ufunc.py``, re-exported here); the vectorised pass is in
``_logits_pass.py`` (its per-dtype map and sums in ``_logits_maps.py``), the scalar loops and
the masked-entry term in ``_logits_scalar.py``.
"""

from ._logits_pass import BLK, ROWS, WS_ROWS, kl_logits_rows
from ._logits_scalar import finish_row, kl_logits_scalar, masked_mass_term

# the first-reach machinery serves every row kernel; it lives in _ufunc.py (re-exported here
# for the generated loops of kl_dirichlet and for the tests)
from ._ufunc import BAILS, FirstReach, _plain, bail

__all__ = ["BAILS", "BLK", "ROWS", "WS_ROWS", "FirstReach", "_plain", "bail", "finish_row",
           "kl_logits_rows", "kl_logits_scalar", "masked_mass_term"]
