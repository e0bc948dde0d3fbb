"""Import service: parse files, store new tenders, report what happened to each file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.demo import demo_tenders
from core.ingest import ImportFileError, parse_file
from core.ingest.rows import streaming_to
from core.models import ImportCounts, ImportSummary, ParsedFile, RowError, Tender
from storage.tenders import TenderRepository


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


def import_bytes(tenders: TenderRepository, filename: str, data: bytes) -> ImportSummary:
    """Import one file, storing its tenders in batches as they are read.

    A refused file stores nothing and says why in `failed`. A file that breaks after some
    batches were stored keeps them, and says in a row error that the rest was not imported.
    """
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


def import_paths(tenders: TenderRepository, paths: Iterable[Path]) -> list[ImportSummary]:
    summaries = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            summaries.append(
                ImportSummary(
                    filename=path.name,
                    format="unknown",
                    failed=f"{path} could not be read ({reason}); check the path and try again.",
                )
            )
            continue
        summaries.append(import_bytes(tenders, path.name, data))
    return summaries


def load_demo(tenders: TenderRepository) -> ImportSummary:
    demo: list[Tender] = demo_tenders()
    parsed = ParsedFile(filename="demo tenders", format="demo", tenders=demo)
    return store_parsed(tenders, parsed)
