"""The built site in headless Chromium, offline: every formula is typeset by the MathJax
served from the site itself (no raw TeX left, no network)."""
import functools
import http.server
import re
import shutil
import subprocess
import threading

import pytest

CHROMIUM = next((c for c in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(c)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (CI installs Debian's chromium; "
                             "locally: apt-get install chromium)")
PAGES = ["06-closed-forms.html", "appendix-k.html", "reference/gaussian.html"]


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def rendered_dom(url, tmp_path):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
             "--dump-dom", url]
    r = subprocess.run([CHROMIUM, *flags], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset_offline(server, page, tmp_path):
    dom = rendered_dom(f"{server}/{page}", tmp_path)
    blocks = re.findall(r'<(span|div) class="math[^"]*"[^>]*>(.*?)</\1>', dom, re.S)
    typeset = dom.count("<mjx-container")
    assert typeset > 0, "MathJax did not run"
    raw = [b for _, b in blocks if "mjx-container" not in b and re.search(r"\\[(\[]", b)]
    assert not raw, f"raw TeX left on {page}: {raw[:3]}"
    assert "<mjx-merror" not in dom, f"a MathJax error on {page}"
