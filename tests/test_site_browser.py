"""The built site in headless Chromium, offline: every formula is typeset by the MathJax
served from the site itself (no raw TeX left, no network), and on every page, at a desktop
(1280 px) and a phone (390 px) width, no formula sticks out of its column unless it sits in
a container that scrolls by design (furo's ``.math-wrapper`` / ``.table-wrapper``, our
``.klforge-wide``) — and at 1280 px not even then, except in those marked ``.klforge-wide``
(engine output too long to break, e.g. the n = 2 Cholesky form)."""
import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

CHROMIUM = next((c for c in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(c)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (CI installs Debian's chromium; "
                             "locally: apt-get install chromium)")
PAGES = ["06-closed-forms.html", "appendix-k.html", "reference/gaussian.html"]
CONTENT = Path(__file__).parents[1] / "content"
ALL_PAGES = sorted(str(p.relative_to(CONTENT).with_suffix(".html"))
                   for p in CONTENT.rglob("*.md"))
WIDTHS = (1280, 390)

#: injected into every page the test server sends: once MathJax has typeset the page,
#: measure every formula against its column and write the findings into the DOM as JSON.
PROBE = """
<script>
(function () {
  function scroller(el, stop) {            // the nearest ancestor that scrolls sideways
    for (let a = el.parentElement; a && a !== stop; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return a;
    }
    return null;
  }
  function label(el) {
    const src = el.closest('[id]');
    return (src ? '#' + src.id + ' ' : '') + (el.getAttribute('display') ? 'display' : 'inline')
      + ' ' + (el.textContent || '').slice(0, 60);
  }
  function measure() {
    const col = document.querySelector('article') || document.body;
    const c = col.getBoundingClientRect();
    const out = {width: window.innerWidth, formulas: 0, overflow: [], scrolled: [],
                 page: document.documentElement.scrollWidth - window.innerWidth};
    for (const el of document.querySelectorAll('mjx-container')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;   // in a closed dropdown
      out.formulas++;
      const s = scroller(el, col);
      if (s) {
        const wide = !!el.closest('.klforge-wide');
        if (s.scrollWidth > s.clientWidth + 1)
          out.scrolled.push({what: label(el), by: Math.round(s.scrollWidth - s.clientWidth),
                             wide: wide});
        const sr = s.getBoundingClientRect();
        // furo's wrappers are width:100% plus a few px of padding: allow 8 px
        if (sr.right > c.right + 8 || sr.left < c.left - 8)
          out.overflow.push({what: label(el), by: Math.round(sr.right - c.right)});
      } else {
        // the text block the formula sits in (its content box), or the column
        const blk = el.closest('p, li, dd, dt, td, th, figcaption, blockquote, summary');
        const b = (blk && col.contains(blk) ? blk : col).getBoundingClientRect();
        if (r.right > b.right + 1 || r.left < b.left - 1)
          out.overflow.push({what: label(el), by: Math.round(r.right - b.right)});
      }
    }
    const pre = document.createElement('pre');
    pre.id = 'klforge-layout';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
    if (window.parent !== window) window.parent.postMessage(pre.textContent, '*');
  }
  window.addEventListener('load', function () {
    const p = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (p ? p : Promise.resolve()).then(function () { setTimeout(measure, 50); });
  });
})();
</script>
"""


#: Chromium's window is at least 500 px wide, so a narrower viewport is an iframe of that
#: width: the page inside lays out (and evaluates its media queries) at exactly that width,
#: and posts the probe's findings to this frame, which writes them where --dump-dom sees.
FRAME = """<!doctype html><html><body style="margin:0">
<iframe src="/{page}?probe" style="width:{width}px;height:900px;border:0"></iframe>
<script>window.addEventListener('message', function (e) {{
  const pre = document.createElement('pre'); pre.id = 'klforge-layout';
  pre.textContent = e.data; document.body.appendChild(pre); }});</script>
</body></html>"""

#: the same for several widths at once, one iframe per width side by side, all in view (each
#: lays out at exactly its width, as in FRAME): one browser start measures every width.
FRAMES = """<!doctype html><html><body style="margin:0;display:flex;align-items:flex-start">
{frames}
<script>window.addEventListener('message', function (e) {{
  const pre = document.createElement('pre'); pre.className = 'klforge-layout';
  pre.textContent = e.data; document.body.appendChild(pre); }});</script>
</body></html>"""
FRAME_ITEM = ('<iframe src="/{page}?probe" style="flex:none;width:{width}px;height:900px;'
              'border:0"></iframe>')


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; HTML pages asked for with ?probe get the layout probe before
    </body>, /__frame/WIDTH/PAGE is PAGE in an iframe WIDTH px wide, and
    /__frames/W1,W2/PAGE is PAGE in one iframe per width."""

    def log_message(self, *args):
        pass

    def send_head(self):
        m = re.match(r"/__frame/(\d+)/(.+)$", self.path)
        if m:
            return self._send(FRAME.format(width=m.group(1), page=m.group(2)).encode())
        m = re.match(r"/__frames/([\d,]+)/(.+)$", self.path)
        if m:
            frames = "".join(FRAME_ITEM.format(page=m.group(2), width=w)
                             for w in m.group(1).split(","))
            return self._send(FRAMES.format(frames=frames).encode())
        path = Path(self.translate_path(self.path))
        if path.suffix != ".html" or not path.is_file() or "probe" not in self.path:
            return super().send_head()
        return self._send(path.read_text().replace("</body>", PROBE + "</body>").encode())

    def _send(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path):
        return super().translate_path(path.split("?", 1)[0])


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_Handler, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def rendered_dom(url, tmp_path, width=1280):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--window-size={width},900",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
             "--dump-dom", url]
    r = subprocess.run([CHROMIUM, *flags], capture_output=True, text=True, timeout=180)
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


def layout(server, page, width, tmp_path):
    dom = rendered_dom(f"{server}/__frame/{width}/{page}", tmp_path, max(width, 500) + 40)
    m = re.search(r'<pre id="klforge-layout">(.*?)</pre>', dom, re.S)
    assert m, f"{page} at {width} px: the layout probe did not run (MathJax never finished?)"
    import html
    return json.loads(html.unescape(m.group(1)))


def layouts(server, page, tmp_path, widths=WIDTHS):
    """{width: the probe's findings} for PAGE at every width, from one browser start."""
    url = f"{server}/__frames/{','.join(map(str, widths))}/{page}"
    dom = rendered_dom(url, tmp_path, sum(widths) + 40)
    import html
    found = [json.loads(html.unescape(m))
             for m in re.findall(r'<pre class="klforge-layout">(.*?)</pre>', dom, re.S)]
    by_width = {f["width"]: f for f in found}
    assert sorted(by_width) == sorted(widths) and len(found) == len(widths), (
        f"{page}: the layout probe ran at widths {[f['width'] for f in found]}, not {widths} "
        "(MathJax never finished?)")
    return by_width


@pytest.fixture(scope="module")
def page_layouts(server, tmp_path_factory):
    """PAGE -> {width: findings}, measured once per page (both widths in one browser start:
    each width lays out in its own iframe exactly as one page alone would)."""
    cache = {}

    def get(page):
        if page not in cache:
            cache[page] = layouts(server, page, tmp_path_factory.mktemp("chromium"))
        return cache[page]
    return get


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_formula_is_cut_off(page_layouts, page, width):
    found = page_layouts(page)[width]
    assert found["width"] == width
    assert not found["overflow"], (f"{page} at {width} px: formulas stick out of the "
                                   f"column: {found['overflow'][:5]}")
    if width >= 1000:  # on a desktop a display fits, or is engine output marked wide
        scrolled = [s for s in found["scrolled"] if not s["wide"]]
        assert not scrolled, f"{page} at {width} px: displays need scrolling: {scrolled[:5]}"
    assert found["page"] <= 1, f"{page} at {width} px: the page scrolls sideways"


def test_the_probe_sees_an_overflowing_formula(built, server, tmp_path):
    """The layout check can fail: an inline formula wider than its 300 px column is found,
    and the same formula in a scrolling wrapper is reported as scrolled, not cut off."""
    wide = " + ".join(f"x_{{{i}}}^{{2}}" for i in range(40))
    (built / "_probe_selftest.html").write_text(
        "<html><head><script>window.MathJax={options:{processHtmlClass:'math'}}</script>"
        "<script defer src='_static/mathjax/tex-chtml.js'></script></head><body>"
        "<article style='width:300px'><p><span class='math'>\\(" + wide + "\\)</span></p>"
        "<div style='overflow-x:auto'><div class='math'>\\[" + wide + "\\]</div></div>"
        "</article></body></html>")
    found = layout(server, "_probe_selftest.html", 1280, tmp_path)
    assert found["formulas"] == 2
    assert len(found["overflow"]) == 1 and found["overflow"][0]["what"].startswith("inline")
    assert len(found["scrolled"]) == 1 and not found["scrolled"][0]["wide"]
