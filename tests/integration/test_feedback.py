"""Feedback on relevance, and the team model trained on it, over a real DuckDB file.

The demo tenders are analysed by the rules analyst; people then say which are relevant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.bootstrap import AppContext, open_context
from core.cli.main import main
from core.imports.service import load_demo
from core.models import PERSON_ANALYST, DecisionAction, Role, TenderState, TenderStatus
from core.quality.team import NotEnoughLabels
from core.review.service import Overrides, ReviewError
from tests.fakes import auto_accept_from, run_all

BEA = Actor(name="bea", role=Role.BID_MANAGER)
ALICE = Actor(name="alice", role=Role.APPROVER)
VIC = Actor(name="vic", role=Role.VIEWER)


def run(ctx: AppContext) -> None:
    run_all(ctx)


@pytest.fixture
def analysed(ctx: AppContext) -> AppContext:
    """The demo analysed auto-accepting from 90%, so unsure verdicts of both kinds wait."""
    auto_accept_from(ctx, 0.9)
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    run(ctx)
    return ctx


def first(ctx: AppContext, status: TenderStatus) -> TenderState:
    states = [s for s in ctx.tenders.all_states() if s.status is status]
    assert states, f"the demo should have a tender that is {status.value}"
    return states[0]


def test_relevant_on_a_filtered_out_tender_sends_it_back_to_be_rated(
    analysed: AppContext,
) -> None:
    state = first(analysed, TenderStatus.FILTERED_OUT)
    tender_id = state.tender.id or 0
    given = analysed.feedback().give(tender_id, True, BEA, "we do this work")
    assert given.rerouted and given.decision.action is DecisionAction.FEEDBACK
    assert "goes back to be rated" in given.sentence()
    after = analysed.tenders.get(tender_id)
    assert after is not None and after.status is TenderStatus.PENDING
    assert after.filter is not None and after.filter.analyst == PERSON_ANALYST
    assert after.filter.is_relevant and after.filter.confidence == 1.0
    assert "we do this work" in after.filter.reasoning
    run(analysed)
    rated = analysed.tenders.get(tender_id)
    assert rated is not None and rated.rating is not None
    assert rated.status is not TenderStatus.FILTERED_OUT  # the policy routes it from its score
    assert rated.filter is not None and rated.filter.analyst == PERSON_ANALYST


def test_not_relevant_takes_a_tender_out_of_the_review_queue(analysed: AppContext) -> None:
    state = first(analysed, TenderStatus.NEEDS_REVIEW)
    tender_id = state.tender.id or 0
    given = analysed.feedback().give(tender_id, False, ALICE)
    assert given.rerouted and given.decision.status_after is TenderStatus.FILTERED_OUT
    after = analysed.tenders.get(tender_id)
    assert after is not None and after.status is TenderStatus.FILTERED_OUT
    assert after.rating is None and after.filter is not None and not after.filter.is_relevant
    assert tender_id not in {item.tender_id for item in analysed.review().queue()}


def test_a_decided_tender_keeps_its_decision_and_the_word_is_kept(analysed: AppContext) -> None:
    item = analysed.review().queue()[0]
    analysed.review().decide(
        item.tender_id, DecisionAction.NO_GO, ALICE, "too small", Overrides(is_relevant=True)
    )
    given = analysed.feedback().give(item.tender_id, False, BEA, "not our work after all")
    assert not given.rerouted and "keeps its decision (rejected)" in given.sentence()
    after = analysed.tenders.get(item.tender_id)
    assert after is not None and after.status is TenderStatus.REJECTED
    history = analysed.review().history(item.tender_id)
    assert [d.action for d in history] == [DecisionAction.NO_GO, DecisionAction.FEEDBACK]
    assert history[-1].relevant is False and history[-1].decided_by == "bea"
    assert analysed.decisions.labelled()[item.tender_id].label is False


def test_labels_come_from_feedback_overrides_accepts_and_go(analysed: AppContext) -> None:
    queue = analysed.review().queue()
    accepted = next(i for i in queue if i.stage.value == "relevance")
    analysed.review().decide(accepted.tender_id, DecisionAction.ACCEPT, ALICE)
    gone = next(i for i in analysed.review().queue() if i.tender_id != accepted.tender_id)
    analysed.review().decide(gone.tender_id, DecisionAction.GO, ALICE, "strategic")
    labels = analysed.decisions.labelled()
    assert labels[accepted.tender_id].label is accepted.state.filter.is_relevant  # type: ignore[union-attr]
    assert labels[gone.tender_id].label is True


def test_viewers_cannot_give_feedback_and_the_refusal_is_audited(analysed: AppContext) -> None:
    tender_id = first(analysed, TenderStatus.FILTERED_OUT).tender.id or 0
    with pytest.raises(NotAllowed, match="bid managers can give feedback"):
        analysed.feedback().give(tender_id, True, VIC)
    refused = analysed.audit().events(CLI_ACTOR, action=AuditAction.REFUSED)
    assert any(e.actor == "vic" for e in refused)
    with pytest.raises(ReviewError, match="There is no tender 999999"):
        analysed.feedback().give(999_999, True, BEA)


def test_reanalyse_keeps_what_people_said(analysed: AppContext) -> None:
    tender_id = first(analysed, TenderStatus.FILTERED_OUT).tender.id or 0
    analysed.feedback().give(tender_id, True, BEA)
    run(analysed)
    analysed.tenders.reanalyse(None)
    after = analysed.tenders.get(tender_id)
    assert after is not None and after.filter is not None
    assert after.filter.analyst == PERSON_ANALYST


def test_feedback_on_the_command_line(
    analysed: AppContext, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tender_id = first(analysed, TenderStatus.FILTERED_OUT).tender.id or 0
    analysed.accounts().add(CLI_ACTOR, "bea", "Bea", Role.BID_MANAGER, "a long passphrase 1")
    analysed.accounts().add(CLI_ACTOR, "vic", "Vic", Role.VIEWER, "a long passphrase 2")
    args = ["--db", str(db_path), "feedback", str(tender_id), "--relevant", "yes", "--by"]
    assert main([*args, "bea", "--reason", "our kind of work"]) == 0
    assert f"Tender {tender_id} marked relevant by bea" in capsys.readouterr().out
    assert main([*args, "vic"]) == 1
    assert "vic is a viewer" in capsys.readouterr().err
    assert main([*args[:3], "999999", "--relevant", "no", "--by", "bea"]) == 1
    assert "There is no tender 999999" in capsys.readouterr().err


def test_learn_says_what_is_missing_then_trains_and_is_used_only_when_better(
    analysed: AppContext, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NotEnoughLabels, match="at least 30 labels with 5 of each kind"):
        analysed.learner().learn(CLI_ACTOR)
    # The team says exactly what the rules say: a learned model cannot beat them.
    for state in analysed.tenders.all_states():
        if state.filter is not None:
            analysed.feedback().give(state.tender.id or 0, state.filter.is_relevant, BEA)
    assert main(["--db", str(db_path), "learn", "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["labels"] == 40 and trained["relevant_labels"] >= 5
    assert trained["base_f1"] == 1.0 and not trained["in_use"]
    ctx = open_context(db_path=db_path)
    assert ctx.learner().current() is None
    events = ctx.audit().events(CLI_ACTOR, action=AuditAction.MODEL_TRAINED)
    assert events and "not used" in events[0].detail


def test_learn_on_the_command_line_says_what_is_missing(
    ctx: AppContext, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "learn"]) == 1
    assert "there are 0 (0 relevant, 0 not). Give feedback" in capsys.readouterr().err


def test_the_idle_worker_trains_the_team_model_once_enough_labels_came_in(
    analysed: AppContext,
) -> None:
    from core.access.roles import WORKER_ACTOR

    learner = analysed.learner()
    assert learner.learn_if_due(WORKER_ACTOR) is None  # no labels yet
    for state in analysed.tenders.all_states():
        if state.filter is not None:
            analysed.feedback().give(state.tender.id or 0, state.filter.is_relevant, BEA)
    record = learner.learn_if_due(WORKER_ACTOR)
    assert record is not None and record.trained_by == "worker" and record.labels == 40
    assert learner.learn_if_due(WORKER_ACTOR) is None  # nothing new since


def test_an_award_notice_marked_relevant_is_kept_but_never_rated(ctx: AppContext) -> None:
    from core.models import NoticeType, Tender

    award = Tender(
        source="test",
        source_id="award-1",
        title="Cloud hosting contract awarded",
        description="Award of a cloud hosting contract.",
        notice_type=NoticeType.AWARD,
    )
    ctx.tenders.import_tenders([award])
    run(ctx)
    (state,) = ctx.tenders.all_states()
    given = ctx.feedback().give(state.tender.id or 0, True, BEA, "we could have bid")
    assert given.rerouted and given.decision.status_after is TenderStatus.FILTERED_OUT
    run(ctx)
    (after,) = ctx.tenders.all_states()
    assert after.status is TenderStatus.FILTERED_OUT and after.rating is None
    assert after.filter is not None and after.filter.is_relevant


def test_a_team_model_that_beats_the_rules_is_used_and_says_so(ctx: AppContext) -> None:
    """The team bids for drone surveys, which the default profile does not know."""
    from core.models import Tender

    drones = [
        ("Drone survey of the harbour wall", "Aerial drone survey with photogrammetry."),
        ("UAV inspection of bridges", "Unmanned aerial vehicle inspection of road bridges."),
        ("Drone mapping of the estate", "Aerial mapping by drone, orthophotos and models."),
        ("Aerial drone thermal survey", "Thermal imaging of roofs by drone."),
        ("Drone inspection of wind turbines", "UAV inspection of turbine blades."),
    ]
    meals = [
        ("School meals service", "Hot school meals for primary schools."),
        ("Grounds maintenance", "Grass cutting and hedge trimming in parks."),
        ("Office cleaning", "Daily cleaning of council offices."),
        ("Road resurfacing", "Resurfacing of carriageways and footways."),
        ("Waste collection", "Kerbside collection of household waste."),
    ]
    tenders = [
        Tender(
            source="test", source_id=f"{kind}-{n}-{i}", title=f"{title} (lot {n})", description=text
        )
        for kind, rows in (("d", drones), ("m", meals))
        for i, (title, text) in enumerate(rows)
        for n in range(1, 5)
    ]
    ctx.tenders.import_tenders(tenders)
    run(ctx)
    for state in ctx.tenders.all_states():
        assert state.filter is not None and not state.filter.is_relevant  # the rules miss them
        ctx.feedback().give(state.tender.id or 0, state.tender.source_id.startswith("d"), BEA)
    record = ctx.learner().learn(CLI_ACTOR)
    assert record.labels == 40 and record.base_f1 == 0.0
    assert record.in_use and record.learned_f1 > 0.8
    fresh = Tender(
        source="test",
        source_id="new",
        title="Drone survey of the cliffs",
        description="Aerial drone survey of coastal cliffs.",
    )
    ctx.tenders.import_tenders([fresh])
    run(ctx)
    (state,) = [s for s in ctx.tenders.all_states() if s.tender.source_id == "new"]
    assert state.filter is not None and state.filter.is_relevant
    assert state.filter.model == f"team model {record.id}"
    assert state.filter.evidence[0].startswith("learned from 40 decisions by your team")
