extensions = ["myst_parser", "klforge.site"]
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build"]
