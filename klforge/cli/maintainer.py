"""Maintainer commands that regenerate and re-measure what is committed:
``klforge emit [--check] [--out DIR] [--select NAMES]`` (the kernels and the audit's engine
forms) and ``klforge verify [--select NAMES] [--quick] [--no-write] [--write-manifest]
[--markdown]`` (ULPs against mpmath).  ``--select`` names are checked against the generated
kernels before SymPy or mpmath is loaded.  Example: ``klforge emit --check --select kl_gamma``.
"""

from __future__ import annotations

import sys

from .common import UsageError, kernel_names, select_names


def register(sub, fmt) -> None:
    e = sub.add_parser("emit", formatter_class=fmt,
                       help="maintainer: write the numba kernels (and the audit's engine forms) "
                       "from the derivations",
                       description="Write (or check) every generated file: kernels/_kernels.py "
                       "and klforge/audit/_known_forms.py. With --select, only the selected "
                       "kernels' blocks of kernels/_kernels.py are regenerated (or checked); "
                       "the others are kept as they are.")
    e.add_argument("--check", action="store_true", help="fail (exit 1) if kernels/ is stale")
    e.add_argument("--out", metavar="DIR", help="output directory (default: kernels/)")
    e.add_argument("--select", metavar="NAMES",
                   help="comma-separated kernel names: regenerate (or check) only these and "
                   "keep the others (default: all)")
    e.set_defaults(func=run_emit)
    v = sub.add_parser("verify", formatter_class=fmt,
                       help="maintainer: ULP errors of every kernel against mpmath (50 digits)",
                       description="Evaluate every kernel, in each dtype, at its test points "
                       "(ordinary, extreme and hard points of each parameter's domain) and "
                       "compare with mpmath at 50 digits: one row per kernel and dtype with the "
                       "maximum and mean error in ULPs and its bar. "
                       "A full run (no --select) writes build/klforge/manifest.json "
                       "($KLFORGE_BUILD_DIR) unless --no-write; exit 1 if a kernel misses its "
                       "bar or bound (known misses are reported, not failed).")
    v.add_argument("--select", metavar="NAMES", help="comma-separated kernel names (default: all)")
    v.add_argument("--quick", action="store_true", help="fewer points (smoke run)")
    v.add_argument("--no-write", action="store_true", help="write no manifest at all")
    v.add_argument("--write-manifest", action="store_true",
                   help="write the committed kernels/manifest.json (maintainers) instead of "
                   "build/klforge/manifest.json ($KLFORGE_BUILD_DIR)")
    v.add_argument("--markdown", action="store_true",
                   help="print the committed manifest as a Markdown table and exit")
    v.set_defaults(func=run_verify)


def _checkout_only(what: str) -> None:
    """Maintainer writes into the package (kernels/, the committed manifest) belong to a
    source checkout; from an installed wheel they would rewrite site-packages."""
    from .._io import KLFORGE_DIR, is_checkout

    if not is_checkout():
        raise UsageError(f"{what} rewrites files of the installed package in "
                         f"{KLFORGE_DIR.parent}; run it in a source checkout of klforge")


def run_emit(args) -> int:
    select = select_names(args.select, kernel_names(), "kernel")
    if args.out is None and not args.check:
        _checkout_only("emit without --out DIR")
    from ..emit import DEFAULT_OUT, StaleError, emit

    try:
        print(emit(args.out or DEFAULT_OUT, select=select, check=args.check))
        if select is None and args.out is None:  # every generated file of the checkout
            print(emit_known_forms(check=args.check))
    except StaleError as e:
        print(f"klforge emit: {e}", file=sys.stderr)
        return 1
    return 0


def emit_known_forms(check: bool) -> str:
    """Write (or with ``check``, compare) the audit's generated engine forms
    (``klforge/audit/_known_forms.py``: the closed forms as mpmath expressions, so the audit
    checks typed formulas without SymPy); returns a status line."""
    from ..audit import known
    from ..emit import write_or_check

    return write_or_check(known.output_path(), known.generate(), check)


def run_verify(args) -> int:
    select = select_names(args.select, kernel_names(), "kernel")
    if args.write_manifest:
        _checkout_only("--write-manifest")
    from .. import verify

    if args.markdown:
        import json

        from .._io import MANIFEST

        print(verify.markdown_table(json.loads(MANIFEST.read_text())))
        return 0
    print(verify.HEADER_ROW)
    _, _, failures = verify.run(select=select, quick=args.quick, write=not args.no_write,
                                write_manifest=args.write_manifest)
    if failures:
        names = ", ".join(sorted({f"{f.kernel}/{f.dtype}" for f in failures}))
        print(f"klforge verify: {len(failures)} kernel/dtype pair(s) above their bar: {names}",
              file=sys.stderr)
        return 1
    return 0
