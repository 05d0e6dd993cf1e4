"""`klforge audit` as a new user meets it (issue 12): -o never replaces an input, -o errors
name the argument, a path with no documents is a usage error, --fix keeps a document's mode,
"1 relation" in the summary.  Each case was observed wrong by the outside tester (T3)."""

import json
import os
import stat
import subprocess
import sys

import pytest

OK = "$\\ln 2 = 0.6931$\n"
WRONG = "$\\ln 2 = 0.6932$\n"  # one wrong last digit: exactly one correct replacement


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "klforge", "audit", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def one_line_usage_error(r, *words):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in r.stderr, r.stderr
    return r.stderr


@pytest.fixture
def doc(tmp_path):
    p = tmp_path / "ok.md"
    p.write_text(OK)
    return p


def test_output_naming_an_input_is_refused_and_the_input_kept(doc):
    r = run(doc, "-o", doc, "--format", "json", cwd=doc.parent)
    one_line_usage_error(r, f"-o {doc}", "is one of the inputs")
    assert doc.read_text() == OK
    # the same file under another name (relative path, a directory input, a symlink)
    one_line_usage_error(run(doc.parent, "-o", "ok.md", cwd=doc.parent), "one of the inputs")
    (doc.parent / "link.md").symlink_to(doc)
    one_line_usage_error(run("ok.md", "-o", "link.md", cwd=doc.parent), "one of the inputs")
    assert doc.read_text() == OK


def test_output_errors_name_the_argument(doc, tmp_path):
    (tmp_path / "adir").mkdir()
    err = one_line_usage_error(run(doc, "-o", tmp_path / "adir"),
                               f"-o {tmp_path / 'adir'}: cannot write: is a directory")
    assert ".tmp" not in err
    missing = tmp_path / "nonexistent" / "dir" / "out.json"
    one_line_usage_error(run(doc, "-o", missing), f"-o {missing}: cannot write",
                         "does not exist")
    assert not (tmp_path / "nonexistent").exists()  # no directory is created
    err = one_line_usage_error(run(doc, "-o", "/proc/version"), "-o /proc/version: cannot write")
    assert ".tmp" not in err


def test_output_file_gets_a_plain_files_mode(doc, tmp_path):
    out = tmp_path / "out.json"
    r = subprocess.run([sys.executable, "-c",
                        "import os, sys; os.umask(0o022); from klforge.cli import main; "
                        "sys.exit(main(sys.argv[1:]))",
                        "audit", str(doc), "--format", "json", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["summary"]["ok"] == 1
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644


def test_output_to_a_device_is_written_not_replaced(doc):
    r = run(doc, "-o", os.devnull)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("out", ["/dev/stdout", "-", "/proc/self/fd/1"])
def test_output_to_stdout_appended_by_the_shell_keeps_the_log(doc, tmp_path, out):
    # `-o /dev/stdout >> log.txt`: /dev/stdout resolves to log.txt, which the shell opened
    # for appending; reopening (or replacing) it would wipe what the log already held
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    with open(log, "a") as f:
        r = subprocess.run([sys.executable, "-m", "klforge", "audit", str(doc), "-o", out,
                            "--format", "json"], stdout=f, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 0, r.stderr
    text = log.read_text()
    assert text.startswith("earlier line\n"), text[:80]
    assert json.loads(text[len("earlier line\n"):])["findings"][0]["severity"] == "ok"


@pytest.mark.parametrize("layout", ["empty", "other_files", "mixed"])
def test_a_path_without_documents_is_a_usage_error(tmp_path, doc, layout):
    d = tmp_path / "chapters"
    d.mkdir()
    if layout != "empty":
        (d / "notes.xyz").write_text("$1 = 2$")
        (d / ".hidden").mkdir()
        (d / ".hidden" / "x.md").write_text(OK)  # hidden directories are skipped
    args = [doc, d] if layout == "mixed" else [d]
    err = one_line_usage_error(run(*args), f"{d}: no documents (", ".md", ".tex", ".ipynb")
    assert "found" in err


def test_fix_keeps_the_documents_mode(tmp_path):
    p = tmp_path / "fixme.md"
    p.write_text(WRONG)
    os.chmod(p, 0o664)
    r = run("--fix", p)
    assert "fixed 1 number(s) in 1 file(s)" in r.stderr, r.stderr
    assert p.read_text() == OK
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o664


def test_summary_says_one_relation(doc):
    r = run(doc)
    assert r.returncode == 0
    assert r.stdout.splitlines()[-1].startswith("1 file(s): 1 relation checked — 1 ok")


def test_not_utf8_names_line_and_column(tmp_path):
    p = tmp_path / "latin1.md"
    p.write_bytes("First line.\n$x = 1$ caf\xe9\n".encode("latin-1"))
    one_line_usage_error(run(p), f"{p}:2:12: not UTF-8 (invalid byte 0xe9 at offset 23)")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_one_unreadable_file_does_not_hide_the_others(tmp_path, fmt):
    d = tmp_path / "course"
    (d / "sub").mkdir(parents=True)
    (d / "ok.md").write_text(OK)
    (d / "sub" / "wrong.md").write_text(WRONG)
    (d / "sub" / "c.md").write_bytes(b"\x00\x01binary")
    r = run(d, "--format", fmt)
    assert r.returncode == 2, r.stderr  # unreadable input, even with findings
    lines = r.stderr.splitlines()
    assert lines == [f"klforge audit: {d / 'sub' / 'c.md'}: binary file (contains NUL bytes)",
                     "klforge audit: 1 of 3 file(s) unreadable, not audited"]
    if fmt == "json":
        data = json.loads(r.stdout)
        assert data["summary"]["files"] == 2
        assert {f["path"] for f in data["findings"]} == {str(d / "ok.md"), str(d / "sub" /
                                                                              "wrong.md")}
    else:
        assert "wrong.md:1" in r.stdout and r.stdout.splitlines()[-1].startswith("2 file(s)")
