"""One-line errors where a new user met a traceback or no hint (issue 12): a command run in a
kernels-only install (numpy + numba, no SymPy/mpmath) and a name typed in the wrong case."""

import subprocess
import sys

import pytest

from klforge.cli import UsageError, missing_dependency, select_names

BLOCK = ("import sys\n"
         "class Block:\n"
         "    def find_spec(self, name, path=None, target=None):\n"
         "        if name.split('.')[0] in sys.argv[1].split(','):\n"
         "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
         "sys.meta_path.insert(0, Block())\n"
         "from klforge.cli import main\n"
         "sys.exit(main(sys.argv[2:]))\n")


def run_without(modules, *args, cwd=None):
    return subprocess.run([sys.executable, "-c", BLOCK, modules, *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args,needs", [
    (["derive", "kl_normal"], "sympy"),
    (["derive", "--list"], "sympy"),
    (["verify", "--select", "kl_normal", "--quick", "--no-write"], "sympy"),
])
def test_a_kernels_only_install_gets_one_line_not_a_traceback(args, needs):
    r = run_without("sympy,mpmath", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"klforge {args[0]}: needs ") and "pip install" in r.stderr


def test_audit_without_mpmath_names_it(tmp_path):
    (tmp_path / "a.md").write_text("$\\ln 2 = 0.6931$\n")
    r = run_without("mpmath", "audit", "a.md", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "needs mpmath" in r.stderr


def test_missing_dependency_hints():
    assert "pip install klforge with its dependencies" in missing_dependency("sympy.core")
    assert "pip install 'klforge[docs]'" in missing_dependency("matplotlib.pyplot")


def test_a_name_in_the_wrong_case_gets_its_match():
    with pytest.raises(UsageError, match=r"'KL_NORMAL' \(did you mean kl_normal[,?]"):
        select_names("KL_NORMAL", ["kl_normal", "kl_gamma", "elbo_normal"], "derivation")


@pytest.mark.parametrize("args", [["emit", "--select", "kl_normal"],
                                  ["verify", "--select", "kl_normal", "--write-manifest"]])
def test_maintainer_writes_into_an_installed_package_are_refused(args, tmp_path):
    """Outside a checkout (ROOT = site-packages, no pyproject.toml) emit and
    verify --write-manifest would rewrite the installed package: exit 2 before any work."""
    code = ("import sys, pathlib\nimport klforge._io as io\n"
            "io.ROOT = pathlib.Path(sys.argv[1])\n"
            "from klforge.cli import main\n"
            "rc = main(sys.argv[2:])\n"
            "print(rc, 'sympy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path), *args], capture_output=True,
                       text=True)
    assert r.stdout.split() == ["2", "False"], (r.stdout, r.stderr)
    assert "source checkout" in r.stderr and r.stderr.count("\n") == 1


def test_an_unknown_missing_module_is_a_bug_not_a_pip_hint(monkeypatch):
    # a module that is no dependency of ours: re-raised (a bug in our imports, or a name a
    # hint would send to PyPI — dependency confusion), never "pip install <name>"
    from klforge import cli

    def fail(args):
        raise ModuleNotFoundError("No module named 'klforge_nonexistent_dep'",
                                  name="klforge_nonexistent_dep")

    args = cli.build_parser().parse_args(["derive", "--list"])
    args.func = fail
    parser = type("Parser", (), {"parse_args": lambda self, argv: args})()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["derive", "--list"])
