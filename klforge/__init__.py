"""klforge: KL divergence derived by SymPy, emitted as verified numba kernels, taught in an
audited lesson.

Subpackages, in pipeline order: :mod:`klforge.derive` (closed forms from definitions) →
:mod:`klforge.emit` (stable forms written as numba ufuncs) → :mod:`klforge.kernels` (the
generated kernels; numpy + numba only) → :mod:`klforge.verify` (ULP errors against mpmath)
→ :mod:`klforge.site` (the Sphinx extension that renders the lesson); beside them
:mod:`klforge.audit` (checks course text; no SymPy), :mod:`klforge.bench` and the CLI.
Importing ``klforge`` loads nothing heavy.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("klforge")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
