"""A tender's documents in brief: the Review item shows the matrix summary and the key dates
the documents state beside the notice's deadline, questions first; the Tender page says when
the documents disagree with the notice or came after the rating; the Bids page shows the
matrix and writes one criterion's answer again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from tests.fakes import pdf_bytes
from tests.ui.helpers import USERS
from tests.unit.test_requirements import SPEC


def _spec(ctx: AppContext, *, due_in_days: int) -> bytes:
    """The specification with a timetable dated from the context's clock."""
    now = ctx.clock()
    questions = (now + timedelta(days=due_in_days - 10)).strftime("%d %B %Y")
    due = (now + timedelta(days=due_in_days)).strftime("%d %B %Y")
    timetable = [
        "4. Timetable",
        f"Clarification questions must be submitted by 12:00 on {questions}.",
        f"The deadline for receipt of tenders is 14:00 on {due}.",
    ]
    return pdf_bytes([*SPEC, timetable])


def test_the_review_item_shows_the_matrix_and_the_documents_dates_questions_first(
    open_page: Callable[..., AppTest], analysed_demo: AppContext
) -> None:
    item = analysed_demo.review().queue()[0]
    tender_id = item.tender_id
    deadline = item.state.tender.deadline
    days = (deadline - analysed_demo.clock()).days if deadline else 30
    analysed_demo.documents().add(
        tender_id, "itt.pdf", _spec(analysed_demo, due_in_days=days), USERS["carol"]
    )
    at = open_page("pages/review.py", "alice")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Requirements"], shown["Mandatory"], shown["Open"]) == ("16", "8", "12")
    table = next(d.value for d in at.dataframe if "when" in d.value.columns)
    assert table["date"].iloc[0] == "Clarification questions by"
    assert "Tenders due" in list(table["date"])
    assert "Tenders due (the notice)" in list(table["date"]) or deadline is None
    assert any("Questions close first" in i.value for i in at.info)


def test_the_tender_page_warns_when_the_documents_and_the_notice_disagree(
    open_page: Callable[..., AppTest], analysed_demo: AppContext
) -> None:
    state = next(s for s in analysed_demo.tenders.all_states() if s.rating and s.tender.deadline)
    tender_id = state.tender.id or 0
    deadline = state.tender.deadline
    assert deadline is not None
    days = (deadline - analysed_demo.clock()).days + 7  # a week later than the notice says
    analysed_demo.documents().add(
        tender_id, "itt.pdf", _spec(analysed_demo, due_in_days=days), USERS["carol"]
    )
    at = open_page("pages/tenders.py", "carol")
    at.query_params["id"] = str(tender_id)
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(w.startswith("The documents say tenders are due") for w in warnings)
    assert any("re-analyse the tender" in i.value for i in at.info)


def test_the_bids_page_shows_the_matrix_and_writes_one_criterions_answer_again(
    open_page: Callable[..., AppTest], demo_with_bids: AppContext
) -> None:
    ctx = demo_with_bids
    row = ctx.bids.all_latest()[-1]
    ctx.documents().add(row.tender_id, "spec.pdf", pdf_bytes(SPEC), USERS["carol"])
    quality = next(r for r in ctx.matrix().rows(row.tender_id) if r.text == "Quality")
    at = open_page("pages/bids.py", "carol")
    at.selectbox[0].set_value(row.tender_id).run() if at.selectbox else None
    assert not at.exception
    assert any(s.value == "Compliance matrix" for s in at.subheader)
    at.selectbox(key="regenerate_criterion_ref").set_value(quality.ref)
    next(b for b in at.button if b.label == "Write it again").click().run()
    assert not at.exception
    latest = ctx.bids.latest(row.tender_id)
    assert latest is not None and latest.version == row.version + 1
    assert "#### Quality (60%)" in latest.document.technical_approach
