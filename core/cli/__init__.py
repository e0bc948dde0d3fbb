"""`python -m core.cli`: the command line (see README, Command line)."""

from core.cli.main import main

__all__ = ["main"]
