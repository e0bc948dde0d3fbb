"""Importers: bytes of a tender file → tenders and row errors (`ParsedFile`).

`parse_file` detects the format from the content (and the extension as a tie-breaker), refuses
unusable files with one ImportFileError sentence, and returns every good row as a Tender. Rows
without a title are refused with a RowError; rows with a bad value, deadline, currency, CPV or
link keep their tender without that field and add a RowError of level "warning".
"""

from __future__ import annotations

from pathlib import Path

from core.config import get_settings
from core.ingest.content import Content, refuse_too_large
from core.ingest.errors import WARNING_PREFIX, ImportFileError
from core.ingest.registry import IMPORTERS, Importer, choose_importer
from core.models import ParsedFile

__all__ = [
    "IMPORTERS",
    "SUPPORTED_EXTENSIONS",
    "WARNING_PREFIX",
    "Content",
    "ImportFileError",
    "Importer",
    "parse_content",
    "parse_file",
    "parse_path",
    "unreadable_path",
]

SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(
    dict.fromkeys(extension for importer in IMPORTERS for extension in importer.extensions)
)


def parse_content(
    content: Content, *, source: str | None = None, limit_mb: int | None = None
) -> ParsedFile:
    """Read one file, in memory or on disk. `source` overrides Tender.source (default: the
    format name). A file over `limit_mb` (default: the max_upload_mb setting) is refused before
    it is read.
    """
    limit = get_settings().max_upload_mb if limit_mb is None else limit_mb
    refuse_too_large(content.filename, content.size, limit)
    importer = choose_importer(content)
    return importer.parse(content, source or importer.format)


def parse_file(
    data: bytes, filename: str, *, source: str | None = None, limit_mb: int | None = None
) -> ParsedFile:
    """Read one uploaded file held in memory."""
    return parse_content(Content(data, filename), source=source, limit_mb=limit_mb)


def parse_path(path: Path) -> ParsedFile:
    """Read one file from disk as a stream; a missing or unreadable file is an ImportFileError."""
    try:
        return parse_content(Content.from_path(path))
    except OSError as exc:
        raise unreadable_path(path, exc) from exc


def unreadable_path(path: Path, exc: OSError) -> ImportFileError:
    reason = exc.strerror or type(exc).__name__
    return ImportFileError(
        path.name, f"{path} could not be read ({reason}); check the path and try again."
    )
