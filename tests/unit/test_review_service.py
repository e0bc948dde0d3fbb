"""The review service's rules over in-memory stores: who may decide, when a reason is needed,
that a decision is final until reopened, and what a lost race says. The same rules run over
DuckDB in tests/integration/test_decisions.py."""

from __future__ import annotations

import pytest

from core.access.audit import AuditAction, AuditLog
from core.access.roles import Actor, NotAllowed
from core.models import (
    DecisionAction,
    FilterResult,
    Proposal,
    RatingResult,
    Recommendation,
    ReviewStage,
    Role,
    TenderState,
    TenderStatus,
)
from core.profile.company import default_profile
from core.review.service import AlreadyDecided, Overrides, ReviewError, ReviewService
from tests.fakes import (
    Clock,
    InMemoryAuditStore,
    InMemoryDecisionStore,
    InMemoryTenderStore,
    tender,
)

ANN = Actor(name="ann", role=Role.APPROVER)
BOB = Actor(name="bob", role=Role.ADMIN)
VERA = Actor(name="vera", role=Role.BID_MANAGER)


class Desk:
    """A review service over fakes, with the stores in reach for the assertions."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.tenders = InMemoryTenderStore()
        self.decisions = InMemoryDecisionStore(self.tenders)
        self.audit_rows = InMemoryAuditStore()
        self.service = ReviewService(
            self.tenders,
            self.decisions,
            default_profile,
            now=self.clock,
            audit=AuditLog(self.audit_rows, clock=self.clock),
        )

    def waiting(self, score: float = 7.5, confidence: float = 0.9) -> int:
        """A tender the analyst finds relevant, waiting for approval (every bid needs one)."""
        return self.tenders.add_state(
            TenderState(
                tender=tender("Managed cloud hosting"),
                status=TenderStatus.NEEDS_REVIEW,
                review_stage=ReviewStage.APPROVAL,
                filter=FilterResult(is_relevant=True, confidence=confidence, analyst="rules"),
                rating=RatingResult(
                    overall_score=score,
                    strategic_fit=score,
                    win_probability=score,
                    effort_required=5,
                    recommendation=Recommendation.BID,
                    analyst="rules",
                ),
            )
        )

    def status(self, tender_id: int) -> TenderStatus:
        state = self.tenders.get(tender_id)
        assert state is not None
        return state.status

    def actions(self) -> list[str]:
        return [row["action"] for row in self.audit_rows.rows]


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_accepting_a_go_proposal_approves_and_records_what_the_analyst_said(desk: Desk) -> None:
    tender_id = desk.waiting(score=7.5)
    decision = desk.service.decide(tender_id, DecisionAction.ACCEPT, ANN)
    assert desk.status(tender_id) is TenderStatus.APPROVED
    assert (decision.decided_by, decision.role) == ("ann", Role.APPROVER)
    assert decision.status_before is TenderStatus.NEEDS_REVIEW
    assert decision.ai_proposal is Proposal.GO
    assert (decision.ai_relevant, decision.ai_confidence, decision.ai_score) == (True, 0.9, 7.5)
    assert decision.decided_at == desk.clock.now
    assert desk.actions() == [AuditAction.DECISION.value]


def test_an_override_needs_a_reason_and_a_refusal_records_nothing(desk: Desk) -> None:
    tender_id = desk.waiting()  # the analyst proposes go
    with pytest.raises(ReviewError, match="needs a reason"):
        desk.service.decide(tender_id, DecisionAction.NO_GO, ANN, reason="   ")
    with pytest.raises(ReviewError, match="needs a reason"):
        overrides = Overrides(overall_score=9)
        desk.service.decide(tender_id, DecisionAction.GO, ANN, reason="", overrides=overrides)
    assert desk.decisions.rows == []
    assert desk.status(tender_id) is TenderStatus.NEEDS_REVIEW
    desk.service.decide(tender_id, DecisionAction.NO_GO, ANN, reason="  no   capacity  in June ")
    assert desk.status(tender_id) is TenderStatus.REJECTED
    assert desk.decisions.rows[-1].reason == "no capacity in June"


def test_a_go_or_no_go_that_agrees_with_the_proposal_is_an_accept(desk: Desk) -> None:
    go = desk.waiting()  # the analyst proposes go
    decision = desk.service.decide(go, DecisionAction.GO, ANN)
    assert decision.action is DecisionAction.ACCEPT and decision.reason == ""
    assert desk.status(go) is TenderStatus.APPROVED

    no_go = desk.waiting(score=3.0)  # …and no-go here
    assert desk.service.item(no_go).proposal is Proposal.NO_GO  # type: ignore[union-attr]
    decision = desk.service.decide(no_go, DecisionAction.NO_GO, ANN)
    assert decision.action is DecisionAction.ACCEPT
    assert desk.status(no_go) is TenderStatus.RATED_LOW

    standing = desk.waiting(score=3.0)  # with a reason, the person's own no-go
    decision = desk.service.decide(standing, DecisionAction.NO_GO, ANN, reason="not for us")
    assert decision.action is DecisionAction.NO_GO
    assert desk.status(standing) is TenderStatus.REJECTED


def test_accept_takes_the_proposal_as_it_is(desk: Desk) -> None:
    tender_id = desk.waiting()
    with pytest.raises(ReviewError, match="Accept takes the analyst's proposal"):
        desk.service.decide(
            tender_id, DecisionAction.ACCEPT, ANN, overrides=Overrides(overall_score=3)
        )
    decision = desk.service.decide(
        tender_id,
        DecisionAction.GO,
        ANN,
        reason="we know this buyer",
        overrides=Overrides(overall_score=9),
    )
    assert decision.overrides == {"overall_score": {"ai": 7.5, "reviewer": 9.0}}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BID_MANAGER])
def test_only_approvers_and_admins_decide_and_a_refusal_is_audited(desk: Desk, role: Role) -> None:
    tender_id = desk.waiting()
    with pytest.raises(NotAllowed):
        desk.service.decide(tender_id, DecisionAction.ACCEPT, Actor(name="x", role=role))
    assert desk.decisions.rows == []
    assert desk.actions() == [AuditAction.REFUSED.value]


def test_a_decision_is_final_until_reopened(desk: Desk) -> None:
    tender_id = desk.waiting()
    desk.service.decide(tender_id, DecisionAction.ACCEPT, ANN)
    with pytest.raises(AlreadyDecided, match="already decided by ann"):
        desk.service.decide(tender_id, DecisionAction.NO_GO, BOB, reason="changed my mind")
    with pytest.raises(ReviewError, match="needs a reason"):
        desk.service.reopen(tender_id, BOB, "")
    desk.clock.advance(hours=1)
    desk.service.reopen(tender_id, BOB, "the buyer extended the scope")
    assert desk.status(tender_id) is TenderStatus.NEEDS_REVIEW
    item = desk.service.item(tender_id)
    assert item is not None and item.stage is ReviewStage.REOPENED
    assert item.reason == "reopened by bob: the buyer extended the scope"
    desk.service.decide(tender_id, DecisionAction.NO_GO, BOB, reason="scope is too wide now")
    history = desk.service.history(tender_id)
    assert [d.action for d in history] == [
        DecisionAction.ACCEPT,
        DecisionAction.REOPEN,
        DecisionAction.NO_GO,
    ]
    assert history[0].decided_at < history[1].decided_at


def test_who_may_reopen_what(desk: Desk) -> None:
    tender_id = desk.waiting()
    waiting = desk.tenders.get(tender_id)
    assert waiting is not None and not desk.service.can_reopen(waiting, BOB)
    desk.service.decide(tender_id, DecisionAction.ACCEPT, ANN)
    decided = desk.tenders.get(tender_id)
    assert decided is not None
    assert desk.service.can_reopen(decided, ANN) and desk.service.can_reopen(decided, BOB)
    assert not desk.service.can_reopen(decided, VERA)
    unanalysed = desk.tenders.add_state(
        TenderState(tender=tender("Not analysed yet"), status=TenderStatus.PENDING)
    )
    state = desk.tenders.get(unanalysed)
    assert state is not None and not desk.service.can_reopen(state, BOB)
    with pytest.raises(ReviewError, match="only analysed tenders can be reopened"):
        desk.service.reopen(unanalysed, BOB, "look again")


def test_a_tender_moved_behind_the_deciders_back_is_not_decided(desk: Desk) -> None:
    tender_id = desk.waiting()

    class Racing(InMemoryDecisionStore):
        def record(self, decision, allowed_from):  # type: ignore[no-untyped-def]
            self.tenders.move(decision.tender_id, TenderStatus.PENDING)  # re-analysis won
            return super().record(decision, allowed_from)

    desk.service._decisions = Racing(desk.tenders)  # the race, made certain
    with pytest.raises(ReviewError, match="not waiting for review"):
        desk.service.decide(tender_id, DecisionAction.ACCEPT, ANN)
    assert desk.status(tender_id) is TenderStatus.PENDING


def test_the_queue_shows_what_waits_and_nothing_else(desk: Desk) -> None:
    first, second = desk.waiting(score=8.0), desk.waiting(score=6.2)
    assert {item.tender_id for item in desk.service.queue()} == {first, second}
    desk.service.decide(first, DecisionAction.ACCEPT, ANN)
    assert [item.tender_id for item in desk.service.queue()] == [second]
    assert desk.service.item(first) is None
