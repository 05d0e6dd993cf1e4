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


#: top-level module → (distribution, how to install it)
_DEPENDENCIES = {"sympy": "sympy", "mpmath": "mpmath", "markdown_it": "markdown-it-py",
                 "mdit_py_plugins": "mdit-py-plugins", "docutils": "docutils"}
_EXTRAS = {"sphinx": "docs", "myst_parser": "docs", "furo": "docs", "matplotlib": "docs",
           "scipy": "docs", "sphinx_design": "docs", "sphinx_copybutton": "docs",
           "sphinxcontrib": "docs", "torch": "bench"}


def missing_dependency(module: str) -> str:
    """One line for a command that needs a module this install lacks, e.g.
    ``needs sympy, which is not installed (a kernels-only install has numpy and numba; pip
    install klforge with its dependencies)``."""
    top = module.split(".")[0]
    if top in _DEPENDENCIES:
        how = (f"a kernels-only install has numpy and numba; pip install klforge with its "
               f"dependencies, or pip install {_DEPENDENCIES[top]}")
    else:
        how = f"pip install 'klforge[{_EXTRAS[top]}]'"
    return f"needs {top}, which is not installed ({how})"


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"klforge {args.command}: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:  # a partial install (kernels only: numpy + numba)
        if not e.name or e.name.split(".")[0] not in (*_DEPENDENCIES, *_EXTRAS):
            raise  # not a dependency we know: a bug to see, never a guess at a PyPI name
        print(f"klforge {args.command}: {missing_dependency(e.name)}", file=sys.stderr)
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
