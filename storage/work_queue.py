"""The tenders table as the pipeline's work queue: claims under a lease, results saved in one
transaction, and tenders sent back for another pass (retry, re-analyse)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from core.models import BidDocument, Claim, StageOutcome, TenderStatus
from storage.db import Database
from storage.tender_rows import (
    RESTING_SQL,
    filters_to_arrow,
    insert_or_replace,
    load_states,
    provenance,
    ratings_to_arrow,
)

# Tenders whose newest decision is a person's go, no-go or word on relevance (feedback):
# re-analysis must not undo it.
_STANDING_DECISIONS = """
SELECT tender_id FROM decisions
QUALIFY row_number() OVER (PARTITION BY tender_id ORDER BY id DESC) = 1
    AND action IN ('go', 'no_go', 'feedback')
"""


class WorkQueue:
    """Claims, leases and results of the pipeline's work. Every method uses this thread's cursor."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ----------------------------------------------------------------- claims
    def claim(
        self, limit: int, lease_s: float, only_ids: Sequence[int] | None = None
    ) -> list[Claim]:
        """Atomically move up to `limit` claimable tenders to `processing` under a lease.

        `only_ids` restricts the claim to those tenders (the CLI writes a bid right after a go).
        """
        restrict = "" if only_ids is None else " AND id IN (SELECT unnest(?::BIGINT[]))"
        params: list[Any] = [lease_s] + ([] if only_ids is None else [list(only_ids)]) + [limit]

        def take(cur: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
            rows = cur.execute(
                f"""
                UPDATE tenders
                SET status = 'processing', claimed_from = status, attempts = attempts + 1,
                    lease_until = now() + to_seconds(?), status_at = now()
                WHERE id IN (
                    SELECT id FROM tenders WHERE status IN ('pending', 'approved'){restrict}
                    ORDER BY status = 'approved' DESC, deadline NULLS LAST, id
                    LIMIT ?)
                RETURNING id, claimed_from
                """,
                params,
            ).fetchall()
            return [(int(i), str(s)) for i, s in rows]

        claimed = self._db.write(take)
        if not claimed:
            return []
        origin = dict(claimed)
        return [
            Claim(state=state, claimed_from=TenderStatus(origin[state.tender.id or 0]))
            for state in load_states(self._db.cursor(), list(origin))
        ]

    def release_stale(self, *, everything: bool = False) -> int:
        """Give `processing` tenders back to the status they were claimed from.

        With `everything`, every claim is stale: used at start, since DuckDB lets only one
        process open the file read-write, so no other worker can still hold one.
        """
        condition = "" if everything else " AND lease_until < now()"

        def release(cur: duckdb.DuckDBPyConnection) -> int:
            rows = cur.execute(
                "UPDATE tenders SET status = coalesce(claimed_from, 'pending'), "
                "claimed_from = NULL, lease_until = NULL, status_at = now() "
                f"WHERE status = 'processing'{condition} RETURNING id"
            ).fetchall()
            return len(rows)

        return self._db.write(release)

    def extend_leases(self, tender_ids: Sequence[int], lease_s: float) -> int:
        """Keep claims alive while their tenders are still being analysed."""
        if not tender_ids:
            return 0

        def extend(cur: duckdb.DuckDBPyConnection) -> int:
            rows = cur.execute(
                "UPDATE tenders SET lease_until = now() + to_seconds(?) "
                "WHERE status = 'processing' AND id IN (SELECT unnest(?)) RETURNING id",
                [lease_s, list(tender_ids)],
            ).fetchall()
            return len(rows)

        return self._db.write(extend)

    def reanalyse(self, tender_ids: Sequence[int] | None = None) -> int:
        """Forget the relevance and rating of these tenders (all when None) and queue them.

        Bid drafts are kept (a tender that has one is not written again). Tenders being
        processed, and tenders a person said go, no-go or relevant or not to, are left alone
        (reopen those first). Unchanged tenders are answered from the LLM cache.
        """
        ids = None if tender_ids is None else list(tender_ids)
        where = f"status <> 'processing' AND id NOT IN ({_STANDING_DECISIONS})" + (
            "" if ids is None else " AND id IN (SELECT unnest(?))"
        )
        params: list[Any] = [] if ids is None else [ids]

        def queue(cur: duckdb.DuckDBPyConnection) -> int:
            chosen = f"SELECT id FROM tenders WHERE {where}"
            cur.execute(f"DELETE FROM filter_results WHERE tender_id IN ({chosen})", params)
            cur.execute(f"DELETE FROM ratings WHERE tender_id IN ({chosen})", params)
            rows = cur.execute(
                "UPDATE tenders SET status = 'pending', error = NULL, finished_at = NULL, "
                f"review_stage = NULL, status_at = now() WHERE {where} RETURNING id",
                params,
            ).fetchall()
            return len(rows)

        return self._db.write(queue)

    def count_reanalysable(self) -> int:
        """Analysed tenders that `reanalyse()` would analyse again: not being processed, and
        not decided by a person (what a changed profile leaves out of date)."""
        row = (
            self._db.cursor()
            .execute(
                "SELECT count(*) FROM tenders WHERE status <> 'processing' "
                f"AND id NOT IN ({_STANDING_DECISIONS}) "
                "AND id IN (SELECT tender_id FROM filter_results)"
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def retry_errors(self) -> int:
        """Send every tender in `error` back to `pending` (its saved stage results are kept)."""
        return self._db.write(
            lambda cur: len(
                cur.execute(
                    "UPDATE tenders SET status = 'pending', error = NULL, status_at = now() "
                    "WHERE status = 'error' RETURNING id"
                ).fetchall()
            )
        )

    # ---------------------------------------------------------------- results
    def save_outcomes(self, outcomes: Sequence[StageOutcome]) -> None:
        """Save stage results and new statuses of many tenders in one transaction."""
        if not outcomes:
            return
        filters = [(o.tender_id, o.filter) for o in outcomes if o.filter is not None]
        ratings = [(o.tender_id, o.rating) for o in outcomes if o.rating is not None]
        bids = [(o.tender_id, o.bid) for o in outcomes if o.bid is not None]
        statuses = [o for o in outcomes if o.status is not None]

        def save(cur: duckdb.DuckDBPyConnection) -> None:
            if filters:
                insert_or_replace(cur, "filter_results", filters_to_arrow(filters))
            if ratings:
                insert_or_replace(cur, "ratings", ratings_to_arrow(ratings))
            if bids:
                _insert_bids(cur, bids)
            if statuses:
                _update_statuses(cur, statuses)

        self._db.write(save)


def _insert_bids(cur: duckdb.DuckDBPyConnection, bids: Sequence[tuple[int, BidDocument]]) -> None:
    rows = pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "executive_summary": b.executive_summary,
                "technical_approach": b.technical_approach,
                "value_proposition": b.value_proposition,
                "timeline_estimate": b.timeline_estimate,
                **provenance(b),
            }
            for tender_id, b in bids
        ]
    )
    cur.register("incoming_bids", rows)
    try:
        cur.execute(
            """
            INSERT INTO bids (tender_id, version, executive_summary, technical_approach,
                              value_proposition, timeline_estimate, analyst, model,
                              prompt_version, created_at)
            SELECT i.tender_id,
                   coalesce((SELECT max(version) FROM bids b WHERE b.tender_id = i.tender_id), 0)
                     + 1,
                   i.executive_summary, i.technical_approach, i.value_proposition,
                   i.timeline_estimate, i.analyst, i.model, i.prompt_version, i.created_at
            FROM incoming_bids i
            """
        )
    finally:
        cur.unregister("incoming_bids")


def _update_statuses(cur: duckdb.DuckDBPyConnection, outcomes: Sequence[StageOutcome]) -> None:
    rows = pa.Table.from_pylist(
        [
            {
                "id": o.tender_id,
                "status": o.status.value if o.status else None,
                "error": o.error,
                "review_stage": o.review_stage.value if o.review_stage else None,
            }
            for o in outcomes
        ],
        schema=pa.schema(
            [
                ("id", pa.int64()),
                ("status", pa.string()),
                ("error", pa.string()),
                ("review_stage", pa.string()),
            ]
        ),
    )
    cur.register("incoming_status", rows)
    try:
        cur.execute(
            f"""
            UPDATE tenders SET
                status = u.status,
                error = u.error,
                review_stage = u.review_stage,
                claimed_from = NULL,
                lease_until = NULL,
                status_at = now(),
                finished_at = CASE WHEN u.status IN {RESTING_SQL} THEN now() ELSE NULL END
            FROM incoming_status u
            WHERE tenders.id = u.id
            """
        )
    finally:
        cur.unregister("incoming_status")
