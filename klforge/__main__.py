"""``python -m klforge`` is the ``klforge`` command."""

import sys

from .cli import main

sys.exit(main())
