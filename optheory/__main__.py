"""``python -m optheory``."""

from optheory.cli import run

run()
