"""``klforge site`` output layout (issue 12): the doctrees and engine cache go beside the
output (``DIR.doctrees``), never inside the tree one publishes; an older layout's
``DIR/.doctrees`` is removed; ``--clean`` removes both.  Built from a one-page lesson with the
real docs/conf.py (a few seconds), not the lesson."""

import subprocess
import sys

import pytest

pytest.importorskip("sphinx")
from klforge._io import ROOT  # noqa: E402


def site(*args):
    return subprocess.run([sys.executable, "-m", "klforge", "site", "--no-progress",
                           *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def tiny(tmp_path):
    src = tmp_path / "content"
    src.mkdir()
    (src / "index.md").write_text("# Tiny\n\nOne page, no claims.\n")
    (src / "references.bib").write_text((ROOT / "content" / "references.bib").read_text())
    return src


def test_doctrees_live_beside_the_output(tiny, tmp_path):
    out = tmp_path / "site" / "html"
    r = site("--content", tiny, "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "index.html").exists() and not (out / ".doctrees").exists()
    doctrees = tmp_path / "site" / "html.doctrees"
    assert (doctrees / "environment.pickle").exists() and (doctrees / "index.doctree").exists()
    assert not list(out.rglob("*.doctree")) and not list(out.rglob("*.pickle"))

    (out / ".doctrees").mkdir()  # what an older klforge left in the published tree
    (out / ".doctrees" / "environment.pickle").write_bytes(b"old")
    assert site("--content", tiny, "--out", out).returncode == 0
    assert not (out / ".doctrees").exists()

    assert site("--clean", "--content", tiny, "--out", out).returncode == 0
    assert (out / "index.html").exists() and (doctrees / "environment.pickle").exists()


def test_clean_removes_output_and_doctrees(tiny, tmp_path, monkeypatch):
    from klforge.cli import site as site_cli

    out = tmp_path / "html"
    assert site_cli.doctree_dir(out) == tmp_path / "html.doctrees"
    assert site("--content", tiny, "--out", out).returncode == 0
    marker = tmp_path / "html.doctrees" / "marker"
    marker.write_text("x")
    (out / "stale.html").write_text("x")
    assert site("--clean", "--content", tiny, "--out", out).returncode == 0
    assert not marker.exists() and not (out / "stale.html").exists()
    assert (out / "index.html").exists()


def test_out_dot_and_a_foreign_doctrees_directory(tiny, tmp_path):
    # --out . builds into the working directory (the doctrees beside it), not a ValueError
    # traceback; --clean never removes a "<out>.doctrees" that is not Sphinx's
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([sys.executable, "-m", "klforge", "site", "--no-progress", "--content",
                        str(tiny), "--out", "."], capture_output=True, text=True, cwd=work)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert (work / "index.html").exists() and (tmp_path / "work.doctrees").is_dir()
    foreign = tmp_path / "mine.doctrees"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    r = site("--clean", "--content", tiny, "--out", tmp_path / "mine")
    assert r.returncode == 2 and "not Sphinx's doctree directory" in r.stderr, r.stderr
    assert (foreign / "notes.txt").exists()
