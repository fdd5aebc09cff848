"""``python -m briefgen.cli``."""

from . import run

run()
