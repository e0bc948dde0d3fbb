"""Fakes with real behaviour for unit tests: an in-memory tender store and a scripted analyst."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from core.access.audit import matches
from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import load_demo
from core.models import (
    BidDocument,
    Claim,
    FilterResult,
    LLMUsage,
    RatingResult,
    Recommendation,
    StageOutcome,
    Tender,
    TenderState,
    TenderStatus,
)
from core.pipeline.worker import run_until_idle
from core.profile.company import CompanyProfile, ProfileStore, current_profile, save_profile


class InMemoryTenderStore:
    """Implements core.pipeline.stages.PipelineStore over dicts, with claims and leases."""

    def __init__(self, tenders: Sequence[Tender] = ()) -> None:
        self.states: dict[int, TenderState] = {}
        self.claimed_from: dict[int, TenderStatus] = {}
        self.saved: list[StageOutcome] = []
        self.extended: list[int] = []
        self._lock = threading.Lock()
        for i, tender in enumerate(tenders, start=1):
            stored = tender.model_copy(update={"id": i})
            self.states[i] = TenderState(tender=stored, status=TenderStatus.PENDING)

    def claim(self, limit: int, lease_s: float) -> list[Claim]:
        with self._lock:
            claims = []
            for tender_id, state in self.states.items():
                if len(claims) >= limit:
                    break
                if state.status in (TenderStatus.PENDING, TenderStatus.APPROVED):
                    self.claimed_from[tender_id] = state.status
                    claims.append(Claim(state=state.model_copy(), claimed_from=state.status))
                    state.status = TenderStatus.PROCESSING
            return claims

    def extend_leases(self, tender_ids: Sequence[int], lease_s: float) -> int:
        with self._lock:
            self.extended.extend(tender_ids)
            return sum(self.states[i].status is TenderStatus.PROCESSING for i in tender_ids)

    def save_outcomes(self, outcomes: Sequence[StageOutcome]) -> None:
        with self._lock:
            for outcome in outcomes:
                self.saved.append(outcome)
                state = self.states[outcome.tender_id]
                if outcome.filter is not None:
                    state.filter = outcome.filter
                if outcome.rating is not None:
                    state.rating = outcome.rating
                if outcome.bid is not None:
                    state.bid = outcome.bid
                if outcome.status is not None:
                    state.status = outcome.status
                    state.review_stage = outcome.review_stage
                    state.error = outcome.error
                    self.claimed_from.pop(outcome.tender_id, None)

    def release_stale(self, *, everything: bool = False) -> int:
        with self._lock:
            released = 0
            for tender_id, origin in list(self.claimed_from.items()):
                if everything:
                    self.states[tender_id].status = origin
                    del self.claimed_from[tender_id]
                    released += 1
            return released

    def by_status(self) -> dict[TenderStatus, int]:
        counts: dict[TenderStatus, int] = {}
        for state in self.states.values():
            counts[state.status] = counts.get(state.status, 0) + 1
        return counts


class ScriptedAnalyst:
    """Answers from the tender title: 'relevant', 'score=7.5', 'boom-at-rate' etc.; counts calls."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls: dict[str, int] = {"filter": 0, "rate": 0, "write": 0}
        self._lock = threading.Lock()

    def _count(self, step: str) -> None:
        with self._lock:
            self.calls[step] += 1

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        self._count("filter")
        if "boom-at-filter" in tender.title:
            raise RuntimeError("filter exploded")
        relevant = "relevant" in tender.title and "irrelevant" not in tender.title
        confidence = 0.3 if "unsure" in tender.title else 0.9
        return FilterResult(
            is_relevant=relevant, confidence=confidence, reasoning="scripted", analyst=self.name
        )

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        self._count("rate")
        if "boom-at-rate" in tender.title:
            raise RuntimeError("rating exploded")
        score = 7.5
        for word in tender.title.split():
            if word.startswith("score="):
                score = float(word.removeprefix("score="))
        return RatingResult(
            overall_score=score,
            strategic_fit=score,
            win_probability=score,
            effort_required=5,
            strengths=["s"],
            risks=["r"],
            recommendation=Recommendation.BID if score >= 6 else Recommendation.NO_BID,
            analyst=self.name,
        )

    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        self._count("write")
        return BidDocument(
            executive_summary=f"Bid for {tender.title}",
            technical_approach="approach",
            value_proposition="value",
            timeline_estimate="timeline",
            analyst=self.name,
        )


def open_deadline(days: int = 90) -> str:
    """A deadline `days` from today as a portal writes it (YYYY-MM-DD): open whenever the
    test runs."""
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def tender(title: str, **fields: object) -> Tender:
    base: dict[str, object] = {
        "source": "test",
        "title": title,
        "buyer": "Test Council",
        "deadline": datetime(2027, 1, 15, tzinfo=UTC),
    }
    base.update(fields)
    return Tender.model_validate(base)


def usage_row(**fields: object) -> LLMUsage:
    """A usage row (one HTTP attempt) with sensible defaults; override any field."""
    values: dict[str, object] = {
        "call_id": "c1",
        "step": "rate",
        "attempt": 1,
        "mode": "json_schema",
        "model": "gpt-4o-mini",
        "base_url": "https://api.example.test/v1",
        "status": "ok",
        "prompt_tokens": 1000,
        "completion_tokens": 234,
        "latency_ms": 800.0,
        "cost": 0.0123,
        "called_at": datetime.now(UTC) - timedelta(minutes=2),
    }
    return LLMUsage(**(values | fields))  # type: ignore[arg-type]


def without_review(profile: CompanyProfile) -> CompanyProfile:
    """`profile` with a routing policy that sends nothing to review (results route themselves).

    Verdicts below 50% confidence count as not relevant. For tests of the pipeline's
    mechanics; routing has its own tests.
    """
    policy = profile.thresholds.model_copy(
        update={
            "min_relevance_confidence": 0.5,
            "auto_accept_confidence": 0.5,
            "score_review_band": 0.0,
            "every_bid_needs_approval": False,
        }
    )
    return profile.model_copy(update={"thresholds": policy})


def route_without_review(store: ProfileStore) -> None:
    """Store a profile version whose policy sends nothing to review."""
    save_profile(store, without_review(current_profile(store)))


def analyse_demo(ctx: AppContext) -> AppContext:
    """The built-in demo tenders, dated by the context's clock, analysed until every one rests."""
    load_demo(ctx.tenders, actor=CLI_ACTOR, now=ctx.clock())
    run_until_idle(
        ctx.tenders,
        ctx.make_pipeline,
        batch_size=ctx.settings.worker_batch_size,
        lease_s=ctx.settings.worker_lease_s,
    )
    return ctx


class InMemoryAuditStore:
    """Implements core.access.audit.AuditStore over a list: append-only, newest first when read."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def append(self, row: dict[str, Any]) -> int:
        with self._lock:
            new_id = len(self.rows) + 1
            self.rows.append({"id": new_id, **row})
            return new_id

    def list_events(
        self,
        *,
        actor: str | None,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        with self._lock:
            kept = [
                dict(row)
                for row in self.rows
                if matches(row, actor=actor, action=action, since=since, until=until, text=text)
            ]
        kept.sort(key=lambda row: (row["at"], row["id"]), reverse=True)
        return kept[:limit]
