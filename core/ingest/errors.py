"""Errors an importer raises, and the wording of kept-but-incomplete rows."""

from __future__ import annotations

# Kept-with-a-warning rows (RowError.level == "warning") also say so in their message.
WARNING_PREFIX = "warning: "


class ImportFileError(Exception):
    """The whole file is refused; `str(exc)` is one sentence naming the file and what to do."""

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(message)
        self.filename = filename


class FieldProblem(ValueError):
    """One cell could not be read; the message completes "value '…' <message>"."""
