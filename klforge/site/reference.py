"""Kernel reference and accuracy pages, built from the derivations and the manifest.

* ``kernel-reference`` — ```` ```{kernel-reference} kl_normal ```` (a derivation name): the
  kernel's call, its parameters and domains, the derived closed form, the stable evaluation
  order, the special-value semantics and the verified error table (``kernels/manifest.json``,
  written by ``klforge verify``: max and mean error in ULPs per dtype, the bar or bound).
  The text a kernel's spec declares (``KernelSpec.reference``, in its family file) opens it.
* ``kernel-references`` — ```` ```{kernel-references} families ````: a section per kernel
  whose spec names that page, in kernel order, each with its ``kernel-reference`` content —
  computed from the registry, so a new family file appears without editing the page.
* ``kernel-accuracy`` — every kernel's row of the manifest in one Boost.Math-style table.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from ..emit.templates import SPECIAL_VALUES
from . import cache
from .deps import uses
from .printing import break_lines, stable_fits, stable_latex


def table(header: list[str], rows: list[list], widths=None) -> nodes.table:
    """A docutils table of plain-text (or node) cells."""
    tbl = nodes.table(classes=["klforge-table"])
    group = nodes.tgroup(cols=len(header))
    tbl += group
    for w in widths or [1] * len(header):
        group += nodes.colspec(colwidth=w)

    def row(cells):
        r = nodes.row()
        for c in cells:
            entry = nodes.entry()
            entry += c if isinstance(c, nodes.Node) else nodes.paragraph(text=str(c))
            r += entry
        return r

    head = nodes.thead()
    head += row(header)
    body = nodes.tbody()
    for cells in rows:
        body += row(cells)
    group += [head, body]
    return tbl


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3g}"


def _bar(r: dict) -> str:
    if r.get("bar") is not None:
        return f"≤ {r['bar']} ULP" + (" (known miss)" if r.get("known_miss") else " ✓")
    bound = (r.get("bound") or "").split(":")[0]
    return f"{bound}; measured {_fmt(r.get('max_scaled'))} eps·scale" if bound else "—"


def error_rows(manifest: dict, kernel: str) -> list[list[str]]:
    rows = [r for r in manifest["kernels"].values() if r["kernel"] == kernel]
    return [[r["dtype"], _fmt(r["max_ulp"]), _fmt(r["mean_ulp"]), str(r["points"]), _bar(r)]
            for r in sorted(rows, key=lambda r: r["dtype"], reverse=True)]


def _display(latex: str, fits: bool | None = None) -> list[str]:
    """A display broken over lines; one too wide to break scrolls in ``klforge-wide``
    (``fits`` given: the caller laid it out already)."""
    if fits is None:
        latex, fits = break_lines(latex)
    block = ["$$", latex, "$$"]
    return block if fits else ["```{container} klforge-wide", *block, "```"]


def reference_nodes(directive: SphinxDirective, name: str, what: str) -> list[nodes.Node]:
    """The reference of the kernel of derivation ``name`` (``what``: the directive, for
    error messages): spec text, call, parameters, closed and stable form, special values,
    checks and the error table of the manifest."""
    from ..derive.core import specs

    uses(directive.env, "engine")
    uses(directive.env, "manifest")
    try:
        d = cache.rendered(name)
        manifest = cache.manifest()
    except (KeyError, FileNotFoundError) as e:
        raise directive.error(f"{what}: {e.args[-1] if e.args else e}") from None
    if not d["kernel"]:
        raise directive.error(f"{what}: derivation {d['name']} has no kernel")
    k = d["kernel"]
    args = ", ".join(p[0] for p in d["params"])
    text = specs()[k].reference
    md = [text, ""] if text else []
    md += [f"**{d['title']}.** `kernels.{k}({args})` — a NumPy "
           f"{'gufunc' if _is_vector(d) else 'ufunc'}; derivation: `klforge derive "
           f"{d['name']}`.", "",
           "| parameter | symbol | domain |", "|---|---|---|"]
    md += [f"| `{n}` | ${s}$ | {dom} |" for n, s, dom in d["params"]]
    md += ["", "Closed form, derived by SymPy from the definition:", "",
           *_display(d["closed"]), ""]
    if d["stable"]:
        md += [f"Evaluated in this order (rewrite rules: {', '.join(d['rules']) or 'none'}):",
               "", *_display(stable_latex(d["stable"]), stable_fits(d["stable"])), ""]
    md += [SPECIAL_VALUES, ""]
    if d["checks"]:
        md += ["Checks the derivation passed: "
               + "; ".join(f"{n} ({m})" for n, m in d["checks"]) + ".", ""]
    out = directive.parse_text_to_nodes("\n".join(md))
    rows = error_rows(manifest, k)
    if not rows:
        raise directive.error(f"{what}: {k} is not in kernels/manifest.json; "
                              "run `klforge verify --write-manifest`")
    out.append(nodes.paragraph(text=f"Verified error against mpmath ({manifest['reference']}"
                                    "):"))
    out.append(table(["dtype", "max ULP", "mean ULP", "points", "bar / bound"], rows))
    return out


class KernelReference(SphinxDirective):
    """```` ```{kernel-reference} kl_normal ````: one kernel, by derivation name."""

    required_arguments = 1
    has_content = False

    def run(self):
        return reference_nodes(self, self.arguments[0], "kernel-reference")


class KernelReferences(SphinxDirective):
    """```` ```{kernel-references} families ````: a section per kernel whose spec names the
    page, from the registry."""

    required_arguments = 1
    has_content = False

    def run(self):
        from ..derive.core import kernel_derivations, specs

        page = self.arguments[0]
        kernels = sorted(k for k, s in specs().items() if s.page == page)
        if not kernels:
            pages = sorted({s.page for s in specs().values() if s.page})
            raise self.error(f"kernel-references: no kernel lists page {page!r}; pages: "
                             f"{', '.join(pages)}")
        out = []
        for k in kernels:
            section = nodes.section(ids=[nodes.make_id(f"kernel-{k}")],
                                    names=[nodes.fully_normalize_name(k)])
            section += nodes.title(text=k)
            section += reference_nodes(self, kernel_derivations()[k], "kernel-references")
            self.state.document.note_implicit_target(section, section)
            out.append(section)
        return out


def _is_vector(d) -> bool:
    return any(dom.startswith(("x_i", "lower")) for _, _, dom in d["params"])


class KernelAccuracy(SphinxDirective):
    """Every kernel and primitive of the manifest: max/mean ULP per dtype."""

    has_content = False

    def run(self):
        uses(self.env, "manifest")
        try:
            manifest = cache.manifest()
        except FileNotFoundError as e:
            raise self.error(f"kernel-accuracy: {e}") from None
        kernels = sorted({r["kernel"] for r in manifest["kernels"].values()})
        rows = [[k, *row] for k in kernels for row in error_rows(manifest, k)]
        prims = [[n, "float64", _fmt(r["max_ulp"]), _fmt(r["mean_ulp"]), str(r["points"]), "—"]
                 for n, r in manifest["primitives"].items()]
        head = ["kernel", "dtype", "max ULP", "mean ULP", "points", "bar / bound"]
        note = nodes.paragraph(text=f"Reference: {manifest['reference']}. Source hash "
                                    f"{manifest['kernels_source_sha256'][:12]}"
                                    f"{' (quick run)' if manifest.get('quick') else ''}.")
        return [note, table(head, rows + prims)]

