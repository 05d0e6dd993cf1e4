"""``klforge verify``: every kernel against an mpmath reference at 50 digits, in ULPs.

References are evaluated from the *textbook* closed forms (the derivations' ``closed_form``
or the defining sums), never from the stable rewrite.  Inputs (SciPy ``_mptestutils``
style): magnitudes spread log-uniformly over many decades, near-equal p/q pairs with
relative separation 10⁻¹ … 10⁻¹², values near the ends of each domain.  The error of a
result y against reference r is |y − r| / spacing(|r|) in the output dtype.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import mpmath
import numpy as np

from .._io import build_dir, write_atomic
from ..derive.core import by_kernel, get, kernel_derivations, specs
from ..emit import DEFAULT_OUT
from .cases import (  # noqa: F401 - re-exported
    ROW_SAMPLERS,
    scalar_inputs,
    vector_cases,
    vector_count,
    vector_kernels,
)
from .measure import (  # noqa: F401 - re-exported
    BARS,
    BOUNDS,
    DPS,
    KNOWN_MISSES,
    PRIMITIVE_BARS,
    SEPARATIONS,
    Result,
    bound_text,
    ulp_error,
)
from .primitives import verify_primitives  # noqa: F401 - re-exported
from .references import (  # noqa: F401 - re-exported
    MAX_DPS,
    mp_cross_entropy,
    mp_eg_step,
    mp_entropy,
    mp_kl_categorical,
    mp_kl_dirichlet,
    mp_kl_logits,
    mp_kl_mvn,
    mp_kl_mvn_dense,
    mp_policy,
    policy_scale,
    reference_value,
    reference_vector,
    scalar_reference,
    scale_reference,
    vector_output,
)


def _outputs(y):
    """The kernel's outputs as one flat list of floats."""
    parts = y if isinstance(y, tuple) else (y,)
    return [float(v) for part in parts for v in np.ravel(part)]


def _scaled_error(ys, rs, es, scales, eps, tiny) -> float:
    """max over outputs of |y − r| / (eps·scale), the scale floored at the dtype's smallest
    normal (below it spacing stops shrinking).  Outputs whose reference is outside what the
    kernel covers (both non-finite, as for the ULP error) are left out; a non-finite output
    counts 0 where it matches the reference and +inf otherwise."""
    worst = 0.0
    for a, r, e, sc in zip(ys, rs, es, scales, strict=True):
        if not (math.isfinite(e) or mpmath.isfinite(r)):
            continue
        if not (math.isfinite(a) and mpmath.isfinite(r)):
            worst = max(worst, 0.0 if e == 0 else math.inf)
            continue
        worst = max(worst, float(abs(mpmath.mpf(a) - r) / (eps * max(sc, tiny))))
    return worst


def _cases(spec, d, rng, quick):
    """(inputs, (reference, args)) pairs as the kernel's spec says: rows (``spec.rows``) or
    scalar columns sampled from the parameters' domains."""
    if spec.rows is not None:
        return vector_cases(spec.kernel, rng, (24 if quick else vector_count(spec.kernel)))
    cols = scalar_inputs(d, rng, *((100, 6) if quick else (600, 40)))
    ref = scalar_reference(d)
    return [(tuple(c[i] for c in cols), (ref, tuple(c[i] for c in cols)))
            for i in range(len(cols[0]))]


def verify_kernel(kernel, d, dtypes=(np.float64, np.float32), seed=0, quick=False):
    """Max and mean ULP error of ``kernel`` (derivation ``d``) per dtype against its mpmath
    reference, sampled as its spec says; for a kernel with a stated bound, also the max error
    in eps·scale (the spec's scale kind)."""
    from .. import kernels as K

    spec = specs()[kernel]
    fn = getattr(K, kernel)
    rng = np.random.default_rng(seed)
    results = []
    multi = vector_output(d)
    cases = _cases(spec, d, rng, quick)
    scale = scale_reference(d, spec.scale) if spec.bound is not None else None
    for dtype in dtypes:
        errs, worst, worst_err, scaled = [], "", -1.0, []
        eps = float(np.finfo(dtype).eps)
        tiny = float(np.finfo(dtype).tiny)
        for inputs, (ref, _) in cases:
            with np.errstate(all="ignore"):  # overflow to ±inf is measured, not warned about
                typed = tuple(np.asarray(x, dtype=dtype) for x in inputs)
                if any(np.isinf(t).sum() > np.isinf(np.asarray(x)).sum()
                       for t, x in zip(typed, inputs, strict=True)):
                    continue  # the input overflows the dtype (rows scaled by 10^±100)
                y = fn(*typed)
            ys = _outputs(y)
            rs = reference_vector(ref, *typed) if multi else [reference_value(ref, *typed)]
            es = [ulp_error(a, r, dtype) for a, r in zip(ys, rs, strict=True)]
            keep = [e for e, r in zip(es, rs, strict=True)
                    if math.isfinite(e) or mpmath.isfinite(r)]
            if not keep:
                continue  # reference outside the domain the kernel covers (e.g. overflow)
            e = max(keep)
            errs.append(e)
            if scale is not None:
                scaled.append(_scaled_error(ys, rs, es, scale(*typed), eps, tiny))
            if e > worst_err:
                worst_err = e
                worst = (f"inputs={[np.asarray(t).tolist() for t in typed][:4]} "
                         f"kernel={ys[:4]!r} mpmath={[mpmath.nstr(r, 20) for r in rs[:4]]}")[:600]
        results.append(Result(kernel, np.dtype(dtype).name, max(errs), float(np.mean(errs)),
                              len(errs), worst, max(scaled) if scaled else None))
    return results


def machine() -> dict:
    """What the measurement ran on: CPU model and vector extensions, the CPU LLVM compiled
    for, and the numba/llvmlite/LLVM/NumPy versions (ULPs of the same source differ
    between AVX2, AVX-512 and generic code)."""
    import platform

    import llvmlite
    import llvmlite.binding as llvm
    import numba

    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() in ("flags", "Features"):
                    flags = set(value.split())
                if model and flags:
                    break
    except OSError:
        pass
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl", "neon", "asimd")
    return {
        "cpu": model,
        "cpu_flags": [f for f in wanted if f in flags],
        "llvm_target_cpu": os.environ.get("NUMBA_CPU_NAME") or llvm.get_host_cpu_name(),
        "numba": numba.__version__,
        "llvmlite": llvmlite.__version__,
        "llvm": ".".join(map(str, llvm.llvm_version_info)),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def manifest_path(committed: bool = False) -> Path:
    """Where ``run`` writes: the build directory (default), or the committed
    ``kernels/manifest.json`` when asked (``klforge verify --write-manifest``)."""
    return DEFAULT_OUT / "manifest.json" if committed else build_dir() / "manifest.json"


def run(select=None, quick=False, write=True, progress=print, write_manifest=False):
    """Measure the selected kernels (default: all, then the primitives) and, for a full run,
    write the manifest to :func:`manifest_path` — the build directory unless
    ``write_manifest``.  Only the selected kernels are derived and compiled.  Returns (results,
    primitive results, failures)."""
    kernels = kernel_derivations()
    unknown = sorted(set(select or ()) - set(kernels))
    if unknown:
        raise KeyError(f"unknown kernel(s) {', '.join(map(repr, unknown))}")
    # a full run checks the whole registry (by_kernel); a selection derives only what it names
    derivs = {k: get(kernels[k]) for k in select} if select else by_kernel()
    results = []
    for k in sorted(derivs):
        res = verify_kernel(k, derivs[k], quick=quick)
        for r in res:
            progress(r.row())
        results += res
    prims = [] if select else verify_primitives()
    for r in prims:
        progress(r.row())
    misses = [r for r in results if r.kernel in BARS and r.max_ulp > BARS[r.kernel]]
    failures = [r for r in misses if (r.kernel, r.dtype) not in KNOWN_MISSES] + [
        r for r in results if r.max_scaled is not None and r.max_scaled > BOUNDS[r.kernel][0]]
    if write and not select:
        from ..emit import source_hash

        manifest = {
            "generated_by": "klforge verify — do not edit",
            "kernels_source_sha256": source_hash(),
            "reference": (f"mpmath from the textbook forms, at {DPS} digits and doubled until "
                          "two precisions agree to 25 digits"),
            "quick": quick,
            "machine": machine(),
            "kernels": {f"{r.kernel}/{r.dtype}": r.__dict__ | {
                "bar": BARS.get(r.kernel), "bound": bound_text(r.kernel),
                "known_miss": KNOWN_MISSES.get((r.kernel, r.dtype))} for r in results},
            "primitives": {r.kernel: r.__dict__ for r in prims},
        }
        path = manifest_path(write_manifest)
        write_atomic(path, json.dumps(manifest, indent=1) + "\n")
        progress(f"wrote {path}")
    return results, prims, failures


HEADER_ROW = f"{'kernel':<24}{'dtype':<9}{'max ULP':>12}{'mean ULP':>12}{'points':>8}  bar"


def markdown_table(manifest: dict) -> str:
    """The manifest as a Boost.Math-style table: max/mean error in ULP per kernel and dtype."""
    rows = ["| kernel | dtype | max ULP | mean ULP | points | bar / bound |",
            "|---|---|---:|---:|---:|---|"]
    for _key, r in sorted(manifest["kernels"].items()):
        if r["bar"] is not None:
            note = f"≤ {r['bar']}" + (" — **known miss**" if r["known_miss"] else " ✓")
        else:
            note = (f"{(r['bound'] or '').split(':')[0]}; measured "
                    f"{r['max_scaled']:.3g} eps·scale")
        rows.append(f"| {r['kernel']} | {r['dtype']} | {r['max_ulp']:.3g} | {r['mean_ulp']:.3g} "
                    f"| {r['points']} | {note} |")
    rows.append("")
    rows.append("| primitive | max ULP | mean ULP | points |")
    rows.append("|---|---:|---:|---:|")
    for name, r in manifest["primitives"].items():
        rows.append(f"| {name} | {r['max_ulp']:.3g} | {r['mean_ulp']:.3g} | {r['points']} |")
    m = manifest.get("machine")
    if m:
        flags = ", ".join(m["cpu_flags"]) or "no SIMD flags read"
        rows += ["", f"Measured on {m['cpu']} ({flags}; "
                 f"LLVM target {m['llvm_target_cpu']}), numba {m['numba']}, llvmlite "
                 f"{m['llvmlite']}, LLVM {m['llvm']}, NumPy {m['numpy']}."]
    return "\n".join(rows)
