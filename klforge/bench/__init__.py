"""``klforge bench``: our kernels against their peers, measured in the same run.

Each workload times our kernel and its peers (torch CPU, scipy) in alternating order over
several rounds and reports medians and ratios; streaming kernels also report their
throughput as a share of this machine's read bandwidth, measured in the same run by a
streaming sum over the same arrays (numba, the same threads).  Results go to JSON and a
plot.  Speed is only ever claimed here, never in unit tests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Bars from the issue (float64, 2 threads, medians of the same run).
BARS = {"kl_categorical": {"torch": 3.0, "bandwidth_share": 0.20},
        "kl_logits": {"torch": 2.0}, "kl_normal": {"torch": 2.0}, "kl_mvn": {"torch": 2.0}}
IMPORT_BAR_S = 1.0


@dataclass
class Workload:
    name: str
    dtype: str
    make: object                    # rng -> dict of arrays
    ours: object                    # arrays -> result
    peers: dict = field(default_factory=dict)   # name -> (prepare(arrays) -> state, run(state))
    streaming: bool = False


def _stream_sum():
    from numba import njit, prange

    @njit(parallel=True, cache=True)
    def row_sums(x):
        # eight independent accumulators, so the loop is bound by memory, not add latency
        out = np.empty(x.shape[0])
        for i in prange(x.shape[0]):
            acc = np.zeros(8)
            m = x.shape[1] - x.shape[1] % 8
            for j in range(0, m, 8):
                for k in range(8):
                    acc[k] += x[i, j + k]
            s = acc.sum()
            for j in range(m, x.shape[1]):
                s += x[i, j]
            out[i] = s
        return out
    return row_sums


def _as_rows(v, width: int = 4096) -> list:
    """``v`` as 2-d blocks of rows for the parallel streaming sum (a 1-d array becomes
    rows of ``width`` plus its tail, so every thread reads a share)."""
    v = np.ascontiguousarray(v)
    if v.ndim > 1:
        return [v.reshape(v.shape[0], -1)]
    m = v.size - v.size % width
    return [v[:m].reshape(-1, width), v[m:].reshape(1, -1)]


def workloads(quick: bool = False) -> list[Workload]:
    from .. import kernels as K

    rows, cols = (64, 32768) if quick else (512, 32768)
    n_normal = 10**6 if quick else 10**7
    n_mvn, dim = (2000 if quick else 20000), 8

    def simplex(rng, dtype):
        p = rng.random((rows, cols)) + 1e-3
        q = rng.random((rows, cols)) + 1e-3
        return {"p": (p / p.sum(-1, keepdims=True)).astype(dtype),
                "q": (q / q.sum(-1, keepdims=True)).astype(dtype)}

    def logits(rng, dtype):
        return {"a": (rng.normal(size=(rows, cols)) * 3).astype(dtype),
                "b": (rng.normal(size=(rows, cols)) * 3).astype(dtype)}

    def normal(rng, dtype):
        return {k: v.astype(dtype) for k, v in (
            ("m1", rng.normal(size=n_normal)), ("s1", rng.random(n_normal) + 0.5),
            ("m2", rng.normal(size=n_normal)), ("s2", rng.random(n_normal) + 0.5))}

    def mvn(rng, dtype):
        def chol():
            L = np.tril(rng.normal(size=(n_mvn, dim, dim)) * 0.3)
            idx = np.arange(dim)
            L[:, idx, idx] = rng.random((n_mvn, dim)) + 0.5
            return L.astype(dtype)
        return {"mp": rng.normal(size=(n_mvn, dim)).astype(dtype), "Lp": chol(),
                "mq": rng.normal(size=(n_mvn, dim)).astype(dtype), "Lq": chol()}

    out = []
    for dtype in ("float64", "float32"):
        out += [
            Workload("kl_categorical", dtype, lambda rng, d=dtype: simplex(rng, d),
                     lambda x: K.kl_categorical(x["p"], x["q"]),
                     {"torch": (lambda x: _torch(x, "p", "q"),
                                lambda t: _F().kl_div(t["q"].log(), t["p"],
                                                      reduction="none").sum(-1)),
                      "scipy": (lambda x: x, lambda x: _scipy().rel_entr(x["p"], x["q"]).sum(-1))},
                     streaming=True),
            Workload("kl_logits", dtype, lambda rng, d=dtype: logits(rng, d),
                     lambda x: K.kl_logits(x["a"], x["b"]),
                     {"torch": (lambda x: _torch(x, "a", "b"),
                                lambda t: _F().kl_div(_F().log_softmax(t["b"], -1),
                                                      _F().log_softmax(t["a"], -1),
                                                      reduction="none", log_target=True).sum(-1))},
                     streaming=True),
            Workload("kl_normal", dtype, lambda rng, d=dtype: normal(rng, d),
                     lambda x: K.kl_normal(x["m1"], x["s1"], x["m2"], x["s2"]),
                     {"torch": (lambda x: _torch(x, "m1", "s1", "m2", "s2"),
                                lambda t: _D().kl_divergence(
                                    _D().Normal(t["m1"], t["s1"], validate_args=False),
                                    _D().Normal(t["m2"], t["s2"], validate_args=False)))},
                     streaming=True),
            Workload("kl_mvn", dtype, lambda rng, d=dtype: mvn(rng, d),
                     lambda x: K.kl_mvn(x["mp"], x["Lp"], x["mq"], x["Lq"]),
                     {"torch": (lambda x: _torch(x, "mp", "Lp", "mq", "Lq"),
                                lambda t: _D().kl_divergence(
                                    _D().MultivariateNormal(t["mp"], scale_tril=t["Lp"],
                                                            validate_args=False),
                                    _D().MultivariateNormal(t["mq"], scale_tril=t["Lq"],
                                                            validate_args=False)))}),
        ]
    return out


def _torch(x, *keys):
    import torch
    return {k: torch.from_numpy(x[k]) for k in keys}


def _F():
    import torch.nn.functional as F
    return F


def _D():
    import torch.distributions as D
    return D


def _scipy():
    import scipy.special
    return scipy.special


PEER_MODULES = {"torch": "torch", "scipy": "scipy.special"}


def _available(peer: str) -> bool:
    """Is the peer's library importable?  (Peers without a module, e.g. numpy, always are.)"""
    try:
        __import__(PEER_MODULES.get(peer, "numpy"))
        return True
    except ImportError:
        return False


def set_threads(n: int):
    import numba
    numba.set_num_threads(n)
    if _available("torch"):
        import torch
        torch.set_num_threads(n)


def time_alternating(impls: dict, repeat: int) -> dict:
    """Median seconds per implementation; each round runs all of them, in rotated order."""
    names = list(impls)
    times = {n: [] for n in names}
    for r in range(repeat):
        for n in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            impls[n]()
            times[n].append(time.perf_counter() - t0)
    return {n: statistics.median(v) for n, v in times.items()}


def run_workload(w: Workload, repeat: int, threads: int, seed: int = 0) -> dict:
    set_threads(threads)
    x = w.make(np.random.default_rng(seed))
    impls = {"ours": lambda: w.ours(x)}
    for peer, (prepare, call) in w.peers.items():
        if _available(peer):
            state = prepare(x)
            impls[peer] = (lambda call=call, state=state: call(state))
    if w.streaming:
        summer = _stream_sum()
        arrays = [a for v in x.values() for a in _as_rows(v)]
        impls["read_bandwidth"] = lambda: [summer(a) for a in arrays]
    for f in impls.values():  # warm-up (compilation, page faults)
        f()
    med = time_alternating(impls, repeat)
    nbytes = sum(v.nbytes for v in x.values())
    res = {"workload": w.name, "dtype": w.dtype, "threads": threads, "repeat": repeat,
           "bytes": nbytes, "median_s": med,
           "speedup": {p: med[p] / med["ours"] for p in w.peers if p in med}}
    if w.streaming:
        res["read_bandwidth_GBps"] = nbytes / med["read_bandwidth"] / 1e9
        res["ours_GBps"] = nbytes / med["ours"] / 1e9
        res["bandwidth_share"] = med["read_bandwidth"] / med["ours"]
    return res


def import_times(samples: int = 5) -> dict:
    """Warm-cache ``import kernels`` (median of fresh interpreters) and the first-call
    compile time with an empty cache (NUMBA_CACHE_DIR pointed at a new directory)."""
    code = ("import time; t=time.perf_counter(); from klforge import kernels; "
            "print(time.perf_counter()-t)")
    first_use = ("import time; from klforge import kernels; t=time.perf_counter()\n"
                 "for n in kernels.__all__: getattr(kernels, n)\n"
                 "print(time.perf_counter()-t)")
    run = lambda c, env=None: float(subprocess.run(
        [sys.executable, "-c", c], capture_output=True, text=True, check=True, env=env).stdout)
    run(first_use)  # make the cache warm
    warm = [run(code) for _ in range(samples)]
    warm_all = run(first_use)
    with tempfile.TemporaryDirectory() as cache:
        cold_all = run(first_use, dict(os.environ, NUMBA_CACHE_DIR=cache))
    return {"import_warm_s": statistics.median(warm), "all_kernels_first_use_warm_s": warm_all,
            "all_kernels_compile_cold_s": cold_all, "bar_s": IMPORT_BAR_S}


def check_bars(results: list[dict], imports: dict | None) -> list[str]:
    """Misses of the issue's bars (float64, 2 threads)."""
    misses = []
    for r in results:
        if r["dtype"] != "float64" or r["threads"] != 2 or r["workload"] not in BARS:
            continue
        for key, bar in BARS[r["workload"]].items():
            got = r["bandwidth_share"] if key == "bandwidth_share" else r["speedup"].get(key)
            if got is not None and got < bar:
                misses.append(f"{r['workload']}: {key} {got:.2f} < {bar}")
    if imports and imports["import_warm_s"] > IMPORT_BAR_S:
        misses.append(f"import kernels: {imports['import_warm_s']:.2f} s > {IMPORT_BAR_S} s")
    return misses


def plot(results: list[dict], path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results if "torch" in r["speedup"]]
    labels = [f"{r['workload']}\n{r['dtype']}, {r['threads']}t" for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 0.9), 4))
    ax.bar(range(len(rows)), [r["speedup"]["torch"] for r in rows], color="#4c72b0")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylabel("speed-up over torch (median, same run)")
    ax.set_title("klforge kernels vs torch CPU")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(out: Path, quick: bool = False, repeat: int = 7, threads=(1, 2), select=None,
        progress=print) -> dict:
    results = []
    known = {w.name for w in workloads(quick)}
    unknown = sorted(set(select or ()) - known)
    if unknown:
        raise KeyError(f"unknown workload(s) {', '.join(unknown)}; "
                       f"known: {', '.join(sorted(known))}")
    for peer in ("torch", "scipy"):
        if not _available(peer):
            progress(f"{peer} is not installed: no ratios against it (pip install -e '.[bench]' "
                     f"and torch, or `nox -s bench`)")
    for w in workloads(quick):
        if select and w.name not in select:
            continue
        for t in threads:
            r = run_workload(w, repeat, t)
            results.append(r)
            progress(_line(r))
    imports = None
    if select is None:  # compiles every kernel into an empty cache: only for a full run
        imports = import_times()
        progress(f"import klforge.kernels (warm cache): {imports['import_warm_s']:.2f} s; first "
                 f"use of all kernels: warm cache {imports['all_kernels_first_use_warm_s']:.1f} s, "
                 f"empty cache (compiles) {imports['all_kernels_compile_cold_s']:.1f} s")
    report = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "results": results, "imports": imports}
    report["bar_misses"] = check_bars(results, imports)
    out.mkdir(parents=True, exist_ok=True)
    from .._io import write_atomic
    write_atomic(out / "bench.json", json.dumps(report, indent=2) + "\n")
    try:
        plot(results, out / "bench.png")
    except ImportError:
        progress("matplotlib not installed: no plot")
    return report


def _line(r: dict) -> str:
    sp = ", ".join(f"{k} ×{v:.2f}" for k, v in r["speedup"].items())
    bw = (f"; {r['ours_GBps']:.1f} GB/s = {r['bandwidth_share']:.0%} of read bandwidth "
          f"{r['read_bandwidth_GBps']:.1f} GB/s" if "bandwidth_share" in r else "")
    return (f"{r['workload']:<15} {r['dtype']:<8} {r['threads']} thr  ours "
            f"{r['median_s']['ours'] * 1e3:8.1f} ms  "
            f"speed-up {sp}{bw}")
