"""Review decisions over a real DuckDB file: finality, races, audit, roles and routing.

The demo tenders are analysed by the offline rules analyst; under the default policy the
relevant ones wait in `needs_review` with a mix of go and no-go proposals and stages.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.access.roles import CLI_ACTOR, Actor, NotAllowed, resolve_actor
from core.bootstrap import AppContext
from core.imports.service import load_demo
from core.models import (
    Decision,
    DecisionAction,
    Proposal,
    ReviewStage,
    Role,
    TenderStatus,
)
from core.pipeline.stages import BatchReport
from core.review import policy as review
from core.review.service import AlreadyDecided, Overrides, ReviewError, ReviewItem, format_when
from storage import decisions as decision_storage
from storage.decisions import DecisionRepository
from tests.fakes import auto_accept_from, run_all

ALICE = Actor(name="alice", role=Role.APPROVER)
BOB = Actor(name="bob", role=Role.APPROVER)
CAROL = Actor(name="carol", role=Role.ADMIN)
NO_BID_STATUSES = (TenderStatus.NEEDS_REVIEW, TenderStatus.REJECTED)


# ------------------------------------------------------------------------------ helpers
def run(ctx: AppContext) -> BatchReport:
    return run_all(ctx)


@pytest.fixture
def analysed(ctx: AppContext) -> AppContext:
    """The demo tenders analysed by the rules analyst, auto-accepting from 90% confidence (so
    that unsure verdicts of both kinds wait for review)."""
    auto_accept_from(ctx, 0.9)
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    run(ctx)
    assert ctx.tenders.counts_by_status().get("needs_review", 0) >= 10
    assert ctx.tenders.count_bids() == 0
    return ctx


def waiting(ctx: AppContext, where: Callable[[ReviewItem], bool]) -> list[ReviewItem]:
    items = [item for item in ctx.review().queue() if where(item)]
    assert items, "the demo should have a tender waiting like this"
    return items


def go_proposal(item: ReviewItem) -> bool:
    return item.proposal is Proposal.GO


def relevant_no_go(item: ReviewItem) -> bool:
    relevance = item.state.filter
    return item.proposal is Proposal.NO_GO and relevance is not None and relevance.is_relevant


def irrelevant_no_go(item: ReviewItem) -> bool:
    relevance = item.state.filter
    return item.proposal is Proposal.NO_GO and relevance is not None and not relevance.is_relevant


def status_of(ctx: AppContext, tender_id: int) -> TenderStatus:
    state = ctx.tenders.get(tender_id)
    assert state is not None
    return state.status


def has_bid(ctx: AppContext, tender_id: int) -> bool:
    state = ctx.tenders.get(tender_id)
    assert state is not None
    return state.bid is not None


def assert_no_bid_while_waiting_or_rejected(ctx: AppContext) -> None:
    offending = [
        (s.tender.id, s.status.value)
        for s in ctx.tenders.all_states()
        if s.status in NO_BID_STATUSES and s.bid is not None
    ]
    assert offending == [], f"tenders with a bid while waiting or rejected: {offending}"


def decision_rows(ctx: AppContext) -> list[tuple[object, ...]]:
    """Every stored decision row as the database holds it, oldest first."""
    return ctx.db.cursor().execute("SELECT * FROM decisions ORDER BY id").fetchall()


# ------------------------------------------------------------------------------ finality
def test_a_decision_is_final_until_reopened(analysed: AppContext) -> None:
    service = analysed.review()
    tender_id = waiting(analysed, go_proposal)[0].tender_id

    first = service.decide(tender_id, DecisionAction.NO_GO, ALICE, "out of our region")
    assert first.status_after is TenderStatus.REJECTED
    assert status_of(analysed, tender_id) is TenderStatus.REJECTED

    for actor, action, reason in (
        (BOB, DecisionAction.ACCEPT, ""),
        (BOB, DecisionAction.GO, "we should bid after all"),
        (ALICE, DecisionAction.NO_GO, "again"),
    ):
        with pytest.raises(AlreadyDecided) as refused:
            service.decide(tender_id, action, actor, reason)
        message = str(refused.value)
        assert f"already decided by alice at {format_when(first.decided_at)}" in message
        assert "\n" not in message
    assert [d.action for d in service.history(tender_id)] == [DecisionAction.NO_GO]

    with pytest.raises(ReviewError, match="reason"):
        service.reopen(tender_id, BOB, "  ")
    reopened = service.reopen(tender_id, BOB, "the buyer extended the deadline")
    assert reopened.action is DecisionAction.REOPEN
    assert reopened.status_before is TenderStatus.REJECTED
    assert reopened.status_after is TenderStatus.NEEDS_REVIEW
    assert status_of(analysed, tender_id) is TenderStatus.NEEDS_REVIEW
    assert service.item(tender_id) is not None, "back in the queue"
    with pytest.raises(ReviewError, match="already waiting"):
        service.reopen(tender_id, BOB, "twice")

    second = service.decide(tender_id, DecisionAction.ACCEPT, BOB)
    assert second.decided_by == "bob" and second.status_after is TenderStatus.APPROVED
    history = service.history(tender_id)
    assert [d.action for d in history] == [
        DecisionAction.NO_GO,
        DecisionAction.REOPEN,
        DecisionAction.ACCEPT,
    ]
    assert [d.decided_by for d in history] == ["alice", "bob", "bob"]


def race(
    ctx: AppContext, tender_id: int, contenders: list[tuple[Actor, DecisionAction, str]]
) -> dict[str, Decision | BaseException]:
    """Each contender decides on `tender_id` in its own thread, released at the same moment."""
    barrier = threading.Barrier(len(contenders))
    outcomes: dict[str, Decision | BaseException] = {}

    def decide(actor: Actor, action: DecisionAction, reason: str) -> None:
        service = ctx.review()
        barrier.wait(timeout=10)
        try:
            outcomes[actor.name] = service.decide(tender_id, action, actor, reason)
        except BaseException as exc:  # reported by the caller
            outcomes[actor.name] = exc

    threads = [threading.Thread(target=decide, args=contender) for contender in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a decision hung"
    return outcomes


# ------------------------------------------------------------------------------ concurrency
def test_two_people_deciding_at_once_one_wins_and_the_other_is_told_who(
    analysed: AppContext,
) -> None:
    items = waiting(analysed, lambda item: True)[:6]
    assert len(items) >= 4
    for item in items:
        tender_id = item.tender_id
        outcomes = race(
            analysed,
            tender_id,
            [(ALICE, DecisionAction.GO, "strong fit"), (BOB, DecisionAction.NO_GO, "too small")],
        )

        won = {name: o for name, o in outcomes.items() if isinstance(o, Decision)}
        lost = {name: o for name, o in outcomes.items() if not isinstance(o, Decision)}
        assert len(won) == 1 and len(lost) == 1, f"tender {tender_id}: {outcomes}"
        (winner, decision), (loser, error) = next(iter(won.items())), next(iter(lost.items()))
        assert isinstance(error, AlreadyDecided), f"{loser} got {error!r}"
        assert f"already decided by {winner} at {format_when(decision.decided_at)}" in str(error)

        history = analysed.review().history(tender_id)
        assert len(history) == 1 and history[0].decided_by == winner
        expected = TenderStatus.APPROVED if winner == "alice" else TenderStatus.REJECTED
        assert status_of(analysed, tender_id) is expected
    assert analysed.decisions.count() == len(items)


# ------------------------------------------------------------------------------ audit
def test_each_decision_records_who_when_why_and_what_the_ai_said(analysed: AppContext) -> None:
    service = analysed.review()
    policy = analysed.profile().thresholds
    version = analysed.state.profile_version()
    item = waiting(analysed, lambda i: i.state.rating is not None and i.proposal is Proposal.NO_GO)[
        0
    ]
    state = item.state
    assert state.filter is not None and state.rating is not None
    ai_score = state.rating.overall_score
    reviewer_score = round(min(ai_score + 2.0, 10.0), 1)
    before = datetime.now(UTC) - timedelta(seconds=1)

    decision = service.decide(
        item.tender_id,
        DecisionAction.GO,
        CAROL,
        "  we  have a reference\n client here ",
        Overrides(
            overall_score=reviewer_score,
            strategic_fit=state.rating.strategic_fit,  # unchanged: not recorded
            is_relevant=state.filter.is_relevant,  # unchanged: not recorded
        ),
    )

    stored = analysed.decisions.get(decision.id or 0)
    assert stored == decision, "what decide() returns is what was stored"
    assert stored.tender_id == item.tender_id
    assert stored.action is DecisionAction.GO
    assert stored.status_before is TenderStatus.NEEDS_REVIEW
    assert stored.status_after is TenderStatus.APPROVED
    assert stored.decided_by == "carol" and stored.role is Role.ADMIN
    assert stored.decided_at.tzinfo is not None
    assert before <= stored.decided_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert stored.reason == "we have a reference client here"
    assert stored.stage is item.stage
    assert stored.ai_proposal is Proposal.NO_GO
    assert stored.ai_relevant is state.filter.is_relevant
    assert stored.ai_confidence == pytest.approx(state.filter.confidence)
    assert stored.ai_score == pytest.approx(ai_score)
    assert stored.analyst == state.rating.analyst == "rules"
    assert stored.model == state.rating.model
    assert stored.prompt_version == state.rating.prompt_version
    assert stored.overrides == {"overall_score": {"ai": ai_score, "reviewer": reviewer_score}}
    assert stored.policy == policy.model_dump()
    assert stored.profile_version == version

    # a policy saved later is what the next decision records
    new_version = review.save_policy(
        analysed.state,
        min_relevance_confidence=0.45,
        auto_accept_confidence=0.85,
        min_bid_score=6.5,
        score_review_band=0.25,
        every_bid_needs_approval=True,
        actor=CLI_ACTOR,
    )
    assert new_version > version
    other = waiting(analysed, lambda i: True)[0]
    accepted = service.decide(other.tender_id, DecisionAction.ACCEPT, ALICE)
    assert accepted.overrides == {} and accepted.reason == ""
    assert accepted.profile_version == new_version
    assert accepted.policy == analysed.profile().thresholds.model_dump()
    assert accepted.policy["min_bid_score"] == 6.5 and accepted.policy["score_review_band"] == 0.25


def test_history_is_oldest_first(analysed: AppContext) -> None:
    service = analysed.review()
    tender_id = waiting(analysed, relevant_no_go)[0].tender_id
    service.decide(tender_id, DecisionAction.NO_GO, ALICE, "no capacity")
    service.reopen(tender_id, BOB, "capacity freed up")
    service.decide(tender_id, DecisionAction.GO, CAROL, "let us bid")

    history = service.history(tender_id)
    assert [(d.action, d.decided_by) for d in history] == [
        (DecisionAction.NO_GO, "alice"),
        (DecisionAction.REOPEN, "bob"),
        (DecisionAction.GO, "carol"),
    ]
    ids = [d.id or 0 for d in history]
    assert ids == sorted(ids)
    times = [d.decided_at for d in history]
    assert times == sorted(times)
    assert [(d.status_before, d.status_after) for d in history] == [
        (TenderStatus.NEEDS_REVIEW, TenderStatus.REJECTED),
        (TenderStatus.REJECTED, TenderStatus.NEEDS_REVIEW),
        (TenderStatus.NEEDS_REVIEW, TenderStatus.APPROVED),
    ]
    assert analysed.decisions.latest(tender_id) == history[-1]


# ------------------------------------------------------------------------------ append-only
def test_the_decision_repository_has_no_way_to_change_or_remove_a_row() -> None:
    public = [
        name
        for name, member in inspect.getmembers(DecisionRepository)
        if not name.startswith("_") and callable(member)
    ]
    assert "record" in public and "history" in public
    forbidden = ("update", "delete", "remove", "edit", "set", "clear", "purge", "replace")
    forbidden += ("amend", "change", "drop", "truncate", "modify", "undo", "revoke", "save")
    assert [n for n in public if any(word in n.lower() for word in forbidden)] == []
    source = inspect.getsource(decision_storage).upper()
    for statement in ("UPDATE DECISIONS", "DELETE FROM DECISIONS", "INSERT OR REPLACE"):
        assert statement not in source


def test_recording_never_changes_earlier_rows(analysed: AppContext) -> None:
    service = analysed.review()
    items = waiting(analysed, lambda i: True)
    first, second = items[0].tender_id, items[1].tender_id
    service.decide(first, DecisionAction.NO_GO, ALICE, "not for us")
    service.decide(second, DecisionAction.ACCEPT, BOB)
    earlier = decision_rows(analysed)
    assert len(earlier) == 2

    service.reopen(first, BOB, "look again")
    service.decide(first, DecisionAction.GO, CAROL, "after all")
    with pytest.raises(AlreadyDecided):
        service.decide(second, DecisionAction.NO_GO, ALICE, "changed my mind")
    run(analysed)  # the worker writes the bid and moves tenders on
    service.reopen(first, ALICE, "price changed")

    now = decision_rows(analysed)
    assert now[: len(earlier)] == earlier, "earlier rows are untouched"
    assert len(now) == len(earlier) + 3


# ------------------------------------------------------------------------------ routing
def test_decisions_route_tenders_and_only_a_go_gets_a_bid(analysed: AppContext) -> None:
    service = analysed.review()
    go_items = waiting(analysed, go_proposal)
    assert len(go_items) >= 2
    accept_go, no_go_on_go = go_items[0].tender_id, go_items[1].tender_id
    accept_low = waiting(analysed, relevant_no_go)[0].tender_id
    accept_irrelevant = waiting(analysed, irrelevant_no_go)[0].tender_id
    go_on_no_go = waiting(analysed, relevant_no_go)[1].tender_id
    bids_before = analysed.tenders.count_bids()
    assert_no_bid_while_waiting_or_rejected(analysed)

    decided = {
        accept_go: service.decide(accept_go, DecisionAction.ACCEPT, ALICE),
        accept_low: service.decide(accept_low, DecisionAction.ACCEPT, ALICE),
        accept_irrelevant: service.decide(accept_irrelevant, DecisionAction.ACCEPT, ALICE),
        go_on_no_go: service.decide(go_on_no_go, DecisionAction.GO, ALICE, "we know the buyer"),
        no_go_on_go: service.decide(no_go_on_go, DecisionAction.NO_GO, ALICE, "no capacity"),
    }
    expected_after = {
        accept_go: TenderStatus.APPROVED,
        accept_low: TenderStatus.RATED_LOW,
        accept_irrelevant: TenderStatus.FILTERED_OUT,
        go_on_no_go: TenderStatus.APPROVED,
        no_go_on_go: TenderStatus.REJECTED,
    }
    for tender_id, status in expected_after.items():
        assert decided[tender_id].status_after is status, tender_id
        assert status_of(analysed, tender_id) is status, tender_id
        assert not has_bid(analysed, tender_id), "a decision alone writes no bid"
    assert analysed.tenders.count_bids() == bids_before
    assert_no_bid_while_waiting_or_rejected(analysed)

    report = run(analysed)

    assert report.claimed == 2, "only the two go decisions are picked up"
    for tender_id in (accept_go, go_on_no_go):
        assert status_of(analysed, tender_id) is TenderStatus.COMPLETE
        assert has_bid(analysed, tender_id)
    for tender_id in (accept_low, accept_irrelevant, no_go_on_go):
        assert status_of(analysed, tender_id) is expected_after[tender_id]
        assert not has_bid(analysed, tender_id)
    assert analysed.tenders.count_bids() == bids_before + 2
    assert_no_bid_while_waiting_or_rejected(analysed)

    run(analysed)  # nothing more to do: rejected stays rejected, without a bid
    assert status_of(analysed, no_go_on_go) is TenderStatus.REJECTED
    assert not has_bid(analysed, no_go_on_go)
    assert_no_bid_while_waiting_or_rejected(analysed)


# ------------------------------------------------------------------------------ reasons
@pytest.mark.parametrize("action", [DecisionAction.GO, DecisionAction.NO_GO])
@pytest.mark.parametrize("reason", ["", "   ", " \n\t "])
def test_an_override_without_a_reason_is_refused_and_records_nothing(
    analysed: AppContext, action: DecisionAction, reason: str
) -> None:
    # An override: the action goes against the analyst's proposal (one that agrees is an accept).
    against = Proposal.NO_GO if action is DecisionAction.GO else Proposal.GO
    tender_id = waiting(analysed, lambda i: i.proposal is against)[0].tender_id
    with pytest.raises(ReviewError) as refused:
        analysed.review().decide(tender_id, action, ALICE, reason)
    assert not isinstance(refused.value, AlreadyDecided)
    message = str(refused.value)
    assert "reason" in message and "\n" not in message
    assert analysed.decisions.count() == 0
    assert status_of(analysed, tender_id) is TenderStatus.NEEDS_REVIEW


def test_accept_needs_no_reason_but_takes_no_overrides(analysed: AppContext) -> None:
    service = analysed.review()
    items = waiting(analysed, lambda i: i.state.rating is not None)
    refused_id, accepted_id = items[0].tender_id, items[1].tender_id
    rating = items[0].state.rating
    assert rating is not None

    for overrides in (
        Overrides(overall_score=round(10 - rating.overall_score, 1) or 1.0),
        Overrides(win_probability=0.0 if rating.win_probability > 1 else 9.0),
        Overrides(is_relevant=not items[0].state.filter.is_relevant),  # type: ignore[union-attr]
    ):
        with pytest.raises(ReviewError, match=r"^Accept takes"):
            service.decide(refused_id, DecisionAction.ACCEPT, ALICE, "", overrides)
    assert analysed.decisions.count() == 0
    assert status_of(analysed, refused_id) is TenderStatus.NEEDS_REVIEW

    decision = service.decide(accepted_id, DecisionAction.ACCEPT, ALICE, "", Overrides())
    assert decision.reason == "" and decision.overrides == {}
    assert analysed.decisions.count() == 1


# ------------------------------------------------------------------------------ roles
@pytest.mark.parametrize("role", [Role.BID_MANAGER, Role.VIEWER])
def test_only_approvers_and_admins_decide(analysed: AppContext, role: Role) -> None:
    service = analysed.review()
    tender_id = waiting(analysed, lambda i: True)[0].tender_id
    someone = Actor(name="dana", role=role)
    for action, reason in (
        (DecisionAction.ACCEPT, ""),
        (DecisionAction.GO, "keen"),
        (DecisionAction.NO_GO, "not keen"),
    ):
        with pytest.raises(NotAllowed) as refused:
            service.decide(tender_id, action, someone, reason)
        message = str(refused.value)
        assert role.label in message and "dana" in message
        assert "\n" not in message and message.endswith(".")
    assert analysed.decisions.count() == 0
    assert status_of(analysed, tender_id) is TenderStatus.NEEDS_REVIEW

    decided = service.decide(tender_id, DecisionAction.NO_GO, ALICE, "fine")
    with pytest.raises(NotAllowed, match=role.label):
        service.reopen(tender_id, someone, "look again")
    assert analysed.review().history(tender_id) == [decided]


@pytest.mark.parametrize("name", [None, "", "   ", "\t\n"])
def test_an_empty_user_name_is_refused(name: str | None) -> None:
    with pytest.raises(NotAllowed) as refused:
        resolve_actor(name)
    assert "\n" not in str(refused.value) and "--by" in str(refused.value)


@pytest.mark.parametrize("name", ["", "   "])
def test_the_service_refuses_an_actor_without_a_name(analysed: AppContext, name: str) -> None:
    tender_id = waiting(analysed, lambda i: True)[0].tender_id
    with pytest.raises(NotAllowed):
        analysed.review().decide(
            tender_id, DecisionAction.ACCEPT, Actor(name=name, role=Role.ADMIN)
        )
    assert analysed.decisions.count() == 0


# ------------------------------------------------------------------------------ reanalyse
def test_reanalyse_keeps_standing_go_and_no_go_but_redoes_accepted(analysed: AppContext) -> None:
    service = analysed.review()
    go_items = waiting(analysed, go_proposal)
    went, stopped = go_items[0].tender_id, go_items[1].tender_id
    accepted = waiting(analysed, relevant_no_go)[0].tender_id
    service.decide(went, DecisionAction.GO, ALICE, "strong fit")
    service.decide(stopped, DecisionAction.NO_GO, ALICE, "no capacity")
    service.decide(accepted, DecisionAction.ACCEPT, ALICE)
    run(analysed)
    assert status_of(analysed, went) is TenderStatus.COMPLETE
    assert status_of(analysed, accepted) is TenderStatus.RATED_LOW
    kept = {i: analysed.tenders.get(i) for i in (went, stopped)}
    total = analysed.tenders.count()

    queued = analysed.tenders.reanalyse(None)

    assert queued == total - 2, "everything except the two standing decisions"
    for tender_id, before in kept.items():
        assert analysed.tenders.get(tender_id) == before, "left alone, analysis and all"
    again = analysed.tenders.get(accepted)
    assert again is not None and again.status is TenderStatus.PENDING
    assert again.filter is None and again.rating is None

    run(analysed)
    assert status_of(analysed, went) is TenderStatus.COMPLETE and has_bid(analysed, went)
    assert status_of(analysed, stopped) is TenderStatus.REJECTED
    assert not has_bid(analysed, stopped)
    # an accept is not a standing decision: the fresh analysis routes the tender again
    assert status_of(analysed, accepted) is TenderStatus.NEEDS_REVIEW
    assert analysed.tenders.get(accepted).filter is not None  # type: ignore[union-attr]
    assert [d.action for d in service.history(accepted)] == [DecisionAction.ACCEPT]


# ------------------------------------------------------------------------------ policy
def test_without_approval_and_band_confident_go_proposals_complete_on_their_own(
    ctx: AppContext,
) -> None:
    review.save_policy(
        ctx.state,
        min_relevance_confidence=0.5,
        auto_accept_confidence=0.8,
        min_bid_score=6.0,
        score_review_band=0.0,
        every_bid_needs_approval=False,
        actor=CLI_ACTOR,
    )
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    run(ctx)

    policy = ctx.profile().thresholds
    states = ctx.tenders.all_states()
    confident_go = [
        s
        for s in states
        if s.filter is not None
        and s.filter.confidence >= policy.auto_accept_confidence
        and review.proposal(s.filter, s.rating, policy) is Proposal.GO
    ]
    assert confident_go, "the demo has confident go proposals"
    for state in confident_go:
        assert state.status is TenderStatus.COMPLETE and state.bid is not None, state.tender.id
    assert ctx.tenders.count_bids() == len(confident_go)
    assert ctx.decisions.count() == 0, "no person decided anything"
    queue = ctx.review().queue()
    assert all(item.stage is ReviewStage.RELEVANCE for item in queue)
    assert {s.tender.id for s in states if s.status is TenderStatus.NEEDS_REVIEW} == {
        item.tender_id for item in queue
    }
    assert_no_bid_while_waiting_or_rejected(ctx)
