"""Import service: parse files, store new tenders, report what happened to each file.

Everyone but viewers may import (core.access.roles.WORKERS); each file imported is recorded in the
audit log when one is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import WORKERS, Actor
from core.demo import demo_tenders
from core.ingest import (
    SUPPORTED_EXTENSIONS,
    Content,
    ImportFileError,
    parse_content,
    unreadable_path,
)
from core.ingest.rows import streaming_to
from core.models import ImportCounts, ImportSummary, ParsedFile, RowError, Tender

_EXTENSIONS_TEXT = ", ".join(f".{extension}" for extension in SUPPORTED_EXTENSIONS)

# Called after each stored batch with the fraction of the file read (0–1) and the tenders
# stored so far, for a progress bar.
ImportProgress = Callable[[float, int], None]


class TenderImporter(Protocol):
    """storage.tenders.TenderRepository has it."""

    def import_tenders(
        self, tenders: Sequence[Tender], source_file: str | None = None
    ) -> ImportCounts: ...


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


def record_import_start(audit: AuditLog | None, actor: Actor, filename: str) -> None:
    """Before any row is stored: an import killed half-way still says who stored its rows."""
    note(
        audit,
        actor,
        AuditAction.IMPORT,
        target=f"file {filename}",
        detail="started: tenders are stored as the file is read",
    )


def store_parsed(tenders: TenderImporter, parsed: ParsedFile) -> ImportSummary:
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
    tenders: TenderImporter,
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
    progress: ImportProgress | None = None,
) -> ImportSummary:
    """Import one uploaded file, storing its tenders in batches as they are read.

    A refused file stores nothing and says why in `failed`. A file that breaks after some
    batches were stored keeps them, and says in a row error that the rest was not imported.
    `progress(fraction read, tenders stored)` is called after each batch.
    """
    allow_import(actor, audit, f"file {filename}")
    content = Content(data, filename)
    record_import_start(audit, actor, content.filename)
    summary = import_content(tenders, content, progress)
    record_import(audit, actor, summary)
    return summary


def import_content(
    tenders: TenderImporter, content: Content, progress: ImportProgress | None = None
) -> ImportSummary:
    """Parse and store one file (no role check: callers check it once for all their files)."""
    counts = ImportCounts()
    filename = content.filename

    def store(batch: list[Tender]) -> None:
        stored = tenders.import_tenders(batch, source_file=filename)
        counts.new += stored.new
        counts.duplicates += stored.duplicates
        counts.updated += stored.updated
        if progress is not None:
            progress(content.fraction_read(), counts.new + counts.duplicates + counts.updated)

    try:
        with streaming_to(store):
            parsed = parse_content(content)
    except ImportFileError as exc:
        return _stopped(filename, counts, exc)
    except OSError as exc:  # the file went away or its disk failed while it was read
        return _stopped(filename, counts, unreadable_path(content.path or Path(filename), exc))
    if parsed.tenders:  # an importer that does not stream
        store(parsed.tenders)
    return ImportSummary(
        filename=parsed.filename, format=parsed.format, errors=parsed.errors, **counts.model_dump()
    )


def _stopped(filename: str, counts: ImportCounts, exc: ImportFileError) -> ImportSummary:
    """A file refused outright, or one that broke after some batches were stored."""
    if not (counts.new or counts.duplicates or counts.updated):
        return ImportSummary(filename=filename, format="unknown", failed=str(exc))
    broken = RowError(row=0, message=f"the rest of the file was not imported: {exc}")
    return ImportSummary(
        filename=filename, format="unknown", **counts.model_dump(), errors=[broken]
    )


def import_paths(
    tenders: TenderImporter,
    paths: Iterable[Path],
    *,
    actor: Actor,
    audit: AuditLog | None = None,
) -> list[ImportSummary]:
    """Import files from disk, each read as a stream: a large package is never held whole.

    A folder stands for the tender files in it and its subfolders (see `files_in`).
    """
    allow_import(actor, audit)
    summaries = []
    for path in paths:
        for summary in _import_path(
            tenders, path, lambda name: record_import_start(audit, actor, name)
        ):
            record_import(audit, actor, summary)  # each file as soon as it is stored
            summaries.append(summary)
    return summaries


def _import_path(
    tenders: TenderImporter, path: Path, starting: Callable[[str], None]
) -> Iterator[ImportSummary]:
    files = files_in(path) if path.is_dir() else [path]
    if not files:
        yield ImportSummary(
            filename=path.name or str(path),
            format="folder",
            failed=f"{path} holds no tender files ({_EXTENSIONS_TEXT}); "
            "name the files to import, or the folder they are in.",
        )
    for file in files:
        starting(file.name)
        yield import_content(tenders, Content.from_path(file))


def files_in(folder: Path) -> list[Path]:
    """The files of a folder and its subfolders with an extension Tenderwise imports, in name
    order; hidden files and folders (".git", "~$book.xlsx" lock files) are left out."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith((".", "~$")) for part in relative):
            continue
        if path.suffix.lower().lstrip(".") in SUPPORTED_EXTENSIONS and path.is_file():
            found.append(path)
    return found


def load_demo(
    tenders: TenderImporter,
    *,
    actor: Actor,
    audit: AuditLog | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Store the demo tenders, dated relative to `now` (default: the real clock)."""
    allow_import(actor, audit, "demo tenders")
    demo: list[Tender] = demo_tenders(now)
    parsed = ParsedFile(filename="demo tenders", format="demo", tenders=demo)
    summary = store_parsed(tenders, parsed)
    record_import(audit, actor, summary)
    return summary
