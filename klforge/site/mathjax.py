"""MathJax served from the site itself (no CDN, no network when the pages are viewed).

At build time the MathJax release is fetched from the npm registry, checked against the
registry's published SHA-512 integrity, cached (``~/.cache/klforge`` or
``$KLFORGE_CACHE_DIR``), and the parts the pages need (the TeX→CHTML bundle, its fonts,
TeX extensions, the menu) are copied into ``_static/mathjax``.  ``KLFORGE_MATHJAX_TGZ``
points at a local tarball instead (checked against the same integrity) for offline builds.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from pathlib import Path

from . import cache

VERSION = "3.2.2"
TARBALL = f"https://registry.npmjs.org/mathjax/-/mathjax-{VERSION}.tgz"
#: the npm registry's `dist.integrity` for mathjax 3.2.2
INTEGRITY = ("sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/"
             "FEsPsjKPZGJvtRZM1vO+geW0OhGw==")
#: what the pages load (relative to es5/); speech (sre) and the SVG/MML bundles are left out
KEEP = ("tex-chtml.js", "input/tex/extensions/", "output/chtml/", "ui/", "a11y/",
        "adaptors/")
ENTRY = "mathjax/tex-chtml.js"  # relative to _static


class MathJaxError(RuntimeError):
    pass


def _check(data: bytes, source: str) -> bytes:
    algo, _, want = INTEGRITY.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        raise MathJaxError(f"MathJax tarball from {source} fails its {algo} integrity check")
    return data


def tarball() -> bytes:
    """The verified MathJax tarball: the local override, the cache, or the registry."""
    local = os.environ.get("KLFORGE_MATHJAX_TGZ")
    if local:
        try:
            return _check(Path(local).read_bytes(), local)
        except OSError as e:
            raise MathJaxError(f"KLFORGE_MATHJAX_TGZ={local}: {e.strerror}") from None
    path = cache.download_dir() / f"mathjax-{VERSION}.tgz"
    if path.exists():
        try:
            return _check(path.read_bytes(), str(path))
        except MathJaxError:
            path.unlink()
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as r:
            data = _check(r.read(), TARBALL)
    except OSError as e:
        raise MathJaxError(f"cannot fetch MathJax {VERSION} from the npm registry ({e}); "
                           "set KLFORGE_MATHJAX_TGZ to a downloaded mathjax tarball") from None
    cache.atomic_write(path, data)
    return data


def install(static_dir: Path) -> Path:
    """Unpack the kept parts of MathJax into ``static_dir/mathjax`` (once per version)."""
    dest = static_dir / "mathjax"
    stamp = dest / f".mathjax-{VERSION}"
    if stamp.exists():
        return dest
    with tarfile.open(fileobj=io.BytesIO(tarball()), mode="r:gz") as tar:
        for m in tar.getmembers():
            rel = m.name.removeprefix("package/es5/")
            if not m.isfile() or rel == m.name or not rel.startswith(KEEP):
                continue
            target = dest / rel
            if not target.resolve().is_relative_to(dest.resolve()):
                raise MathJaxError(f"unsafe path in the MathJax tarball: {m.name}")
            cache.atomic_write(target, tar.extractfile(m).read())
    stamp.write_text(TARBALL + "\n")
    return dest


def builder_inited(app) -> None:
    """Serve MathJax from ``_static`` (html builders only)."""
    if app.builder.format != "html":
        return
    static = cache.cache_dir() / "static"
    install(static)
    app.config.html_static_path = [*app.config.html_static_path, str(static)]
    app.config.mathjax_path = ENTRY
