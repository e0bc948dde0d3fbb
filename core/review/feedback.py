"""Feedback: a person's word on whether a tender is for us, on a tender in any status.

Each word is appended to the decision log (it is a label the team model learns from). A tender
nobody has decided yet is re-routed at once: relevant goes back to the worker to be rated and
routed by the policy, not relevant is filtered out. A decided tender keeps its decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.access.audit import AuditAction, AuditLog, check, note
from core.access.roles import BID_EDITORS, Actor
from core.models import (
    PERSON_ANALYST,
    Decision,
    DecisionAction,
    DecisionConflict,
    FilterResult,
    TenderState,
    TenderStatus,
    utcnow,
)
from core.review.service import ReviewError

# Where a person's word re-routes an undecided tender from (a written bid is kept as it is).
REROUTABLE = frozenset(
    {
        TenderStatus.PENDING,
        TenderStatus.FILTERED_OUT,
        TenderStatus.RATED_LOW,
        TenderStatus.NEEDS_REVIEW,
        TenderStatus.APPROVED,
        TenderStatus.ERROR,
    }
)


class FeedbackStore(Protocol):
    """storage.decisions.DecisionRepository has it."""

    def record_feedback(self, decision: Decision, verdict: FilterResult | None) -> Decision: ...
    def history(self, tender_id: int) -> list[Decision]: ...


class StateReader(Protocol):
    def get(self, tender_id: int) -> TenderState | None: ...


@dataclass(frozen=True)
class Feedback:
    decision: Decision
    rerouted: bool

    def sentence(self, who: str | None = None) -> str:
        """'Marked relevant by ann; it goes back to be rated.' for pages and the CLI."""
        d = self.decision
        word = "relevant" if d.relevant else "not relevant"
        text = f"Tender {d.tender_id} marked {word} by {who or d.decided_by}"
        if not self.rerouted:
            return f"{text}; it keeps its decision ({d.status_after.label.lower()})."
        if d.status_after is TenderStatus.PENDING:
            return f"{text}; it goes back to be rated, then to review or a bid as the policy says."
        return f"{text}; it is now {d.status_after.label.lower()}."


class FeedbackService:
    def __init__(
        self,
        tenders: StateReader,
        store: FeedbackStore,
        now: Callable[[], datetime] = utcnow,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._tenders = tenders
        self._store = store
        self._now = now
        self._audit = audit

    def give(self, tender_id: int, relevant: bool, actor: Actor, reason: str = "") -> Feedback:
        """Record `actor`'s word on the tender's relevance, and re-route it when undecided."""
        target = f"tender {tender_id}"
        check(self._audit, actor, BID_EDITORS, "give feedback on tenders", target=target)
        reason = " ".join(reason.split())
        state = self._tenders.get(tender_id)
        if state is None:
            raise ReviewError(f"There is no tender {tender_id}; `tenders` lists them.")
        if state.status is TenderStatus.PROCESSING:
            raise ReviewError(
                f"Tender {tender_id} is being analysed right now; give your feedback again in a "
                "moment."
            )
        reroute = self.undecided(state)
        after = state.status
        if reroute:
            # Nothing to bid for in an award or planning notice: the word is kept, not rated.
            biddable = state.tender.notice_type.biddable
            after = TenderStatus.PENDING if relevant and biddable else TenderStatus.FILTERED_OUT
        analysis = state.filter
        decision = Decision(
            tender_id=tender_id,
            action=DecisionAction.FEEDBACK,
            status_before=state.status,
            status_after=after,
            decided_by=actor.name,
            role=actor.role,
            decided_at=self._now(),
            reason=reason,
            ai_relevant=analysis.is_relevant if analysis else None,
            ai_confidence=analysis.confidence if analysis else None,
            ai_score=state.rating.overall_score if state.rating else None,
            analyst=analysis.analyst if analysis else None,
            model=analysis.model if analysis else None,
            relevant=relevant,
        )
        verdict = self._verdict(state, relevant, actor, reason) if reroute else None
        try:
            saved = self._store.record_feedback(decision, verdict)
        except DecisionConflict as conflict:
            raise ReviewError(
                f"Tender {tender_id} changed while you looked at it; open it again and repeat "
                "your feedback."
            ) from conflict
        word = "relevant" if relevant else "not relevant"
        detail = f"{word}: {state.status.value} → {after.value}"
        note(
            self._audit,
            actor,
            AuditAction.FEEDBACK,
            target=target,
            detail=detail + (f"; reason: {reason}" if reason else ""),
        )
        return Feedback(saved, reroute)

    def undecided(self, state: TenderState) -> bool:
        """Nobody has accepted, gone or no-gone it since it was last analysed or reopened, and
        no bid was written for it."""
        if state.status not in REROUTABLE:
            return False
        for entry in reversed(self._store.history(state.tender.id or 0)):
            if entry.action is DecisionAction.REOPEN:
                return True
            if entry.action.decides:
                return False
        return True

    def _verdict(
        self, state: TenderState, relevant: bool, actor: Actor, reason: str
    ) -> FilterResult:
        """The person's verdict, which stands in for the analyst's from now on."""
        word = "relevant" if relevant else "not relevant"
        said = f"{actor.label} marked it {word}" + (f": {reason}" if reason else ".")
        previous = state.filter
        return FilterResult(
            analyst=PERSON_ANALYST,
            model=None,
            created_at=self._now(),
            is_relevant=relevant,
            confidence=1.0,
            categories=previous.categories if previous else [],
            reasoning=said,
            evidence=[f"feedback by {actor.name}"]
            + (
                [f"the analyst had said {'relevant' if previous.is_relevant else 'not relevant'}"]
                if previous
                else []
            ),
        )
