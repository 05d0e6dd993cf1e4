"""Help and --select parsing of every ``klforge`` command (issue 12): every option taking a
value has help text showing its default, every command a description, bench's help names
the files bench writes, and an empty ``--select`` is a usage error, not "all"."""

import argparse
import subprocess
import sys

import pytest

from klforge.cli import UsageError, build_parser, select_names

COMMANDS = ("site", "audit", "derive", "warm", "emit", "verify", "bench")


def subparsers():
    p = build_parser()
    (sub,) = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices


def test_every_command_is_covered():
    assert set(subparsers()) == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description(command):
    sp = subparsers()[command]
    assert sp.description and len(sp.description.split()) >= 15, command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_with_a_value_shows_its_default(command):
    sp = subparsers()[command]
    text = " ".join(sp.format_help().split())
    for action in sp._actions:
        if isinstance(action, argparse._HelpAction) or action.nargs == 0 or action.required:
            continue  # flags (on when given) and required arguments have no default
        assert action.help, (command, action.dest)
        shown = " ".join(sp._get_formatter()._expand_help(action).split())
        assert "default" in shown, (command, action.dest, shown)
        assert shown in text


def test_audit_format_help():
    text = " ".join(subparsers()["audit"].format_help().split())
    assert "(default: table)" in text and "SARIF" in text


def test_bench_help_names_what_bench_writes():
    """bench.run writes bench.json, bench.md and bench.png (klforge/bench/__init__.py)."""
    import inspect

    from klforge import bench

    src = inspect.getsource(bench.run)
    written = [f for f in ("bench.json", "bench.md", "bench.png") if f'"{f}"' in src]
    assert written == ["bench.json", "bench.md", "bench.png"]
    text = " ".join(subparsers()["bench"].format_help().split())
    for f in written:
        assert f in text
    from klforge._io import ROOT

    readme = (ROOT / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith("| `klforge bench")]
    for f in written:
        assert f in row


@pytest.mark.parametrize("arg", ["", ",", " , "])
def test_empty_selection_is_a_usage_error(arg):
    with pytest.raises(UsageError, match="--select: no kernel names given"):
        select_names(arg, ["a", "b"], "kernel")
    assert select_names(None, ["a"], "kernel") is None
    assert select_names("a,,b,a", ["a", "b"], "kernel") == ["a", "b"]


@pytest.mark.parametrize("command", ["emit", "verify", "warm", "bench"])
def test_empty_select_is_rejected_before_any_work(command, tmp_path):
    """`--select "$UNSET"` must not compile, verify or bench everything: exit 2 with SymPy
    not loaded, no kernel compiled and nothing written."""
    code = ("import sys\nfrom klforge.cli import main\n"
            f"rc = main([{command!r}, '--select', ''])\n"
            "import klforge.kernels as K\n"
            "print(rc, 'sympy' in sys.modules, [n for n in K.__all__ if n in vars(K)])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.stdout.split() == ["2", "False", "[]"], (r.stdout, r.stderr)
    assert list(tmp_path.iterdir()) == []
    assert "--select: no" in r.stderr and r.stderr.count("\n") == 1


def test_bench_unusable_out_is_rejected_before_any_timing(tmp_path):
    (tmp_path / "file").write_text("x")
    code = ("import sys\nfrom klforge.cli import main\n"
            "rc = main(['bench', '--quick', '--select', 'kl_normal', '--out', sys.argv[1]])\n"
            "import klforge.kernels as K\n"
            "print(rc, [n for n in K.__all__ if n in vars(K)])")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "file" / "out")],
                       capture_output=True, text=True)
    assert r.stdout.split() == ["2", "[]"], (r.stdout, r.stderr)
    assert r.stderr.startswith(f"klforge bench: --out {tmp_path / 'file' / 'out'}: cannot create")


def test_bench_names_only_the_files_it_wrote(tmp_path):
    from klforge.cli.bench import OUTPUTS, _stamp, written

    (tmp_path / "bench.png").write_bytes(b"an old plot")  # from an earlier run: not announced
    before = {f: _stamp(tmp_path / f) for f in OUTPUTS}
    (tmp_path / "bench.json").write_text("{}")
    (tmp_path / "bench.md").write_text("| |")
    line = written(tmp_path, before)
    assert line.startswith(f"wrote {tmp_path / 'bench.json'}, bench.md (no plot:")
    (tmp_path / "bench.png").write_bytes(b"a new plot, longer")
    assert written(tmp_path, before) == f"wrote {tmp_path / 'bench.json'}, bench.md, bench.png"
