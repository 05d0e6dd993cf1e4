extensions = ["myst_parser", "derive.site"]
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build"]
