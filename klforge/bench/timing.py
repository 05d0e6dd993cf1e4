"""Timing primitives of ``klforge bench``: alternating medians, the read-bandwidth probe,
one workload's run, and cold/warm start-up times measured in fresh interpreters.

Example: ``time_alternating({"a": f, "b": g}, repeat=5)`` → ``{"a": median_s, "b": …}``,
each round running every implementation once, in rotated order.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Workload:
    name: str                       # the kernel (what --select names)
    dtype: str
    make: object                    # rng -> dict of arrays
    ours: object                    # arrays -> result
    peers: dict = field(default_factory=dict)   # name -> (prepare(arrays) -> state, run(state))
    streaming: bool = False
    size: int | None = None         # classes per row (row reductions) or n (kl_mvn)


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
    """``v`` as 2-d blocks of rows of ``width`` (plus the tail) for the parallel streaming
    sum, so every thread reads a share whatever the kernel's row length."""
    v = np.ascontiguousarray(v).reshape(-1)
    m = v.size - v.size % width
    return [v[:m].reshape(-1, width), v[m:].reshape(1, -1)]


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
           "size": w.size, "bytes": nbytes, "median_s": med,
           "speedup": {p: med[p] / med["ours"] for p in w.peers if p in med}}
    if w.streaming:
        res["read_bandwidth_GBps"] = nbytes / med["read_bandwidth"] / 1e9
        res["ours_GBps"] = nbytes / med["ours"] / 1e9
        res["bandwidth_share"] = med["read_bandwidth"] / med["ours"]
    return res


def _run_python(code: str, env=None, with_cpu: bool = False):
    """The seconds the code prints last; with ``with_cpu``, (seconds, CPU seconds) from a
    code that prints "CPU seconds" before them (on a shared machine the CPU time is the
    figure a code change moves; the wall time is what a user waits)."""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if r.returncode:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"timing subprocess failed: {last}")
    words = r.stdout.split()
    return (float(words[-1]), float(words[-2])) if with_cpu else float(words[-1])


#: one call of kernel {name} in dtype {dtype}; prints the seconds it took
FIRST_CALL = ("import time, numpy as np; from klforge import kernels as K\n"
              "k = K.{name}\n"
              "args = {args}\n"
              "c = time.process_time(); t = time.perf_counter()\n"
              "k(*[np.asarray(a, '{dtype}') for a in args])\n"
              "t = time.perf_counter() - t; c = time.process_time() - c\n"
              "assert k.compiled == ('{dtype}',), k.compiled\n"
              "print(c, t)")

#: arguments of one small call per kernel shape
SMALL_ARGS = {"kl_mvn": "[np.zeros(3), np.eye(3), np.zeros(3), np.eye(3)]"}


def first_use(name: str, dtype: str, nin: int) -> dict:
    """Seconds of the first call of one kernel in one dtype with an empty numba cache (a
    fresh interpreter, ``NUMBA_CACHE_DIR`` a new directory), and with the cache warm."""
    args = SMALL_ARGS.get(name, f"[np.full(4, 0.25)] * {nin}")
    code = FIRST_CALL.format(name=name, dtype=dtype, args=args)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold, cold_cpu = _run_python(code, env, with_cpu=True)
        warm = _run_python(code, env)
    return {"kernel": name, "dtype": dtype, "cold_s": cold, "cold_cpu_s": cold_cpu,
            "warm_s": warm}


def import_times(samples: int = 5) -> dict:
    """Warm-cache ``import kernels`` (median of fresh interpreters) and the first use of
    every kernel in both dtypes (``kernels.warm``) with a warm and with an empty cache."""
    code = ("import time; t=time.perf_counter(); from klforge import kernels; "
            "print(time.perf_counter()-t)")
    all_kernels = ("import time; from klforge import kernels; t=time.perf_counter()\n"
                   "kernels.warm()\n"
                   "print(time.perf_counter()-t)")
    _run_python(all_kernels)  # make the cache warm
    warm = [_run_python(code) for _ in range(samples)]
    warm_all = _run_python(all_kernels)
    with tempfile.TemporaryDirectory() as cache:
        cold_all = _run_python(all_kernels, dict(os.environ, NUMBA_CACHE_DIR=cache))
    return {"import_warm_s": statistics.median(warm), "all_kernels_first_use_warm_s": warm_all,
            "all_kernels_compile_cold_s": cold_all}
