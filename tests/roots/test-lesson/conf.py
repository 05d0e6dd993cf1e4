extensions = ["myst_parser", "derive.sphinxext"]
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build"]
