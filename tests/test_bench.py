"""The benchmark harness's logic (no speed claims here: speed lives in `klforge bench`)."""
import subprocess
import sys

import numpy as np

from klforge import bench


def test_alternating_order_and_medians():
    calls = []
    impls = {n: (lambda n=n: calls.append(n)) for n in ("a", "b", "c")}
    med = bench.time_alternating(impls, repeat=3)
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]  # rotated each round
    assert set(med) == {"a", "b", "c"} and all(v >= 0 for v in med.values())


def test_stream_sum_is_a_correct_row_sum():
    x = np.random.default_rng(0).random((5, 1003))
    np.testing.assert_allclose(bench._stream_sum()(x), x.sum(-1), rtol=1e-13)


def test_one_dimensional_arrays_are_split_into_rows_covering_every_element():
    v = np.arange(10_000.0)
    parts = bench._as_rows(v, width=4096)
    assert [p.shape for p in parts] == [(2, 4096), (1, 1808)]
    assert sum(float(bench._stream_sum()(p).sum()) for p in parts) == float(v.sum())


def test_run_workload_reports_ratios_and_bandwidth_share():
    w = bench.Workload("toy", "float64", lambda rng: {"x": rng.random((4, 1000))},
                       lambda x: x["x"].sum(-1),
                       {"numpy": (lambda x: x, lambda x: np.add.reduce(x["x"], -1))},
                       streaming=True)
    r = bench.run_workload(w, repeat=3, threads=1)
    assert set(r["median_s"]) == {"ours", "numpy", "read_bandwidth"}
    assert r["speedup"]["numpy"] == r["median_s"]["numpy"] / r["median_s"]["ours"]
    assert r["bandwidth_share"] == r["median_s"]["read_bandwidth"] / r["median_s"]["ours"]
    assert r["bytes"] == 4 * 1000 * 8


def test_bars_are_checked_for_float64_two_threads_only():
    rows = [{"workload": "kl_normal", "dtype": "float64", "threads": 2, "speedup": {"torch": 1.5}},
            {"workload": "kl_normal", "dtype": "float32", "threads": 2, "speedup": {"torch": 0.1}},
            {"workload": "kl_categorical", "dtype": "float64", "threads": 2,
             "speedup": {"torch": 3.5}, "bandwidth_share": 0.1}]
    misses = bench.check_bars(rows, {"import_warm_s": 0.3})
    assert misses == ["kl_normal: torch 1.50 < 2.0", "kl_categorical: bandwidth_share 0.10 < 0.2"]
    assert bench.check_bars([], {"import_warm_s": 1.5}) == ["import kernels: 1.50 s > 1.0 s"]


def test_unknown_workload_is_a_one_line_error():
    r = subprocess.run([sys.executable, "-m", "klforge", "bench", "--select", "kl_nope"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "unknown workload 'kl_nope'" in r.stderr
    assert r.stderr.count("\n") == 1
