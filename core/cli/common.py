"""What every command group of the CLI shares: exit codes and the subcommand registry type."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from core.quality.labels import NO, YES

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FILE_FAILED = 2
EXIT_UNAVAILABLE = 3


def yes_no(text: str) -> bool:
    """An argparse type for yes|no flags (also true/false, 1/0)."""
    if text.strip().lower() in YES:
        return True
    if text.strip().lower() in NO:
        return False
    raise argparse.ArgumentTypeError("say yes or no")


#: what `add_subparsers` returns; each command group adds its commands to it
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
