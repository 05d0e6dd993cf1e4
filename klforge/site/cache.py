"""Engine results for the site, cached on disk by content hash.

Deriving every closed form takes SymPy about a minute, so the site never asks SymPy twice
for the same thing: each result the pages consume (a derivation rendered to LaTeX, the
worked problems' values, a figure) is stored as JSON/PNG under a key that hashes the
engine's source files and the versions of SymPy and mpmath.  Editing a page reuses every
entry; editing ``derive/`` or ``kernels/`` changes the hash, so the entries are rebuilt and
the pages that used them are re-read (see :func:`derive.site.outdated_docs`).

The cache lives in ``$KLFORGE_CACHE_DIR`` when set, else in the build's doctree directory
(``klforge site --clean`` removes both the output and the cache).  Writes are atomic.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import mpmath
import sympy as sp

from .._io import KERNELS_DIR, MANIFEST, package_dir
from .._io import write_atomic as atomic_write  # one atomic writer for the project

VERIFY_DIR = package_dir("klforge.verify")

#: files whose content decides the engine's results on the site besides the emitter's
#: sources (emit.generator_sources: the derivations, the emitter, the kernel modules): the
#: worked problems, the mpmath references, the figure code, this module and the kernels
SITE_DIR = Path(__file__).resolve().parent
#: besides the derivations' sources (``emit.generator_sources``): what computes the site's
#: values — the site's problem/figure/printing modules, the verifier (mpmath references), and
#: every kernel module (the generated loops call the hand-written row and primitive modules,
#: so hashing ``_kernels.py`` alone missed edits to them)
ENGINE_FILES = (SITE_DIR / "problems.py", *SITE_DIR.glob("plots*.py"), SITE_DIR / "printing.py",
                SITE_DIR / "cache.py", *VERIFY_DIR.glob("*.py"), *KERNELS_DIR.glob("*.py"))
_cache_dir: Path | None = None


def set_cache_dir(path: Path | str | None) -> None:
    global _cache_dir
    _cache_dir = Path(path) if path else None


def cache_dir() -> Path:
    env = os.environ.get("KLFORGE_CACHE_DIR")
    if env:
        return Path(env)
    return _cache_dir or Path.home() / ".cache" / "klforge"


def download_dir() -> Path:
    """Where downloads (the MathJax tarball) are kept: ``$KLFORGE_CACHE_DIR`` or
    ``~/.cache/klforge`` — outside the build, so a clean build does not fetch again."""
    return Path(os.environ.get("KLFORGE_CACHE_DIR") or Path.home() / ".cache" / "klforge")


def _hash_files(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(f"{p.parent.name}/{p.name}".encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def engine_hash() -> str:
    """SHA-256 of the engine's sources and of the SymPy/mpmath versions (16 hex digits)."""
    from ..emit import generator_sources

    files = set(generator_sources()) | set(ENGINE_FILES)
    versions = f"sympy {sp.__version__} mpmath {mpmath.__version__}"
    return hashlib.sha256((_hash_files(files) + versions).encode()).hexdigest()[:16]


def manifest_hash() -> str:
    return hashlib.sha256(MANIFEST.read_bytes()).hexdigest()[:16] if MANIFEST.exists() else "-"


def entry(kind: str, name: str, suffix: str = ".json") -> Path:
    """Where the cached ``kind``/``name`` result for the current engine lives."""
    return cache_dir() / engine_hash() / kind / f"{name}{suffix}"


def cached_json(kind: str, name: str, compute):
    """``compute()`` once per engine hash; later calls read the stored JSON."""
    path = entry(kind, name)
    if path.exists():
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            pass  # a damaged entry is recomputed, never trusted
    value = compute()
    atomic_write(path, json.dumps(value, indent=1).encode())
    return value


def _render(name: str) -> dict:
    from ..derive.core import DOMAINS, get
    from .printing import latex

    d = get(name)
    stable = None
    if d.stable_form is not None:
        stable = [[latex(s), latex(v)] for s, v in d.stable_form.bindings]
        stable.append([r"\mathrm{result}", latex(d.stable_form.result)])
    return {
        "name": d.name, "title": d.title, "kernel": d.kernel,
        "definition": latex(d.definition),
        "steps": [[s.text, latex(s.expr)] for s in d.steps],
        "closed": latex(d.closed_form),
        "stable": stable, "rules": list(d.rules),
        "params": [[p.name, latex(p.symbol), DOMAINS[p.domain]] for p in d.params],
        "checks": [[c.name, c.method] for c in d.checks],
    }


def rendered(name: str) -> dict:
    """The derivation ``name`` as the site prints it (LaTeX strings), cached.

    Raises KeyError naming the known derivations when ``name`` is unknown."""
    from ..derive.core import names

    if name not in names():
        raise KeyError(f"no derivation named {name!r}; known: {', '.join(names())}")
    return cached_json("derivation", name, lambda: _render(name))


def problem_values() -> dict[str, str]:
    """The worked problems' values (:mod:`derive.problems`) as 50-digit decimal strings
    (strings, so no binary rounding happens between the engine and the page)."""
    from . import problems

    def compute():
        return {k: mpmath.nstr(v, problems.DIGITS, strip_zeros=False)
                for k, v in problems.values().items()}

    return cached_json("values", "problems", compute)


def manifest() -> dict:
    """The verification manifest (``kernels/manifest.json``), as ``klforge verify`` wrote it."""
    if not MANIFEST.exists():
        raise FileNotFoundError(f"{MANIFEST} is missing; run `klforge verify`")
    return json.loads(MANIFEST.read_text())
