from __future__ import annotations

import pytest

from core.models import Claim, NoticeType, ReviewStage, TenderStatus
from core.pipeline.stages import Pipeline, advance
from core.pipeline.worker import run_until_idle
from core.profile.company import default_profile
from tests.fakes import InMemoryTenderStore, ScriptedAnalyst, tender, without_review


@pytest.fixture
def profile():
    # min confidence 0.5, min bid score 6.0; routing without review is tested in test_review
    return without_review(default_profile())


def _run(store: InMemoryTenderStore, analyst: ScriptedAnalyst, profile, **kwargs) -> None:
    run_until_idle(
        store,
        lambda: Pipeline(store, analyst, profile, **kwargs),
        batch_size=3,
        lease_s=60,
    )


def test_status_machine_early_exits(profile):
    store = InMemoryTenderStore(
        [
            tender("irrelevant catering"),
            tender("relevant but unsure"),
            tender("relevant score=4.0"),
            tender("relevant score=8.0"),
        ]
    )
    analyst = ScriptedAnalyst()
    _run(store, analyst, profile)
    statuses = [s.status for s in store.states.values()]
    assert statuses == [
        TenderStatus.FILTERED_OUT,
        TenderStatus.FILTERED_OUT,
        TenderStatus.RATED_LOW,
        TenderStatus.COMPLETE,
    ]
    # only what was needed ran: 4 filters, 2 ratings, 1 bid
    assert analyst.calls == {"filter": 4, "rate": 2, "write": 1}
    assert store.states[4].bid is not None and store.states[3].bid is None


def test_failure_of_one_tender_keeps_the_others_and_its_partial_results(profile):
    store = InMemoryTenderStore([tender("relevant boom-at-rate"), tender("relevant score=9")])
    _run(store, ScriptedAnalyst(), profile)
    failed, ok = store.states[1], store.states[2]
    assert failed.status is TenderStatus.ERROR
    assert "rating exploded" in (failed.error or "")
    assert failed.filter is not None, "the filter result computed before the failure is kept"
    assert ok.status is TenderStatus.COMPLETE


def test_resume_reuses_saved_stage_results(profile):
    store = InMemoryTenderStore([tender("relevant score=7")])
    analyst = ScriptedAnalyst()
    first = store.claim(1, 60)[0]
    # simulate a crash after the filter result was saved
    filter_only = advance(first, analyst, profile)
    store.save_outcomes(
        [filter_only.model_copy(update={"rating": None, "bid": None, "status": None})]
    )
    store.release_stale(everything=True)
    assert store.states[1].status is TenderStatus.PENDING
    analyst.calls = {"filter": 0, "rate": 0, "write": 0}
    _run(store, analyst, profile)
    assert store.states[1].status is TenderStatus.COMPLETE
    assert analyst.calls == {"filter": 0, "rate": 1, "write": 1}


def test_save_each_stage_checkpoints_every_result(profile):
    store = InMemoryTenderStore([tender("relevant score=7")])
    _run(store, ScriptedAnalyst(), profile, save_each_stage=True, concurrency=2)
    kinds = [("filter" if o.filter else "rating" if o.rating else "final") for o in store.saved]
    assert kinds == ["filter", "rating", "final"]
    assert store.saved[-1].bid is not None and store.saved[-1].status is TenderStatus.COMPLETE


def test_approved_tender_gets_a_bid_even_below_threshold(profile):
    store = InMemoryTenderStore([tender("relevant score=3")])
    store.states[1].status = TenderStatus.APPROVED
    analyst = ScriptedAnalyst()
    _run(store, analyst, profile)
    assert store.states[1].status is TenderStatus.COMPLETE
    assert analyst.calls["write"] == 1


def test_thresholds_come_from_the_profile(profile):
    strict = profile.model_copy(
        update={"thresholds": profile.thresholds.model_copy(update={"min_bid_score": 9.0})}
    )
    store = InMemoryTenderStore([tender("relevant score=8")])
    _run(store, ScriptedAnalyst(), strict)
    assert store.states[1].status is TenderStatus.RATED_LOW


def test_concurrent_pipeline_processes_every_tender_once(profile):
    store = InMemoryTenderStore([tender(f"relevant score=7 n{i}") for i in range(40)])
    analyst = ScriptedAnalyst()
    _run(store, analyst, profile, concurrency=8)
    assert store.by_status() == {TenderStatus.COMPLETE: 40}
    assert analyst.calls == {"filter": 40, "rate": 40, "write": 40}


def test_advance_needs_a_stored_tender(profile):
    claim = Claim(
        state=InMemoryTenderStore([tender("x")])
        .states[1]
        .model_copy(update={"tender": tender("x")}),
        claimed_from=TenderStatus.PENDING,
    )
    with pytest.raises(AssertionError):
        advance(claim, ScriptedAnalyst(), default_profile())


def test_under_the_default_policy_no_bid_is_written_before_a_person_decides():
    store = InMemoryTenderStore(
        [
            tender("relevant score=9"),  # a confident go: every bid needs approval
            tender("relevant score=6.2"),  # borderline score
            tender("relevant score=2"),  # confidently low: routes itself
        ]
    )
    analyst = ScriptedAnalyst()
    _run(store, analyst, default_profile())
    states = store.states
    assert (states[1].status, states[1].review_stage) == (
        TenderStatus.NEEDS_REVIEW,
        ReviewStage.APPROVAL,
    )
    assert (states[2].status, states[2].review_stage) == (
        TenderStatus.NEEDS_REVIEW,
        ReviewStage.SCORE,
    )
    assert states[3].status is TenderStatus.RATED_LOW and states[3].review_stage is None
    assert analyst.calls["write"] == 0 and all(s.bid is None for s in states.values())
    _run(store, analyst, default_profile())  # waiting tenders are not claimed again
    assert analyst.calls == {"filter": 3, "rate": 3, "write": 0}


def test_notices_nobody_can_bid_for_are_kept_but_never_analysed():
    store = InMemoryTenderStore(
        [
            tender("relevant award", notice_type=NoticeType.AWARD, form_type="F03"),
            tender("relevant planning", notice_type=NoticeType.PLANNING),
            tender("relevant call", notice_type=NoticeType.TENDER),
        ]
    )
    analyst = ScriptedAnalyst()
    _run(store, analyst, without_review(default_profile()))
    award, planning, call = store.states[1], store.states[2], store.states[3]
    assert award.status is planning.status is TenderStatus.FILTERED_OUT
    assert award.filter is not None and award.filter.analyst == "notice type"
    assert "Award notice" in award.filter.reasoning and "form: F03" in award.filter.evidence
    assert call.status is TenderStatus.COMPLETE
    assert analyst.calls == {"filter": 1, "rate": 1, "write": 1}
