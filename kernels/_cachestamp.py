"""One freshness stamp for the whole package's numba cache.

numba stamps each cached function with its own source file only.  The kernels inline and
call functions across modules (``_kernels.py`` calls ``_policy.py``, ``_mvn.py`` calls
``_mvn_solve.py``, …), so after an edit to one module — a ``git pull`` into an editable
install, say — the cached machine code of its callers in unchanged files would still be
loaded, mixing old and new code (wrong results, or a crash).

This module puts a locator in front of numba's own ones, for files of this package only: it
delegates everything to the locator numba would have chosen (same directory, same
disambiguator) and extends the source stamp with the SHA-256 of every ``*.py`` file of the
package.  Any edit to any kernel module therefore invalidates the package's whole cache;
other code's caches are untouched.  It must be installed before the first
``@njit(cache=True)`` of the package runs (``kernels/__init__.py`` imports it first).

If numba's private caching API changes, ``install()`` does nothing and numba's per-file
stamps apply as before.
"""

from __future__ import annotations

import hashlib
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def sources_sha256(folder: str = _HERE) -> str:
    """SHA-256 over the names and contents of the ``*.py`` files in ``folder`` (sorted)."""
    h = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            h.update(name.encode() + b"\0")
            with open(os.path.join(folder, name), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def install() -> bool:
    """Put the package-wide stamp in front of numba's cache locators (once).  Returns whether
    it is in place."""
    try:
        from numba.core.caching import CacheImpl, _CacheLocator
    except ImportError:
        return False
    classes = getattr(CacheImpl, "_locator_classes", None)
    if not isinstance(classes, list):
        return False
    if any(getattr(c, "_klforge_stamp", False) for c in classes):
        return True
    stamp = sources_sha256()

    class PackageStampLocator(_CacheLocator):
        _klforge_stamp = True

        def __init__(self, inner):
            self._inner = inner

        def ensure_cache_path(self):
            self._inner.ensure_cache_path()

        def get_cache_path(self):
            return self._inner.get_cache_path()

        def get_source_stamp(self):
            return (self._inner.get_source_stamp(), stamp)

        def get_disambiguator(self):
            return self._inner.get_disambiguator()

        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.dirname(os.path.abspath(py_file)) != _HERE:
                return None
            for other in CacheImpl._locator_classes:
                if other is not cls:
                    inner = other.from_function(py_func, py_file)
                    if inner is not None:
                        return cls(inner)
            return None

    classes.insert(0, PackageStampLocator)
    return True
