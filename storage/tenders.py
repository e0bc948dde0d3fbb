"""Tenders, their processing state and their analysis results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from core.models import (
    RESTING_STATUSES,
    BidDocument,
    Claim,
    FilterResult,
    ImportCounts,
    NoticeType,
    RatingResult,
    StageOutcome,
    Tender,
    TenderState,
    TenderStatus,
    TenderVersion,
)
from storage.db import Database

TENDER_COLUMNS = (
    "source",
    "source_id",
    "source_file",
    "dedupe_key",
    "title",
    "description",
    "buyer",
    "value_amount",
    "value_currency",
    "deadline",
    "cpv_codes",
    "country",
    "language",
    "url",
    "raw",
    "notice_type",
    "form_type",
    "procedure_id",
    "published_at",
    "classifications",
    "lots",
    "documents",
)
_TENDER_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("source_file", pa.string()),
        ("dedupe_key", pa.string()),
        ("title", pa.string()),
        ("description", pa.string()),
        ("buyer", pa.string()),
        ("value_amount", pa.float64()),
        ("value_currency", pa.string()),
        ("deadline", pa.timestamp("us", tz="UTC")),
        ("cpv_codes", pa.list_(pa.string())),
        ("country", pa.string()),
        ("language", pa.string()),
        ("url", pa.string()),
        ("raw", pa.string()),
        ("notice_type", pa.string()),
        ("form_type", pa.string()),
        ("procedure_id", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("classifications", pa.string()),
        ("lots", pa.string()),
        ("documents", pa.string()),
    ]
)
# Statuses with no automatic work due, as SQL literals: `status IN {RESTING_SQL}`.
RESTING_SQL = tuple(sorted(s.value for s in RESTING_STATUSES))
# Tenders whose newest decision is a person's go or no-go: re-analysis must not undo it.
_STANDING_DECISIONS = """
SELECT tender_id FROM decisions
QUALIFY row_number() OVER (PARTITION BY tender_id ORDER BY id DESC) = 1
    AND action IN ('go', 'no_go')
"""

# One row per tender with every analysis field; the newest bid version only.
_STATE_SELECT = """
SELECT
    t.id, t.source, t.source_id, t.title, t.description, t.buyer, t.value_amount,
    t.value_currency, t.deadline, t.cpv_codes, t.country, t.language, t.url, t.raw,
    t.notice_type, t.form_type, t.procedure_id, t.published_at, t.classifications, t.lots,
    t.documents,
    t.status, t.error, t.review_stage,
    f.is_relevant, f.confidence, f.categories, f.reasoning AS filter_reasoning, f.evidence,
    f.analyst AS filter_analyst, f.model AS filter_model,
    f.prompt_version AS filter_prompt_version, f.created_at AS filter_created_at,
    r.overall_score, r.strategic_fit, r.win_probability, r.effort_required, r.strengths,
    r.risks, r.recommendation, r.reasoning AS rating_reasoning, r.analyst AS rating_analyst,
    r.model AS rating_model, r.prompt_version AS rating_prompt_version,
    r.created_at AS rating_created_at,
    b.executive_summary, b.technical_approach, b.value_proposition, b.timeline_estimate,
    b.analyst AS bid_analyst, b.model AS bid_model, b.prompt_version AS bid_prompt_version,
    b.created_at AS bid_created_at
FROM tenders t
LEFT JOIN filter_results f ON f.tender_id = t.id
LEFT JOIN ratings r ON r.tender_id = t.id
LEFT JOIN (
    SELECT * FROM bids QUALIFY row_number() OVER (PARTITION BY tender_id ORDER BY version DESC) = 1
) b ON b.tender_id = t.id
"""


class TenderRepository:
    """Typed access to tenders and their analysis. Every method uses this thread's cursor."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ----------------------------------------------------------------- import
    def add_tenders(
        self, tenders: Sequence[Tender], source_file: str | None = None
    ) -> tuple[int, int]:
        """Store new tenders as `pending`; skip duplicates. Returns (new, duplicates)."""
        unique: list[Tender] = []
        seen_ids: set[tuple[str, str]] = set()
        seen_keys: set[str] = set()
        for tender in tenders:
            id_key = (tender.source, tender.source_id) if tender.source_id else None
            key = tender.dedupe_key
            if key in seen_keys or (id_key is not None and id_key in seen_ids):
                continue
            seen_keys.add(key)
            if id_key is not None:
                seen_ids.add(id_key)
            unique.append(tender)
        if not unique:
            return 0, len(tenders)
        batch = _tenders_to_arrow(unique, source_file)

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
                            SELECT 1 FROM tenders t WHERE t.dedupe_key = b.dedupe_key)
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
        if not tender_ids:
            return []
        cur = self._db.cursor()
        result = cur.execute(
            _STATE_SELECT + " WHERE t.id IN (SELECT unnest(?::BIGINT[])) ORDER BY t.id",
            [list(tender_ids)],
        )
        return [_row_to_state(row) for row in _dict_rows(result)]

    def review_queue(self) -> list[TenderState]:
        """Every tender waiting for a person's decision."""
        result = self._db.cursor().execute(
            _STATE_SELECT + " WHERE t.status = 'needs_review' ORDER BY t.deadline NULLS LAST, t.id"
        )
        return [_row_to_state(row) for row in _dict_rows(result)]

    def all_states(self) -> list[TenderState]:
        result = self._db.cursor().execute(_STATE_SELECT + " ORDER BY t.id")
        return [_row_to_state(row) for row in _dict_rows(result)]

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
            for state in self.states(list(origin))
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
        processed, and tenders a person said go or no-go to, are left alone (reopen those
        first). Unchanged tenders are answered from the LLM cache.
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
                _insert_or_replace(cur, "filter_results", _filters_to_arrow(filters))
            if ratings:
                _insert_or_replace(cur, "ratings", _ratings_to_arrow(ratings))
            if bids:
                _insert_bids(cur, bids)
            if statuses:
                _update_statuses(cur, statuses)

        self._db.write(save)


# ---------------------------------------------------------------------- helpers
def _dict_rows(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def tender_row(t: Tender, source_file: str | None) -> dict[str, Any]:
    """A tender as the values of the tenders table's imported columns."""
    return {
        "source": t.source,
        "source_id": t.source_id,
        "source_file": source_file,
        "dedupe_key": t.dedupe_key,
        "title": t.title,
        "description": t.description,
        "buyer": t.buyer,
        "value_amount": t.value_amount,
        "value_currency": t.value_currency,
        "deadline": t.deadline,
        "cpv_codes": list(t.cpv_codes),
        "country": t.country,
        "language": t.language,
        "url": t.url,
        "raw": json.dumps(t.raw, ensure_ascii=False, default=str),
        "notice_type": t.notice_type.value,
        "form_type": t.form_type,
        "procedure_id": t.procedure_id,
        "published_at": t.published_at,
        "classifications": _json_list(t.classifications),
        "lots": _json_list(t.lots),
        "documents": _json_list(t.documents),
    }


def _tenders_to_arrow(tenders: Sequence[Tender], source_file: str | None) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in TENDER_COLUMNS}
    for t in tenders:
        for name, value in tender_row(t, source_file).items():
            columns[name].append(value)
    return pa.Table.from_pydict(columns, schema=_TENDER_SCHEMA)


def _json_list(items: Sequence[BaseModel]) -> str:
    return json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False)


def _loads_list(value: Any) -> list[Any]:
    loaded = json.loads(value) if isinstance(value, str) and value else value
    return loaded if isinstance(loaded, list) else []


def _provenance(result: FilterResult | RatingResult | BidDocument) -> dict[str, Any]:
    return {
        "analyst": result.analyst,
        "model": result.model,
        "prompt_version": result.prompt_version,
        "created_at": result.created_at,
    }


def _filters_to_arrow(rows: Sequence[tuple[int, FilterResult]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "is_relevant": r.is_relevant,
                "confidence": r.confidence,
                "categories": list(r.categories),
                "reasoning": r.reasoning,
                "evidence": list(r.evidence),
                **_provenance(r),
            }
            for tender_id, r in rows
        ]
    )


def _ratings_to_arrow(rows: Sequence[tuple[int, RatingResult]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "overall_score": r.overall_score,
                "strategic_fit": r.strategic_fit,
                "win_probability": r.win_probability,
                "effort_required": r.effort_required,
                "strengths": list(r.strengths),
                "risks": list(r.risks),
                "recommendation": r.recommendation.value,
                "reasoning": r.reasoning,
                **_provenance(r),
            }
            for tender_id, r in rows
        ]
    )


def _insert_or_replace(cur: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    cur.register("incoming_results", rows)
    try:
        columns = ", ".join(rows.column_names)
        cur.execute(
            f"INSERT OR REPLACE INTO {table} ({columns}) SELECT {columns} FROM incoming_results"
        )
    finally:
        cur.unregister("incoming_results")


def _insert_bids(cur: duckdb.DuckDBPyConnection, bids: Sequence[tuple[int, BidDocument]]) -> None:
    rows = pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "executive_summary": b.executive_summary,
                "technical_approach": b.technical_approach,
                "value_proposition": b.value_proposition,
                "timeline_estimate": b.timeline_estimate,
                **_provenance(b),
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


def _provenance_from(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        name: row[f"{prefix}_{name}"]
        for name in ("analyst", "model", "prompt_version", "created_at")
    }


def _row_to_state(row: dict[str, Any]) -> TenderState:
    raw = row["raw"]
    tender = Tender(
        id=row["id"],
        source=row["source"],
        source_id=row["source_id"],
        title=row["title"],
        description=row["description"] or "",
        buyer=row["buyer"],
        value_amount=row["value_amount"],
        value_currency=row["value_currency"],
        deadline=row["deadline"],
        cpv_codes=list(row["cpv_codes"] or []),
        country=row["country"],
        language=row["language"],
        url=row["url"],
        raw=json.loads(raw) if isinstance(raw, str) and raw else {},
        notice_type=row["notice_type"] or NoticeType.TENDER,
        form_type=row["form_type"],
        procedure_id=row["procedure_id"],
        published_at=row["published_at"],
        classifications=_loads_list(row["classifications"]),
        lots=_loads_list(row["lots"]),
        documents=_loads_list(row["documents"]),
    )
    filter_result = None
    if row["is_relevant"] is not None:
        filter_result = FilterResult(
            is_relevant=row["is_relevant"],
            confidence=row["confidence"],
            categories=list(row["categories"] or []),
            reasoning=row["filter_reasoning"] or "",
            evidence=list(row["evidence"] or []),
            **_provenance_from(row, "filter"),
        )
    rating = None
    if row["overall_score"] is not None:
        rating = RatingResult(
            overall_score=row["overall_score"],
            strategic_fit=row["strategic_fit"],
            win_probability=row["win_probability"],
            effort_required=row["effort_required"],
            strengths=list(row["strengths"] or []),
            risks=list(row["risks"] or []),
            recommendation=row["recommendation"],
            reasoning=row["rating_reasoning"] or "",
            **_provenance_from(row, "rating"),
        )
    bid = None
    if row["executive_summary"] is not None:
        bid = BidDocument(
            executive_summary=row["executive_summary"],
            technical_approach=row["technical_approach"],
            value_proposition=row["value_proposition"],
            timeline_estimate=row["timeline_estimate"],
            **_provenance_from(row, "bid"),
        )
    return TenderState(
        tender=tender,
        status=TenderStatus(row["status"]),
        error=row["error"],
        review_stage=row["review_stage"],
        filter=filter_result,
        rating=rating,
        bid=bid,
    )
