import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "klforge", *args], capture_output=True, text=True)


def test_help_on_every_subcommand():
    for sub in ("derive", "emit", "verify"):
        r = run(sub, "--help")
        assert r.returncode == 0 and "usage" in r.stdout


def test_unknown_derivation_is_one_line_error():
    r = run("derive", "no_such_thing")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "no derivation named 'no_such_thing'" in r.stderr


def test_derive_prints_closed_and_stable_form():
    r = run("derive", "kl_normal_std")
    assert r.returncode == 0
    assert "closed form" in r.stdout and "expm1mx" in r.stdout


def test_emit_check_is_current(tmp_path):
    r = run("emit", "--check")
    assert r.returncode == 0, r.stderr


def test_emit_check_detects_stale(tmp_path):
    (tmp_path / "_kernels.py").write_text("# stale\n")
    r = run("emit", "--check", "--out", str(tmp_path), "--select", "kl_normal")
    assert r.returncode == 1 and "stale" in r.stderr
