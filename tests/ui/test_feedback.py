"""Feedback on relevance from the Tender page and the Dashboard."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.models import DecisionAction, TenderStatus
from tests.ui.helpers import app_test, texts


def _open_tender(user: str, tender_id: int) -> AppTest:
    at = app_test(user).run()
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _filtered_out(ctx: AppContext) -> int:
    return next(
        s.tender.id or 0 for s in ctx.tenders.all_states() if s.status is TenderStatus.FILTERED_OUT
    )


def test_a_bid_manager_marks_a_filtered_out_tender_relevant(analysed_demo: AppContext) -> None:
    tender_id = _filtered_out(analysed_demo)
    at = _open_tender("carol", tender_id)
    word = next(r for r in at.radio if r.label == "Is it for us?")
    word.set_value(True)
    at.text_input(key=f"feedback_reason_tender_{tender_id}").input("we build these")
    next(b for b in at.button if b.label == "Save feedback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Tender {tender_id} marked relevant by Carol Diaz" in t for t in texts(at))
    (entry,) = analysed_demo.review().history(tender_id)
    assert entry.action is DecisionAction.FEEDBACK and entry.relevant is True
    assert entry.reason == "we build these" and entry.decided_by == "carol"
    state = analysed_demo.tenders.get(tender_id)
    assert state is not None and state.status is not TenderStatus.FILTERED_OUT


def test_saving_without_a_choice_asks_for_one(analysed_demo: AppContext) -> None:
    tender_id = _filtered_out(analysed_demo)
    at = _open_tender("alice", tender_id)
    next(b for b in at.button if b.label == "Save feedback").click().run()
    assert any("Choose relevant or not relevant" in t for t in texts(at))
    assert analysed_demo.review().history(tender_id) == []


def test_viewers_get_no_feedback_form(analysed_demo: AppContext) -> None:
    at = _open_tender("vera", _filtered_out(analysed_demo))
    assert not [r for r in at.radio if r.label == "Is it for us?"]


def test_feedback_from_the_dashboard(analysed_demo: AppContext) -> None:
    at = app_test("carol").run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    tender_id = at.selectbox(key="fb_tender").value
    next(r for r in at.radio if r.label == "Is it for us?").set_value(False)
    next(b for b in at.button if b.label == "Save feedback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Tender {tender_id} marked not relevant by Carol Diaz" in t for t in texts(at))
    assert analysed_demo.review().history(tender_id)[-1].relevant is False
