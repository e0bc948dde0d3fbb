"""The append-only decision log: every accept, go, no-go and reopen, with what it was made on.

Rows are only ever inserted. Recording a decision and moving its tender happen in one
transaction, conditional on the tender still being where the decider saw it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import duckdb

from core.models import Decision, DecisionConflict, FilterResult, TenderStatus, newest_labels
from storage.db import Database
from storage.tender_rows import RESTING_SQL, filters_to_arrow, insert_or_replace

_COLUMNS = (
    "tender_id",
    "action",
    "status_before",
    "status_after",
    "decided_by",
    "role",
    "decided_at",
    "reason",
    "stage",
    "ai_proposal",
    "ai_relevant",
    "ai_confidence",
    "ai_score",
    "analyst",
    "model",
    "prompt_version",
    "overrides",
    "policy",
    "profile_version",
    "relevant",
)


class DecisionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, decision: Decision, allowed_from: Collection[TenderStatus]) -> Decision:
        """Append `decision` and move its tender to `status_after`, in one transaction.

        Raises DecisionConflict when the tender is no longer in one of `allowed_from`
        (another person decided first, or the worker moved it).
        """
        allowed = {s.value for s in allowed_from}

        def write(cur: duckdb.DuckDBPyConnection) -> int:
            row = cur.execute(
                "SELECT status FROM tenders WHERE id = ?", [decision.tender_id]
            ).fetchone()
            if row is None or str(row[0]) not in allowed:
                status = TenderStatus(str(row[0])) if row else None
                raise DecisionConflict(status, _latest(cur, decision.tender_id))
            values = _values(decision.model_copy(update={"status_before": TenderStatus(row[0])}))
            placeholders = ", ".join("?" for _ in _COLUMNS)
            new_id = cur.execute(
                f"INSERT INTO decisions (id, {', '.join(_COLUMNS)}) "
                f"VALUES (nextval('decision_id_seq'), {placeholders}) RETURNING id",
                values,
            ).fetchone()
            waits = decision.status_after is TenderStatus.NEEDS_REVIEW
            cur.execute(
                f"""
                UPDATE tenders SET status = ?, review_stage = ?, error = NULL,
                    claimed_from = NULL, lease_until = NULL, status_at = now(),
                    finished_at = CASE WHEN ? IN {RESTING_SQL} THEN now() ELSE NULL END
                WHERE id = ?
                """,
                [
                    decision.status_after.value,
                    decision.stage.value if waits and decision.stage else None,
                    decision.status_after.value,
                    decision.tender_id,
                ],
            )
            return int(new_id[0]) if new_id else 0

        new_id = self._db.write(write)
        saved = self.get(new_id)
        assert saved is not None
        return saved

    def record_feedback(self, decision: Decision, verdict: FilterResult | None) -> Decision:
        """Append a person's feedback; with `verdict` (the tender was undecided), it replaces
        the analyst's relevance, the rating is dropped and the tender moves to
        `status_after`, in one transaction, while the tender is still `status_before`."""

        def write(cur: duckdb.DuckDBPyConnection) -> int:
            row = cur.execute(
                "SELECT status FROM tenders WHERE id = ?", [decision.tender_id]
            ).fetchone()
            if row is None or str(row[0]) != decision.status_before.value:
                status = TenderStatus(str(row[0])) if row else None
                raise DecisionConflict(status, _latest(cur, decision.tender_id))
            placeholders = ", ".join("?" for _ in _COLUMNS)
            new_id = cur.execute(
                f"INSERT INTO decisions (id, {', '.join(_COLUMNS)}) "
                f"VALUES (nextval('decision_id_seq'), {placeholders}) RETURNING id",
                _values(decision),
            ).fetchone()
            if verdict is not None:
                insert_or_replace(
                    cur, "filter_results", filters_to_arrow([(decision.tender_id, verdict)])
                )
                cur.execute("DELETE FROM ratings WHERE tender_id = ?", [decision.tender_id])
                cur.execute(
                    f"""
                    UPDATE tenders SET status = ?, review_stage = NULL, error = NULL,
                        status_at = now(),
                        finished_at = CASE WHEN ? IN {RESTING_SQL} THEN now() ELSE NULL END
                    WHERE id = ?
                    """,
                    [decision.status_after.value, decision.status_after.value, decision.tender_id],
                )
            return int(new_id[0]) if new_id else 0

        saved = self.get(self._db.write(write))
        assert saved is not None
        return saved

    def labelled(self) -> dict[int, Decision]:
        """Per tender, the newest entry that says whether it is relevant (Decision.label)."""
        return newest_labels(self.all())

    def all(self) -> list[Decision]:
        """Every entry, oldest first (the quality summary reads them all)."""
        return _decisions(self._db.cursor(), "SELECT * FROM decisions ORDER BY id", [])

    def get(self, decision_id: int) -> Decision | None:
        rows = _decisions(self._db.cursor(), "SELECT * FROM decisions WHERE id = ?", [decision_id])
        return rows[0] if rows else None

    def history(self, tender_id: int) -> list[Decision]:
        """Every decision on a tender, oldest first."""
        return _decisions(
            self._db.cursor(),
            "SELECT * FROM decisions WHERE tender_id = ? ORDER BY id",
            [tender_id],
        )

    def latest(self, tender_id: int) -> Decision | None:
        return _latest(self._db.cursor(), tender_id)

    def recent(self, limit: int = 50) -> list[Decision]:
        """The newest decisions across all tenders."""
        return _decisions(
            self._db.cursor(), "SELECT * FROM decisions ORDER BY id DESC LIMIT ?", [limit]
        )

    def count(self) -> int:
        row = self._db.cursor().execute("SELECT count(*) FROM decisions").fetchone()
        return int(row[0]) if row else 0


def _latest(cur: duckdb.DuckDBPyConnection, tender_id: int) -> Decision | None:
    rows = _decisions(
        cur, "SELECT * FROM decisions WHERE tender_id = ? ORDER BY id DESC LIMIT 1", [tender_id]
    )
    return rows[0] if rows else None


def _values(decision: Decision) -> list[Any]:
    data = decision.model_dump(mode="json", exclude={"id"})
    data["decided_at"] = decision.decided_at
    data["overrides"] = json.dumps(decision.overrides)
    data["policy"] = json.dumps(decision.policy)
    return [data[column] for column in _COLUMNS]


def _decisions(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Decision]:
    result = cur.execute(sql, params)
    columns = [d[0] for d in result.description or []]
    decisions = []
    for values in result.fetchall():
        row = dict(zip(columns, values, strict=True))
        row["overrides"] = json.loads(row["overrides"] or "{}")
        row["policy"] = json.loads(row["policy"] or "{}")
        decisions.append(Decision.model_validate(row))
    return decisions
