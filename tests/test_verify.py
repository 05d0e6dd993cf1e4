"""The verifier: bars hold (quick run), the committed manifest is current and complete,
and the reference machinery is itself right (precision escalation, ULP measure)."""
import json

import mpmath
import numpy as np
import pytest
from klforge.derive.core import by_kernel

from klforge import verify as V
from klforge.emit import DEFAULT_OUT, source_hash


@pytest.fixture(scope="module")
def quick_run():
    return V.run(quick=True, write=False, progress=lambda row: None)


def test_every_bar_holds_except_known_misses(quick_run):
    results, prims, failures = quick_run
    assert not failures, [(r.kernel, r.dtype, r.max_ulp, r.worst) for r in failures]
    assert {r.kernel for r in results} >= set(V.BARS)


@pytest.mark.parametrize("kernel,dtype", sorted(V.KNOWN_MISSES))
def test_known_misses_are_still_misses(kernel, dtype):
    """A known miss that starts passing must be removed from KNOWN_MISSES (and the note)."""
    res = V.verify_kernel(kernel, by_kernel()[kernel], dtypes=(np.dtype(dtype).type,))
    assert res[0].max_ulp > V.BARS[kernel], f"{kernel}/{dtype} now meets its bar"


def test_primitives_within_a_few_ulp(quick_run):
    _, prims, _ = quick_run
    worst = {r.kernel: r.max_ulp for r in prims}
    over = {k: v for k, v in worst.items() if v > V.PRIMITIVE_BARS.get(k, 4)}
    assert not over, f"above their stated bars {V.PRIMITIVE_BARS}: {over}"


def test_committed_manifest_is_current_and_complete():
    manifest = json.loads((DEFAULT_OUT / "manifest.json").read_text())
    assert manifest["kernels_source_sha256"] == source_hash(), "run `klforge verify`"
    assert not manifest["quick"]
    kernels = {key.split("/")[0] for key in manifest["kernels"]}
    assert kernels == set(by_kernel())  # every kernel has a verify row, vector outputs too
    machine = manifest["machine"]  # what the figures were measured on
    for key in ("cpu", "cpu_flags", "llvm_target_cpu", "numba", "llvmlite", "llvm", "numpy"):
        assert machine[key] or key == "cpu_flags", key
    for key, row in manifest["kernels"].items():
        if row["bar"] is not None and row["known_miss"] is None:
            assert row["max_ulp"] <= row["bar"], key
        if row["bar"] is None:
            assert row["bound"], f"{key}: no bar, so it must state its bound"


def test_reference_escalates_precision_until_it_settles():
    # p log(p/q) − p + q at p ≈ q ≈ 5e-12 (complement form): 50 digits leave ~13 correct.
    p, q = 4.740073749975665e-12, 4.740073749974739e-12
    f = lambda: (1 - mpmath.mpf(p)) * mpmath.log((1 - mpmath.mpf(p)) / (1 - mpmath.mpf(q))) \
        - (1 - mpmath.mpf(p)) + (1 - mpmath.mpf(q))
    d = mpmath.mpf(q) - mpmath.mpf(p)
    with mpmath.workdps(200):
        exact = d * d / (2 * (1 - mpmath.mpf(q)))  # leading term; next is O(d³)
    assert abs(V.reference_value(f) - exact) < exact * mpmath.mpf(10) ** -20
    with mpmath.workdps(50):
        assert abs(f() - exact) > exact * mpmath.mpf(10) ** -4  # why escalation is needed


def test_ulp_error_measure():
    assert V.ulp_error(1.0, mpmath.mpf(1), np.float64) == 0.0
    assert V.ulp_error(np.nextafter(1.0, 2.0), mpmath.mpf(1), np.float64) == 1.0
    assert V.ulp_error(float("nan"), mpmath.nan, np.float64) == 0.0
    assert V.ulp_error(1.0, mpmath.nan, np.float64) == float("inf")
    # the one measure (klforge.verify.ulp, also tests/test_simd.py's): spacing of the rounded
    # reference in the output dtype, the dtype's subnormal spacing at the floor
    assert V.ulp_error(2.0**-1074, mpmath.mpf(0)) == 1.0
    assert V.ulp_error(1.0 + 2.0**-23, mpmath.mpf(1), np.float32) == 1.0
    assert V.ulp_error(np.inf, mpmath.mpf(10) ** 400, np.float64) == 0.0  # overflows: inf is right
    assert V.ulp_error(1e308, mpmath.mpf(10) ** 400, np.float64) == float("inf")
    assert V.ulp_error(3.0, mpmath.mpf(2)) == 2.0**51  # 1 / spacing(2)


def test_logits_reference_keeps_terms_below_both_precisions():
    """Σ exp(a_i) at 50 and 100 digits drops e^{−800} alike, so doubling alone agrees on a
    wrong value; the reference must raise its precision by the spread.  Independent
    reference: the two-entry KL through log-sigmoids at 2000 digits."""
    a, b = np.array([0.0, -800.0]), np.array([0.0, -100.0])
    with mpmath.workdps(2000):
        lp1, lp2 = -mpmath.log1p(mpmath.exp(-800)), -800 - mpmath.log1p(mpmath.exp(-800))
        lq1, lq2 = -mpmath.log1p(mpmath.exp(-100)), -100 - mpmath.log1p(mpmath.exp(-100))
        exact = mpmath.exp(lp1) * (lp1 - lq1) + mpmath.exp(lp2) * (lp2 - lq2)
    got = V.reference_value(V.mp_kl_logits, a, b)
    assert abs(got - exact) <= abs(exact) * mpmath.mpf(10) ** -25, (got, exact)


def test_verify_writes_to_the_build_directory_unless_asked(tmp_path, monkeypatch):
    """Following the README never dirties the tree: the default target is the build
    directory; only --write-manifest targets the committed kernels/manifest.json.  A
    --select run writes nothing and compiles only what it selects (no primitives)."""
    monkeypatch.setenv("KLFORGE_BUILD_DIR", str(tmp_path))
    assert V.manifest_path() == tmp_path / "manifest.json"
    assert V.manifest_path(committed=True) == DEFAULT_OUT / "manifest.json"
    before = (DEFAULT_OUT / "manifest.json").read_bytes()
    results, prims, _ = V.run(select=["kl_normal"], quick=True, progress=lambda row: None)
    assert {r.kernel for r in results} == {"kl_normal"} and prims == []
    assert not (tmp_path / "manifest.json").exists()
    assert (DEFAULT_OUT / "manifest.json").read_bytes() == before
    with pytest.raises(KeyError, match="nosuch"):
        V.run(select=["nosuch"], progress=lambda row: None)


def test_machine_records_cpu_and_toolchain():
    m = V.machine()
    import llvmlite.binding as llvm
    import numba

    assert m["numba"] == numba.__version__
    assert m["llvm"] == ".".join(map(str, llvm.llvm_version_info))
    assert isinstance(m["cpu_flags"], list) and m["llvm_target_cpu"]


def test_vector_output_references_are_independent():
    """mp_eg_step and mp_policy from their definitions: normalised, and V = β log Z."""
    p, g = [0.2, 0.3, 0.5], [1.0, -2.0, 0.5]
    out = V.mp_eg_step(p, g, 0.7)
    assert abs(mpmath.fsum(out) - 1) < mpmath.mpf(10) ** -14
    w = [mpmath.mpf(a) * mpmath.exp(-0.7 * mpmath.mpf(b)) for a, b in zip(p, g, strict=True)]
    assert abs(out[0] - w[0] / mpmath.fsum(w)) < mpmath.mpf(10) ** -14
    pol = V.mp_policy(np.log(p), g, 0.5)
    z = mpmath.fsum(mpmath.mpf(a) * mpmath.exp(mpmath.mpf(b) / 0.5)
                    for a, b in zip(p, g, strict=True))
    assert abs(pol[-1] - 0.5 * mpmath.log(z)) < mpmath.mpf(10) ** -14


def test_multi_output_is_read_from_the_derivation_not_a_list():
    """verify compares every output element of a kernel whose closed form is a tuple or
    matrix; that must be exactly the kernels whose generated ufunc returns more than one
    value per call (several outputs, or an output row)."""
    from klforge import kernels as K

    for kernel, d in by_kernel().items():
        k = getattr(K, kernel)
        returns_row = k.signature is not None and k.signature.split("->")[1] != "()"
        assert V.vector_output(d) == (k.nout > 1 or returns_row), kernel


def test_uniform_parameters_are_drawn_on_their_range_after_the_others(monkeypatch):
    """A spec's ``uniform`` (natgrad's log σ in [−20, 20]) replaces that column only: the other
    columns are the same draws as without it."""
    import dataclasses

    from klforge.derive.core import specs

    from klforge.verify import cases

    withs = {k: s for k, s in specs().items() if s.uniform}
    assert withs, "no spec draws a parameter uniformly"
    registry = specs()
    for kernel, spec in withs.items():
        d = by_kernel()[kernel]
        names = [p.name for p in d.params]
        cols = V.scalar_inputs(d, np.random.default_rng(5), 200, 4)
        plain = {**registry, kernel: dataclasses.replace(spec, uniform=())}
        monkeypatch.setattr(cases, "specs", lambda plain=plain: plain)
        base = V.scalar_inputs(d, np.random.default_rng(5), 200, 4)
        monkeypatch.undo()
        drawn = len(cols[0]) - len(spec.hard_points)  # the hard points come last, as given
        for name, lo, hi in spec.uniform:
            i = names.index(name)
            c = cols[i][:drawn]
            assert lo <= c.min() and c.max() <= hi and np.ptp(c) > (hi - lo) / 2
            assert not np.array_equal(cols[i], base[i])
        for i, name in enumerate(names):
            if name not in {u[0] for u in spec.uniform}:
                np.testing.assert_array_equal(cols[i], base[i], err_msg=f"{kernel}.{name}")
