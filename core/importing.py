"""Import service: parse files, store new tenders, report what happened to each file.

Everyone but viewers may import (core.roles.WORKERS); each file imported is recorded in the
audit log when one is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.audit import AuditAction, AuditLog, check, note
from core.demo import demo_tenders
from core.ingest import ImportFileError, parse_file
from core.ingest.rows import streaming_to
from core.models import ImportCounts, ImportSummary, ParsedFile, RowError, Tender
from core.roles import WORKERS, Actor
from storage.tenders import TenderRepository


def allow_import(actor: Actor, audit: AuditLog | None, target: str = "tenders") -> None:
    """Raise NotAllowed (recorded as refused) unless the actor may import tenders."""
    check(audit, actor, WORKERS, "import tenders", target=target)


def record_import(audit: AuditLog | None, actor: Actor, summary: ImportSummary) -> None:
    """One audit event per file: what was stored, or why the file was refused."""
    if summary.failed:
        detail = f"{summary.format}: file refused — {summary.failed}"
    else:
        detail = f"{summary.format}: {summary.counts_text()}"
    note(audit, actor, AuditAction.IMPORT, target=f"file {summary.filename}", detail=detail)


def store_parsed(tenders: TenderRepository, parsed: ParsedFile) -> ImportSummary:
    counts = tenders.import_tenders(parsed.tenders, source_file=parsed.filename)
    return ImportSummary(
        filename=parsed.filename,
        format=parsed.format,
        new=counts.new,
        duplicates=counts.duplicates,
        updated=counts.updated,
        errors=parsed.errors,
    )


def import_bytes(
    tenders: TenderRepository,
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> ImportSummary:
    """Import one file, storing its tenders in batches as they are read.

    A refused file stores nothing and says why in `failed`. A file that breaks after some
    batches were stored keeps them, and says in a row error that the rest was not imported.
    """
    allow_import(actor, audit, f"file {filename}")
    summary = _import_bytes(tenders, filename, data)
    record_import(audit, actor, summary)
    return summary


def _import_bytes(tenders: TenderRepository, filename: str, data: bytes) -> ImportSummary:
    counts = ImportCounts()

    def store(batch: list[Tender]) -> None:
        stored = tenders.import_tenders(batch, source_file=filename)
        counts.new += stored.new
        counts.duplicates += stored.duplicates
        counts.updated += stored.updated

    try:
        with streaming_to(store):
            parsed = parse_file(data, filename)
    except ImportFileError as exc:
        if not (counts.new or counts.duplicates or counts.updated):
            return ImportSummary(filename=filename, format="unknown", failed=str(exc))
        broken = RowError(row=0, message=f"the rest of the file was not imported: {exc}")
        return ImportSummary(
            filename=filename, format="unknown", **counts.model_dump(), errors=[broken]
        )
    if parsed.tenders:  # an importer that does not stream
        store(parsed.tenders)
    return ImportSummary(
        filename=parsed.filename, format=parsed.format, errors=parsed.errors, **counts.model_dump()
    )


def import_paths(
    tenders: TenderRepository,
    paths: Iterable[Path],
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> list[ImportSummary]:
    allow_import(actor, audit)
    summaries = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            summary = ImportSummary(
                filename=path.name,
                format="unknown",
                failed=f"{path} could not be read ({reason}); check the path and try again.",
            )
        else:
            summary = _import_bytes(tenders, path.name, data)
        record_import(audit, actor, summary)
        summaries.append(summary)
    return summaries


def load_demo(
    tenders: TenderRepository, *, actor: Actor, audit: AuditLog | None = None
) -> ImportSummary:
    allow_import(actor, audit, "demo tenders")
    demo: list[Tender] = demo_tenders()
    parsed = ParsedFile(filename="demo tenders", format="demo", tenders=demo)
    summary = store_parsed(tenders, parsed)
    record_import(audit, actor, summary)
    return summary
