"""Sphinx extension: the lesson's formulas and numbers come from the engine.

* ``derivation`` directive — ```` ```{derivation} kl_normal ```` inserts the derived closed
  form as a (numbered, referable with ``:label:``) equation; ``:show: steps,stable`` adds the
  derivation's steps and its numerically stable form.
* ``kl`` role — ``{kl}`k1.kl:.4f``` prints an engine value (:mod:`derive.problems`) with a
  Python format spec, rounded half-even from 50 digits.
* Every page is audited (:mod:`derive.audit`) as it is read: each error becomes a Sphinx
  warning at ``file:line`` (type ``klforge.audit``), so a strict build (``-W``) fails on any
  wrong number typed into the lesson.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import mpmath
import sympy as sp
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.directives.patches import MathDirective
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)
PARTS = ("definition", "steps", "closed", "stable")


class DerivationDirective(MathDirective):
    """```{derivation} NAME``` with options ``:show:`` (comma list of definition, steps,
    closed, stable; default closed) and ``:label:``."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec = {**MathDirective.option_spec, "show": directives.unchanged}

    def run(self):
        from .core import get

        try:
            d = get(self.arguments[0])
        except KeyError as e:
            raise self.error(f"derivation: {e.args[0]}") from None
        show = [s.strip() for s in self.options.get("show", "closed").split(",") if s.strip()]
        unknown = sorted(set(show) - set(PARTS))
        if unknown:
            raise self.error(f"derivation: unknown :show: part(s) {', '.join(unknown)}; "
                             f"choose from {', '.join(PARTS)}")
        out: list[nodes.Node] = []
        if "definition" in show:
            out += self._math(sp.latex(d.definition), labelled=False)
        if "steps" in show:
            for step in d.steps:
                para = nodes.paragraph(text=step.text + ":")
                out += [para, *self._math(sp.latex(step.expr), labelled=False)]
        if "closed" in show:
            out += self._math(sp.latex(d.closed_form), labelled=True)
        if "stable" in show and d.stable_form is not None:
            lines = [fr"{sp.latex(s)} &= {sp.latex(v)}" for s, v in d.stable_form.bindings]
            lines.append(fr"\mathrm{{result}} &= {sp.latex(d.stable_form.result)}")
            body = r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"
            out += self._math(body, labelled=False)
        return out

    def _math(self, latex: str, labelled: bool):
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
        from .problems import value

        key, _, spec = self.text.partition(":")
        spec = spec or ".4f"
        try:
            v = value(key.strip())
            text = format_value(v, spec)
        except (KeyError, ValueError) as e:
            msg = e.args[0] if e.args else str(e)
            logger.warning(f"kl role: {msg}", location=self.get_location(), type="klforge",
                           subtype="value")
            return [nodes.problematic(self.rawtext, self.rawtext)], []
        return [nodes.inline(self.rawtext, text, classes=["kl-value"])], []


def format_value(v, spec: str) -> str:
    """Format an mpmath value with a Python format spec via Decimal (half-even rounding from
    40 significant digits, never through a binary double)."""
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_EVEN
        return format(Decimal(mpmath.nstr(v, 40, strip_zeros=False)), spec)


def audit_source(app, docname: str, source: list[str]) -> None:
    """``source-read`` hook: audit the page; errors become warnings at file:line."""
    from .audit import audit_text

    path = Path(app.env.doc2path(docname))
    fmt = "tex" if path.suffix == ".tex" else "md"
    report = audit_text(source[0], fmt, str(path))
    app.env.klforge_audit = getattr(app.env, "klforge_audit", {})
    app.env.klforge_audit[docname] = [f.as_dict() for f in report.findings]
    for f in report.findings:
        if f.severity == "error":
            logger.warning(f"audit: {f.relation}: {f.message}", location=(docname, f.line),
                           type="klforge", subtype="audit")


def setup(app):
    app.add_directive("derivation", DerivationDirective)
    app.add_role("kl", ValueRole())
    app.connect("source-read", audit_source)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
