"""Tenders page: the decision history of a tender, and reopening it for review."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.access.roles import Actor
from core.bootstrap import AppContext
from core.models import DecisionAction, Role, TenderStatus
from core.review.service import Overrides
from tests.ui.helpers import app_test, texts

ALICE = Actor(name="alice", role=Role.APPROVER)


def _tender_page(tender_id: int, name: str = "bob") -> AppTest:
    at = app_test(name)
    at.run()
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _history_table(at: AppTest):
    return next(df.value for df in at.dataframe if "who" in df.value.columns)


def _status(ctx: AppContext, tender_id: int) -> TenderStatus:
    state = ctx.tenders.get(tender_id)
    assert state is not None
    return state.status


def _rejected_with_overrides(ctx: AppContext) -> tuple[int, float]:
    """A no-go on a waiting tender whose overall score the reviewer lowered."""
    item = next(i for i in ctx.review().queue() if i.state.rating is not None)
    assert item.state.rating is not None
    ctx.review().decide(
        item.tender_id,
        DecisionAction.NO_GO,
        ALICE,
        "Scope is mostly hardware.",
        Overrides(overall_score=2.0),
    )
    return item.tender_id, item.state.rating.overall_score


def test_the_history_lists_each_decision_with_what_it_was_made_on(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    tender_id, ai_score = _rejected_with_overrides(analysed_demo)
    at = _tender_page(tender_id)
    assert "Decision history" in [s.value for s in at.subheader]
    table = _history_table(at)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["who"] == "alice"
    assert row["role"] == "approver"
    assert row["action"] == "No-go"
    assert row["status"] == "Needs review → Rejected"
    assert row["reason"] == "Scope is mostly hardware."
    assert row["overridden"] == f"Overall score {ai_score:.1f} → 2.0"
    assert row["Analyst score"] == f"{ai_score:.1f}"
    assert row["analyst"] == "rules"
    assert row["when"].endswith("UTC")


def test_reopening_puts_the_tender_back_in_the_queue(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    tender_id, _ = _rejected_with_overrides(ctx)
    at = _tender_page(tender_id)
    at.text_input(key=f"reopen_reason_{tender_id}").input("The buyer extended the scope.")
    next(b for b in at.button if b.label == "Reopen for review").click().run()
    assert not at.exception

    assert _status(ctx, tender_id) is TenderStatus.NEEDS_REVIEW
    reopened = ctx.review().history(tender_id)[-1]
    assert reopened.action is DecisionAction.REOPEN
    assert reopened.decided_by == "bob"
    assert reopened.reason == "The buyer extended the scope."
    assert tender_id in [i.tender_id for i in ctx.review().queue()]
    assert f"Tender {tender_id} is back in the review queue, reopened by Bob Stone." in texts(at)
    assert list(_history_table(at)["action"]) == ["No-go", "Reopen"]
    assert not any(b.label == "Reopen for review" for b in at.button)
    links = at.get("page_link")
    assert any(p.proto.query_string == f"id={tender_id}" for p in links), "link to Review"


def test_an_automatically_routed_tender_can_be_reopened_but_not_without_a_reason(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    tender_id = next(
        s.tender.id or 0
        for s in ctx.tenders.all_states()
        if s.status is TenderStatus.FILTERED_OUT and s.filter is not None
    )
    at = _tender_page(tender_id)
    assert "No decision yet: the analysis routed it on its own." in texts(at)
    next(b for b in at.button if b.label == "Reopen for review").click().run()
    assert not at.exception
    assert any("Reopening needs a reason" in e.value for e in at.error)
    assert _status(ctx, tender_id) is TenderStatus.FILTERED_OUT
    assert ctx.review().history(tender_id) == []


def test_a_waiting_tender_links_to_the_review_page_instead(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    tender_id = analysed_demo.review().queue()[0].tender_id
    at = _tender_page(tender_id)
    assert not any(b.label == "Reopen for review" for b in at.button)
    links = [p.proto for p in at.get("page_link")]
    assert any("review" in p.page and p.query_string == f"id={tender_id}" for p in links)
