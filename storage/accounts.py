"""Accounts, sign-in sessions and failed sign-in attempts. Passwords arrive here hashed only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

from core.models import Account, AccountExists, AuthSession, Role
from storage.db import Database

_ACCOUNT_COLUMNS = (
    "username",
    "display_name",
    "role",
    "password_hash",
    "email",
    "created_at",
    "created_by",
    "disabled_at",
    "password_changed_at",
)
_SESSION_COLUMNS = (
    "token_hash",
    "username",
    "created_at",
    "expires_at",
    "last_seen_at",
    "revoked_at",
    "client",
)


class AccountRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ accounts

    def count(self) -> int:
        row = self._db.cursor().execute("SELECT count(*) FROM accounts").fetchone()
        return int(row[0]) if row else 0

    def add(self, account: Account, *, only_if_none: bool = False) -> Account:
        """Insert `account`; AccountExists when the username is taken (or, with only_if_none,
        when any account exists: two people creating the first admin at once get one)."""

        def write(cur: duckdb.DuckDBPyConnection) -> None:
            if only_if_none:
                row = cur.execute("SELECT count(*) FROM accounts").fetchone()
                if row and int(row[0]):
                    raise AccountExists(account.username)
            taken = cur.execute(
                "SELECT 1 FROM accounts WHERE username = ?", [account.username]
            ).fetchone()
            if taken:
                raise AccountExists(account.username)
            placeholders = ", ".join("?" for _ in _ACCOUNT_COLUMNS)
            cur.execute(
                f"INSERT INTO accounts ({', '.join(_ACCOUNT_COLUMNS)}) VALUES ({placeholders})",
                [_account_value(account, c) for c in _ACCOUNT_COLUMNS],
            )

        self._db.write(write)
        return account

    def get(self, username: str) -> Account | None:
        row = (
            self._db.cursor()
            .execute(
                f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM accounts WHERE username = ?",
                [username],
            )
            .fetchone()
        )
        return _account(row) if row else None

    def by_email(self, email: str) -> Account | None:
        row = (
            self._db.cursor()
            .execute(
                f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM accounts "
                "WHERE lower(email) = lower(?) ORDER BY created_at LIMIT 1",
                [email],
            )
            .fetchone()
        )
        return _account(row) if row else None

    def all(self) -> list[Account]:
        rows = (
            self._db.cursor()
            .execute(f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM accounts ORDER BY username")
            .fetchall()
        )
        return [_account(row) for row in rows]

    def count_enabled(self, role: Role) -> int:
        row = (
            self._db.cursor()
            .execute(
                "SELECT count(*) FROM accounts WHERE role = ? AND disabled_at IS NULL",
                [role.value],
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def update(self, username: str, **changes: Any) -> Account | None:
        """Change some columns of one account; a disable also revokes its sessions."""
        unknown = set(changes) - set(_ACCOUNT_COLUMNS[1:])
        if unknown:
            raise ValueError(f"unknown account columns: {sorted(unknown)}")
        values = {k: (v.value if isinstance(v, Role) else v) for k, v in changes.items()}

        def write(cur: duckdb.DuckDBPyConnection) -> None:
            sets = ", ".join(f"{column} = ?" for column in values)
            cur.execute(
                f"UPDATE accounts SET {sets} WHERE username = ?", [*values.values(), username]
            )
            if values.get("disabled_at") is not None or "password_hash" in values:
                cur.execute(
                    "UPDATE auth_sessions SET revoked_at = now() "
                    "WHERE username = ? AND revoked_at IS NULL",
                    [username],
                )

        self._db.write(write)
        return self.get(username)

    # ------------------------------------------------------------------ sessions

    def add_session(self, session: AuthSession) -> None:
        placeholders = ", ".join("?" for _ in _SESSION_COLUMNS)
        self._db.write(
            lambda cur: cur.execute(
                f"INSERT INTO auth_sessions ({', '.join(_SESSION_COLUMNS)}) "
                f"VALUES ({placeholders})",
                [getattr(session, c) for c in _SESSION_COLUMNS],
            )
        )

    def session(self, token_hash: str) -> AuthSession | None:
        row = (
            self._db.cursor()
            .execute(
                f"SELECT {', '.join(_SESSION_COLUMNS)} FROM auth_sessions WHERE token_hash = ?",
                [token_hash],
            )
            .fetchone()
        )
        return AuthSession(**dict(zip(_SESSION_COLUMNS, row, strict=True))) if row else None

    def touch_session(self, token_hash: str, at: datetime) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "UPDATE auth_sessions SET last_seen_at = ? WHERE token_hash = ?",
                [at, token_hash],
            )
        )

    def revoke_session(self, token_hash: str, at: datetime) -> bool:
        def write(cur: duckdb.DuckDBPyConnection) -> bool:
            row = cur.execute(
                "UPDATE auth_sessions SET revoked_at = ? "
                "WHERE token_hash = ? AND revoked_at IS NULL RETURNING 1",
                [at, token_hash],
            ).fetchone()
            return row is not None

        return self._db.write(write)

    def open_sessions(self, username: str, now: datetime) -> int:
        row = (
            self._db.cursor()
            .execute(
                "SELECT count(*) FROM auth_sessions WHERE username = ? "
                "AND revoked_at IS NULL AND expires_at > ?",
                [username, now],
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ failed sign-ins

    def add_failure(self, username: str, at: datetime, source: str = "") -> None:
        self._db.write(
            lambda cur: cur.execute(
                "INSERT INTO sign_in_failures (username, failed_at, source) VALUES (?, ?, ?)",
                [username, at, source],
            )
        )

    def failures_since(self, username: str, since: datetime, source: str = "") -> list[datetime]:
        """Failures of `username` from `source` after `since`, oldest first."""
        rows = (
            self._db.cursor()
            .execute(
                "SELECT failed_at FROM sign_in_failures WHERE username = ? AND source = ? "
                "AND failed_at > ? ORDER BY failed_at",
                [username, source, since],
            )
            .fetchall()
        )
        return [row[0] for row in rows]

    def recent_failures(self, since: datetime) -> list[tuple[str, str, datetime]]:
        """(username, source, failed_at) of every failure after `since`, oldest first."""
        rows = (
            self._db.cursor()
            .execute(
                "SELECT username, source, failed_at FROM sign_in_failures WHERE failed_at > ? "
                "ORDER BY failed_at",
                [since],
            )
            .fetchall()
        )
        return [(str(r[0]), str(r[1]), r[2]) for r in rows]

    def clear_failures(
        self, username: str, before: datetime | None = None, source: str | None = None
    ) -> None:
        """Forget failures of one username (from `source` only, after a good sign-in there;
        from everywhere when an admin clears its lock), and with `before` every failure older
        than that too."""
        if before is not None:
            mine = "username = ?" if source is None else "(username = ? AND source = ?)"
            params = [username] if source is None else [username, source]
            self._db.write(
                lambda cur: cur.execute(
                    f"DELETE FROM sign_in_failures WHERE {mine} OR failed_at < ?",
                    [*params, before],
                )
            )
            return
        self._db.write(
            lambda cur: cur.execute("DELETE FROM sign_in_failures WHERE username = ?", [username])
        )


def _account_value(account: Account, column: str) -> Any:
    value = getattr(account, column)
    return value.value if isinstance(value, Role) else value


def _account(row: Sequence[Any]) -> Account:
    values = dict(zip(_ACCOUNT_COLUMNS, row, strict=True))
    values["role"] = Role(values["role"])
    return Account(**values)
