"""Read uploaded files for a preview first, then store what the user chose to import."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from core.access.audit import AuditLog
from core.access.roles import Actor
from core.imports.service import TenderImporter, import_bytes
from core.ingest import SUPPORTED_EXTENSIONS, Content, ImportFileError, parse_content
from core.ingest.columns import ColumnMap, ColumnUse, column_choices
from core.ingest.rows import streaming_to
from core.models import ImportSummary, Tender

PREVIEW_ROWS = 10
Resolver = Callable[[Sequence[str]], ColumnMap]


class FilePreview(BaseModel):
    """One uploaded file as read: its first tenders and the counts, or why it was refused.

    Only the first rows are kept (a 100 MB package would not fit in a browser session); the
    import reads the file again and stores it in batches.
    """

    filename: str
    format: str | None = None
    tenders: int = 0
    first: list[Tender] = Field(default_factory=list)
    row_problems: int = 0
    row_warnings: int = 0
    failed: str | None = None
    #: a spreadsheet's header layout and each column's use (None for portal formats)
    layout: str | None = None
    columns: list[ColumnUse] = Field(default_factory=list)

    @property
    def unused_columns(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None and c.header]

    @property
    def readable(self) -> bool:
        return self.failed is None

    def first_rows(self) -> list[dict[str, Any]]:
        """The first tenders as flat rows for a preview table."""
        return [
            {
                "title": t.title,
                "buyer": t.buyer,
                "value": t.value_amount,
                "value low": t.value_low,
                "currency": t.value_currency,
                "deadline": t.deadline,
                "cpv codes": ", ".join(t.cpv_codes),
                "other codes": ", ".join(f"{c.scheme} {c.code}" for c in t.classifications),
                "notice": t.notice_type.label,
                "country": t.country,
                "language": t.language,
            }
            for t in self.first
        ]


def upload_types() -> list[str]:
    """Extensions for the upload widget, without dots."""
    return sorted({ext.lstrip(".").lower() for ext in SUPPORTED_EXTENSIONS})


def preview_file(
    data: bytes,
    filename: str,
    rows: int = PREVIEW_ROWS,
    *,
    progress: Callable[[float], None] | None = None,
    resolve: Resolver | None = None,
) -> FilePreview:
    """Read a file through once, keeping its first `rows` tenders and the counts.

    `progress(fraction read)` is called after each batch of tenders read, for a progress bar;
    `resolve(headers)` gives the user's column choices (core.imports.mapping.resolver).
    """
    content = Content(data, filename)
    first: list[Tender] = []
    count = 0

    def keep_first(batch: list[Tender]) -> None:
        nonlocal count
        count += len(batch)
        first.extend(batch[: max(rows - len(first), 0)])
        if progress is not None:
            progress(content.fraction_read())

    try:
        with streaming_to(keep_first), column_choices(resolve) as choices:
            parsed = parse_content(content)
    except ImportFileError as exc:
        return FilePreview(filename=filename, failed=str(exc))
    keep_first(parsed.tenders)  # importers that do not stream
    seen = choices.seen[0] if choices.seen else None
    return FilePreview(
        layout=seen.layout if seen else None,
        columns=list(seen.columns) if seen else [],
        filename=parsed.filename,
        format=parsed.format,
        tenders=count,
        first=first,
        row_problems=len(parsed.refused_rows),
        row_warnings=len(parsed.warnings),
    )


def import_files(
    tenders: TenderImporter,
    files: Sequence[tuple[str, bytes]],
    *,
    actor: Actor,
    audit: AuditLog | None = None,
    progress: Callable[[int, float, int], None] | None = None,
    resolve: Resolver | None = None,
) -> list[ImportSummary]:
    """Store the tenders of each (filename, bytes), in batches as each file is read.

    Everyone but viewers may import; each file is recorded in the audit log.
    `progress(file index, fraction read, tenders stored)` is called after each batch.
    """
    summaries = []
    for index, (filename, data) in enumerate(files):
        report = None if progress is None else functools.partial(progress, index)
        with column_choices(resolve):
            summary = import_bytes(
                tenders, filename, data, actor=actor, audit=audit, progress=report
            )
        summaries.append(summary)
    return summaries
