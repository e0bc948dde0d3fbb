"""Logs go to a file, never to the user's screen: users get one-sentence messages instead."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

_configured = False


def configure_logging(log_dir: Path | None = None) -> Path:
    """Send Tenderwise's logs to `logs/tenderwise.log` (rotated); return the file's path."""
    global _configured
    directory = log_dir or Path(os.environ.get("TENDERWISE_LOG_DIR", "logs"))
    path = directory / "tenderwise.log"
    if _configured:
        return path
    directory.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("core", "storage"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False
    _configured = True
    return path
