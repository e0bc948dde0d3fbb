"""What an import read from a file and what it stored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.models.tender import Tender


class ImportCounts(BaseModel):
    new: int = 0
    duplicates: int = 0
    updated: int = 0


class RowError(BaseModel):
    """A problem in one row, with the 1-based row number the user sees in the file.

    An `error` row was refused; a `warning` row was imported without the field it names.
    """

    row: int
    message: str
    level: Literal["error", "warning"] = "error"

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"


class _FileRows(BaseModel):
    """One file's row problems, split into refused rows and kept-with-a-warning rows."""

    filename: str
    format: str
    errors: list[RowError] = Field(default_factory=list)

    @property
    def refused_rows(self) -> list[RowError]:
        return [e for e in self.errors if not e.is_warning]

    @property
    def warnings(self) -> list[RowError]:
        return [e for e in self.errors if e.is_warning]


class ParsedFile(_FileRows):
    """What an importer read from one file: tenders ready to store, and rows it refused.

    When the import streamed (core.ingest.rows.streaming_to), the tenders went to storage as
    they were read: `tenders` is empty and `streamed` says how many there were.
    """

    tenders: list[Tender] = Field(default_factory=list)
    streamed: int = 0


class ImportSummary(_FileRows):
    new: int = 0
    duplicates: int = 0
    #: later notices of procedures already stored, saved as new versions of their tenders
    updated: int = 0
    failed: str | None = None  # set when the whole file was refused: one sentence saying what to do

    @property
    def ok(self) -> bool:
        return self.failed is None

    def counts_text(self) -> str:
        """'8 new, 1 duplicate, 0 row errors, 2 warnings' — the same words in the CLI and the UI."""

        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        updated = f"{self.updated} updated, " if self.updated else ""
        text = (
            f"{self.new} new, {updated}{plural(self.duplicates, 'duplicate')}, "
            f"{plural(len(self.refused_rows), 'row error')}"
        )
        if self.warnings:
            text += f", {plural(len(self.warnings), 'warning')}"
        return text
