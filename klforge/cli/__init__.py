"""The ``klforge`` command line.

Main job: ``klforge site`` (the lesson, its kernel reference and audit report).  Beside it:
``audit`` (check course text), ``derive`` (print derivations), ``warm`` (compile the kernels);
maintainer commands: ``emit`` (regenerate the kernels), ``verify`` (ULPs against mpmath) and
``bench`` (speed against peers).  Errors are one line on stderr: exit 2 for usage errors
(unknown names, unreadable input), 1 for a failed check.
"""

from __future__ import annotations

import argparse
import sys

from . import audit, bench, derive, maintainer, site, warm
from .common import DefaultsFormatter, UsageError, kernel_names, select_names

__all__ = ["DefaultsFormatter", "UsageError", "build_parser", "kernel_names", "main",
           "select_names"]

#: the command groups, in the order ``klforge --help`` lists them; each module's
#: ``register(subparsers, formatter)`` adds its command(s)
COMMANDS = (site, derive, warm, maintainer, audit, bench)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    p = argparse.ArgumentParser(prog="klforge", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"klforge {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMANDS:
        group.register(sub, DefaultsFormatter)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `klforge derive --list | head`
        sys.stderr.close()
        return 0
    except KeyError as e:
        print(f"klforge {args.command}: {e.args[0]}", file=sys.stderr)
        return 2
    except OSError as e:  # "klforge emit: kernels/_kernels.py: Permission denied"
        where = f"{e.filename}: " if e.filename else ""
        print(f"klforge {args.command}: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except ArithmeticError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
