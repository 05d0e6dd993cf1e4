"""What every ``klforge`` command shares: one-line usage errors, ``--select`` name checking
with close matches (before any work is done), and help that shows each option's default.

Example: ``select_names("kl_norml", ["kl_normal"], "kernel")`` raises
``UsageError("--select: unknown kernel 'kl_norml' (did you mean kl_normal?)")``.
"""

from __future__ import annotations

import argparse
import difflib


class UsageError(Exception):
    """A bad argument, reported in one line with exit status 2 before any work is done."""


def select_names(arg: str | None, known, what: str, option: str = "--select") -> list[str] | None:
    """The comma-separated names of ``arg`` checked against ``known``; ``None`` (all) only
    when the option was not given.

    An unknown name is a :class:`UsageError` naming the close matches, e.g.
    ``--select: unknown kernel 'kl_norml' (did you mean kl_normal, kl_normal_std?)``; so is
    a selection of no names (``--select ''``, ``--select ,``: an unset shell variable must
    not mean "everything").  Empty items between names are dropped (``a,,b``).
    """
    if arg is None:
        return None
    names = list(dict.fromkeys(n.strip() for n in arg.split(",") if n.strip()))
    if not names:
        raise UsageError(f"{option}: no {what} names given ({arg!r}); leave {option} out to "
                         f"select all")
    known = sorted(known)
    for n in names:
        if n not in known:
            folded = {k.lower(): k for k in known}  # KL_NORMAL → kl_normal first
            close = list(dict.fromkeys(
                [folded[m] for m in difflib.get_close_matches(n.lower(), folded, n=3,
                                                               cutoff=0.5)]))
            hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known)}"
            raise UsageError(f"{option}: unknown {what} {n!r} ({hint})")
    return names


class DefaultsFormatter(argparse.HelpFormatter):
    """Shows each option's default in its help, where it has a meaningful one."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.default not in (None, False, argparse.SUPPRESS) and "default" not in text
                and action.option_strings):
            text += " (default: %(default)s)"
        return text


def kernel_names() -> list[str]:
    """The generated kernels' names (numpy + numba only; no SymPy, nothing compiled)."""
    from .. import kernels

    return list(kernels.__all__)
