"""kl_logits' vectorised pass over a batch of rows walked as one flat array (numba); the
per-entry map and the per-row sums, per dtype, are in :mod:`._logits_maps`.

Rows of ``n`` entries stored one after another are read in chunks of ``BLK`` entries (a
whole number of rows per chunk, or a long row chunk by chunk).  Per row: one scan (max a,
max b, NaN/+inf, masked entries) and a centre c; the centres are spread over the chunk's
entries, so one branch-free map (``_simd``: exp, expm1mx, TwoSum) computes the three terms
of every entry in SIMD lanes whatever the row length (no padding, no call per row):

    w_i = exp(a_i − max a),  w_i·e_i,  w_i·expm1mx(e_i),  e_i = (b_i − a_i) − c,

then each row's sums are added in row order and finished (``_finish``): KL =
log1pmx(S0 + S2) + S2 (see :mod:`._logits`).  A row gives the same bits alone or inside a
batch (the map is per entry; the sums run over the row's own entries in the same order).

* float64: c = b_k − a_k at the first k with a_k = max a; a_i − max a, b_i − a_i and e_i in
  double-double; Neumaier-compensated sums.  A row whose error growth (``_finish``) exceeds
  GROWTH_F64 is summed once more around c + S0 (= E_p[b − a]).
* float32: c = max b − max a, e_i = ((b_i − max b) − (a_i − max a)) − shift in plain float64,
  expm1mx from exp's own reduction (``_expm1mx_light``), plain sums in any order (float32
  needs 2^-25 relative, the pass keeps ~2^-50); re-centred past growth 2^19.

``kl_logits_rows(a, b, n, r0, r1, res, ws)`` leaves in res[0, r − r0] the KL of row r and in
res[1, r − r0] the work left for the scalar code (``_logits_scalar.finish_row``): 0 none,
1 the scalar loops (an entry the map does not cover: b_i = −inf against a live a_i, a
weight below e^−700, |e_i| > 600), 2 the masked entries' q-mass term (some a_i = −inf).
Rows with NaN or +inf (→ NaN) and rows with every a_i = −inf (→ NaN) are finished here.

Example: with ``res = np.empty((2, ROWS))``, ``kl_logits_rows(np.log([.6, .4]),
np.log([.5, .5]), 2, 0, 1, res, np.empty((WS_ROWS, BLK)))`` sets res[:, 0] = (0.0201355…, 0).
"""

import math

import numpy as np
from numba import njit

from . import _primitives as _p
from . import _simd as _s
from ._logits_maps import _acc, _centre, _map
from ._ufunc import INTERNAL

NAN = math.nan
INF = math.inf
_JIT = dict(cache=True, error_model="numpy", **INTERNAL)
#: small helpers inlined as numba IR into their caller (no function of their own to compile)
_IR = dict(inline="always", error_model="numpy", cache=True)

#: entries per chunk of the flat walk: the chunk's inputs and the six scratch rows the map
#: reads and writes (8·BLK bytes each) stay in a 32 KB L1 (1 024 was 1.9x slower at 1 000
#: classes: /tmp/k3/blk/run.sh, 1 thread)
BLK = 256
#: rows per batch: results live in ``res[:, :ROWS]``
ROWS = 256
#: rows of the scratch ``ws`` (× BLK): 0–2 the terms, 3–5 per entry max a and the centre
#: (high, low), 6–8 per row of the chunk max a, centre and flags
WS_ROWS = 9
#: largest accepted error growth of the one-centre pass: float64 results keep a few ULP;
#: float32 results need about 2^-26 relative, float64 arithmetic leaves 2^26 of room
GROWTH_F64 = 2.0
GROWTH_F32 = 2.0**19
_POS_INF_KEY = 0x7FF0000000000000  # the scan's key of +inf
_NEG_INF_KEY = -9218868437227405313  # the scan's key of −inf
_BAD, _MASKED = 1.0, 2.0  # row flags (ws[8]): NaN/+inf in the row; some a_i = −inf


@njit(**_IR)
def _scan(a, b):
    """(bad, max a, max b, masked): bad when a NaN or +inf is in the row; masked when some
    a_i = −inf (p_i = 0; its q-mass is added by ``masked_mass_term``).  The maxima are
    taken over int64 keys ordered as the floats are, k ^ ((k >> 63) & 0x7FF…F) of the bits
    k (an involution): integer max reductions vectorise without fast-math."""
    ka = kb = _NEG_INF_KEY
    bad = False
    masked = False
    for i in range(a.shape[0]):
        x = _s._bits(np.float64(a[i]))
        y = _s._bits(np.float64(b[i]))
        x ^= (x >> 63) & 0x7FFFFFFFFFFFFFFF
        y ^= (y >> 63) & 0x7FFFFFFFFFFFFFFF
        # NaN keys lie above +inf's or below −inf's
        bad |= (x >= _POS_INF_KEY) | (x < _NEG_INF_KEY) | (y >= _POS_INF_KEY) | (y < _NEG_INF_KEY)
        masked |= x == _NEG_INF_KEY
        ka = x if x > ka else ka
        kb = y if y > kb else kb
    ka ^= (ka >> 63) & 0x7FFFFFFFFFFFFFFF
    kb ^= (kb >> 63) & 0x7FFFFFFFFFFFFFFF
    return bad, _s._from_bits(ka), _s._from_bits(kb), masked


@njit(**_IR)
def _finish(z, s0, s2):
    """(S0, KL, error growth) from the sums: KL = log1pmx(x) + S2 for x = S0 + S2 ≤ 1,
    log1p(x) − S0 above (no cancellation in either when S0 ≈ 0)."""
    S0 = s0 / z
    S2 = s2 / z
    x = S0 + S2
    if x > 1.0:
        v = math.log1p(x) - S0
        size = math.log1p(x) + abs(S0)
    else:
        v = _p.log1pmx(x) + S2
        size = S2 + abs(x) * (abs(S0) + S2) / (1.0 + x)
    return S0, v, (size / v if v > 0.0 else (0.0 if size == 0.0 else INF))


@njit(**_IR)
def _recentre(h, l, S0, exact):
    """The centre moved by S0: float64 (exact) c + S0 in double-double; float32 the shift."""
    if exact:
        return _p.two_sum(h, S0)
    return h, l + S0


@njit(**_IR)
def _spread(ws, k0, k1, amax, h, l):
    for k in range(k0, k1):
        ws[3, k] = amax
        ws[4, k] = h
        ws[5, k] = l


_ZERO = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@njit(**_IR)
def _settle(acc):
    """(KL, S0, error growth) of a row from its sums; KL NaN when an entry was not covered
    by the map (its weight is NaN)."""
    z, zc, s0, c0, s2, c2 = acc
    z += zc
    if z != z:
        return NAN, 0.0, 0.0
    S0, v, growth = _finish(z, s0 + c0, s2 + c2)
    return v, S0, growth


@njit(**_JIT)
def kl_logits_rows(a, b, n, r0, r1, res, ws):
    """res[:, r − r0] = (KL, work left) of rows r0 ≤ r < r1 of the flat arrays a, b.

    Per chunk (a whole number of short rows, or one long row): every row is scanned and
    centred, then one loop of jobs feeds the map — the chunk's entries at once (short
    rows), then whatever a row needs summed on its own, chunk by chunk (a long row; a row
    re-centred) — so the map is compiled once."""
    exact = a.itemsize == 8
    limit = GROWTH_F64 if exact else GROWTH_F32
    if n == 0:  # empty rows
        for r in range(r1 - r0):
            res[0, r] = NAN
            res[1, r] = 0.0
        return
    short = n <= BLK
    per = BLK // n if short else 1
    for c0 in range(r0, r1, per):
        c1 = c0 + per if c0 + per < r1 else r1
        rows = c1 - c0
        ab = a[c0 * n:c1 * n]
        bb = b[c0 * n:c1 * n]
        for r in range(rows):
            k = r * n
            bad, amax, bmax, masked = _scan(ab[k:k + n], bb[k:k + n])
            h, l = _centre(ab[k:k + n], bb[k:k + n], amax, bmax)
            ws[6, r] = amax
            ws[7, r] = h
            ws[8, r] = (_BAD if bad else 0.0) + (_MASKED if masked else 0.0)
            if short:
                _spread(ws, k, k + n, amax, h, l)
        r = -1 if short else 0  # −1: the job mapping the chunk's entries
        own = not short  # row r is summed on its own, from its entry s
        s = 0
        acc = _ZERO
        low = 0.0  # the low part (float64) or shift (float32) of row r's own centre
        again = False  # row r's own pass is its re-centred one
        while r < rows:
            if r >= 0 and not again and s == 0:
                flags = ws[8, r]
                if flags == _BAD or flags == _BAD + _MASKED or ws[6, r] == -INF:
                    res[0, c0 - r0 + r] = NAN  # NaN or +inf in the row; every entry masked
                    res[1, c0 - r0 + r] = 0.0
                    r += 1
                    continue
                if not own:  # its terms are in the chunk's
                    acc = _acc(ab, ws, r * n, r * n + n, _ZERO)
                    s = n
            if s < n:  # a job for the map
                if r < 0:
                    xa, xb, m = ab, bb, rows * n
                else:
                    m = n - s if n - s < BLK else BLK
                    xa = ab[r * n + s:r * n + s + m]
                    xb = bb[r * n + s:r * n + s + m]
                    if s == 0:  # the row's centre, for every chunk of its own pass
                        _spread(ws, 0, m, ws[6, r], ws[7, r], low)
                _map(xa, xb, ws, m)
                if r < 0:
                    r = 0
                    continue
                acc = _acc(xa, ws, 0, m, acc)
                s += m
                if s < n:
                    continue
            v, S0, growth = _settle(acc)
            if growth > limit and not again:  # once more around c + S0, this row alone
                ws[7, r], low = _recentre(ws[7, r], 0.0, S0, exact)
                again, own, s, acc = True, True, 0, _ZERO
                continue
            flags = ws[8, r]
            if v != v:
                res[0, c0 - r0 + r] = 0.0
                res[1, c0 - r0 + r] = 1.0 + flags  # the scalar loops finish it
            else:
                res[0, c0 - r0 + r] = v
                res[1, c0 - r0 + r] = flags
            r += 1
            own, s, acc, low, again = not short, 0, _ZERO, 0.0, False
