"""Errors an importer raises, and how a kept-but-incomplete row is told apart from a refused one."""

from __future__ import annotations

from core.models import RowError

# A RowError whose message starts with this kept its tender; only one field was left out.
WARNING_PREFIX = "warning: "


class ImportFileError(Exception):
    """The whole file is refused; `str(exc)` is one sentence naming the file and what to do."""

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(message)
        self.filename = filename


class FieldProblem(ValueError):
    """One cell could not be read; the message completes "value '…' <message>"."""


def is_warning(error: RowError) -> bool:
    """True when the row was imported and only one of its fields was dropped or shortened."""
    return error.is_warning
