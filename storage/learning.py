"""Team models and evaluation history: rows are only ever added."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from core.models import EvaluationRecord, TeamModelRecord
from storage.db import Database

_MODEL_COLUMNS = (
    "trained_at",
    "trained_by",
    "labels",
    "relevant_labels",
    "base_f1",
    "learned_f1",
    "in_use",
    "profile_version",
    "weights",
)
_EVALUATION_COLUMNS = ("created_at", "created_by", "files", "hide_cpv", "analyst", "result")


class TeamModelRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, record: TeamModelRecord) -> TeamModelRecord:
        values = [getattr(record, c) for c in _MODEL_COLUMNS[:-1]] + [json.dumps(record.weights)]
        new_id = _insert(self._db, "team_models", "team_model_id_seq", _MODEL_COLUMNS, values)
        return record.model_copy(update={"id": new_id})

    def latest(self) -> TeamModelRecord | None:
        """The newest training, used or not."""
        rows = self._rows("SELECT * FROM team_models ORDER BY id DESC LIMIT 1")
        return rows[0] if rows else None

    def in_use(self) -> TeamModelRecord | None:
        """The newest training, when it beat the base analyst (else none is used)."""
        latest = self.latest()
        return latest if latest is not None and latest.in_use else None

    def _rows(self, sql: str) -> list[TeamModelRecord]:
        return [
            TeamModelRecord.model_validate(row | {"weights": json.loads(row["weights"])})
            for row in _dicts(self._db.cursor(), sql)
        ]


class EvaluationRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, record: EvaluationRecord) -> EvaluationRecord:
        values = [getattr(record, c) for c in _EVALUATION_COLUMNS[:-1]]
        values.append(json.dumps(record.result))
        new_id = _insert(self._db, "evaluations", "evaluation_id_seq", _EVALUATION_COLUMNS, values)
        return record.model_copy(update={"id": new_id})

    def recent(self, limit: int = 50) -> list[EvaluationRecord]:
        rows = _dicts(
            self._db.cursor(), f"SELECT * FROM evaluations ORDER BY id DESC LIMIT {limit}"
        )
        return [
            EvaluationRecord.model_validate(row | {"result": json.loads(row["result"])})
            for row in rows
        ]


def _insert(
    db: Database, table: str, sequence: str, columns: tuple[str, ...], values: list[Any]
) -> int:
    placeholders = ", ".join("?" for _ in columns)

    def write(cur: duckdb.DuckDBPyConnection) -> int:
        row = cur.execute(
            f"INSERT INTO {table} (id, {', '.join(columns)}) "
            f"VALUES (nextval('{sequence}'), {placeholders}) RETURNING id",
            values,
        ).fetchone()
        return int(row[0]) if row else 0

    return db.write(write)


def _dicts(
    cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    result = cur.execute(sql, params or [])
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]
