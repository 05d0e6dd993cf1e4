"""The lesson's formulas and numbers come from the engine.

* ``derivation`` directive — ```` ```{derivation} kl_normal ```` inserts the derived closed
  form as a (numbered, referable with ``:label:``) equation; ``:show: definition,steps,
  closed,stable`` picks the parts (the definition, SymPy's steps, the closed form, the
  numerically stable evaluation order).
* ``kl`` role — ``{kl}`k1.kl:.4f``` prints an engine value (:mod:`derive.problems`) with a
  Python format spec, rounded half-even from 50 digits.

Both read :mod:`derive.site.cache`, so a page edit never re-runs SymPy, and both record
that the page depends on the engine, so an engine edit re-reads the page.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.directives.patches import MathDirective
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from . import cache
from .deps import uses
from .printing import break_lines, stable_fits, stable_latex

logger = logging.getLogger(__name__)
PARTS = ("definition", "steps", "closed", "stable")


class DerivationDirective(MathDirective):
    """```{derivation} NAME``` with options ``:show:`` (comma list of definition, steps,
    closed, stable; default closed), ``:label:`` (labels the closed form) and ``:typeset:``
    (the closed form as the author types it, verified equal to the derivation by
    :mod:`.typeset`; SymPy's form is then folded under "As derived")."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec = {**MathDirective.option_spec, "show": directives.unchanged,
                   "typeset": directives.unchanged}

    def run(self):
        uses(self.env, "engine")
        try:
            d = cache.rendered(self.arguments[0])
        except KeyError as e:
            raise self.error(f"derivation: {e.args[0]}") from None
        show = [s.strip() for s in self.options.get("show", "closed").split(",") if s.strip()]
        unknown = sorted(set(show) - set(PARTS))
        if unknown:
            raise self.error(f"derivation: unknown :show: part(s) {', '.join(unknown)}; "
                             f"choose from {', '.join(PARTS)}")
        if "stable" in show and d["stable"] is None:
            raise self.error(f"derivation: {d['name']} has no stable form")
        out: list[nodes.Node] = []
        if "definition" in show:
            out += self._part("Definition", d["definition"])
        if "steps" in show:
            for text, latex in d["steps"]:
                out += [self._label(text), *self._math(latex, labelled=False)]
        if "closed" in show:
            if len(show) > 1:
                out.append(nodes.paragraph(text="Closed form:"))
            typed = " ".join(self.options.get("typeset", "").split())
            if typed:
                out += self._typeset(d, typed)
            else:
                out += self._math(d["closed"], labelled=True)
        if "stable" in show:
            out += self._part("Stable evaluation order (rewrite rules: "
                              + ", ".join(d["rules"] or ["none"]) + ")",
                              stable_latex(d["stable"]), fits=stable_fits(d["stable"]))
        return out

    def _typeset(self, d: dict, typed: str):
        """The author's form, verified equal to the derivation (else a located error), then
        SymPy's form folded away under "As derived"."""
        from .typeset import verified

        error = verified(d["name"], typed)
        if error:
            raise self.error(f"derivation {d['name']}: :typeset: {error}")
        out = self._math(typed, labelled=True)
        out.append(nodes.raw("", '<details class="klforge-derived"><summary>As derived by the '
                             "engine (verified equal at 50 digits)</summary>", format="html"))
        out += self._math(d["closed"], labelled=False)
        out.append(nodes.raw("", "</details>", format="html"))
        return out

    def _label(self, text: str) -> nodes.paragraph:
        """A step's label with its mathematics typeset (:mod:`.steplabels`)."""
        from .steplabels import split

        try:
            pieces = split(text)
        except ValueError as e:
            raise self.error(f"derivation: {e}") from None
        para = nodes.paragraph()
        for kind, piece in pieces:
            para += nodes.math(piece, piece) if kind == "math" else nodes.Text(piece)
        para += nodes.Text(":")
        return para

    def _part(self, text: str, latex: str, fits: bool | None = None):
        return [nodes.paragraph(text=text + ":"), *self._math(latex, labelled=False, fits=fits)]

    def _math(self, latex: str, labelled: bool, fits: bool | None = None):
        """The display, broken over lines when long; one that cannot be broken (a single
        term wider than the column) goes in a ``klforge-wide`` container, which scrolls.
        ``fits`` given: the caller laid the display out already."""
        if fits is None:
            latex, fits = break_lines(latex)
        out = self._math_nodes(latex, labelled)
        if fits:
            return out
        box = nodes.container(classes=["klforge-wide"])
        box += out
        return [box]

    def _math_nodes(self, latex: str, labelled: bool):
        saved = dict(self.options)
        if not labelled:
            self.options.pop("label", None)
            self.options.pop("name", None)
        self.content = StringList([latex])
        self.arguments = []
        try:
            return MathDirective.run(self)
        finally:
            self.options = saved


class ValueRole(SphinxRole):
    """``{kl}`KEY:SPEC``` → the engine's value for KEY formatted with SPEC (default .4f)."""

    def run(self):
        uses(self.env, "engine")
        key, _, spec = self.text.partition(":")
        key, spec = key.strip(), spec or ".4f"
        values = cache.problem_values()
        try:
            if key not in values:
                raise KeyError(f"unknown value {key!r}; known: {', '.join(sorted(values))}")
            text = format_value(values[key], spec)
        except (KeyError, ValueError) as e:
            msg = e.args[0] if e.args else str(e)
            logger.warning(f"kl role: {msg}", location=self.get_location(), type="klforge",
                           subtype="value")
            return [nodes.problematic(self.rawtext, self.rawtext)], []
        return [nodes.inline(self.rawtext, text, classes=["kl-value"])], []


def format_value(v, spec: str) -> str:
    """Format a value (a decimal string, or an mpmath number) with a Python format spec,
    through Decimal: half-even rounding from ≥ 40 significant digits, never through a
    binary double.  A bad spec raises ValueError naming it."""
    import mpmath

    text = v if isinstance(v, str) else mpmath.nstr(v, 40, strip_zeros=False)
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_EVEN
        ctx.prec = 60
        try:
            return format(Decimal(text), spec)
        except (ValueError, InvalidOperation):
            raise ValueError(f"bad format spec {spec!r} (use a Python spec such as .4f)") \
                from None
