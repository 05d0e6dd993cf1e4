"""``klforge site`` progress (issue 12): the read phase prints one line per page, and no
library INFO log line (matplotlib's "generated new fontManager") leaks to stderr.  A tiny
Sphinx project is built with only the progress extension — not the lesson (CPU heavy)."""

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("sphinx")

CONF = textwrap.dedent("""
    import logging
    extensions = ["klforge.site.progress", "leaky"]
    pygments_style = {style!r}
    """)
# stands in for matplotlib: an INFO record after the build looked its pygments style up
LEAKY = textwrap.dedent("""
    import logging

    def _log(app, exception):
        logging.getLogger("matplotlib.font_manager").info("generated new fontManager")
        logging.getLogger("leaky").warning("a real warning still shows")

    def setup(app):
        app.connect("build-finished", _log)
        return {"parallel_read_safe": True}
    """)


def build(tmp_path, pages, style="sphinx", progress=True):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF.format(style=style))
    (tmp_path / "leaky.py").write_text(LEAKY)
    toc = textwrap.indent("\n".join(pages), "   ")
    (src / "index.rst").write_text(f"Index\n=====\n\n.. toctree::\n\n{toc}\n")
    for p in pages:
        (src / f"{p}.rst").write_text(f"{p}\n{'=' * len(p)}\n\nText.\n")
    code = ("import sys; from sphinx.cmd.build import build_main; "
            "sys.exit(build_main(sys.argv[1:]))")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if progress:
        env["KLFORGE_PROGRESS"] = "1"
    return subprocess.run([sys.executable, "-c", code, "-q", "-b", "html", str(src),
                           str(tmp_path / "out")], capture_output=True, text=True, env=env)


def test_read_phase_prints_one_line_per_page(tmp_path):
    pages = ["01-intro", "02-entropy", "03-kl"]
    r = build(tmp_path, pages)
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("[site] read ")
             and "/" in line.split()[2]]
    assert len(lines) == 4, r.stderr  # index + 3 pages
    counts = [line.split()[2] for line in lines]
    assert counts == ["1/4", "2/4", "3/4", "4/4"]
    assert sorted(line.split()[3] for line in lines) == sorted(["index", *pages])
    for line in lines:  # this page's time and the running total, in seconds
        assert line.rstrip().endswith(" s)") and " s  (" in line
    order = r.stderr.index
    assert order("[site] reading 4 page(s)") < order(lines[0]) < order(
        "[site] read (engine values")


def test_no_progress_lines_without_the_switch(tmp_path):
    r = build(tmp_path, ["a"], progress=False)
    assert r.returncode == 0 and "[site]" not in r.stderr, r.stderr


def test_no_info_log_line_leaks_to_stderr(tmp_path):
    """accessible-pygments (furo's dependency) calls logging.basicConfig(level=INFO) when
    a style lookup imports it; looking up its style makes that happen inside the build."""
    pytest.importorskip("a11y_pygments")
    r = build(tmp_path, ["a"], style="a11y-light")
    assert r.returncode == 0, r.stderr
    assert "fontManager" not in r.stderr and "INFO" not in r.stderr, r.stderr
    assert "a real warning still shows" in r.stderr
