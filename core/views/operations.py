"""What the pages show about the LLM layer: live numbers, operations charts, a tender's trace.

No Streamlit here; numbers come out already worded for people ("7.9 calls/s of 8.0",
"$0.0123", "1,234 tokens"). The endpoint form on Settings is in `core.views.llm_settings`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from core.bootstrap import AppContext
from core.llm.endpoint import Endpoint
from core.llm.errors import error_class_label
from core.llm.limiter import LimiterSnapshot
from core.views.describe import describe_analyst, duration_text, plural

log = logging.getLogger(__name__)
_RESUMES_CLAUSE = re.compile(r"\s*(;|—)\s*work resumes by itself[^.]*\.?$")

LIVE_WINDOW_S = 60.0
DAY_S = 86_400.0


# ---------------------------------------------------------------------- words for numbers
def usd(amount: float) -> str:
    """'$0.0123' for small sums (LLM calls cost fractions of a cent), '$12.34' from a dollar."""
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.4f}"


def tokens_text(count: int) -> str:
    return plural(int(count), "token")


def latency_text(ms: float | None) -> str:
    if ms is None or pd.isna(ms):
        return "–"
    return f"{ms:,.0f} ms" if ms < 1000 else f"{ms / 1000:,.1f} s"


# ---------------------------------------------------------------------- live numbers
@dataclass(frozen=True)
class ErrorCount:
    error_class: str
    last_minute: int
    today: int

    @property
    def label(self) -> str:
        return error_class_label(self.error_class)


@dataclass(frozen=True)
class LLMLiveStats:
    """The endpoint's last minute and today (UTC), for the Pipeline page."""

    analyst: str
    calls_per_s: float
    limit_per_s: float | None
    tokens_last_minute: int
    tokens_today: int
    cost_today: float
    attempts_today: int
    retries_today: int
    cache_hits_today: int
    errors: list[ErrorCount]
    #: the shared limiter, when this process already runs a client for the endpoint
    limiter: LimiterSnapshot | None = None

    @property
    def rate_text(self) -> str:
        if self.limit_per_s is None:
            return f"{self.calls_per_s:,.1f} calls/s (no limit set)"
        return f"{self.calls_per_s:,.1f} calls/s of {self.limit_per_s:,.1f}"

    @property
    def limiter_text(self) -> str | None:
        """'2 of 4 in flight · pacing at 450 requests/min · 3 waiting'."""
        snap = self.limiter
        if snap is None:
            return None
        parts = [f"{snap.in_flight} of {snap.effective_max_in_flight} in flight"]
        if snap.effective_rpm is not None:
            parts.append(f"pacing at {snap.effective_rpm:,.0f} requests/min")
        if snap.waiting:
            parts.append(f"{snap.waiting:,} waiting")
        if snap.held_for_s > 0:
            parts.append(f"held {duration_text(snap.held_for_s)} after a 429")
        return " · ".join(parts)


def _midnight_utc(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _running_limiter(ctx: AppContext, endpoint: Endpoint) -> LimiterSnapshot | None:
    # Only a client this process already uses: building one would reconfigure its limiter.
    client = ctx.existing_client(endpoint)
    return client.limiter.snapshot() if client is not None else None


def live_llm_stats(ctx: AppContext, now: datetime | None = None) -> LLMLiveStats | None:
    """Calls/s against the limit, tokens, cost, retries and errors; None without an endpoint."""
    endpoint = ctx.analyst_settings().endpoint()
    if endpoint is None:
        return None
    minute = ctx.llm_usage.window(LIVE_WINDOW_S)
    today = ctx.llm_usage.window(DAY_S, since=_midnight_utc(now or datetime.now(UTC)))
    classes = sorted(
        set(minute.errors_by_class) | set(today.errors_by_class),
        key=lambda c: (-today.errors_by_class.get(c, 0), c),
    )
    return LLMLiveStats(
        analyst=describe_analyst(endpoint.name),
        calls_per_s=minute.calls_per_s,
        limit_per_s=endpoint.rpm / 60 if endpoint.rpm else None,
        tokens_last_minute=minute.tokens,
        tokens_today=today.tokens,
        cost_today=today.cost,
        attempts_today=today.attempts,
        retries_today=today.retries,
        cache_hits_today=today.cache_hits,
        errors=[
            ErrorCount(c, minute.errors_by_class.get(c, 0), today.errors_by_class.get(c, 0))
            for c in classes
        ],
        limiter=_running_limiter(ctx, endpoint),
    )


def reason_sentence(reason: str) -> str:
    """An endpoint problem as one sentence, without its "work resumes by itself" clause.

    The banner says how the worker resumes, and Test connection runs nothing that would.
    """
    text = _RESUMES_CLAUSE.sub("", reason.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def unavailable_text(
    reason: str | None, since: datetime | None, now: datetime | None = None
) -> str:
    """The Pipeline banner while the endpoint is down ('' when it is not)."""
    if not reason:
        return ""
    reason = reason_sentence(reason)
    when = ""
    if since is not None:
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        waited = ((now or datetime.now(UTC)) - since).total_seconds()
        when = f" (since {since.astimezone(UTC):%H:%M} UTC, {duration_text(max(waited, 0))})"
    return (
        f"The LLM endpoint is not answering{when}: {reason} "
        "The worker is waiting and resumes by itself; nothing is failed."
    )


# ---------------------------------------------------------------------- operations
@dataclass(frozen=True)
class OperationsReport:
    """Totals and per-minute frames over the last `hours`, for the Operations page."""

    hours: float
    any_calls_ever: bool
    attempts: int
    ok: int
    retries: int
    cache_hits: int
    tokens: int
    cost: float
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    per_minute: pd.DataFrame
    errors_per_minute: pd.DataFrame
    errors_by_class: pd.DataFrame
    by_step: pd.DataFrame

    @property
    def errors(self) -> int:
        return self.attempts - self.ok


def operations_report(ctx: AppContext, hours: float = 24.0) -> OperationsReport:
    usage = ctx.llm_usage
    window = usage.window(hours * 3600)
    steps = usage.by_step(hours)
    p50, p95 = usage.latency_percentiles(hours)
    errors_by_class = pd.DataFrame(
        sorted(window.errors_by_class.items(), key=lambda kv: (-kv[1], kv[0])),
        columns=["error_class", "attempts"],
    )
    errors_by_class["error_class"] = errors_by_class["error_class"].map(error_class_label)
    errors_per_minute = usage.errors_per_minute(hours)
    errors_per_minute["error_class"] = errors_per_minute["error_class"].map(error_class_label)
    table = steps.assign(
        tokens=steps["prompt_tokens"].fillna(0) + steps["completion_tokens"].fillna(0)
    )[
        [
            "step",
            "model",
            "calls",
            "attempts",
            "reask_attempts",
            "tokens",
            "cost",
            "latency_p50_ms",
            "latency_p95_ms",
        ]
    ]
    return OperationsReport(
        hours=hours,
        any_calls_ever=usage.count() > 0,
        attempts=window.attempts,
        ok=window.ok,
        retries=window.retries,
        cache_hits=window.cache_hits,
        tokens=window.tokens,
        cost=window.cost,
        latency_p50_ms=p50,
        latency_p95_ms=p95,
        per_minute=usage.per_minute(hours),
        errors_per_minute=errors_per_minute,
        errors_by_class=errors_by_class,
        by_step=table,
    )


# ---------------------------------------------------------------------- one tender's trace
@dataclass(frozen=True)
class TraceRow:
    """One HTTP attempt (or cache hit) for a tender; `call` numbers the calls 1, 2, …"""

    call: int
    at: datetime
    step: str
    attempt: int
    reask: int
    mode: str
    model: str
    status: str
    http_status: int | None
    error_class: str | None
    error: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    prompt_version: str | None
    cost: float

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def tender_trace(ctx: AppContext, tender_id: int) -> list[TraceRow]:
    """Every attempt for the tender, grouped by call (in the order the calls began)."""
    rows = ctx.llm_usage.for_tender(tender_id)
    order: dict[str, int] = {}
    for row in rows:
        order.setdefault(row["call_id"], len(order) + 1)
    rows.sort(key=lambda r: (order[r["call_id"]], r["attempt"], r["called_at"]))
    return [_trace_row(order[r["call_id"]], r) for r in rows]


def _trace_row(call: int, row: dict[str, Any]) -> TraceRow:
    return TraceRow(
        call=call,
        at=row["called_at"],
        step=row["step"],
        attempt=int(row["attempt"]),
        reask=int(row["reask"] or 0),
        mode=row["mode"],
        model=row["model"],
        status=row["status"],
        http_status=row["http_status"],
        error_class=error_class_label(row["error_class"]) or None,
        error=row["error"],
        prompt_tokens=int(row["prompt_tokens"] or 0),
        completion_tokens=int(row["completion_tokens"] or 0),
        latency_ms=float(row["latency_ms"] or 0.0),
        prompt_version=row["prompt_version"],
        cost=float(row["cost"] or 0.0),
    )


def trace_summary(trace: list[TraceRow]) -> str:
    """'2 calls · 3 HTTP attempts · 1 from the cache · 1,234 tokens · $0.0012'."""
    calls = len({r.call for r in trace})
    attempts = sum(1 for r in trace if r.status != "cached")
    cached = len(trace) - attempts
    parts = [plural(calls, "call"), plural(attempts, "HTTP attempt")]
    if cached:
        parts.append(f"{cached:,} from the cache")
    parts += [tokens_text(sum(r.tokens for r in trace)), usd(sum(r.cost for r in trace))]
    return " · ".join(parts)
