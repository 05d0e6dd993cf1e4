"""The call signature users see for a kernel (``inspect.signature``, IDEs, ``help()``).

A :class:`~klforge.kernels._ufunc.Kernel` takes its inputs positionally, like the
``numpy.ufunc`` it wraps, then ``out`` and NumPy's ufunc keywords.  Its parameter names are
read from the emitted docstring's ``Parameters:`` line (``klforge/emit/templates.py``
``docstring``: ``name (domain), …``; a domain may hold parentheses and commas, as
``(0, 1]``); a line that does not name exactly ``nin`` parameters gives ``x1, …, xn``.

Keywords listed are those the wrapper passes on and NumPy accepts for a one-dtype ufunc:
``casting``, ``order``, ``dtype``, ``subok``, ``signature``, and for a gufunc ``axes``,
``axis``, ``keepdims``.  ``where=`` is not listed: the kernels refuse it (``Kernel``).

Example: ``kernel_signature("kl_normal", doc, 4, None)`` →
``(mu_p, sigma_p, mu_q, sigma_q, /, out=None, *, casting='same_kind', order='K', dtype=None,
subok=True, signature=None)``.
"""

from __future__ import annotations

import inspect

_P = inspect.Parameter
_UFUNC_KEYWORDS = (("casting", "same_kind"), ("order", "K"), ("dtype", None), ("subok", True),
                   ("signature", None))
_GUFUNC_KEYWORDS = (("axes", None), ("axis", None), ("keepdims", False))


def parameter_names(doc: str | None) -> list[str]:
    """The names on the docstring's ``Parameters:`` line, in order ([] when there is none).

    Example: ``parameter_names("T.\\n\\n    Parameters: p (half open (0, 1]), q (real).")``
    = ``["p", "q"]``."""
    for line in (doc or "").splitlines():
        line = line.strip()
        if not line.startswith("Parameters:"):
            continue
        names, depth, word = [], 0, ""
        for ch in line[len("Parameters:"):].rstrip("."):
            if ch in "([":
                if depth == 0 and word.strip():
                    names.append(word.strip())
                depth += 1
            elif ch in ")]":
                depth = max(depth - 1, 0)
            elif depth == 0:
                if ch == ",":
                    if word.strip():
                        names.append(word.strip())
                    word = ""
                    continue
                word += ch
                continue
            word = ""
        if word.strip():
            names.append(word.strip())
        return names
    return []


def kernel_signature(name: str, doc: str | None, nin: int, layout: str | None
                     ) -> inspect.Signature:
    """Positional-only inputs named from the docstring, ``out=None``, then the ufunc
    keywords (gufunc ones when ``layout``, the core-dimension signature, is given)."""
    names = parameter_names(doc)
    if len(names) != nin or not all(n.isidentifier() for n in names):
        names = [f"x{i + 1}" for i in range(nin)]
    params = [_P(n, _P.POSITIONAL_ONLY) for n in names]
    params.append(_P("out", _P.POSITIONAL_OR_KEYWORD, default=None))
    keywords = _UFUNC_KEYWORDS + (_GUFUNC_KEYWORDS if layout else ())
    params += [_P(k, _P.KEYWORD_ONLY, default=v) for k, v in keywords]
    return inspect.Signature(params)
