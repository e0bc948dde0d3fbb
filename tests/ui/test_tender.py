from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.models import BID_SECTIONS, TenderStatus
from tests.ui.helpers import app_test, texts


def _tender_with_specification(ctx: AppContext) -> int:
    """One tender, with the three-page specification of tests/unit/test_requirements.py."""
    from tests.fakes import pdf_bytes, tender
    from tests.ui.helpers import USERS
    from tests.unit.test_requirements import SPEC

    ctx.tenders.add_tenders([tender("Cloud hosting for the council")])
    tender_id = ctx.tenders.all_states()[0].tender.id or 0
    ctx.documents().add(tender_id, "spec.pdf", pdf_bytes(SPEC), USERS["carol"])
    return tender_id


def _first(ctx: AppContext, status: TenderStatus) -> int:
    return next(s.tender.id or 0 for s in ctx.tenders.all_states() if s.status is status)


def test_empty_database_points_to_import(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/tenders.py")
    assert not at.exception
    assert any("No tenders yet" in i.value for i in at.info)
    assert not at.selectbox


def test_a_complete_tender_shows_fields_analysis_and_bid(
    open_page: Callable[[str], AppTest], demo_with_bids: AppContext
) -> None:
    tender_id = _first(demo_with_bids, TenderStatus.COMPLETE)
    state = demo_with_bids.tenders.get(tender_id)
    assert state is not None and state.rating is not None and state.bid is not None
    at = app_test()
    at.run()
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    assert at.query_params["id"] == str(tender_id)
    assert state.tender.title in at.header[0].value.replace("\\", "")
    shown = texts(at)
    assert state.tender.buyer in shown
    assert ", ".join(state.tender.cpv_codes) in shown
    assert any("days left" in t or "closed" in t or "closes today" in t for t in shown)
    assert {m.label for m in at.metric} >= {"Overall score", "Strategic fit", "Win probability"}
    assert f"{state.rating.overall_score:.1f} / 10" in [m.value for m in at.metric]
    assert any("by rules: offline CPV + keyword analyst" in c.value for c in at.caption)
    headings = [m.value for m in at.markdown]
    for _, heading in BID_SECTIONS:
        assert f"#### {heading}" in headings
    page_text = "\n".join(shown)
    assert state.bid.executive_summary.splitlines()[0] in page_text
    assert "[to complete]" in page_text  # bid gaps are shown literally, not as links
    for strength in state.rating.strengths:
        assert f"- {strength}" in page_text
    assert at.json  # the raw source payload


def test_query_param_picks_the_tender(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    tender_id = _first(analysed_demo, TenderStatus.FILTERED_OUT)
    state = analysed_demo.tenders.get(tender_id)
    assert state is not None
    at = app_test()
    at.run()
    at.query_params["id"] = str(tender_id)
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    assert at.selectbox[0].value == tender_id
    assert "Not rated: it was filtered out." in texts(at)
    assert not at.metric


def test_without_a_choice_the_most_relevant_comes_first_and_search_narrows(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/tenders.py")
    assert not at.exception
    best = max(
        (s for s in analysed_demo.tenders.all_states() if s.rating is not None),
        key=lambda s: s.rating.overall_score if s.rating else 0,
    )
    assert at.selectbox[0].value == best.tender.id

    other = next(
        s for s in analysed_demo.tenders.all_states() if s.filter and not s.filter.is_relevant
    )
    word = other.tender.title.split()[0]
    at.text_input(key="tender_search").input(word).run()
    assert not at.exception
    options = at.selectbox[0].options  # the labels shown: "title — buyer"
    assert options
    assert all(word.lower() in o.lower() for o in options)
    assert len(options) < analysed_demo.tenders.count()
    at.text_input(key="tender_search").input("zzz-no-such-tender").run()
    assert any("No tender matches" in i.value for i in at.info)


def test_unknown_id_is_one_warning(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = app_test()
    at.run()
    at.query_params["id"] = "999999"
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    assert any("no tender 999999" in w.value for w in at.warning)
    assert at.selectbox  # the user can still pick one


def test_reanalyse_queues_the_tender_again(
    open_page: Callable[[str], AppTest], demo_with_bids: AppContext
) -> None:
    tender_id = _first(demo_with_bids, TenderStatus.COMPLETE)
    # keep the worker from analysing it again during the test
    demo_with_bids.controls().set_paused(True, actor=CLI_ACTOR)
    at = app_test()
    at.run()
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    button = next(b for b in at.button if b.label == "Re-analyse")
    button.click().run()
    assert not at.exception
    state = demo_with_bids.tenders.get(tender_id)
    assert state is not None and state.status is TenderStatus.PENDING
    assert state.filter is None and state.rating is None
    assert state.bid is not None, "the bid draft is kept"


def test_a_bid_downloads_as_docx_and_markdown_and_a_tender_without_one_offers_none(
    open_page: Callable[[str], AppTest], demo_with_bids: AppContext
) -> None:
    for status, expected in (
        (TenderStatus.COMPLETE, ["Download DOCX", "Download Markdown", "Internal brief"]),
        (TenderStatus.FILTERED_OUT, []),
    ):
        at = app_test()
        at.run()
        at.session_state["tender_id"] = _first(demo_with_bids, status)
        at.switch_page("pages/tenders.py").run()
        assert not at.exception
        assert [b.proto.label for b in at.get("download_button")] == expected


def test_a_tender_updated_by_a_later_notice_shows_what_changed(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    from datetime import UTC, datetime

    from core.models import Lot, NoticeType
    from tests.fakes import tender

    first = tender(
        "Managed SOC service",
        source="ocds",
        procedure_id="ocds-x-1",
        source_id="ocds-x-1",
        published_at=datetime(2026, 10, 1, tzinfo=UTC),
        deadline=datetime(2026, 12, 1, 12, tzinfo=UTC),
        lots=[Lot(id="1", title="Monitoring", value_amount=10_000, value_currency="EUR")],
    )
    later = first.model_copy(
        update={
            "published_at": datetime(2026, 10, 8, tzinfo=UTC),
            "deadline": datetime(2026, 12, 20, 12, tzinfo=UTC),
            "notice_type": NoticeType.TENDER,
            "form_type": "tenderAmendment",
        }
    )
    ctx.tenders.import_tenders([first], "v1.json")
    assert ctx.tenders.import_tenders([later], "v2.json").updated == 1
    at = app_test()
    at.run()
    at.session_state["tender_id"] = 1
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    shown = texts(at)
    assert any("Version 2, imported" in t and "v2.json" in t for t in shown)
    assert any("analysis run again" in t for t in shown)
    changes = at.dataframe[-1].value
    deadline = changes[changes["field"] == "deadline"].iloc[0]
    assert deadline["before"].startswith("2026-12-01") and deadline["after"].startswith(
        "2026-12-20"
    )
    assert any(e.label == "Lots (1)" for e in at.expander)


def test_a_draft_edited_by_a_person_is_credited_to_them(
    open_page: Callable[[str], AppTest], demo_with_bids: AppContext
) -> None:
    from core.bids.editor import BidEditor
    from tests.ui.helpers import USERS

    ctx = demo_with_bids
    tender_id = _first(ctx, TenderStatus.COMPLETE)
    editor = BidEditor.from_context(ctx)
    editor.save_sections(tender_id, 1, {"executive_summary": "Our own words."}, USERS["carol"])
    at = app_test()
    at.run()
    at.session_state["tender_id"] = tender_id
    at.switch_page("pages/tenders.py").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any("Version 2, last edited by Carol Diaz" in c for c in captions)
    assert not any(c.startswith("Drafted by") for c in captions)


def test_documents_are_uploaded_listed_and_a_broken_one_is_one_line(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    from tests.fakes import pdf_bytes, tender

    ctx.tenders.add_tenders([tender("Cloud hosting for the council")])
    tender_id = ctx.tenders.all_states()[0].tender.id
    at = open_page("pages/tenders.py")
    assert any("No documents yet" in c.value for c in at.caption)
    spec = pdf_bytes([["The supplier shall host it in the UK."], ["Price 40%"]])
    at.file_uploader(key=f"documents_files_{tender_id}_0").set_value(
        [
            ("spec.pdf", spec, "application/pdf"),
            ("broken.pdf", b"%PDF-1.7\nnope", "application/pdf"),
        ]
    )
    at.run()
    next(b for b in at.button if b.label == "Add 2 documents").click().run()
    assert not at.exception
    shown = [s.value.replace("\\", "") for s in at.success]  # escaped as Markdown
    assert any("spec.pdf added (PDF, 2 pages)" in s for s in shown)
    refused = [e.value.replace("\\", "") for e in at.error]
    assert any(e.startswith("broken.pdf could not be read as a PDF") for e in refused)
    listed = next(d.value for d in at.dataframe if "document" in d.value.columns)
    assert list(listed["document"]) == ["spec.pdf"] and list(listed["pages"]) == [2]
    assert "Download" in [b.proto.label for b in at.get("download_button")]
    assert [r.filename for r in ctx.documents().documents(tender_id or 0)] == ["spec.pdf"]


def test_a_viewer_reads_the_documents_but_adds_none(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    from tests.fakes import tender

    ctx.tenders.add_tenders([tender("Cloud hosting for the council")])
    at = open_page("pages/tenders.py", user="vera")
    assert not at.exception
    assert not at.get("file_uploader")


def test_a_matrix_row_gets_an_owner_and_a_status_and_a_mandatory_open_row_is_flagged(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    tender_id = _tender_with_specification(ctx)
    at = open_page("pages/tenders.py", user="carol")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Rows"], shown["Mandatory"], shown["Open"]) == ("16", "8", "12")
    assert any("8 mandatory requirements still open" in w.value for w in at.warning)

    at.selectbox(key=f"matrix_row_{tender_id}").set_value("R-001").run()
    next(s for s in at.selectbox if s.label == "Owner").set_value("carol")
    next(s for s in at.selectbox if s.label == "Status").set_value("compliant")
    next(t for t in at.text_area if t.label == "Response").input("Hosted in London and Leeds.")
    next(b for b in at.button if b.label == "Save the row").click().run()
    assert not at.exception
    row = ctx.matrix().rows(tender_id)[0]
    assert (row.owner, row.status, row.response) == (
        "carol",
        "compliant",
        "Hosted in London and Leeds.",
    )
    assert any("7 mandatory requirements still open" in w.value for w in at.warning)


def test_a_long_pdf_shows_its_reading_progress_then_its_requirements(
    open_page: Callable[[str], AppTest], ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.documents.service import DocumentService
    from tests.fakes import pdf_bytes, tender
    from tests.ui.helpers import USERS

    ctx.tenders.add_tenders([tender("Cloud hosting for the council")])
    tender_id = ctx.tenders.all_states()[0].tender.id or 0
    pages = [[f"Background on page {n}."] for n in range(1, 61)]
    pages[59] = ["The supplier shall hold ISO 27001 certification."]
    record, _ = ctx.documents().add(
        tender_id, "itt.pdf", pdf_bytes(pages), USERS["carol"], background=True
    )
    read_some = DocumentService.read_some
    monkeypatch.setattr(DocumentService, "read_some", lambda self: None)  # the reader waits
    at = open_page("pages/tenders.py", user="carol")
    assert not at.exception
    [bar] = at.get("progress")
    assert "Reading itt.pdf: 0 of 60 pages" in bar.proto.text.replace("\\", "")
    listed = next(d.value for d in at.dataframe if "document" in d.value.columns)
    assert list(listed["state"]) == ["reading (0 of 60 pages)"]

    monkeypatch.setattr(DocumentService, "read_some", read_some)
    service = ctx.documents()
    while service.read_some() is not None:
        pass
    at.run()
    assert not at.exception and not at.get("progress")
    listed = next(d.value for d in at.dataframe if "document" in d.value.columns)
    assert list(listed["state"]) == ["read"]
    assert [r.page for r in ctx.matrix().rows(tender_id)] == [60]
    assert record.id == service.documents(tender_id)[0].id


def test_two_matrix_rows_are_merged_on_the_page(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    tender_id = _tender_with_specification(ctx)
    at = open_page("pages/tenders.py", user="carol")
    next(s for s in at.selectbox if s.label == "Keep this row").set_value("R-001")
    next(m for m in at.multiselect if m.label == "Merge these into it").set_value(["R-002"])
    next(b for b in at.button if b.label == "Merge").click().run()
    assert not at.exception
    assert any("Merged R-002 into R-001" in s.value.replace("\\", "") for s in at.success)
    rows = {r.ref: r for r in ctx.matrix().rows(tender_id)}
    assert rows["R-002"].merged_into == "R-001" and rows["R-002"].dropped
