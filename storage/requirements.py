"""The compliance matrix's rows (core.documents.matrix keeps the rules)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

from core.models.documents import RequirementRow
from storage.db import Database

_FIELDS = tuple(RequirementRow.model_fields)
_COLUMNS = ", ".join(_FIELDS)


class RequirementRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def rows(self, tender_id: int) -> list[RequirementRow]:
        found = (
            self._db.cursor()
            .execute(
                f"SELECT {_COLUMNS} FROM requirements WHERE tender_id = ? "
                "ORDER BY CAST(regexp_extract(ref, '[0-9]+') AS INTEGER), ref",
                [tender_id],
            )
            .fetchall()
        )
        return [RequirementRow.model_validate(dict(zip(_FIELDS, r, strict=True))) for r in found]

    def tenders_with_documents_or_rows(self) -> set[int]:
        """The tenders that have a compliance matrix, or documents to make one from."""
        found = (
            self._db.cursor()
            .execute(
                "SELECT DISTINCT tender_id FROM documents "
                "UNION SELECT DISTINCT tender_id FROM requirements"
            )
            .fetchall()
        )
        return {int(row[0]) for row in found}

    def add(self, rows: Sequence[RequirementRow]) -> None:
        if not rows:
            return
        marks = ", ".join("?" for _ in _FIELDS)
        values = [[getattr(row, f) for f in _FIELDS] for row in rows]

        def write(cur: duckdb.DuckDBPyConnection) -> None:
            cur.executemany(f"INSERT INTO requirements ({_COLUMNS}) VALUES ({marks})", values)

        self._db.write(write)

    def update(
        self, tender_id: int, ref: str, changes: dict[str, Any], by: str, at: datetime
    ) -> RequirementRow | None:
        allowed = {
            "owner",
            "status",
            "response",
            "dropped",
            "merged_into",
            "text",
            "mandatory",
            "weight",
        }
        sets = {k: v for k, v in changes.items() if k in allowed}
        assignments = ", ".join(f"{k} = ?" for k in sets)

        def write(cur: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
            return cur.execute(
                f"UPDATE requirements SET {assignments}, updated_by = ?, updated_at = ? "
                f"WHERE tender_id = ? AND ref = ? RETURNING {_COLUMNS}",
                [*sets.values(), by, at, tender_id, ref],
            ).fetchone()

        row = self._db.write(write)
        return (
            None
            if row is None
            else RequirementRow.model_validate(dict(zip(_FIELDS, row, strict=True)))
        )
