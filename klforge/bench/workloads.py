"""The workloads of ``klforge bench`` and the bars they are held to (issue 16, item 4).

Row reductions (kl_categorical, kl_logits, cross_entropy, entropy) are swept over the row
length — 10, 100, 1 000 and 32 768 classes — at a fixed 2^24 entries per operand (2^18
with ``quick``), in float64 and float32; kl_normal runs 10^7 elements, kl_mvn n = 8 and
n = 64; kl_gamma and kl_beta 2^22 elements, kl_dirichlet 2^18 rows of 16 (parameters
log-uniform on [0.1, 100]; 2^18 elements with ``quick``).  Each is timed against the plain
torch CPU expression a user would write (and scipy.special where it has one), in the same
run.

Example: ``[w.size for w in workloads(True) if w.name == "entropy"]`` → the row lengths.
"""

from __future__ import annotations

import numpy as np

from .timing import Workload

CLASSES = (10, 100, 1000, 32768)
ROW_KERNELS = ("kl_categorical", "kl_logits", "cross_entropy", "entropy")


def bars(r: dict) -> dict:
    """The bars one result is held to: speed-up over torch (peer time / ours) and, for
    kl_categorical's long float64 rows, the share of the read bandwidth."""
    name, dtype, size = r["workload"], r["dtype"], r.get("size")
    if name in ROW_KERNELS:
        if name == "kl_categorical" and dtype == "float64" and size == max(CLASSES):
            return {"torch": 3.0, "bandwidth_share": 0.20}
        return {"torch": 2.0}
    if name in ("kl_normal", "kl_mvn"):
        return {"torch": 3.0}
    if name in SPECIAL_KERNELS:  # lnΓ/ψ families: within 3× of torch's (inaccurate) formula
        return {"torch": 1 / 3}
    return {}


def _torch(x, *keys):
    import torch
    return {k: torch.from_numpy(x[k]) for k in keys}


def _F():
    import torch.nn.functional as F
    return F


def _D():
    import torch.distributions as D
    return D


def _special():
    import scipy.special
    return scipy.special


def _simplex(rng, rows, cols, dtype):
    out = {}
    for k in ("p", "q"):
        v = rng.random((rows, cols)) + 1e-3
        out[k] = (v / v.sum(-1, keepdims=True)).astype(dtype)
    return out


def _row_workloads(K, dtype, elements):
    out = []
    for cols in CLASSES:
        rows = max(1, elements // cols)
        simplex = (lambda rng, r=rows, c=cols: _simplex(rng, r, c, dtype))
        out += [
            Workload("kl_categorical", dtype, simplex, lambda x: K.kl_categorical(x["p"], x["q"]),
                     {"torch": (lambda x: _torch(x, "p", "q"),
                                lambda t: _F().kl_div(t["q"].log(), t["p"],
                                                      reduction="none").sum(-1)),
                      "scipy": (lambda x: x,
                                lambda x: _special().rel_entr(x["p"], x["q"]).sum(-1))},
                     streaming=True, size=cols),
            Workload("kl_logits", dtype,
                     lambda rng, r=rows, c=cols: {
                         k: (rng.normal(size=(r, c)) * 3).astype(dtype) for k in ("a", "b")},
                     lambda x: K.kl_logits(x["a"], x["b"]),
                     {"torch": (lambda x: _torch(x, "a", "b"),
                                lambda t: _F().kl_div(_F().log_softmax(t["b"], -1),
                                                      _F().log_softmax(t["a"], -1),
                                                      reduction="none", log_target=True).sum(-1))},
                     streaming=True, size=cols),
            Workload("cross_entropy", dtype, simplex, lambda x: K.cross_entropy(x["p"], x["q"]),
                     {"torch": (lambda x: _torch(x, "p", "q"),
                                lambda t: -(t["p"] * t["q"].log()).sum(-1))},
                     streaming=True, size=cols),
            Workload("entropy", dtype, lambda rng, r=rows, c=cols: {
                         "p": _simplex(rng, r, c, dtype)["p"]},
                     lambda x: K.entropy(x["p"]),
                     {"torch": (lambda x: _torch(x, "p"),
                                lambda t: _special_torch().entr(t["p"]).sum(-1)),
                      "scipy": (lambda x: x, lambda x: _special().entr(x["p"]).sum(-1))},
                     streaming=True, size=cols),
        ]
    return out


def _special_torch():
    import torch.special
    return torch.special


def _normal(n, dtype):
    def make(rng):
        return {k: v.astype(dtype) for k, v in (
            ("m1", rng.normal(size=n)), ("s1", rng.random(n) + 0.5),
            ("m2", rng.normal(size=n)), ("s2", rng.random(n) + 0.5))}
    return make


def _mvn(rows, dim, dtype):
    def make(rng):
        def chol():
            L = np.tril(rng.normal(size=(rows, dim, dim)) * 0.3 / np.sqrt(dim))
            idx = np.arange(dim)
            L[:, idx, idx] = rng.random((rows, dim)) + 0.5
            return L.astype(dtype)
        return {"mp": rng.normal(size=(rows, dim)).astype(dtype), "Lp": chol(),
                "mq": rng.normal(size=(rows, dim)).astype(dtype), "Lq": chol()}
    return make


SPECIAL_KERNELS = ("kl_gamma", "kl_beta", "kl_dirichlet")


def _concentrations(shape, dtype):
    """Positive parameters log-uniform on [0.1, 100], p and q drawn independently."""
    def make(rng):
        return {f"x{i}": np.exp(rng.uniform(np.log(0.1), np.log(100.0), shape)).astype(dtype)
                for i in range(4 if len(shape) == 1 else 2)}
    return make


def _special_workloads(K, dtype, n):
    """kl_gamma and kl_beta on n elements, kl_dirichlet on n/16 rows of 16, against
    torch.distributions.kl_divergence (lgamma/digamma differences)."""
    def dist(name, *args):
        return getattr(_D(), name)(*args, validate_args=False)
    four = lambda x: _torch(x, "x0", "x1", "x2", "x3")  # noqa: E731
    return [
        Workload("kl_gamma", dtype, _concentrations((n,), dtype),
                 lambda x: K.kl_gamma(x["x0"], x["x1"], x["x2"], x["x3"]),
                 {"torch": (four, lambda t: _D().kl_divergence(
                     dist("Gamma", t["x0"], t["x1"]), dist("Gamma", t["x2"], t["x3"])))}),
        Workload("kl_beta", dtype, _concentrations((n,), dtype),
                 lambda x: K.kl_beta(x["x0"], x["x1"], x["x2"], x["x3"]),
                 {"torch": (four, lambda t: _D().kl_divergence(
                     dist("Beta", t["x0"], t["x1"]), dist("Beta", t["x2"], t["x3"])))}),
        Workload("kl_dirichlet", dtype, _concentrations((n // 16, 16), dtype),
                 lambda x: K.kl_dirichlet(x["x0"], x["x1"]),
                 {"torch": (lambda x: _torch(x, "x0", "x1"), lambda t: _D().kl_divergence(
                     dist("Dirichlet", t["x0"]), dist("Dirichlet", t["x1"])))}, size=16),
    ]


def workloads(quick: bool = False) -> list[Workload]:
    from .. import kernels as K

    elements = 2**18 if quick else 2**24
    n_normal = 10**6 if quick else 10**7
    mvn_sizes = ((8, 2000 if quick else 20000), (64, 50 if quick else 500))
    out = []
    for dtype in ("float64", "float32"):
        out += _row_workloads(K, dtype, elements)
        out.append(Workload(
            "kl_normal", dtype, _normal(n_normal, dtype),
            lambda x: K.kl_normal(x["m1"], x["s1"], x["m2"], x["s2"]),
            {"torch": (lambda x: _torch(x, "m1", "s1", "m2", "s2"),
                       lambda t: _D().kl_divergence(
                           _D().Normal(t["m1"], t["s1"], validate_args=False),
                           _D().Normal(t["m2"], t["s2"], validate_args=False)))},
            streaming=True))
        for dim, rows in mvn_sizes:
            out.append(Workload(
                "kl_mvn", dtype, _mvn(rows, dim, dtype),
                lambda x: K.kl_mvn(x["mp"], x["Lp"], x["mq"], x["Lq"]),
                {"torch": (lambda x: _torch(x, "mp", "Lp", "mq", "Lq"),
                           lambda t: _D().kl_divergence(
                               _D().MultivariateNormal(t["mp"], scale_tril=t["Lp"],
                                                       validate_args=False),
                               _D().MultivariateNormal(t["mq"], scale_tril=t["Lq"],
                                                       validate_args=False)))},
                size=dim))
        out += _special_workloads(K, dtype, 2**18 if quick else 2**22)
    return out
