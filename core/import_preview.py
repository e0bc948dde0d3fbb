"""Read uploaded files for a preview first, then store what the user chose to import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from core.importing import store_parsed
from core.ingest import SUPPORTED_EXTENSIONS, ImportFileError, parse_file
from core.models import ImportSummary, ParsedFile
from storage.tenders import TenderRepository

PREVIEW_ROWS = 10


class FilePreview(BaseModel):
    """One uploaded file as read: its tenders and row problems, or why it was refused."""

    filename: str
    parsed: ParsedFile | None = None
    failed: str | None = None

    @property
    def tenders(self) -> int:
        return len(self.parsed.tenders) if self.parsed else 0

    @property
    def row_problems(self) -> int:
        return len(self.parsed.refused_rows) if self.parsed else 0

    @property
    def row_warnings(self) -> int:
        return len(self.parsed.warnings) if self.parsed else 0

    def first_rows(self, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
        """The first tenders as flat rows for a preview table."""
        if self.parsed is None:
            return []
        return [
            {
                "title": t.title,
                "buyer": t.buyer,
                "value": t.value_amount,
                "currency": t.value_currency,
                "deadline": t.deadline,
                "cpv codes": ", ".join(t.cpv_codes),
                "other codes": ", ".join(f"{c.scheme} {c.code}" for c in t.classifications),
                "notice": t.notice_type.label,
                "country": t.country,
                "language": t.language,
            }
            for t in self.parsed.tenders[:limit]
        ]


def upload_types() -> list[str]:
    """Extensions for the upload widget, without dots."""
    return sorted({ext.lstrip(".").lower() for ext in SUPPORTED_EXTENSIONS})


def preview_file(data: bytes, filename: str) -> FilePreview:
    try:
        return FilePreview(filename=filename, parsed=parse_file(data, filename))
    except ImportFileError as exc:
        return FilePreview(filename=filename, failed=str(exc))


def import_previews(
    tenders: TenderRepository, previews: Sequence[FilePreview]
) -> list[ImportSummary]:
    """Store the tenders of every readable file. Refused files were reported by their preview
    and are skipped here."""
    return [store_parsed(tenders, p.parsed) for p in previews if p.parsed is not None]
