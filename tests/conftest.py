"""Suite-wide set-up: tests never write into the project's own `logs/` or `data/`."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SCRATCH = Path(tempfile.mkdtemp(prefix="tenderwise-tests-"))
# Set before any test module is imported: the log handler is configured once per process,
# and subprocesses (the CLI, the e2e server) inherit the environment.
os.environ["TENDERWISE_LOG_DIR"] = str(_SCRATCH / "logs")
os.environ["DUCKDB_PATH"] = str(_SCRATCH / "data" / "tenderwise.duckdb")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SCRATCH, ignore_errors=True)
