"""``klforge bench``: our kernels against their peers, measured in the same run.

Each workload times our kernel and its peers (torch CPU, scipy) in alternating order over
several rounds and reports medians and ratios (``timing.py``); streaming kernels also
report their throughput as a share of this machine's read bandwidth, measured in the same
run by a streaming sum over the same arrays (numba, the same threads).  Row reductions are
swept over the row length (``workloads.py``).  Results go to ``bench.json``, a Markdown
table (``bench.md``, printed; the table for README and the site) and ``bench.png``
(throughput against row length, one panel per dtype).  Speed is only ever claimed here,
never in unit tests.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .timing import (  # noqa: F401 - the harness's API
    PEER_MODULES,
    Workload,
    _as_rows,
    _available,
    _stream_sum,
    first_use,
    import_times,
    run_workload,
    set_threads,
    time_alternating,
)
from .workloads import CLASSES, ROW_KERNELS, bars, workloads  # noqa: F401

IMPORT_BAR_S = 1.0
FIRST_USE_BAR_S = 5.0
#: the thread count the bars are checked at (the issue's 2-core figures)
BAR_THREADS = 2


def _label(r: dict) -> str:
    size = r.get("size")
    if size is None:
        return r["workload"]
    return f"{r['workload']} (n = {size})" if r["workload"] == "kl_mvn" else \
        f"{r['workload']} ({size} classes)"


def check_bars(results: list[dict], imports: dict | None, first: list | None = None) -> list:
    """Misses of the issue's bars (at ``BAR_THREADS`` threads), of the warm import time and
    of the first use of one kernel in one dtype with an empty cache."""
    misses = []
    for r in results:
        if r["threads"] != BAR_THREADS:
            continue
        for key, bar in bars(r).items():
            got = r.get("bandwidth_share") if key == "bandwidth_share" else r["speedup"].get(key)
            if got is not None and got < bar:
                misses.append(f"{_label(r)} {r['dtype']}: {key} {got:.2f} < {bar}")
    if imports and imports["import_warm_s"] > IMPORT_BAR_S:
        misses.append(f"import kernels: {imports['import_warm_s']:.2f} s > {IMPORT_BAR_S} s")
    for f in first or ():
        if f["cold_s"] > FIRST_USE_BAR_S:
            cpu = f" ({f['cold_cpu_s']:.1f} s CPU)" if "cold_cpu_s" in f else ""
            misses.append(f"first use of {f['kernel']} {f['dtype']} (empty cache): "
                          f"{f['cold_s']:.1f} s > {FIRST_USE_BAR_S} s{cpu}")
    return misses


def table(results: list[dict]) -> str:
    """The results as a Markdown table (× = peer time / our time: > 1 is faster)."""
    lines = ["| workload | dtype | threads | ours (ms) | × torch | × scipy | "
             "share of read bandwidth |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        sp = r["speedup"]
        bw = (f"{r['bandwidth_share']:.0%} of {r['read_bandwidth_GBps']:.1f} GB/s"
              if "bandwidth_share" in r else "—")
        cells = [_label(r), r["dtype"], str(r["threads"]), f"{r['median_s']['ours'] * 1e3:.1f}",
                 f"{sp['torch']:.2f}" if "torch" in sp else "—",
                 f"{sp['scipy']:.2f}" if "scipy" in sp else "—", bw]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(results: list[dict], path: Path):
    """Throughput (input GB/s) against row length, one panel per dtype: ours solid, torch
    dashed, the read bandwidth dotted (the most threads measured)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # streaming row reductions only (kl_mvn's size is n, kl_dirichlet's rows are not timed
    # against the read bandwidth)
    rows = [r for r in results if r.get("size") and "ours_GBps" in r]
    if not rows:
        return
    threads = max(r["threads"] for r in rows)
    dtypes = sorted({r["dtype"] for r in rows}, reverse=True)
    fig, axes = plt.subplots(1, len(dtypes), figsize=(5.5 * len(dtypes), 4), squeeze=False,
                             sharey=True)
    for ax, dtype in zip(axes[0], dtypes, strict=True):
        mine = [r for r in rows if r["dtype"] == dtype and r["threads"] == threads]
        for i, name in enumerate(sorted({r["workload"] for r in mine})):
            pts = sorted((r["size"], r) for r in mine if r["workload"] == name)
            xs = [s for s, _ in pts]
            colour = f"C{i}"
            ax.plot(xs, [r["ours_GBps"] for _, r in pts], "o-", color=colour, label=name)
            if all("torch" in r["median_s"] for _, r in pts):
                ax.plot(xs, [r["bytes"] / r["median_s"]["torch"] / 1e9 for _, r in pts],
                        "s--", color=colour, alpha=0.6, label=f"{name} (torch)")
        bw = [r["read_bandwidth_GBps"] for r in mine]
        if bw:
            ax.axhline(sorted(bw)[len(bw) // 2], color="k", ls=":", lw=1,
                       label="read bandwidth (median)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("classes per row (2^24 entries per operand)")
        ax.set_title(f"{dtype}, {threads} thread(s)")
    axes[0][0].set_ylabel("input read, GB/s (higher is faster)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("klforge row reductions vs torch CPU, same run")
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
    chosen = [w for w in workloads(quick) if not select or w.name in select]
    first = []
    from .. import kernels as K

    for name in sorted({w.name for w in chosen}):  # before anything compiles it here
        f = first_use(name, "float64", getattr(K, name).nin)
        first.append(f)
        progress(f"first use of {name} float64: {f['cold_s']:.1f} s ({f['cold_cpu_s']:.1f} s "
                 f"CPU) with an empty cache (only that dtype compiled), {f['warm_s']:.2f} s "
                 f"with a warm one")
    for w in chosen:
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
    report = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                          "load_average": list(os.getloadavg())},
              "results": results, "imports": imports, "first_use": first}
    report["bar_misses"] = check_bars(results, imports, first)
    out.mkdir(parents=True, exist_ok=True)
    from .._io import write_atomic
    write_atomic(out / "bench.json", json.dumps(report, indent=2) + "\n")
    text = table(results)
    write_atomic(out / "bench.md", text)
    progress(text)
    try:
        plot(results, out / "bench.png")
    except ImportError:
        progress("matplotlib not installed: no plot")
    return report


def _line(r: dict) -> str:
    sp = ", ".join(f"{k} ×{v:.2f}" for k, v in r["speedup"].items()) or "— (no peer installed)"
    bw = (f"; {r['ours_GBps']:.1f} GB/s = {r['bandwidth_share']:.0%} of read bandwidth "
          f"{r['read_bandwidth_GBps']:.1f} GB/s" if "bandwidth_share" in r else "")
    return (f"{_label(r):<30} {r['dtype']:<8} {r['threads']} thr  ours "
            f"{r['median_s']['ours'] * 1e3:8.1f} ms  speed-up {sp}{bw}")
