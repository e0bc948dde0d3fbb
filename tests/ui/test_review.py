"""Review page: the queue, its filters, and accept / go / no-go / override decisions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.access.roles import Actor
from core.bootstrap import AppContext
from core.models import DecisionAction, Proposal, ReviewStage, Role, TenderStatus
from core.review import policy as routing
from core.review.service import ReviewItem
from tests.fakes import analyse_demo, auto_accept_from
from tests.ui.helpers import app_test, metrics, texts

PAGE = "pages/review.py"
DECIDED = {TenderStatus.APPROVED, TenderStatus.COMPLETE, TenderStatus.PROCESSING}


def _open(open_page: Callable[..., AppTest], name: str = "alice") -> AppTest:
    at = open_page(PAGE, name)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _queue_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["id"]]


def _status(ctx: AppContext, tender_id: int) -> TenderStatus:
    state = ctx.tenders.get(tender_id)
    assert state is not None
    return state.status


def test_the_queue_lists_what_waits_with_its_counts(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    queue = analysed_demo.review().queue()
    assert len(queue) >= 10, "the demo leaves a real queue with the default policy"
    at = _open(open_page)
    assert at.title[0].value == "Review"
    shown = metrics(at)
    assert shown["Waiting for review"] == str(len(queue))
    for stage in ReviewStage:
        assert shown[stage.label] == str(sum(1 for i in queue if i.stage is stage))
    assert _queue_ids(at) == [i.tender_id for i in queue], "in the service's order"
    assert at.selectbox[0].value == queue[0].tender_id
    assert queue[0].state.tender.title in at.subheader[0].value.replace("\\", "")
    page = "\n".join(texts(at))
    assert f"**Why it waits:** {queue[0].reason}" in page
    assert "Routing policy:" in page
    assert {f"Accept ({queue[0].proposal.label})", "Go", "No-go"} <= {b.label for b in at.button}


def test_filters_narrow_the_queue(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    queue = analysed_demo.review().queue()
    at = _open(open_page)

    at.multiselect(key="review_stages").set_value([ReviewStage.SCORE]).run()
    scored = [i.tender_id for i in queue if i.stage is ReviewStage.SCORE]
    assert 0 < len(scored) < len(queue)
    assert _queue_ids(at) == scored
    assert set(at.dataframe[0].value["why"]) == {ReviewStage.SCORE.label}
    assert metrics(at)["Waiting for review"] == str(len(queue)), "the count is of everything"

    at.multiselect(key="review_proposals").set_value([Proposal.GO]).run()
    assert _queue_ids(at) == [
        i.tender_id for i in queue if i.stage is ReviewStage.SCORE and i.proposal is Proposal.GO
    ]
    assert set(at.dataframe[0].value["Analyst proposal"]) == {"Go"}

    at.multiselect(key="review_stages").set_value([]).run()
    at.multiselect(key="review_proposals").set_value([]).run()
    word = queue[-1].state.tender.title.split()[0]
    at.text_input(key="review_search").input(word).run()
    assert queue[-1].tender_id in _queue_ids(at)
    assert len(_queue_ids(at)) < len(queue)

    at.text_input(key="review_search").input("zzz-no-such-tender").run()
    assert not at.exception
    assert any("No tender in the queue matches" in i.value for i in at.info)
    assert not at.dataframe


def test_accept_takes_the_proposal_and_shows_the_next_tender(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    queue = ctx.review().queue()
    first, second = queue[0], queue[1]
    assert first.state.filter is not None
    expected = routing.automatic_status(
        first.state.filter, first.state.rating, ctx.profile().thresholds
    )
    at = _open(open_page)
    _button(at, f"Accept ({first.proposal.label})").click().run()
    assert not at.exception

    allowed = DECIDED if expected is TenderStatus.APPROVED else {expected}
    assert _status(ctx, first.tender_id) in allowed
    [decision] = ctx.review().history(first.tender_id)
    assert decision.action is DecisionAction.ACCEPT
    assert decision.decided_by == "alice"
    assert decision.ai_proposal is first.proposal
    assert any(
        f"Accepted: {first.proposal.label} for tender {first.tender_id} by Alice" in s
        for s in texts(at)
    )
    assert at.selectbox[0].value == second.tender_id
    assert first.tender_id not in _queue_ids(at)
    assert metrics(at)["Waiting for review"] == str(len(queue) - 1)


def test_an_override_without_a_reason_is_refused_and_changes_nothing(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    first = ctx.review().queue()[0]
    against = "No-go" if first.proposal is Proposal.GO else "Go"
    at = _open(open_page)
    _button(at, against).click().run()
    assert not at.exception
    assert any("needs a reason" in e.value for e in at.error)
    assert not any("--reason" in e.value for e in at.error), "no command-line hint in the UI"
    assert _status(ctx, first.tender_id) is TenderStatus.NEEDS_REVIEW
    assert ctx.review().history(first.tender_id) == []
    assert at.selectbox[0].value == first.tender_id


def test_a_decision_that_agrees_with_the_proposal_needs_no_reason(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    first = ctx.review().queue()[0]
    at = _open(open_page)
    _button(at, first.proposal.label).click().run()
    assert not at.exception
    assert not at.error
    [decision] = ctx.review().history(first.tender_id)
    assert decision.action is DecisionAction.ACCEPT


def test_go_with_a_reason_approves_and_moves_to_the_tender_after_it(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    queue = ctx.review().queue()
    chosen, after = queue[2], queue[3]
    at = _open(open_page)
    at.selectbox[0].set_value(chosen.tender_id).run()
    assert chosen.state.tender.title in at.subheader[0].value.replace("\\", "")
    at.text_area(key=f"review_reason_{chosen.tender_id}").input("We know this buyer well.").run()
    _button(at, "Go").click().run()
    assert not at.exception

    assert _status(ctx, chosen.tender_id) in DECIDED
    [decision] = ctx.review().history(chosen.tender_id)
    assert decision.action is DecisionAction.GO
    assert decision.status_after is TenderStatus.APPROVED
    assert decision.reason == "We know this buyer well."
    assert decision.overrides == {}
    assert (
        f"Go recorded for tender {chosen.tender_id} by Alice Martin; its bid is being written."
        in texts(at)
    )
    assert at.selectbox[0].value == after.tender_id


def test_no_go_rejects(open_page: Callable[[str], AppTest], analysed_demo: AppContext) -> None:
    ctx = analysed_demo
    go_item = next(i for i in ctx.review().queue() if i.proposal is Proposal.GO)
    at = _open(open_page)
    at.selectbox[0].set_value(go_item.tender_id).run()
    at.text_area(key=f"review_reason_{go_item.tender_id}").input("No capacity in March.").run()
    _button(at, "No-go").click().run()
    assert not at.exception
    assert _status(ctx, go_item.tender_id) is TenderStatus.REJECTED
    recorded = f"No-go recorded for tender {go_item.tender_id} by Alice Martin; it is now rejected."
    assert recorded in texts(at)


@pytest.fixture
def strict_demo(ctx: AppContext) -> AppContext:
    """The demo analysed auto-accepting from 90% only, so unsure "not relevant" verdicts wait."""
    auto_accept_from(ctx, 0.9)
    return analyse_demo(ctx)


def test_override_form_records_the_changed_dimensions(
    open_page: Callable[[str], AppTest], strict_demo: AppContext
) -> None:
    ctx = strict_demo
    unsure = next(
        i
        for i in ctx.review().queue()
        if i.state.filter is not None and not i.state.filter.is_relevant and i.state.rating
    )
    assert unsure.state.rating is not None
    tender_id = unsure.tender_id
    at = _open(open_page)
    at.selectbox[0].set_value(tender_id).run()
    assert at.radio(key=f"override_is_relevant_{tender_id}").value is False, "AI's verdict"
    assert at.number_input(key=f"override_overall_score_{tender_id}").value == (
        unsure.state.rating.overall_score
    )
    at.radio(key=f"override_is_relevant_{tender_id}").set_value(True)
    at.number_input(key=f"override_overall_score_{tender_id}").set_value(7.5)
    at.text_area(key=f"override_reason_{tender_id}").input("It is a portal project in disguise.")
    _button(at, "Go with these values").click().run()
    assert not at.exception

    [decision] = ctx.review().history(tender_id)
    assert decision.action is DecisionAction.GO
    assert decision.reason == "It is a portal project in disguise."
    assert decision.overrides == {
        "is_relevant": {"ai": False, "reviewer": True},
        "overall_score": {"ai": unsure.state.rating.overall_score, "reviewer": 7.5},
    }
    assert _status(ctx, tender_id) in DECIDED


def test_a_click_on_a_tender_decided_meanwhile_never_lands_on_the_next_one(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    first, second = ctx.review().queue()[:2]
    at = _open(open_page)
    at.text_area(key=f"review_reason_{first.tender_id}").input("Strong reference.").run()
    ctx.review().decide(
        first.tender_id, DecisionAction.NO_GO, Actor(name="bob", role=Role.APPROVER), "too far"
    )
    _button(at, f"Accept ({first.proposal.label})").click().run()
    assert not at.exception
    assert [e.value for e in at.error if "already decided by bob" in e.value]
    assert [d.decided_by for d in ctx.review().history(first.tender_id)] == ["bob"]
    assert ctx.review().history(second.tender_id) == [], "the click was for the first tender"
    assert _status(ctx, second.tender_id) is TenderStatus.NEEDS_REVIEW
    assert at.selectbox[0].value == second.tender_id

    at.run()  # the click is not replayed
    assert not at.error
    assert ctx.review().history(second.tender_id) == []


def test_an_override_without_a_reason_keeps_the_values_entered(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    first = ctx.review().queue()[0]
    tender_id = first.tender_id
    at = _open(open_page)
    at.number_input(key=f"override_win_probability_{tender_id}").set_value(9.0)
    _button(at, "No-go with these values").click().run()
    assert not at.exception
    assert any("needs a reason" in e.value for e in at.error)
    assert at.number_input(key=f"override_win_probability_{tender_id}").value == 9.0
    assert ctx.review().history(tender_id) == []
    assert _status(ctx, tender_id) is TenderStatus.NEEDS_REVIEW


def test_an_empty_queue_says_nothing_waits(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    alice = Actor(name="alice", role=Role.APPROVER)
    item: ReviewItem
    for item in ctx.review().queue():
        ctx.review().decide(item.tender_id, DecisionAction.ACCEPT, alice)
    at = _open(open_page)
    assert metrics(at)["Waiting for review"] == "0"
    assert any("Nothing waits for review" in s.value for s in at.success)
    links = [p.proto.page for p in at.get("page_link")]
    assert any("dashboard" in link for link in links)
    assert not at.dataframe
    assert not at.selectbox


def test_a_link_with_an_id_opens_that_tender(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    queue = analysed_demo.review().queue()
    wanted = queue[4].tender_id
    at = app_test()
    at.run()
    at.query_params["id"] = str(wanted)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox[0].value == wanted
    assert queue[4].state.tender.title in at.subheader[0].value.replace("\\", "")
