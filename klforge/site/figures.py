"""``klforge-figure`` directive: a figure drawn at build time by :mod:`derive.site.plots`.

````
```{klforge-figure} forward-reverse
:name: fig-forward-reverse
:alt: Two Gaussian fits to a bimodal mixture

Caption text.
```
````

The PNG is drawn once per engine hash (fixed seeds, so identical inputs give the same
figure) and stored in the site cache; the page refers to it and Sphinx copies it into
``_images``.  It accepts the options of Sphinx's ``figure`` directive.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from sphinx.directives.patches import Figure

from . import cache
from .deps import uses


def figure_png(name: str) -> Path:
    """Draw figure ``name`` (a key of plots.FIGURES) into the cache, once; its path."""
    from .plots import FIGURES

    if name not in FIGURES:
        raise KeyError(f"no figure named {name!r}; known: {', '.join(sorted(FIGURES))}")
    path = cache.entry("figures", name, ".png")
    if not path.exists():
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        with matplotlib.rc_context({"svg.hashsalt": "klforge", "font.size": 9}):
            fig = FIGURES[name]()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=130, metadata={"Software": None})
            plt.close(fig)
        cache.atomic_write(path, buf.getvalue())
    return path


class KlforgeFigure(Figure):
    """```{klforge-figure} NAME``` — the figure ``NAME`` from :data:`plots.FIGURES`."""

    def run(self):
        env = self.state.document.settings.env
        uses(env, "engine")
        try:
            png = figure_png(self.arguments[0])
        except KeyError as e:
            raise self.error(f"klforge-figure: {e.args[0]}") from None
        except Exception as e:  # a plotting failure names the figure, not a traceback
            raise self.error(f"klforge-figure {self.arguments[0]}: {type(e).__name__}: {e}") \
                from None
        docdir = Path(env.doc2path(env.docname)).parent
        self.arguments = [Path(os.path.relpath(png, docdir)).as_posix()]
        self.options.setdefault("alt", f"figure {png.stem}")
        return super().run()
