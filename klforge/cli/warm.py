"""``klforge warm [--select NAMES]``: compile every kernel (or load it from numba's cache)
with a progress bar.  Example: ``klforge warm --select kl_normal,kl_gamma``.
"""

from __future__ import annotations

import sys
import time

from .common import select_names


def register(sub, fmt) -> None:
    w = sub.add_parser("warm", formatter_class=fmt,
                       help="compile (or load from numba's cache) every kernel, with progress",
                       description="Compile every generated kernel in both dtypes (float64, "
                       "float32), or load it from numba's on-disk cache (kernels/__pycache__, "
                       "or $NUMBA_CACHE_DIR) when it is current, so the first call in your "
                       "program is fast. One progress line per kernel with its time; a full "
                       "warm-up from an empty cache takes minutes, from a warm one seconds.")
    w.add_argument("--select", metavar="NAMES",
                   help="comma-separated kernel names (default: all)")
    w.set_defaults(func=run)


def run(args) -> int:
    from .. import kernels

    names = select_names(args.select, kernels.__all__, "kernel")
    tty = sys.stdout.isatty()

    def bar(i, total, name, seconds, width=30):
        done = width * i // total
        print(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total} {name:<24}{seconds:5.1f} s",
              end="" if tty else "\n", flush=True)

    start = time.perf_counter()
    done = kernels.warm(names, progress=bar)
    print(f"{chr(10) if tty else ''}compiled or loaded {len(done)} kernel(s) in "
          f"{time.perf_counter() - start:.1f} s (numba's cache: kernels/__pycache__, or "
          "$NUMBA_CACHE_DIR)")
    return 0
