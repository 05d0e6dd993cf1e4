"""``klforge derive [NAME] [--list] [--all] [--latex]``: print a derivation — definition,
steps, closed form, stable form, checks.  ``--list`` (or no name) prints the registry's names
without deriving anything.  Example: ``klforge derive kl_normal_std``.
"""

from __future__ import annotations

import sys

from .common import select_names


def register(sub, fmt) -> None:
    d = sub.add_parser("derive", formatter_class=fmt,
                       help="print a derivation (definition, steps, closed and stable form)",
                       description="Print one derivation as SymPy derives it: the parameters "
                       "and their domains, the definition (e.g. KL as an expectation), each "
                       "step with the rule that justifies it, the closed form, the numerically "
                       "stable form the kernel is generated from (with its `let` bindings), the "
                       "checks it passed and the kernel's name. Without NAME (or with --list) "
                       "only the registry's names are printed, instantly; a derivation takes "
                       "seconds. Example: klforge derive kl_normal --latex.")
    d.add_argument("name", nargs="?", metavar="NAME",
                   help="derivation name (default: print the list of names)")
    d.add_argument("--list", action="store_true", help="list the derivations' names and exit")
    d.add_argument("--all", action="store_true", help="print every derivation (slow)")
    d.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    d.set_defaults(func=run)


def run(args) -> int:
    from ..derive.core import get, names

    known = names()
    if args.list or not (args.name or args.all):
        for n in known:
            print(n)
        if not args.list:
            print(f"\n{len(known)} derivations; `klforge derive NAME` prints one, "
                  "`klforge derive --all` prints all (slow: each is derived by SymPy)",
                  file=sys.stderr)
        return 0
    targets = known if args.all else select_names(args.name, known, "derivation", "NAME")
    show = latex if args.latex else pretty
    for n in targets:
        d = get(n)
        print(f"== {d.name}: {d.title}")
        print("parameters: " + ", ".join(f"{p.name} ({p.domain})" for p in d.params))
        print("definition:\n" + show(d.definition))
        for i, s in enumerate(d.steps, 1):
            print(f"step {i}: {s.text}\n{show(s.expr)}")
        print("closed form:\n" + show(d.closed_form))
        if d.stable_form is not None:
            for sym, val in d.stable_form.bindings:
                print(let_binding(sym, val, args.latex))
            print("stable form:\n" + show(d.stable_form.result))
        for c in d.checks:
            print(f"check: {c.name} — {c.method} {c.detail}".rstrip())
        if d.kernel:
            print(f"kernel: klforge.kernels.{d.kernel}")
        print()
    return 0


def pretty(expr) -> str:
    """SymPy's 2-D text form (Unicode when the terminal has it)."""
    import sympy as sp

    return sp.pretty(expr)


def latex(expr) -> str:
    """LaTeX, with a one-element tuple written ``\\left( k \\right)`` (SymPy writes
    Python's ``\\left( k,\\right)``): e.g. the sufficient statistic ``T = (k)`` of a
    one-parameter family."""
    from sympy.printing.latex import LatexPrinter

    class _Printer(LatexPrinter):
        def _print_tuple(self, expr):  # sympy's Tuple is printed through this too
            if len(expr) == 1:
                return rf"\left( {self._print(expr[0])} \right)"
            return super()._print_tuple(expr)

    return _Printer().doprint(expr)


def let_binding(sym, val, as_latex: bool = False) -> str:
    """``  let u = …`` with a multi-line value (a fraction) laid out beside ``let u =``,
    its fraction bar on the line of the ``=``::

                  σₚ - σ_q
          let u = ────────
                    σ_q
    """
    import sympy as sp

    if as_latex:
        return f"  let {latex(sym)} = {latex(val)}"
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm

    printer = PrettyPrinter()
    try:
        form = printer._print(sp.Eq(sym, val, evaluate=False))
    except (TypeError, ValueError, AttributeError):  # a value Eq cannot hold (a tuple)
        return f"  let {sym} = {pretty(val)}"
    return "\n".join(line.rstrip() for line in
                     prettyForm(*form.left("  let ")).render(**printer._settings).splitlines())
