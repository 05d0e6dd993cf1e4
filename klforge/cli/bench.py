"""``klforge bench [--quick] [--repeat N] [--threads 1,2] [--select NAMES] [--out DIR]
[--check]``: time the kernels against torch/scipy in the same run (a missing peer is named in
one line and its column left out).  Example: ``klforge bench --quick --select kl_normal``.
"""

from __future__ import annotations

from pathlib import Path

from .common import UsageError, select_names


def register(sub, fmt) -> None:
    b = sub.add_parser("bench", formatter_class=fmt,
                       help="maintainer: time the kernels against torch/scipy in the same run",
                       description="Medians of alternating runs; ratios against peers; "
                       "streaming throughput as a share of the read bandwidth measured in the "
                       "same run. Writes bench.json (every measurement), bench.md (the table, "
                       "also printed) and bench.png (throughput against row length, when row "
                       "reductions were timed and matplotlib is installed) to --out.")
    b.add_argument("--out", metavar="DIR", default="bench-results",
                   help="output directory for bench.json, bench.md and bench.png")
    b.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    b.add_argument("--repeat", type=int, metavar="N", default=7,
                   help="rounds per workload (median)")
    b.add_argument("--threads", metavar="N,N", default="1,2", help="comma-separated thread counts")
    b.add_argument("--select", metavar="NAMES",
                   help="comma-separated workload names (default: all)")
    b.add_argument("--check", action="store_true", help="exit 1 if a bar is missed")
    b.set_defaults(func=run)


def run(args) -> int:
    from .. import bench

    try:
        threads = tuple(int(t) for t in args.threads.split(","))
    except ValueError:
        raise UsageError(
            f"--threads: expected comma-separated integers, not {args.threads!r}") from None
    if any(t < 1 for t in threads):
        raise UsageError(f"--threads: thread counts must be ≥ 1, not {args.threads!r}")
    select = select_names(args.select, {w.name for w in bench.workloads(True)}, "workload")
    try:  # before minutes of timing, not after
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {args.out}: cannot create: {e.strerror or e}") from None
    out = Path(args.out)
    print(f"writing the results to {out.resolve()}", flush=True)
    before = {f: _stamp(out / f) for f in OUTPUTS}
    report = bench.run(out, quick=args.quick, repeat=args.repeat, threads=threads,
                       select=select)
    print(written(out, before))
    for miss in report["bar_misses"]:
        print(f"bar missed: {miss}")
    return 1 if (args.check and report["bar_misses"]) else 0


#: what ``bench.run`` writes into ``--out`` (bench.png only for timed row reductions)
OUTPUTS = ("bench.json", "bench.md", "bench.png")


def _stamp(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ino, st.st_size


def written(out: Path, before: dict) -> str:
    """The line naming the files this run wrote (those whose stamp changed), e.g.
    ``wrote bench-results/bench.json, bench.md (no plot: no row reduction timed, or no
    matplotlib)``."""
    new = [f for f in OUTPUTS if _stamp(out / f) is not None and _stamp(out / f) != before[f]]
    line = f"wrote {out / new[0]}" + "".join(f", {f}" for f in new[1:]) if new else \
        f"wrote nothing to {out}"
    if "bench.png" not in new:
        line += " (no plot: no row reduction was timed, or matplotlib is not installed)"
    return line
