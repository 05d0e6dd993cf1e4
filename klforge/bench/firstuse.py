"""First use of each kernel in each dtype with an empty numba cache, and where its time goes.

For every kernel × dtype a fresh interpreter is started with ``NUMBA_CACHE_DIR`` a new
empty directory; it imports ``klforge.kernels`` (not timed) and times the first call of
that kernel on a small input, so the figure is what a new user waits for one kernel in one
dtype (issue 12, item 5: ≤ 5 s), in wall-clock seconds and in CPU seconds of the child
(compilation is single-threaded, so CPU time is the figure that does not grow with the
machine's load).  With ``--profile`` the child also splits its CPU time by numba phase,
from numba's ``numba:run_pass`` events and timers around its LLVM steps (exclusive time: a
callee compiled during its caller's type inference is counted once, under its own phases):

* ``typing`` — type inference (numba's Python side, including the callees' signatures);
* ``inline`` — numba's IR-level inlining passes (``inline="always"`` and closures);
* ``lower`` — lowering to LLVM IR and the other numba passes;
* ``llvm`` — LLVM optimisation (per function and per module) and machine code;
* ``other`` — the rest of the CPU time (the cache written, the ufunc built, numba outside
  its passes);
* ``funcs`` — numba functions compiled (the distinct (function, argument types) typed).

Example::

    python -m klforge.bench.firstuse --select kl_normal,kl_categorical --dtypes float64
    python -m klforge.bench.firstuse --profile          # every kernel, both dtypes

Prints one row per kernel × dtype and the largest first call; exit 1 if one is over
``--bar`` seconds (default 5).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from .timing import SMALL_ARGS

DTYPES = ("float64", "float32")
BAR_S = 5.0

#: the child: one first call, timed, optionally with the phase split (JSON on stdout)
CHILD = r'''
import json, sys, time
import numpy as np
name, dtype, nin, profile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
from klforge import kernels as K
phases = {{}}
if profile:
    from klforge.bench.firstuse import install_profiler
    phases = install_profiler()
k = getattr(K, name)
args = {args}
arrays = [np.asarray(a, dtype) for a in args]
t, c = time.perf_counter(), time.process_time()
k(*arrays)
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
assert k.compiled == (dtype,), k.compiled
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "phases": dict(phases)}}))
'''


def install_profiler() -> dict:
    """Record numba's compile phases in this process; returns the dict it fills
    (phase → exclusive seconds, and ``funcs`` → number of functions typed)."""
    import time

    from numba.core import codegen, event

    totals = {"typing": 0.0, "inline": 0.0, "lower": 0.0, "llvm": 0.0, "funcs": 0}
    stack = []  # [phase, start, seconds spent in children]
    typed = set()

    def start(phase):
        stack.append([phase, time.process_time(), 0.0])

    def end():
        phase, t0, inner = stack.pop()
        spent = time.process_time() - t0
        totals[phase] += spent - inner
        if stack:
            stack[-1][2] += spent

    def phase_of(pass_name: str) -> str:
        low = pass_name.lower()
        if "typeinference" in low or "type_inference" in low:
            return "typing"
        if "inline" in low:
            return "inline"
        return "lower"

    class Passes(event.Listener):
        def on_start(self, ev):
            name = ev.data["name"]
            if phase_of(name) == "typing":
                typed.add((ev.data["qualname"], ev.data["args"]))
                totals["funcs"] = len(typed)
            start(phase_of(name))

        def on_end(self, ev):
            end()

    event.register("numba:run_pass", Passes())

    def timed(cls, attr):
        original = getattr(cls, attr)

        def wrapper(*a, **kw):
            start("llvm")
            try:
                return original(*a, **kw)
            finally:
                end()
        setattr(cls, attr, wrapper)

    for attr in ("_optimize_functions", "_optimize_final_module", "_finalize_specific",
                 "_get_compiled_object"):
        timed(codegen.JITCodeLibrary, attr)
    return totals


def first_call(name: str, dtype: str, nin: int, profile: bool = False,
               cache_dir: str | None = None) -> dict:
    """One fresh interpreter with an empty ``NUMBA_CACHE_DIR`` (a new temporary directory
    unless ``cache_dir`` is given): seconds of the first call of ``name`` in ``dtype``
    (import excluded) and, with ``profile``, the phase split."""
    args = SMALL_ARGS.get(name, f"[np.full(4, 0.25)] * {nin}")
    code = CHILD.format(args=args)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir or tmp)
        r = subprocess.run([sys.executable, "-c", code, name, dtype, str(nin),
                            "1" if profile else "0"], capture_output=True, text=True, env=env)
    if r.returncode:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"first call of {name} {dtype} failed: {last}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    return {"kernel": name, "dtype": dtype, **res}


def table(rows: list[dict], profile: bool) -> str:
    """The rows as a Markdown table (seconds)."""
    head = "| kernel | dtype | first call (s) | CPU (s) |"
    rule = "|---|---|---:|---:|"
    if profile:
        head += " typing | inline | lower | llvm | other | funcs |"
        rule += "---:|---:|---:|---:|---:|---:|"
    lines = [head, rule]
    for r in rows:
        cells = [r["kernel"], r["dtype"], f"{r['seconds']:.2f}", f"{r['cpu']:.2f}"]
        if profile:
            p = r["phases"]
            phases = [p[k] for k in ("typing", "inline", "lower", "llvm")]
            cells += [f"{v:.2f}" for v in phases] + [f"{r['cpu'] - sum(phases):.2f}"]
            cells.append(str(p["funcs"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    from .. import kernels as K

    ap = argparse.ArgumentParser(
        prog="python -m klforge.bench.firstuse",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="First call of each kernel in each dtype, each in a fresh interpreter "
                    "with an empty numba cache (import not timed).")
    ap.add_argument("--select", default="", help="comma-separated kernels (default: all)")
    ap.add_argument("--dtypes", default=",".join(DTYPES), help="comma-separated dtypes")
    ap.add_argument("--profile", action="store_true",
                    help="split each first call by numba phase (adds a little overhead)")
    ap.add_argument("--bar", type=float, default=BAR_S, help="seconds allowed per first call")
    ap.add_argument("--json", default="", help="also write the rows to this JSON file")
    a = ap.parse_args(argv)
    names = [n.strip() for n in a.select.split(",") if n.strip()] or list(K.__all__)
    unknown = [n for n in names if n not in K.__all__]
    if unknown:
        print(f"error: --select: unknown kernel(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    dtypes = [d.strip() for d in a.dtypes.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in DTYPES]
    if bad:
        print(f"error: --dtypes: {', '.join(bad)} (choose from {', '.join(DTYPES)})",
              file=sys.stderr)
        return 2
    rows = []
    for name in names:
        for dtype in dtypes:
            try:
                r = first_call(name, dtype, getattr(K, name).nin, a.profile)
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            rows.append(r)
            print(f"{name:<24} {dtype:<8} {r['seconds']:6.2f} s ({r['cpu']:.2f} s CPU)",
                  file=sys.stderr, flush=True)
    print(table(rows, a.profile), end="")
    worst = max(rows, key=lambda r: r["seconds"])
    print(f"largest: {worst['kernel']} {worst['dtype']} {worst['seconds']:.2f} s "
          f"(bar {a.bar:g} s); load average {os.getloadavg()[0]:.2f}")
    if a.json:
        from .._io import write_atomic
        write_atomic(a.json, json.dumps(rows, indent=2) + "\n")
    return 1 if worst["seconds"] > a.bar else 0


if __name__ == "__main__":
    sys.exit(main())
