"""Tender documents and their pages (core.documents.service keeps the files)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from core.models.documents import DocumentRecord, PageText
from storage.db import Database

_COLUMNS = (
    "id, tender_id, sha256, filename, kind, size_bytes, pages, words, added_by, added_at, "
    "state, pages_read, error, in_matrix"
)


class DocumentRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        tender_id: int,
        sha256: str,
        filename: str,
        kind: str,
        size_bytes: int,
        pages: Sequence[PageText],
        added_by: str,
        added_at: datetime,
        page_count: int | None = None,
    ) -> tuple[DocumentRecord, bool]:
        """Store the document (the same content on the same tender once); (record, new).

        With `page_count` and no pages, the pages are still to be read (`append`)."""
        count = len(pages) if page_count is None else page_count
        state = "reading" if count and not pages else "ready"

        def write(cur: duckdb.DuckDBPyConnection) -> tuple[DocumentRecord, bool]:
            found = cur.execute(
                f"SELECT {_COLUMNS} FROM documents WHERE tender_id = ? AND sha256 = ?",
                [tender_id, sha256],
            ).fetchone()
            if found is not None:
                return _record(found), False
            words = sum(len(p.text.split()) for p in pages)
            row = cur.execute(
                f"INSERT INTO documents ({_COLUMNS}) VALUES "
                "(nextval('document_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, false) "
                f"RETURNING {_COLUMNS}",
                [
                    tender_id,
                    sha256,
                    filename,
                    kind,
                    size_bytes,
                    count,
                    words,
                    added_by,
                    added_at,
                    state,
                    0 if state == "reading" else count,
                ],
            ).fetchone()
            assert row is not None
            if pages:
                cur.executemany(
                    "INSERT INTO document_pages (document_id, page, section, text) "
                    "VALUES (?, ?, ?, ?)",
                    [(row[0], p.number, p.section, p.text) for p in pages],
                )
            return _record(row), True

        return self._db.write(write)

    def append(self, document_id: int, pages: Sequence[PageText]) -> DocumentRecord:
        """Pages read in the background, with the progress, in one write (a restart resumes
        after the last page stored); the document is ready once all its pages are in."""
        words = sum(len(p.text.split()) for p in pages)

        def write(cur: duckdb.DuckDBPyConnection) -> DocumentRecord:
            cur.executemany(
                "INSERT INTO document_pages (document_id, page, section, text) VALUES (?, ?, ?, ?)",
                [(document_id, p.number, p.section, p.text) for p in pages],
            )
            row = cur.execute(
                "UPDATE documents SET pages_read = pages_read + ?, words = words + ?, "
                "state = CASE WHEN pages_read + ? >= pages THEN 'ready' ELSE state END "
                f"WHERE id = ? RETURNING {_COLUMNS}",
                [len(pages), words, len(pages), document_id],
            ).fetchone()
            assert row is not None
            return _record(row)

        return self._db.write(write)

    def fail(self, document_id: int, error: str) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "UPDATE documents SET state = 'failed', error = ? WHERE id = ?",
                [error, document_id],
            )
        )

    def reading(self) -> list[DocumentRecord]:
        """Documents whose pages are still being read, oldest first."""
        rows = (
            self._db.cursor()
            .execute(f"SELECT {_COLUMNS} FROM documents WHERE state = 'reading' ORDER BY id")
            .fetchall()
        )
        return [_record(r) for r in rows]

    def mark_in_matrix(self, document_ids: Sequence[int]) -> None:
        if document_ids:
            marks = ", ".join("?" for _ in document_ids)
            self._db.write(
                lambda cur: cur.execute(
                    f"UPDATE documents SET in_matrix = true WHERE id IN ({marks})",
                    list(document_ids),
                )
            )

    def for_tender(self, tender_id: int) -> list[DocumentRecord]:
        rows = (
            self._db.cursor()
            .execute(
                f"SELECT {_COLUMNS} FROM documents WHERE tender_id = ? ORDER BY id", [tender_id]
            )
            .fetchall()
        )
        return [_record(r) for r in rows]

    def pages(self, document_id: int) -> list[PageText]:
        rows = (
            self._db.cursor()
            .execute(
                "SELECT page, text, section FROM document_pages WHERE document_id = ? "
                "ORDER BY page, rowid",
                [document_id],
            )
            .fetchall()
        )
        return [PageText(int(page), str(text), section) for page, text, section in rows]


def _record(row: Sequence[object]) -> DocumentRecord:
    keys = [c.strip() for c in _COLUMNS.split(",")]
    return DocumentRecord.model_validate(dict(zip(keys, row, strict=True)))
