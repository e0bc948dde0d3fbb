"""Bid documents: every edit is a new version; the newest version carries the workflow status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

from core.models import BidConflict, BidDocument, BidStatus, BidVersion
from storage.db import Database

_LATEST = """
SELECT * FROM bids
QUALIFY row_number() OVER (PARTITION BY tender_id ORDER BY version DESC) = 1
"""


class BidRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def versions(self, tender_id: int) -> list[BidVersion]:
        """Every version of a tender's bid, newest first."""
        return _rows(
            self._db.cursor(),
            "SELECT * FROM bids WHERE tender_id = ? ORDER BY version DESC",
            [tender_id],
        )

    def latest(self, tender_id: int) -> BidVersion | None:
        return _latest(self._db.cursor(), tender_id)

    def all_latest(self, statuses: Sequence[BidStatus] | None = None) -> list[BidVersion]:
        """The newest version of every bid (optionally only those with these statuses)."""
        sql = f"SELECT * FROM ({_LATEST})"
        params: list[Any] = []
        if statuses:
            sql += " WHERE status IN (SELECT unnest(?::VARCHAR[]))"
            params.append([s.value for s in statuses])
        return _rows(self._db.cursor(), sql + " ORDER BY tender_id", params)

    def counts_by_status(self) -> dict[str, int]:
        rows = (
            self._db.cursor()
            .execute(f"SELECT status, count(*) FROM ({_LATEST}) GROUP BY status")
            .fetchall()
        )
        return {str(status): int(n) for status, n in rows}

    def add_version(
        self,
        tender_id: int,
        document: BidDocument,
        *,
        based_on: int,
        edited_by: str | None,
        note: str | None = None,
    ) -> BidVersion:
        """Save a new draft version on top of version `based_on` (the one the user edited).

        Raises BidConflict when someone saved a newer version in the meantime.
        """

        def write(cur: duckdb.DuckDBPyConnection) -> int:
            row = cur.execute(
                "SELECT coalesce(max(version), 0) FROM bids WHERE tender_id = ?", [tender_id]
            ).fetchone()
            newest = int(row[0]) if row else 0
            if newest != based_on:
                raise BidConflict(_latest(cur, tender_id))
            cur.execute(
                """
                INSERT INTO bids (tender_id, version, executive_summary, technical_approach,
                                  value_proposition, timeline_estimate, status, analyst, model,
                                  prompt_version, created_at, edited_by, note)
                VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)
                """,
                [
                    tender_id,
                    newest + 1,
                    document.executive_summary,
                    document.technical_approach,
                    document.value_proposition,
                    document.timeline_estimate,
                    document.analyst,
                    document.model,
                    document.prompt_version,
                    document.created_at,
                    edited_by,
                    note,
                ],
            )
            return newest + 1

        try:
            version = self._db.write(write)
        except duckdb.ConstraintException as exc:  # another save took that version number
            raise BidConflict(self.latest(tender_id)) from exc
        saved = self.version(tender_id, version)
        assert saved is not None
        return saved

    def version(self, tender_id: int, version: int) -> BidVersion | None:
        rows = _rows(
            self._db.cursor(),
            "SELECT * FROM bids WHERE tender_id = ? AND version = ?",
            [tender_id, version],
        )
        return rows[0] if rows else None

    def approve(self, tender_id: int, version: int, by: str, at: datetime) -> BidVersion:
        """Approve version `version`, which must still be the newest draft."""

        def write(cur: duckdb.DuckDBPyConnection) -> None:
            latest = _latest(cur, tender_id)
            if latest is None or latest.version != version or latest.status is not BidStatus.DRAFT:
                raise BidConflict(latest)
            cur.execute(
                "UPDATE bids SET status = 'approved', approved_by = ?, approved_at = ? "
                "WHERE tender_id = ? AND version = ?",
                [by, at, tender_id, version],
            )

        self._db.write(write)
        saved = self.version(tender_id, version)
        assert saved is not None
        return saved

    def mark_exported(self, keys: Sequence[tuple[int, int]], at: datetime) -> int:
        """Mark these approved (tender_id, version) documents as exported."""
        if not keys:
            return 0

        def write(cur: duckdb.DuckDBPyConnection) -> int:
            marked = 0
            for tender_id, version in keys:
                rows = cur.execute(
                    "UPDATE bids SET status = 'exported', exported_at = ? "
                    "WHERE tender_id = ? AND version = ? AND status IN ('approved', 'exported') "
                    "RETURNING version",
                    [at, tender_id, version],
                ).fetchall()
                marked += len(rows)
            return marked

        return self._db.write(write)


def _latest(cur: duckdb.DuckDBPyConnection, tender_id: int) -> BidVersion | None:
    rows = _rows(
        cur,
        "SELECT * FROM bids WHERE tender_id = ? ORDER BY version DESC LIMIT 1",
        [tender_id],
    )
    return rows[0] if rows else None


def _rows(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[BidVersion]:
    result = cur.execute(sql, params)
    columns = [d[0] for d in result.description or []]
    versions = []
    for values in result.fetchall():
        row = dict(zip(columns, values, strict=True))
        versions.append(
            BidVersion(
                tender_id=row["tender_id"],
                version=row["version"],
                document=BidDocument(
                    executive_summary=row["executive_summary"],
                    technical_approach=row["technical_approach"],
                    value_proposition=row["value_proposition"],
                    timeline_estimate=row["timeline_estimate"],
                    analyst=row["analyst"],
                    model=row["model"],
                    prompt_version=row["prompt_version"],
                    created_at=row["created_at"],
                ),
                status=BidStatus(row["status"]),
                edited_by=row["edited_by"],
                note=row["note"],
                approved_by=row["approved_by"],
                approved_at=row["approved_at"],
                exported_at=row["exported_at"],
            )
        )
    return versions
