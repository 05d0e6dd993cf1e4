"""``kernel-references PAGE``: one section per kernel whose spec names the page, computed from
the registry (a new family file appears without editing the page), each opening with the
reference text its family file declares."""
import shutil
from pathlib import Path

import pytest

pytest.importorskip("myst_parser")
from sphinx.testing.util import SphinxTestApp  # noqa: E402

ROOT = Path(__file__).parent / "roots" / "test-lesson"


def _build(tmp_path, text):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    (src / "index.md").write_text(text)
    app = SphinxTestApp("html", srcdir=src)
    try:
        app.build()
        return app._warning.getvalue(), (Path(app.outdir) / "index.html").read_text()
    finally:
        app.cleanup()


def test_a_page_lists_its_kernels_from_the_registry(tmp_path):
    from klforge.derive.core import specs

    warnings, html = _build(tmp_path, "# Gaussian\n\n```{kernel-references} gaussian\n```\n\n"
                                      "```{kernel-references} nosuchpage\n```\n")
    listed = sorted(k for k, s in specs().items() if s.page == "gaussian")
    assert listed == ["kl_mvn", "kl_normal", "kl_normal_std"]
    for k in listed:
        assert f'id="kernel-{k.replace("_", "-")}"' in html, k
        assert f"kernels.{k}(" in html, k
    assert "textbook form cancels completely" in html  # kl_normal's spec text
    assert "index.md:6" in warnings and "no kernel lists page 'nosuchpage'" in warnings
    assert warnings.count("WARNING") + warnings.count("ERROR") == 1, warnings
