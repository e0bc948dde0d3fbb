"""The review gate: why a tender waits for a person, and the decisions people make."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from core.models.access import Role
from core.models.base import utcnow
from core.models.tender import TenderStatus


class ReviewStage(StrEnum):
    """Why a tender waits for a person (the routing policy in core.review.policy)."""

    RELEVANCE = "relevance"  # the relevance verdict is not confident enough
    SCORE = "score"  # the overall score is close to the bid threshold
    APPROVAL = "approval"  # every bid needs approval
    REOPENED = "reopened"  # a person put a decided tender back in the queue

    @property
    def label(self) -> str:
        return {
            "relevance": "Unsure relevance",
            "score": "Borderline score",
            "approval": "Bid approval",
            "reopened": "Reopened",
        }[self.value]


class Proposal(StrEnum):
    """What the analyst proposes for a tender: write a bid or not."""

    GO = "go"
    NO_GO = "no_go"

    @property
    def label(self) -> str:
        return "Go" if self is Proposal.GO else "No-go"


class DecisionAction(StrEnum):
    ACCEPT = "accept"  # take the analyst's proposal
    GO = "go"  # override: bid
    NO_GO = "no_go"  # override: do not bid
    REOPEN = "reopen"  # put a decided tender back in the review queue
    FEEDBACK = "feedback"  # a person's word on relevance, on a tender in any status

    @property
    def label(self) -> str:
        return {
            "accept": "Accept",
            "go": "Go",
            "no_go": "No-go",
            "reopen": "Reopen",
            "feedback": "Feedback",
        }[self.value]

    @property
    def decides(self) -> bool:
        """Accept, go and no-go settle a tender; reopen and feedback do not."""
        return self in (DecisionAction.ACCEPT, DecisionAction.GO, DecisionAction.NO_GO)


class Decision(BaseModel):
    """One entry of the append-only decision log, with the analysis it was made on."""

    id: int | None = None
    tender_id: int
    action: DecisionAction
    status_before: TenderStatus
    status_after: TenderStatus
    decided_by: str
    role: Role
    decided_at: datetime = Field(default_factory=utcnow)
    reason: str = ""
    stage: ReviewStage | None = None
    ai_proposal: Proposal | None = None
    ai_relevant: bool | None = None
    ai_confidence: float | None = None
    ai_score: float | None = None
    analyst: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    #: dimension -> {"ai": value, "reviewer": value}, only for dimensions the reviewer changed
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: the routing thresholds in force when the decision was made
    policy: dict[str, Any] = Field(default_factory=dict)
    profile_version: int | None = None
    #: feedback: the person's word on relevance (core.review.feedback)
    relevant: bool | None = None

    @property
    def label(self) -> bool | None:
        """What this entry says about relevance, as a label to learn from (None: nothing).

        Feedback says it outright; a relevance override says it; accepting a relevance
        verdict agrees with the analyst; a go means the tender is worth a bid, so relevant.
        A no-go without a relevance override may be about the score, so it says nothing.
        """
        if self.action is DecisionAction.FEEDBACK:
            return self.relevant
        override = self.overrides.get("is_relevant")
        if override is not None:
            return bool(override["reviewer"])
        if self.action is DecisionAction.ACCEPT and self.stage is ReviewStage.RELEVANCE:
            return self.ai_relevant
        if self.action is DecisionAction.GO:
            return True
        return None


def newest_labels(decisions: Iterable[Decision]) -> dict[int, Decision]:
    """Per tender, the newest entry (of `decisions`, oldest first) that says whether it is
    relevant (Decision.label)."""
    return {d.tender_id: d for d in decisions if d.label is not None}


class DecisionConflict(Exception):
    """Storage could not record a decision: the tender moved on since the decider saw it."""

    def __init__(self, status: TenderStatus | None, latest: Decision | None) -> None:
        super().__init__(f"tender is {status}")
        self.status = status  # None when the tender does not exist
        self.latest = latest
