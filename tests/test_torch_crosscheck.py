"""Cross-check against torch.distributions on moderate inputs (where the textbook formulas
torch uses are accurate), driven by the registry: every kernel whose spec names a
:class:`~klforge.derive.spec.TorchPeer` is compared with it (``kl_divergence`` of the two
sides, or ``entropy``), and every kernel without one is listed, skipped with the reason its
spec gives (``no_torch``).  Skipped with a message when torch is absent."""
import numpy as np
import pytest
from klforge.derive.core import get, kernel_derivations, specs
from klforge.derive.domains import DOMAINS

from klforge import kernels as K

torch = pytest.importorskip("torch", reason="torch not installed: `pip install torch==2.13.0`")
D = torch.distributions

KERNELS = sorted(specs())


def _t(x):
    return torch.as_tensor(x, dtype=torch.float64)


def _rows(rng, count=40, n=7):
    return np.exp(rng.uniform(-1, 2, (count, n)))


def _mvn_factors(rng, count=30, n=6):
    def chol():
        L = np.tril(rng.normal(size=(count, n, n)) * 0.3)
        L[:, np.arange(n), np.arange(n)] = np.exp(rng.uniform(-0.5, 0.5, (count, n)))
        return L
    return rng.normal(size=(count, n)), chol(), rng.normal(size=(count, n)), chol()


#: moderate inputs of a row kernel, by the sampling kind its spec declares (RowSampling.kind):
#: rows far from p = q, well inside every domain
MODERATE_ROWS = {
    "simplex": lambda rng: (_rows(rng),),
    "simplex_pair": lambda rng: (_rows(rng), _rows(rng)),
    "logits": lambda rng: (rng.normal(size=(40, 7)) * 2, rng.normal(size=(40, 7)) * 2),
    "concentrations": lambda rng: (_rows(rng, n=5), _rows(rng, n=5)),
    "mvn_factors": _mvn_factors,
}


def moderate_inputs(kernel, rng):
    """The kernel's arguments: rows for a row kernel (by its sampling kind), else 200 values
    of each parameter from its domain's moderate box."""
    spec = specs()[kernel]
    if spec.rows is not None:
        make = MODERATE_ROWS.get(spec.rows.kind)
        assert make is not None, (f"{kernel}: no moderate inputs for row kind "
                                  f"{spec.rows.kind!r}: add it to MODERATE_ROWS")
        return make(rng)
    params = get(kernel_derivations()[kernel]).params
    return tuple(rng.uniform(*DOMAINS[p.domain].box, 200) for p in params)


def test_every_kernel_has_a_peer_or_says_why_not():
    """A new kernel declares its torch peer, or why there is none (listed below as skipped)."""
    silent = [k for k, s in specs().items() if s.torch is None and not s.no_torch.strip()]
    assert not silent, f"kernels with neither a torch peer nor a reason (no_torch): {silent}"
    assert sum(s.torch is not None for s in specs().values()) >= 12


@pytest.mark.parametrize("kernel", KERNELS)
def test_torch_agrees(kernel):
    spec = specs()[kernel]
    peer = spec.torch
    if peer is None:
        pytest.skip(f"{kernel}: no torch peer — {spec.no_torch}")
    rng = np.random.default_rng(2026)
    args = moderate_inputs(kernel, rng)
    cls = getattr(D, peer.distribution)

    def side(xs):
        assert len(xs) == len(peer.kwargs), (kernel, peer.kwargs)
        return cls(**{k: _t(x) for k, x in zip(peer.kwargs, xs, strict=True)})

    if peer.method == "entropy":
        ref = side(args).entropy().numpy()
    else:
        assert peer.method == "kl_divergence", peer.method
        half = len(args) // 2
        ref = D.kl_divergence(side(args[:half]), side(args[half:])).numpy()
    ours = getattr(K, kernel)(*args)
    assert np.all(np.isfinite(ref)) and ref.shape == np.shape(ours), kernel
    np.testing.assert_allclose(ours, ref, rtol=peer.rtol, err_msg=kernel)


def _normal_kl_textbook(a, s, b, t):
    """log(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²)/(2σ_q²) − ½ in mpmath."""
    import mpmath

    M = mpmath.mpf
    return mpmath.log(M(t) / s) + (M(s) ** 2 + (M(a) - b) ** 2) / (2 * M(t) ** 2) - M(1) / 2


def test_near_equal_normal_ours_within_bar_where_torch_textbook_loses_digits():
    """The reason the kernels exist: at relative separation 1e-4 … 1e-12 torch's textbook
    Normal KL loses all digits (measured ~8e15 ULP), ours stays within the 8-ULP bar."""

    from klforge.verify import BARS, reference_value, ulp_error

    rng = np.random.default_rng(0)
    worst_torch = worst_ours = 0.0
    for sep in (1e-4, 1e-8, 1e-12):
        for _ in range(50):
            mp_, sp_ = rng.normal(), float(np.exp(rng.uniform(-3, 3)))
            mq, sq = mp_ + sep * rng.uniform(-1, 1), sp_ * (1 + sep * rng.uniform(-1, 1))
            r = reference_value(_normal_kl_textbook, mp_, sp_, mq, sq)
            t = D.kl_divergence(D.Normal(_t(mp_), _t(sp_)), D.Normal(_t(mq), _t(sq))).item()
            worst_torch = max(worst_torch, ulp_error(t, r, np.float64))
            worst_ours = max(worst_ours, ulp_error(K.kl_normal(mp_, sp_, mq, sq), r, np.float64))
    assert worst_ours <= BARS["kl_normal"]
    assert worst_torch > 1e6, worst_torch
