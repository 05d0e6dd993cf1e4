"""`klforge audit` on the command line: formats, exit status, unreadable input."""
import json
import subprocess
import sys

import pytest

from klforge.audit.report import schema

GOOD = "$\\ln 2 = 0.6931$\n"
WARN = "$\\ln 2 = 0.6932$\n"
BAD = "Text.\n\n$$\n0.92 \\ln\\frac{0.92}{0.70} = 0.92(0.274)\n$$\n"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "klforge", "audit", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def docs(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "warn.md").write_text(WARN)
    sub = tmp_path / "chapter"
    sub.mkdir()
    (sub / "bad.tex").write_text(BAD.replace("$$", "\\[", 1).replace("$$", "\\]", 1))
    (sub / "notes.txt").write_text("$1 = 2$")  # not a course format: skipped in directories
    return tmp_path


def test_exit_status(docs):
    assert run(docs / "good.md").returncode == 0
    assert run(docs / "warn.md").returncode == 0
    assert run(docs / "warn.md", "--strict").returncode == 1
    r = run(docs)
    assert r.returncode == 1
    assert "chapter/bad.tex:4" in r.stdout and "error" in r.stdout
    assert "3 file(s)" in r.stdout.splitlines()[-1]


@pytest.mark.parametrize("make,reason", [
    (lambda p: p / "missing.md", "no such file"),
    (lambda p: (p / "x.bin.md").write_bytes(b"\x00\x01\x02") and p / "x.bin.md", "binary"),
    (lambda p: (p / "latin.md").write_bytes("caf\xe9 $1=1$".encode("latin-1")) and p / "latin.md",
     "not UTF-8"),
    (lambda p: (p / "doc.docx").write_text("x") and p / "doc.docx", "unknown format"),
])
def test_unreadable_input_is_a_one_line_usage_error(tmp_path, make, reason):
    r = run(make(tmp_path))
    assert r.returncode == 2 and reason in r.stderr and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_json_follows_the_published_schema(docs):
    jsonschema = pytest.importorskip("jsonschema")
    r = run(docs, "--format", "json")
    data = json.loads(r.stdout)
    jsonschema.validate(data, schema())
    (err,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert err["line"] == 4 and err["stated"] == "0.92·0.274" and err["path"].endswith("bad.tex")
    assert data["summary"]["checked"] == data["summary"]["ok"] + 2
    assert data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1


def test_sarif(docs):
    data = json.loads(run(docs, "--format", "sarif").stdout)
    assert data["version"] == "2.1.0"
    results = data["runs"][0]["results"]
    levels = sorted(r["level"] for r in results)
    assert levels == ["error", "warning"]
    loc = [r for r in results if r["level"] == "error"][0]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 4 and loc["artifactLocation"]["uri"].endswith("bad.tex")
    rule_ids = {r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rule_ids


def test_output_file_and_progress(docs, tmp_path):
    out = tmp_path / "report" / "audit.json"
    out.parent.mkdir()  # -o creates no directories (like a shell redirection; issue 12)
    r = run(docs, "--format", "json", "-o", out, "--progress")
    assert r.returncode == 1 and r.stdout == ""
    assert json.loads(out.read_text())["summary"]["files"] == 3
    assert "[1/3]" in r.stderr and "[3/3]" in r.stderr
    assert not list(out.parent.glob(".*tmp"))  # written atomically, no temp left


def test_help():
    r = run("--help")
    assert r.returncode == 0 and "--format" in r.stdout and "--strict" in r.stdout


def test_readme_example_is_real_output():
    """The README's audit example is this command's actual output, character for character."""
    from pathlib import Path
    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text()
    command = "$ cd tests/data && klforge audit audit_demo.md\n"
    block = readme.split(command, 1)[1].split("```", 1)[0]
    r = run("audit_demo.md", cwd=root / "tests" / "data")
    assert r.returncode == 1 and r.stdout == block


def test_pre_commit_hook_definition():
    yaml = pytest.importorskip("yaml")
    from pathlib import Path
    (hook,) = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "klforge-audit" and hook["entry"] == "klforge audit"
    assert hook["language"] == "python"
    import re
    assert re.search(hook["files"], "lesson/ch1.md") and re.search(hook["files"], "notes.tex")
    assert not re.search(hook["files"], "setup.py")


def test_every_check_a_finding_carries_is_in_the_schema():
    """prose claims, notebook output claims and term checks validate too (they were missing
    from the schema's enum)."""
    jsonschema = pytest.importorskip("jsonschema")
    from klforge.audit import audit_text
    from klforge.audit.report import to_json
    nb = json.dumps({"cells": [
        {"cell_type": "code", "source": "p", "metadata": {}, "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": "0.0504"}, "metadata": {}}]},
        {"cell_type": "markdown", "metadata": {},
         "source": "It is only about 5%. $0.5 \\times 0.2 + 0.5 \\times 0.4 = 0.1 + 0.2$, "
                   "21 % higher than 1.47 is 1.78."}]})
    report = audit_text(nb, "ipynb")
    assert {"output", "term"} <= {f.check for f in report.findings}
    jsonschema.validate(json.loads(to_json(report)), schema())


def test_one_file_under_two_spellings_is_audited_once(docs):
    # review L4: a.md and ./chapter/../a.md are one file (they were audited twice, doubling
    # the counts); the directory and a file inside it are one set of files as well
    r = run("warn.md", "./chapter/../warn.md", "--format", "json", cwd=docs)
    summary = json.loads(r.stdout)["summary"]
    assert summary["files"] == 1 and summary["warnings"] == 1
    r = run(docs, docs / "chapter" / "bad.tex", "--format", "json")
    assert json.loads(r.stdout)["summary"]["files"] == 3
