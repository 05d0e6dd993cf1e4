"""klforge.cli: one-line errors, names checked before any work, help with defaults."""

import subprocess
import sys

import pytest

from klforge import __version__
from klforge.cli import UsageError, select_names


def run(*args):
    return subprocess.run([sys.executable, "-m", "klforge", *args], capture_output=True, text=True)


def test_help_on_every_subcommand():
    for sub in ("site", "derive", "warm", "emit", "verify", "audit", "bench"):
        r = run(sub, "--help")
        assert r.returncode == 0 and "usage" in r.stdout, sub


def test_help_shows_defaults():
    r = run("bench", "--help")
    assert "(default: bench-results)" in " ".join(r.stdout.split())
    assert "(default: 7)" in r.stdout


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"klforge {__version__}"


def test_unknown_derivation_is_one_line_error_with_close_matches():
    r = run("derive", "kl_normall")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "unknown derivation 'kl_normall'" in r.stderr
    assert "kl_normal" in r.stderr.split("did you mean", 1)[1]


def test_derive_list_is_the_registry_and_fast():
    """`--list` names every registered derivation without deriving any (no SymPy work)."""
    r = run("derive", "--list")
    assert r.returncode == 0
    listed = r.stdout.split()
    assert "kl_normal" in listed and "kl_bernoulli" in listed and listed == sorted(listed)
    bare = run("derive")  # no name: the list, and a hint on stderr
    assert bare.stdout.split() == listed and "--all" in bare.stderr


def test_derive_prints_closed_and_stable_form():
    r = run("derive", "kl_normal_std")
    assert r.returncode == 0
    assert "closed form" in r.stdout and "expm1mx" in r.stdout


@pytest.mark.parametrize("command", ["emit", "verify", "warm", "bench"])
def test_wrong_select_is_rejected_before_any_work(command):
    """The name is checked before SymPy, mpmath references or a benchmark are loaded."""
    code = ("import sys\nfrom klforge.cli import main\n"
            f"rc = main([{command!r}, '--select', 'kl_normall'])\n"
            "print(rc, 'sympy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.split() == ["2", "False"], r.stderr
    assert "unknown" in r.stderr and "kl_normal" in r.stderr and r.stderr.count("\n") == 1


def test_select_names():
    assert select_names(None, ["a"], "kernel") is None
    assert select_names("a, b", ["a", "b"], "kernel") == ["a", "b"]
    with pytest.raises(UsageError, match=r"unknown kernel 'zz' \(known: a, b\)"):
        select_names("a,zz", ["a", "b"], "kernel")


def test_bad_threads_is_a_usage_error():
    r = run("bench", "--threads", "one")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--threads" in r.stderr


def test_emit_check_is_current(tmp_path):
    r = run("emit", "--check")
    assert r.returncode == 0, r.stderr


def test_emit_check_detects_stale(tmp_path):
    (tmp_path / "_kernels.py").write_text("# stale\n")
    r = run("emit", "--check", "--out", str(tmp_path), "--select", "kl_normal")
    assert r.returncode == 1 and "stale" in r.stderr


def test_emit_select_regenerates_the_selected_and_keeps_the_rest(tmp_path):
    """`emit --select` derives only what it selects: it rewrites those kernels' blocks and
    keeps every other block byte for byte; `--check --select` compares the selected only;
    a file without the block marks is refused with a pointer to `klforge emit`."""
    from klforge.emit import DEFAULT_OUT, OUTPUT_NAME, split_blocks

    committed = (DEFAULT_OUT / OUTPUT_NAME).read_text(encoding="utf-8")
    blocks = split_blocks(committed)
    assert len(blocks) > 10 and "kl_normal" in blocks and "kl_poisson" in blocks
    target = tmp_path / OUTPUT_NAME
    damaged = committed.replace(blocks["kl_normal"], "# damaged\n", 1).replace(
        blocks["kl_poisson"], blocks["kl_poisson"] + "# kept as it was\n", 1)
    target.write_text(damaged, encoding="utf-8")
    r = run("emit", "--check", "--out", str(tmp_path), "--select", "kl_normal")
    assert r.returncode == 1 and "stale for kl_normal" in r.stderr, r.stderr
    r = run("emit", "--check", "--out", str(tmp_path), "--select", "kl_exponential")
    assert r.returncode == 0 and "up to date" in r.stdout, r.stderr
    r = run("emit", "--out", str(tmp_path), "--select", "kl_normal")
    assert r.returncode == 0 and f"kept the {len(blocks) - 1} other" in r.stdout, r.stderr
    after = split_blocks(target.read_text(encoding="utf-8"))
    assert after["kl_normal"] == blocks["kl_normal"]
    assert after["kl_poisson"] == blocks["kl_poisson"] + "# kept as it was\n"
    assert {k: v for k, v in after.items() if k != "kl_poisson"} == {
        k: v for k, v in blocks.items() if k != "kl_poisson"}
    assert target.read_text(encoding="utf-8").endswith(committed[committed.index("__all__"):])
    target.write_text("# an old file without block marks\n", encoding="utf-8")
    r = run("emit", "--out", str(tmp_path), "--select", "kl_normal")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "run `klforge emit`" in r.stderr
    assert target.read_text(encoding="utf-8") == "# an old file without block marks\n"
