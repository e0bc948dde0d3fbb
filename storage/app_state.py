"""The company profile (versioned JSON) and small shared switches such as "worker paused"."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from storage.db import Database


class AppStateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load_profile_json(self) -> str | None:
        """The newest profile version as JSON (core.profile.company validates it)."""
        row = (
            self._db.cursor()
            .execute("SELECT profile FROM company_profiles ORDER BY version DESC LIMIT 1")
            .fetchone()
        )
        return str(row[0]) if row else None

    def save_profile_json(self, profile_json: str) -> int:
        """Store a new version of the profile; returns its version number."""

        def save(cur: duckdb.DuckDBPyConnection) -> int:
            row = cur.execute(
                "INSERT INTO company_profiles (version, profile) "
                "SELECT coalesce(max(version), 0) + 1, ? FROM company_profiles RETURNING version",
                [profile_json],
            ).fetchone()
            return int(row[0]) if row else 0

        # Two threads saving at once (the worker's first read of the default profile and a
        # page) both compute the same next version; the loser simply takes the one after.
        for _ in range(4):
            try:
                return self._db.write(save)
            except duckdb.ConstraintException:
                continue
        return self._db.write(save)

    def profile_version(self) -> int:
        row = self._db.cursor().execute("SELECT max(version) FROM company_profiles").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def get(self, key: str, default: Any = None) -> Any:
        row = (
            self._db.cursor().execute("SELECT value FROM app_state WHERE key = ?", [key]).fetchone()
        )
        return json.loads(row[0]) if row else default

    def set(self, key: str, value: Any) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "INSERT OR REPLACE INTO app_state (key, value, updated_at) VALUES (?, ?, now())",
                [key, json.dumps(value)],
            )
        )
