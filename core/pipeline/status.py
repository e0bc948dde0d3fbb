"""Progress of the pipeline, for the Pipeline page and `status --json`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from core.bootstrap import AppContext
from core.models import TenderStatus

# Statuses with automatic work still due.
ACTIVE_STATUSES = (TenderStatus.PENDING, TenderStatus.PROCESSING, TenderStatus.APPROVED)
THROUGHPUT_WINDOW_S = 60.0
MIN_SPAN_S = 2.0


class RecentError(BaseModel):
    tender_id: int
    title: str
    error: str
    at: datetime


class PipelineStatus(BaseModel):
    tenders: int
    by_status: dict[str, int]
    review_queue: int
    bids: int
    errors: int
    analyst: str
    paused: bool
    #: why the analyst's endpoint is not answering (the worker waits, nothing fails), if so
    unavailable: str | None = None
    unavailable_since: datetime | None = None
    throughput_per_s: float
    eta_s: float | None
    recent_errors: list[RecentError]

    @property
    def waiting(self) -> int:
        """Tenders with automatic work still due."""
        return sum(self.by_status.get(s.value, 0) for s in ACTIVE_STATUSES)

    def contract_json(self) -> dict[str, object]:
        """The `status --json` contract in DESIGN.md (plus a few extra keys)."""
        return {
            "tenders": self.tenders,
            "by_status": self.by_status,
            "review_queue": self.review_queue,
            "bids": self.bids,
            "errors": self.errors,
            "analyst": self.analyst,
            "paused": self.paused,
            "waiting": self.waiting,
            "analyst_unavailable": self.unavailable,
        }


def pipeline_status(ctx: AppContext) -> PipelineStatus:
    counts = ctx.tenders.counts_by_status()
    by_status = {s.value: counts.get(s.value, 0) for s in TenderStatus}
    waiting = sum(by_status[s.value] for s in ACTIVE_STATUSES)
    paused = ctx.controls().is_paused()
    finished, span_s = ctx.tenders.finished_since(THROUGHPUT_WINDOW_S)
    # A run that started 10 s ago is measured over 10 s, not the whole window; with nothing
    # left to do (or paused) the pipeline is idle, and its throughput is 0, not a fading rate.
    busy = waiting > 0 and not paused
    throughput = finished / max(span_s, MIN_SPAN_S) if finished and busy else 0.0
    eta = waiting / throughput if throughput > 0 and waiting else (0.0 if not waiting else None)
    down = ctx.controls().unavailable()
    return PipelineStatus(
        tenders=sum(counts.values()),
        by_status=by_status,
        review_queue=by_status[TenderStatus.NEEDS_REVIEW.value],
        bids=ctx.tenders.count_bids(),
        errors=by_status[TenderStatus.ERROR.value],
        analyst=ctx.analyst_settings().analyst_name(),
        paused=paused,
        unavailable=(down or {}).get("reason"),
        unavailable_since=(down or {}).get("since"),
        throughput_per_s=round(throughput, 2),
        eta_s=round(eta, 1) if eta is not None else None,
        recent_errors=[
            RecentError(tender_id=i, title=t, error=e, at=at)
            for i, t, e, at in ctx.tenders.recent_errors()
        ],
    )
