"""Figures for the applied sections (ELBO/VAE, distillation, reinforcement learning, geometry,
estimation, relatives, practice), drawn at build time with fixed seeds.

Each figure is a zero-argument function returning a matplotlib figure, registered in
:data:`FIGURES` under the name a page uses in ```` ```{klforge-figure} name ```` ; the site's
registry (:data:`klforge.site.plots.FIGURES`) includes these.
"""

from __future__ import annotations

FIGURES: dict = {}
