"""Tender documents and their pages (core.documents.service keeps the files)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from core.models.documents import DocumentRecord, PageText
from storage.db import Database

_COLUMNS = "id, tender_id, sha256, filename, kind, size_bytes, pages, words, added_by, added_at"


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
    ) -> tuple[DocumentRecord, bool]:
        """Store the document (the same content on the same tender once); (record, new)."""

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
                "(nextval('document_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                f"RETURNING {_COLUMNS}",
                [
                    tender_id,
                    sha256,
                    filename,
                    kind,
                    size_bytes,
                    len(pages),
                    words,
                    added_by,
                    added_at,
                ],
            ).fetchone()
            assert row is not None
            cur.executemany(
                "INSERT INTO document_pages (document_id, page, section, text) VALUES (?, ?, ?, ?)",
                [(row[0], p.number, p.section, p.text) for p in pages],
            )
            return _record(row), True

        return self._db.write(write)

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
