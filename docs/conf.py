"""Sphinx configuration for the klforge lesson site.  Sources live in ../content (MyST);
build with `klforge site` (strict: -W -n), which runs sphinx-build -c docs content OUT."""

project = "KL divergence, derived and verified"
author = "klforge"
extensions = ["myst_parser", "klforge.site", "sphinx.ext.mathjax", "sphinx_copybutton",
              "sphinx_design", "sphinxcontrib.bibtex"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
math_number_all = False
math_numfig = True
numfig = True
exclude_patterns = ["_build", "README.md"]
html_theme = "furo"
html_title = project
suppress_warnings = []
bibtex_bibfiles = ["references.bib"]  # relative to the sources (content/)
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"
