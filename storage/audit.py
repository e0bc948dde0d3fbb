"""The append-only audit log table: rows are inserted and read, never updated or deleted.

Rows are plain dicts with the fields of core.access.audit.AuditEvent (storage imports only
core.models); core.access.audit validates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from storage.db import Database

_COLUMNS = ("at", "actor", "role", "action", "target", "detail", "outcome")
_SQL_COLUMNS = ", ".join(f'"{column}"' for column in _COLUMNS)  # "at" is a keyword


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, row: dict[str, Any]) -> int:
        """Insert one event; returns its id."""
        values = [row.get(column) for column in _COLUMNS]
        placeholders = ", ".join("?" for _ in _COLUMNS)

        def insert(cur: duckdb.DuckDBPyConnection) -> int:
            new = cur.execute(
                f"INSERT INTO audit_log ({_SQL_COLUMNS}) VALUES ({placeholders}) RETURNING id",
                values,
            ).fetchone()
            return int(new[0]) if new else 0

        return self._db.write(insert)

    def list_events(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """Events newest first. `since` is inclusive, `until` exclusive; `actor` is matched
        whole, `text` anywhere in actor, action, target or detail (both ignoring case)."""
        where: list[str] = []
        params: list[Any] = []
        if actor:
            where.append("lower(actor) = lower(?)")
            params.append(actor)
        if action:
            where.append("action = ?")
            params.append(action)
        if since is not None:
            where.append('"at" >= ?')
            params.append(since)
        if until is not None:
            where.append('"at" < ?')
            params.append(until)
        if text:
            where.append(
                "contains(lower(actor || ' ' || action || ' ' || target || ' ' || detail), "
                "lower(?))"
            )
            params.append(text)
        sql = f"SELECT id, {_SQL_COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += ' ORDER BY "at" DESC, id DESC LIMIT ?'
        params.append(int(limit))
        result = self._db.cursor().execute(sql, params)
        columns = [d[0] for d in result.description or []]
        return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]

    def count(self) -> int:
        row = self._db.cursor().execute("SELECT count(*) FROM audit_log").fetchone()
        return int(row[0]) if row else 0
