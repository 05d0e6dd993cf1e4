"""`klforge site`: the lesson builds strictly, and a wrong number in a worked problem fails it."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("myst_parser")
pytest.importorskip("furo")
ROOT = Path(__file__).parents[1]


def site(*args):
    return subprocess.run([sys.executable, "-m", "derive.cli", "site", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_lesson_builds_strictly(tmp_path):
    r = site("--out", tmp_path / "html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "html" / "appendix-k.html").read_text()
    assert "0.148702" in html  # {kl}`k1.kl:.6f`, from the engine


@pytest.mark.parametrize("old,new", [
    ("= 0.1487 \\text{ nats}", "= 0.1478 \\text{ nats}"),       # final value
    ("0.92(0.2733)", "0.92(0.2737)"),                            # a rounded intermediate
    ("= 0.0909 \\le 0.2749", "= 0.0909 \\ge 0.2749"),           # the inequality
])
def test_a_planted_wrong_number_fails_the_build_at_its_line(tmp_path, old, new):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    page = content / "appendix-k.md"
    text = page.read_text()
    assert old in text
    page.write_text(text.replace(old, new))
    line = text[:text.index(old)].count("\n") + 1
    r = site("--content", content, "--out", tmp_path / "html")
    assert r.returncode == 1
    assert re.search(rf"appendix-k\.md:{line}: WARNING: audit:", r.stderr), r.stderr
