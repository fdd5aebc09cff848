"""``python -m briefgen.cli``."""

import sys

from . import main

sys.exit(main())
