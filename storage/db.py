"""One DuckDB connection per process and file, a cursor per thread, retried writes."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from storage.migrations import apply_migrations

T = TypeVar("T")

_CONFIG = {
    # Offline machines have only the bundled extensions; never try to download one.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}


class StorageError(RuntimeError):
    """A storage problem a user can act on; the message is one sentence saying what to do."""


class DatabaseLockedError(StorageError):
    pass


def storage_failure(exc: BaseException, path: Path | str) -> StorageError | None:
    """The one sentence for a DuckDB error a user can only fix by restoring the file (a file
    cut short, damaged pages), or None when `exc` is not a DuckDB error."""
    if not isinstance(exc, duckdb.Error):
        return None
    first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    if isinstance(exc, duckdb.IOException):
        return StorageError(
            f"The database {path} is damaged or incomplete ({first}); restore it from a backup, "
            "or point DUCKDB_PATH (or --db) at a new file."
        )
    return StorageError(f"The database {path} could not answer ({first}); nothing was changed.")


class Database:
    """A DuckDB file opened read-write by this process. Threads each get their own cursor."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._conn = _connect(path)
        _owner_only(path)
        try:
            self._conn.execute("SET TimeZone = 'UTC'")
            self.schema_version = apply_migrations(self._conn)
        except duckdb.Error as exc:
            self._conn.close()
            raise storage_failure(exc, path) or exc from exc

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (DuckDB connections must not be shared between threads)."""
        if self._closed:
            raise StorageError(f"The database {self.path} has been closed; restart Tenderwise.")
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._conn.cursor()
            cursor.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cursor
            with self._lock:
                self._cursors.append(cursor)
        return cursor

    def write(self, operation: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `operation` in one transaction on this thread's cursor, retrying write conflicts."""
        return _retry_conflicts(self._transaction)(operation)

    def _transaction(self, operation: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        cursor = self.cursor()
        cursor.execute("BEGIN TRANSACTION")
        try:
            result = operation(cursor)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
        return result

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for cursor in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cursor.close()
            self._cursors.clear()
            self._conn.close()


_retry_conflicts = retry(
    retry=retry_if_exception_type(duckdb.TransactionException),
    stop=stop_after_attempt(25) | stop_after_delay(30),
    wait=wait_random_exponential(multiplier=0.01, max=0.5),
    reraise=True,
)

_LOCK_PID = re.compile(r"PID (\d+)")


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), config=_CONFIG)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            pid = _LOCK_PID.search(message)
            holder = f"process {pid.group(1)}" if pid else "another process"
            raise DatabaseLockedError(
                f"The database {path} is in use by {holder} (probably the Tenderwise dashboard): "
                "use the dashboard, or stop it and run this command again."
            ) from exc
        raise StorageError(
            f"Could not open the database {path}: {message.splitlines()[0]}. "
            "Check the path (DUCKDB_PATH or --db) and its permissions."
        ) from exc
    except duckdb.Error as exc:
        raise StorageError(
            f"Could not open the database {path}: {str(exc).splitlines()[0]}. "
            "If it was written by another DuckDB version, point DUCKDB_PATH at a new file."
        ) from exc


def _owner_only(path: Path) -> None:
    """The database holds password hashes: readable by its owner only (and its WAL too)."""
    for file in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)


_open: dict[Path, Database] = {}
_open_lock = threading.Lock()


def open_database(path: Path | str) -> Database:
    """The process-wide Database for `path` (created with its folder, migrated on first open)."""
    resolved = Path(path).expanduser().resolve()
    with _open_lock:
        database = _open.get(resolved)
        if database is None or database._closed:
            resolved.parent.mkdir(parents=True, exist_ok=True)
            database = Database(resolved)
            _open[resolved] = database
        return database


def close_database(path: Path | str) -> None:
    resolved = Path(path).expanduser().resolve()
    with _open_lock:
        database = _open.pop(resolved, None)
    if database is not None:
        database.close()
