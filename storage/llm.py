"""LLM-layer storage: usage rows per HTTP attempt, the answer cache, and refused features."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from core.models import LLMUsage
from storage.db import Database

_USAGE_COLUMNS = tuple(LLMUsage.__dataclass_fields__)
# HTTP attempts only: cache hits are rows too (for a tender's trace) but not calls.
_ATTEMPTS = "status <> 'cached'"


@dataclass(frozen=True)
class UsageWindow:
    """What the endpoint did in a recent window, for the Pipeline page's live numbers."""

    seconds: float
    attempts: int = 0
    ok: int = 0
    retries: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    errors_by_class: dict[str, int] = field(default_factory=dict)

    @property
    def calls_per_s(self) -> float:
        return self.attempts / self.seconds if self.seconds else 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LLMUsageRepository:
    """Implements `core.llm.usage.UsageSink`; read side for the Pipeline and Operations pages."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, row: LLMUsage) -> None:
        values = asdict(row)
        placeholders = ", ".join("?" for _ in _USAGE_COLUMNS)
        self._db.write(
            lambda cur: cur.execute(
                f"INSERT INTO llm_calls ({', '.join(_USAGE_COLUMNS)}) VALUES ({placeholders})",
                [values[c] for c in _USAGE_COLUMNS],
            )
        )

    def count(self) -> int:
        row = self._db.cursor().execute(f"SELECT count(*) FROM llm_calls WHERE {_ATTEMPTS}")
        return int(row.fetchone()[0])  # type: ignore[index]

    def for_tender(self, tender_id: int) -> list[dict[str, Any]]:
        """Every attempt for one tender, oldest first: its trace."""
        cur = self._db.cursor().execute(
            "SELECT * FROM llm_calls WHERE tender_id = ? ORDER BY called_at, id", [tender_id]
        )
        return _dict_rows(cur)

    def window(self, seconds: float, *, since: datetime | None = None) -> UsageWindow:
        """Totals over the last `seconds` (or since `since`, whichever is later)."""
        where = "called_at >= now() - to_seconds(?)" + (" AND called_at >= ?" if since else "")
        params: list[Any] = [seconds] + ([since] if since else [])
        cur = self._db.cursor()
        row = cur.execute(
            f"""
            SELECT count(*) FILTER (WHERE {_ATTEMPTS}),
                   count(*) FILTER (WHERE status = 'ok'),
                   count(*) FILTER (WHERE {_ATTEMPTS} AND attempt > 1),
                   count(*) FILTER (WHERE status = 'cached'),
                   coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),
                   coalesce(sum(cost), 0)
            FROM llm_calls WHERE {where}
            """,
            params,
        ).fetchone()
        errors = cur.execute(
            f"SELECT error_class, count(*) FROM llm_calls WHERE {where} "
            "AND error_class IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
            params,
        ).fetchall()
        assert row is not None
        return UsageWindow(
            seconds=seconds,
            attempts=int(row[0]),
            ok=int(row[1]),
            retries=int(row[2]),
            cache_hits=int(row[3]),
            prompt_tokens=int(row[4]),
            completion_tokens=int(row[5]),
            cost=float(row[6]),
            errors_by_class={str(k): int(v) for k, v in errors},
        )

    def latency_percentiles(self, hours: float = 24.0) -> tuple[float | None, float | None]:
        """p50 and p95 latency (ms) of every HTTP attempt in the last `hours`."""
        row = (
            self._db.cursor()
            .execute(
                f"""
                SELECT quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95)
                FROM llm_calls WHERE {_ATTEMPTS} AND called_at >= now() - to_seconds(?)
                """,
                [hours * 3600],
            )
            .fetchone()
        )
        if row is None or row[0] is None:
            return None, None
        return float(row[0]), float(row[1])

    def per_minute(self, hours: float = 24.0) -> pd.DataFrame:
        """Attempts, errors, tokens, cost and latency percentiles per minute, for charts."""
        return self._frame(
            f"""
            SELECT time_bucket(INTERVAL 1 MINUTE, called_at) AS minute,
                   count(*) AS attempts,
                   count(*) FILTER (WHERE status = 'error') AS errors,
                   sum(prompt_tokens) AS prompt_tokens,
                   sum(completion_tokens) AS completion_tokens,
                   sum(cost) AS cost,
                   quantile_cont(latency_ms, 0.5) AS latency_p50_ms,
                   quantile_cont(latency_ms, 0.95) AS latency_p95_ms
            FROM llm_calls
            WHERE {_ATTEMPTS} AND called_at >= now() - to_seconds(?)
            GROUP BY 1 ORDER BY 1
            """,
            hours,
        )

    def errors_per_minute(self, hours: float = 24.0) -> pd.DataFrame:
        return self._frame(
            """
            SELECT time_bucket(INTERVAL 1 MINUTE, called_at) AS minute, error_class,
                   count(*) AS attempts
            FROM llm_calls
            WHERE error_class IS NOT NULL AND called_at >= now() - to_seconds(?)
            GROUP BY ALL ORDER BY 1, 2
            """,
            hours,
        )

    def by_step(self, hours: float = 24.0) -> pd.DataFrame:
        """Per step and model: calls (grouping their attempts), attempts, tokens, cost, latency."""
        return self._frame(
            f"""
            SELECT step, model,
                   count(DISTINCT call_id) AS calls,
                   count(*) AS attempts,
                   count(*) FILTER (WHERE reask > 0) AS reask_attempts,
                   sum(prompt_tokens) AS prompt_tokens,
                   sum(completion_tokens) AS completion_tokens,
                   sum(cost) AS cost,
                   quantile_cont(latency_ms, 0.5) AS latency_p50_ms,
                   quantile_cont(latency_ms, 0.95) AS latency_p95_ms
            FROM llm_calls
            WHERE {_ATTEMPTS} AND called_at >= now() - to_seconds(?)
            GROUP BY ALL ORDER BY step, model
            """,
            hours,
        )

    def _frame(self, sql: str, hours: float) -> pd.DataFrame:
        """A query over the last `hours` (its one parameter) as a DataFrame."""
        return self._db.cursor().execute(sql, [hours * 3600]).df()


class LLMCacheRepository:
    """Implements `core.llm.cache.AnswerCache` over a table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        row = self._db.cursor().execute("SELECT answer FROM llm_cache WHERE key = ?", [key])
        found = row.fetchone()
        return str(found[0]) if found else None

    def put(self, key: str, *, step: str, model: str, answer_json: str) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "INSERT OR REPLACE INTO llm_cache (key, step, model, answer, created_at) "
                "VALUES (?, ?, ?, ?, now())",
                [key, step, model, answer_json],
            )
        )

    def count(self) -> int:
        return int(self._db.cursor().execute("SELECT count(*) FROM llm_cache").fetchone()[0])  # type: ignore[index]


class CapabilityRepository:
    """Implements `core.llm.capabilities.CapabilityStore`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def refused(self, base_url: str, model: str) -> set[str]:
        rows = (
            self._db.cursor()
            .execute(
                "SELECT feature FROM llm_capabilities WHERE base_url = ? AND model = ?",
                [base_url, model],
            )
            .fetchall()
        )
        return {str(r[0]) for r in rows}

    def add_refusal(self, base_url: str, model: str, feature: str, reason: str) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "INSERT OR REPLACE INTO llm_capabilities (base_url, model, feature, reason, "
                "refused_at) VALUES (?, ?, ?, ?, now())",
                [base_url, model, feature, reason],
            )
        )

    def clear(self, base_url: str, model: str) -> None:
        self._db.write(
            lambda cur: cur.execute(
                "DELETE FROM llm_capabilities WHERE base_url = ? AND model = ?", [base_url, model]
            )
        )

    def all(self) -> list[dict[str, Any]]:
        cur = self._db.cursor().execute(
            "SELECT * FROM llm_capabilities ORDER BY base_url, model, refused_at"
        )
        return _dict_rows(cur)


def _dict_rows(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
