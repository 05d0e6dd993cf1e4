"""``python -m klforge.cli`` is the ``klforge`` command."""

import sys

from . import main

sys.exit(main())
