"""The Markdown parser the audit reads with, and what its tokens mean to it.

:func:`parser` is markdown-it-py (CommonMark, pipe tables) with the plugins myst-parser itself
uses: ``front_matter``, MyST blocks and roles, ``dollarmath`` (``$…$`` and ``$$…$$`` inline),
``amsmath`` (top-level ``\\begin{align}``), ``colon_fence`` (``:::{note}``) and ``deflist``.
Around it: which directive bodies are code (:data:`CODE_DIRECTIVES`, never audited), how deep
nested directives are read (:data:`MAX_NESTING`), a directive's options blanked
(:func:`options_blanked`), a paragraph that opens a sub-problem (:func:`is_label`: ``(a)``,
``b)``, ``(iii)``, **Part 2**) and the token types of a pipe table (:data:`TABLE_EVENTS`).
The walk over the tokens is :mod:`.markdown`.

Example: ``[t.type for t in parser().parse("$x$")]`` →
``["paragraph_open", "inline", "paragraph_close"]`` (the ``$x$`` is a ``math_inline`` child).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: directive bodies that are not Markdown
CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude", "raw",
                   "eval-rst", "python", "r", "julia", "ojs", "bash", "sh", "mermaid", "dot",
                   "graphviz", "include", "csv-table", "derivation", "bibliography", "toctree"}
#: nested directives read recursively (a bound on pathological nesting)
MAX_NESTING = 20
_OPTION = re.compile(r"[ \t]*:[\w-]+:[^\n]*")
_LABEL = re.compile(r"[ \t>]*(?:\(?(?:[a-h]|i{1,3}|iv|vi{0,3}|ix|x)\)|\(\d{1,2}\)|[a-h]\.(?=\s)|"
                    r"(?:Part|Problem|Exercise|Example|Question|Solution|Answer|Case)\s*"
                    r"(?:\d+|[A-Za-z]\b|[:.)]))")


@lru_cache(maxsize=1)
def parser():
    """The markdown-it-py parser (built once): CommonMark + tables + the MyST plugins."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.colon_fence import colon_fence_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.myst_blocks import myst_block_plugin
    from mdit_py_plugins.myst_role import myst_role_plugin
    return (MarkdownIt("commonmark", {"maxNesting": 40}).enable("table")
            .use(front_matter_plugin).use(myst_block_plugin).use(myst_role_plugin)
            .use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
            .use(colon_fence_plugin).use(deflist_plugin))


#: the token types of a pipe table (markdown-it's ``table`` rule)
TABLE_EVENTS = {"table_open", "table_close", "tr_open", "th_open", "td_open", "th_close",
                "td_close"}


def options_blanked(body: str) -> str:
    """Directive options (``:label: x`` lines, a leading ``---`` YAML block) as spaces."""
    out, i, lines = [], 0, body.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            out = [" " * len(x) for x in lines[:end + 1]]
            i = end + 1
    while i < len(lines) and _OPTION.fullmatch(lines[i]):
        out.append(" " * len(lines[i]))
        i += 1
    return "\n".join(out + lines[i:])


def is_label(kids, content: str) -> bool:
    """Does a paragraph open with a sub-problem label: **Part 2**, (a), b), (iii), Example 3?"""
    if _LABEL.match(content):
        return True
    if len(kids) >= 3 and kids[0].type == "text" and not kids[0].content.strip():
        kids = kids[1:]
    if kids and kids[0].type in ("strong_open", "em_open") and len(kids) >= 3:
        label = kids[1].content.strip()
        return 0 < len(label) <= 40 and len(label.split()) <= 5
    return False
