"""Shared I/O: where the pieces of a klforge checkout live, and the one atomic writer.

Locations are found from the import system (no module is imported to find them, so asking
for :data:`KERNELS_DIR` does not load numba, nor :data:`DERIVE_DIR` SymPy).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import stat
import tempfile
from pathlib import Path


def package_dir(name: str) -> Path:
    """The directory of package ``name`` (e.g. ``"klforge.kernels"``), without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


KLFORGE_DIR = Path(__file__).resolve().parent
#: derive/ — the engine (mapped to ``klforge.derive``)
DERIVE_DIR = package_dir("klforge.derive")
#: kernels/ — the generated kernels (mapped to ``klforge.kernels``)
KERNELS_DIR = package_dir("klforge.kernels")
#: the checkout holding content/ and docs/ (meaningful only for a source checkout)
ROOT = KLFORGE_DIR.parent
#: the committed accuracy manifest
MANIFEST = KERNELS_DIR / "manifest.json"


def is_checkout() -> bool:
    """Whether klforge runs from a source checkout (``pyproject.toml`` beside the package),
    not from an installed wheel (where :data:`ROOT` is ``site-packages``)."""
    return (ROOT / "pyproject.toml").is_file()


def build_dir() -> Path:
    """Where maintainer commands write by default: ``$KLFORGE_BUILD_DIR``, else
    ``build/klforge`` under the checkout (ignored by git), so following the README never
    dirties the tree; from an installed wheel, ``$XDG_CACHE_HOME/klforge/build`` (default
    ``~/.cache/klforge/build``), never ``site-packages``."""
    if os.environ.get("KLFORGE_BUILD_DIR"):
        return Path(os.environ["KLFORGE_BUILD_DIR"])
    if is_checkout():
        return ROOT / "build" / "klforge"
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "klforge" / "build"


def umask() -> int:
    """The process's file mode creation mask, read without changing it where the kernel
    reports it (``Umask:`` in ``/proc/self/status``, Linux ≥ 4.7); elsewhere set and restored
    at once (``os.umask`` twice: fine in a command, racy only against other threads
    creating files at that instant)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode ``open(path, "w")`` would give a new file: ``0o666 & ~umask``
    (e.g. 0o644 under the usual umask 022)."""
    return 0o666 & ~umask()


def write_atomic(path: Path | str, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` through a temporary file in
    the same directory and ``os.replace``: readers see the old file or the new one, never
    a half-written one, and a failure leaves no temporary file behind.

    Permissions are those of a plain write: an existing file keeps its mode (``chmod 664
    doc.md`` survives ``klforge audit --fix doc.md``), a new one gets ``0o666 & ~umask``
    (not :func:`tempfile.mkstemp`'s 0600).  A symbolic link is written through (its target
    is replaced, the link stays); a directory, device or pipe is an :class:`OSError` naming
    ``path``, never replaced, and so is any failure (never the temporary file's name).
    The data is flushed to disk (``fsync``) before the rename, so a crash leaves the old file
    or the new one, not an empty one.
    Missing parent directories are created (maintainer outputs such as ``build/klforge``);
    a command writing a user-named file checks the directory first (``klforge audit -o``).
    """
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        mode = new_file_mode()
    else:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(st.st_mode):  # a device or pipe is never replaced by a file
            raise OSError(errno.EINVAL, "not a regular file (only files are replaced)",
                          str(path))
        mode = stat.S_IMODE(st.st_mode)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:  # name the file asked for, not the temporary one
        raise type(e)(e.errno, e.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:  # closes fd whatever follows
            os.fchmod(f.fileno(), mode)
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise type(e)(e.errno, e.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
