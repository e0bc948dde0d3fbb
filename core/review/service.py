"""The review queue and decisions: accept, go, no-go and reopen, recorded append-only.

Pages and the CLI call these functions; the role check, the reason rule and finality live
here so that no caller can skip them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import DECIDERS, Actor
from core.models import (
    Decision,
    DecisionAction,
    DecisionConflict,
    Proposal,
    ReviewStage,
    Score,
    TenderState,
    TenderStatus,
    utcnow,
)
from core.profile.company import CompanyProfile, Thresholds
from core.review import policy as review

# A decided tender can be reopened from wherever a decision or the routing left it.
REOPENABLE = frozenset(
    {
        TenderStatus.FILTERED_OUT,
        TenderStatus.RATED_LOW,
        TenderStatus.REJECTED,
        TenderStatus.APPROVED,
        TenderStatus.COMPLETE,
    }
)


def reopenable(state: TenderState) -> bool:
    """Whether the tender is analysed and decided (by a person or the routing), so that a
    decider may put it back in the review queue."""
    return state.status in REOPENABLE and state.filter is not None


# Go/no-go as proposed overrides nothing: no reason needed; without one, it is an accept.
_AGREES = {DecisionAction.GO: Proposal.GO, DecisionAction.NO_GO: Proposal.NO_GO}

SCORE_DIMENSIONS = ("overall_score", "strategic_fit", "win_probability", "effort_required")
DIMENSION_LABELS = {
    "is_relevant": "Relevance",
    "overall_score": "Overall score",
    "strategic_fit": "Strategic fit",
    "win_probability": "Win probability",
    "effort_required": "Effort required",
}


class ReviewError(ValueError):
    """A decision that cannot be recorded; the message is one sentence saying what to do."""


class AlreadyDecided(ReviewError):
    """Someone decided on the tender first (the message names who and when)."""


class Overrides(BaseModel):
    """A reviewer's own view of relevance or scores; None keeps the analyst's value."""

    is_relevant: bool | None = None
    overall_score: Score | None = None
    strategic_fit: Score | None = None
    win_probability: Score | None = None
    effort_required: Score | None = None


class DecisionStore(Protocol):
    """storage.decisions.DecisionRepository has it."""

    def record(self, decision: Decision, allowed_from: frozenset[TenderStatus]) -> Decision: ...
    def history(self, tender_id: int) -> list[Decision]: ...
    def latest(self, tender_id: int) -> Decision | None: ...


class TenderReader(Protocol):
    def get(self, tender_id: int) -> TenderState | None: ...
    def review_queue(self) -> list[TenderState]: ...


@dataclass(frozen=True)
class ReviewItem:
    """A tender waiting for a person, with the analyst's proposal and why it waits."""

    state: TenderState
    stage: ReviewStage
    proposal: Proposal
    reason: str

    @property
    def tender_id(self) -> int:
        return self.state.tender.id or 0

    def to_json(self) -> dict[str, Any]:
        tender, relevance, rating = self.state.tender, self.state.filter, self.state.rating
        return {
            "tender_id": self.tender_id,
            "title": tender.title,
            "buyer": tender.buyer,
            "stage": self.stage.value,
            "proposal": self.proposal.value,
            "why": self.reason,
            "is_relevant": relevance.is_relevant if relevance else None,
            "confidence": round(relevance.confidence, 3) if relevance else None,
            "overall_score": rating.overall_score if rating else None,
            "recommendation": rating.recommendation.value if rating else None,
            "deadline": tender.deadline.isoformat() if tender.deadline else None,
            "value_amount": tender.value_amount,
            "value_low": tender.value_low,
            "value_currency": tender.value_currency,
            "analyst": relevance.analyst if relevance else None,
            "model": relevance.model if relevance else None,
        }


class QueueFilters(BaseModel):
    stages: list[ReviewStage] = Field(default_factory=list)
    proposals: list[Proposal] = Field(default_factory=list)
    text: str = ""

    def select(self, items: list[ReviewItem]) -> list[ReviewItem]:
        """The items these filters let through, in their order."""
        text = self.text.strip().lower()
        return [
            item
            for item in items
            if (not self.stages or item.stage in self.stages)
            and (not self.proposals or item.proposal in self.proposals)
            and (not text or text in _haystack(item.state))
        ]


class ReviewService:
    """The queue and decisions over one store; the profile is read at each call."""

    def __init__(
        self,
        tenders: TenderReader,
        decisions: DecisionStore,
        profile: Callable[[], CompanyProfile],
        profile_version: Callable[[], int] = lambda: 0,
        now: Callable[[], datetime] = utcnow,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._tenders = tenders
        self._decisions = decisions
        self._profile = profile
        self._profile_version = profile_version
        self._now = now
        self._audit = audit

    # ------------------------------------------------------------------ queue
    def queue(self, filters: QueueFilters | None = None) -> list[ReviewItem]:
        """What waits, soonest deadline first, then the largest value."""
        policy = self._profile().thresholds
        items = [self._item(state, policy) for state in self._tenders.review_queue()]
        now = self._now()
        ordered = sorted(items, key=lambda item: _queue_order(item, now))
        return (filters or QueueFilters()).select(ordered)

    def item(self, tender_id: int) -> ReviewItem | None:
        state = self._tenders.get(tender_id)
        if state is None or state.status is not TenderStatus.NEEDS_REVIEW:
            return None
        return self._item(state, self._profile().thresholds)

    def history(self, tender_id: int) -> list[Decision]:
        return self._decisions.history(tender_id)

    # --------------------------------------------------------------- decisions
    def decide(
        self,
        tender_id: int,
        action: DecisionAction,
        actor: Actor,
        reason: str = "",
        overrides: Overrides | None = None,
    ) -> Decision:
        """Record accept, go or no-go on a tender waiting for review, and move it on."""
        if action is DecisionAction.REOPEN:
            return self.reopen(tender_id, actor, reason)
        reason = " ".join(reason.split())
        check(self._audit, actor, DECIDERS, "decide on tenders", target=f"tender {tender_id}")
        state = self._get(tender_id)
        if state.status is not TenderStatus.NEEDS_REVIEW:
            raise self._not_waiting(state)
        assert state.filter is not None, "tenders wait for review only after analysis"
        policy = self._profile().thresholds
        item = self._item(state, policy)
        changed = _changed(state, overrides)
        if not changed and not reason and _AGREES.get(action) is item.proposal:
            action = DecisionAction.ACCEPT  # with a reason, it stays the person's own decision
        if action is not DecisionAction.ACCEPT and not reason:
            raise ReviewError(
                f"A {action.label.lower()} decision needs a reason: say why you override "
                "the analyst."
            )
        if action is DecisionAction.ACCEPT and changed:
            raise ReviewError(
                "Accept takes the analyst's proposal as it is; to change relevance or scores, "
                "decide go or no-go with a reason."
            )
        if action is DecisionAction.ACCEPT:
            status_after = review.automatic_status(state.filter, state.rating, policy)
        elif action is DecisionAction.GO:
            status_after = TenderStatus.APPROVED
        else:
            status_after = TenderStatus.REJECTED
        decision = self._decision(state, item.stage, item.proposal, action, actor, reason, policy)
        decision.status_after = status_after
        decision.overrides = changed
        return self._record(decision, frozenset({TenderStatus.NEEDS_REVIEW}), actor)

    def can_reopen(self, state: TenderState, actor: Actor) -> bool:
        """Whether `actor` may reopen this tender now (what `reopen` checks before the reason)."""
        return actor.can(DECIDERS) and reopenable(state)

    def reopen(self, tender_id: int, actor: Actor, reason: str) -> Decision:
        """Put a decided (or automatically routed) tender back in the review queue."""
        reason = " ".join(reason.split())
        check(self._audit, actor, DECIDERS, "reopen tenders", target=f"tender {tender_id}")
        if not reason:
            raise ReviewError("Reopening needs a reason: say why the tender deserves a new look.")
        state = self._get(tender_id)
        if state.status is TenderStatus.NEEDS_REVIEW:
            raise ReviewError(f"Tender {tender_id} is already waiting for review.")
        if not reopenable(state):
            raise ReviewError(
                f"Tender {tender_id} is {state.status.label.lower()}: only analysed tenders can "
                "be reopened; wait for its analysis to finish."
            )
        policy = self._profile().thresholds
        routing = review.route(state.filter, state.rating, policy)
        decision = self._decision(
            state,
            ReviewStage.REOPENED,
            routing.proposal,
            DecisionAction.REOPEN,
            actor,
            reason,
            policy,
        )
        decision.status_after = TenderStatus.NEEDS_REVIEW
        return self._record(decision, frozenset({state.status}), actor)

    # ---------------------------------------------------------------- helpers
    def _get(self, tender_id: int) -> TenderState:
        state = self._tenders.get(tender_id)
        if state is None:
            raise ReviewError(f"There is no tender {tender_id}; `review list` shows the queue.")
        return state

    def _item(self, state: TenderState, policy: Thresholds) -> ReviewItem:
        assert state.filter is not None
        routing = review.route(state.filter, state.rating, policy)
        stage = state.review_stage or routing.stage or ReviewStage.APPROVAL
        reason = routing.reason
        if stage is ReviewStage.REOPENED:
            latest = self._decisions.latest(state.tender.id or 0)
            if latest is not None and latest.action is DecisionAction.REOPEN:
                reason = f"reopened by {latest.decided_by}: {latest.reason}"
        return ReviewItem(state, stage, routing.proposal, reason)

    def _decision(
        self,
        state: TenderState,
        stage: ReviewStage,
        proposal: Proposal,
        action: DecisionAction,
        actor: Actor,
        reason: str,
        policy: Thresholds,
    ) -> Decision:
        relevance, rating = state.filter, state.rating
        source = rating or relevance
        return Decision(
            tender_id=state.tender.id or 0,
            action=action,
            status_before=state.status,
            status_after=state.status,
            decided_by=actor.name,
            role=actor.role,
            decided_at=self._now(),
            reason=reason,
            stage=stage,
            ai_proposal=proposal,
            ai_relevant=relevance.is_relevant if relevance else None,
            ai_confidence=relevance.confidence if relevance else None,
            ai_score=rating.overall_score if rating else None,
            analyst=source.analyst if source else None,
            model=source.model if source else None,
            prompt_version=source.prompt_version if source else None,
            policy=policy.model_dump(),
            profile_version=self._profile_version(),
        )

    def _record(
        self, decision: Decision, allowed_from: frozenset[TenderStatus], actor: Actor
    ) -> Decision:
        try:
            saved = self._decisions.record(decision, allowed_from)
        except DecisionConflict as conflict:
            state = self._tenders.get(decision.tender_id)
            if state is None:
                raise ReviewError(f"There is no tender {decision.tender_id}.") from conflict
            raise self._not_waiting(state) from conflict
        note(
            self._audit,
            actor,
            AuditAction.DECISION,
            target=f"tender {saved.tender_id}",
            detail=audit_detail(saved),
        )
        return saved

    def _not_waiting(self, state: TenderState) -> ReviewError:
        tender_id = state.tender.id
        latest = self._decisions.latest(tender_id or 0)
        if latest is not None and latest.action is not DecisionAction.REOPEN:
            return AlreadyDecided(
                f"Tender {tender_id} was already decided by {latest.decided_by} at "
                f"{format_when(latest.decided_at)} ({latest.action.label}); "
                "reopen it to decide again."
            )
        return ReviewError(
            f"Tender {tender_id} is not waiting for review (it is "
            f"{state.status.label.lower()}); reopen it to put it in the queue."
        )


def audit_detail(decision: Decision) -> str:
    """'go: needs_review → approved; overrides overall score; reason: …' for the audit log."""
    text = (
        f"{decision.action.value}: {decision.status_before.value} → {decision.status_after.value}"
    )
    if decision.overrides:
        names = ", ".join(DIMENSION_LABELS.get(n, n).lower() for n in decision.overrides)
        text += f"; overrides {names}"
    if decision.reason:
        text += f"; reason: {decision.reason}"
    return text


def format_when(when: datetime) -> str:
    """'2026-11-21 14:05 UTC': how decision and approval times are worded."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _changed(state: TenderState, overrides: Overrides | None) -> dict[str, dict[str, Any]]:
    """The dimensions a reviewer changed: {dimension: {"ai": old, "reviewer": new}}."""
    if overrides is None:
        return {}
    changed: dict[str, dict[str, Any]] = {}
    if overrides.is_relevant is not None:
        ai = state.filter.is_relevant if state.filter else None
        if overrides.is_relevant != ai:
            changed["is_relevant"] = {"ai": ai, "reviewer": overrides.is_relevant}
    for name in SCORE_DIMENSIONS:
        value = getattr(overrides, name)
        if value is None:
            continue
        ai = getattr(state.rating, name) if state.rating else None
        if ai is None or abs(float(value) - float(ai)) >= 0.05:
            changed[name] = {"ai": ai, "reviewer": round(float(value), 1)}
    return changed


def _queue_order(item: ReviewItem, now: datetime) -> tuple[int, float, bool, float, int]:
    """Open tenders by deadline, soonest first; then those without one; closed ones last
    (most recently closed first), each by value, largest first."""
    tender = item.state.tender
    deadline = tender.deadline
    if deadline is None:
        group, when = 1, 0.0
    elif deadline >= now:
        group, when = 0, deadline.timestamp()
    else:
        group, when = 2, -deadline.timestamp()
    value = tender.value_amount or 0.0
    return (group, when, tender.value_amount is None, -value, item.tender_id)


def _haystack(state: TenderState) -> str:
    tender = state.tender
    parts = [tender.title, tender.buyer or "", tender.description[:2_000], str(tender.id)]
    return " ".join(parts).lower()
