"""What every command group of the CLI shares: exit codes and the subcommand registry type."""

from __future__ import annotations

import argparse
from typing import TypeAlias

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FILE_FAILED = 2
EXIT_UNAVAILABLE = 3

#: what `add_subparsers` returns; each command group adds its commands to it
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
