"""Tenders: imports and reads. The work queue's methods come from storage.work_queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from core.models import ImportCounts, Tender, TenderState, TenderVersion
from storage.tender_rows import (
    STATE_SELECT,
    TENDER_COLUMNS,
    dict_rows,
    load_states,
    row_to_state,
    tenders_to_arrow,
)
from storage.work_queue import WorkQueue


class TenderRepository(WorkQueue):
    """Typed access to tenders and their analysis. Every method uses this thread's cursor.

    It is also the pipeline's work queue (claims, leases, results, retry, re-analyse), which
    storage.work_queue keeps apart because it changes for other reasons than imports and reads.
    """

    # ----------------------------------------------------------------- import
    def add_tenders(
        self, tenders: Sequence[Tender], source_file: str | None = None
    ) -> tuple[int, int]:
        """Store new tenders as `pending`; skip duplicates. Returns (new, duplicates)."""
        unique: list[Tender] = []
        seen_ids: set[tuple[str, str]] = set()
        seen_keys: dict[str, list[Tender]] = {}
        for tender in tenders:
            id_key = (tender.source, tender.source_id) if tender.source_id else None
            same_words = seen_keys.get(tender.dedupe_key, [])
            if (id_key is not None and id_key in seen_ids) or any(
                not _told_apart(tender, other) for other in same_words
            ):
                continue
            seen_keys.setdefault(tender.dedupe_key, []).append(tender)
            if id_key is not None:
                seen_ids.add(id_key)
            unique.append(tender)
        if not unique:
            return 0, len(tenders)
        batch = tenders_to_arrow(unique, source_file)

        def insert(cur: duckdb.DuckDBPyConnection) -> int:
            cur.register("incoming_tenders", batch)
            try:
                columns = ", ".join(TENDER_COLUMNS)
                row = cur.execute(
                    f"""
                    INSERT INTO tenders (id, {columns})
                    SELECT nextval('tender_id_seq'), {columns} FROM (
                        SELECT b.* FROM incoming_tenders b
                        WHERE NOT EXISTS (
                            SELECT 1 FROM tenders t WHERE t.dedupe_key = b.dedupe_key
                              -- the same words, but two notices of one source with their
                              -- own ids (three lots awarded under one title) are two
                              AND NOT (t.source = b.source AND t.source_id IS NOT NULL
                                       AND b.source_id IS NOT NULL
                                       AND t.source_id <> b.source_id))
                          AND NOT EXISTS (
                            SELECT 1 FROM tenders t
                            WHERE b.source_id IS NOT NULL
                              AND t.source = b.source AND t.source_id = b.source_id)
                    )
                    """
                ).fetchone()
            finally:
                cur.unregister("incoming_tenders")
            return int(row[0]) if row else 0

        new = self._db.write(insert)
        return new, len(tenders) - new

    def import_tenders(
        self, tenders: Sequence[Tender], source_file: str | None = None
    ) -> ImportCounts:
        """Like add_tenders, but a later notice of a stored procedure updates its tender."""
        from storage.tender_versions import import_tenders  # it builds on this class

        return import_tenders(self._db, self, tenders, source_file)

    def versions(self, tender_id: int) -> list[TenderVersion]:
        """Every update of a tender by a later notice, oldest first."""
        from storage.tender_versions import versions

        return versions(self._db, tender_id)

    # ------------------------------------------------------------------ reads
    def count(self) -> int:
        row = self._db.cursor().execute("SELECT count(*) FROM tenders").fetchone()
        return int(row[0]) if row else 0

    def waiting_for_bid(self) -> int:
        """Approved tenders whose bid is not written yet, those being written included."""
        row = (
            self._db.cursor()
            .execute(
                "SELECT count(*) FROM tenders WHERE status = 'approved' "
                "OR (status = 'processing' AND claimed_from = 'approved')"
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def counts_by_status(self) -> dict[str, int]:
        rows = (
            self._db.cursor()
            .execute("SELECT status, count(*) FROM tenders GROUP BY status")
            .fetchall()
        )
        return {str(status): int(n) for status, n in rows}

    def get(self, tender_id: int) -> TenderState | None:
        states = self.states([tender_id])
        return states[0] if states else None

    def states(self, tender_ids: Sequence[int]) -> list[TenderState]:
        return load_states(self._db.cursor(), tender_ids)

    def review_queue(self) -> list[TenderState]:
        """Every tender waiting for a person's decision."""
        result = self._db.cursor().execute(
            STATE_SELECT + " WHERE t.status = 'needs_review' ORDER BY t.deadline NULLS LAST, t.id"
        )
        return [row_to_state(row) for row in dict_rows(result)]

    def all_states(self) -> list[TenderState]:
        result = self._db.cursor().execute(STATE_SELECT + " ORDER BY t.id")
        return [row_to_state(row) for row in dict_rows(result)]

    def count_bids(self) -> int:
        """Tenders that have at least one bid document."""
        row = self._db.cursor().execute("SELECT count(DISTINCT tender_id) FROM bids").fetchone()
        return int(row[0]) if row else 0

    def recent_errors(self, limit: int = 10) -> list[tuple[int, str, str, datetime]]:
        """(id, title, error, when) for tenders that failed, newest first."""
        rows = (
            self._db.cursor()
            .execute(
                "SELECT id, title, coalesce(error, ''), status_at FROM tenders "
                "WHERE status = 'error' ORDER BY status_at DESC LIMIT ?",
                [limit],
            )
            .fetchall()
        )
        return [(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]

    def finished_since(self, seconds: float) -> tuple[int, float]:
        """Tenders that reached a resting status in the last `seconds`, and how many seconds
        ago the oldest of them did (0 when none)."""
        row = (
            self._db.cursor()
            .execute(
                "SELECT count(*), coalesce(epoch(now()) - epoch(min(finished_at)), 0) FROM tenders "
                "WHERE finished_at >= now() - to_seconds(?)",
                [seconds],
            )
            .fetchone()
        )
        return (int(row[0]), float(row[1])) if row else (0, 0.0)


def _told_apart(one: Tender, other: Tender) -> bool:
    """Two tenders with the same title, buyer and deadline day are still two when one source
    gave each its own id (a portal's notice identifiers)."""
    return (
        one.source == other.source
        and bool(one.source_id and other.source_id)
        and one.source_id != other.source_id
    )
