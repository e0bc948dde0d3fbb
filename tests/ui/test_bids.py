from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.models import BidDocument, BidStatus, StageOutcome, TenderStatus
from tests.ui.helpers import app_test, metrics, texts

APPROVED_AT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SECTIONS = ("executive_summary", "technical_approach", "value_proposition", "timeline_estimate")


def _draft(title: str) -> BidDocument:
    return BidDocument(
        executive_summary=f"Our summary for {title}",
        technical_approach="Our approach",
        value_proposition="Our value",
        timeline_estimate="Our timeline",
        analyst="rules",
    )


def _with_bids(ctx: AppContext, count: int = 2) -> list[int]:
    """Give `count` analysed tenders a version-1 bid, as the pipeline does after a go."""
    analysed = [s for s in ctx.tenders.all_states() if s.filter and s.rating][:count]
    ctx.tenders.save_outcomes(
        [
            StageOutcome(
                tender_id=s.tender.id or 0,
                bid=_draft(s.tender.title),
                status=TenderStatus.COMPLETE,
            )
            for s in analysed
        ]
    )
    return [s.tender.id or 0 for s in analysed]


def _open(tender_id: int | None = None, user: str = "alice") -> AppTest:
    at = app_test(user)
    at.run()
    if tender_id is not None:
        at.session_state["bids_tender_id"] = tender_id
    at.switch_page("pages/bids.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _section(ctx: AppContext, tender_id: int, field: str) -> str:
    return getattr(ctx.bids.versions(tender_id)[0].document, field)


@pytest.fixture
def bids(analysed_demo: AppContext) -> list[int]:
    return _with_bids(analysed_demo)


def test_without_bids_the_page_points_to_review(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/bids.py")
    assert not at.exception
    assert at.title[0].value == "Bids"
    assert any("No bid documents yet: approve tenders on the Review page" in t for t in texts(at))
    assert [link.proto.page for link in at.get("page_link")][-1].endswith("review")
    assert not at.selectbox and not at.metric


def test_the_list_shows_each_bid_with_its_status(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    approved, draft = bids
    analysed_demo.bids.approve(approved, 1, by="Alice", at=APPROVED_AT)

    at = _open()

    assert metrics(at) == {"Draft": "1", "Approved": "1", "Exported": "0"}
    table = at.dataframe[0].value
    titles = {s.tender.id: s.tender.title for s in analysed_demo.tenders.states(bids)}
    assert sorted(table["title"]) == sorted(titles.values())
    status_of = dict(zip(table["id"], table["status"], strict=True))
    assert status_of == {approved: "Approved", draft: "Draft"}
    assert dict(zip(table["id"], table["approved by"], strict=True))[approved] == "Alice"
    assert set(table["version"]) == {1}

    at.multiselect(key="bids_statuses").select(BidStatus.DRAFT).run()
    assert list(at.dataframe[0].value["id"]) == [draft]


def test_the_id_query_param_picks_the_bid(analysed_demo: AppContext, bids: list[int]) -> None:
    at = app_test()
    at.run()
    at.query_params["id"] = str(bids[1])
    at.switch_page("pages/bids.py").run()
    assert not at.exception
    assert at.selectbox[0].value == bids[1]
    assert "Approve version 1" in [b.label for b in at.button]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download DOCX", "Download Markdown", "Internal brief"]


def test_editing_a_section_saves_version_2_under_the_editor_name(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    tender_id = bids[0]
    at = _open(tender_id)
    area = at.text_area(key=f"bid_text_{tender_id}_value_proposition")
    assert area.label == "Value proposition" and area.value == "Our value"

    area.input("Our value, sharpened")
    at.text_input(key=f"bid_note_{tender_id}_1").input("sharper value")
    _click(at, "Save as new version")

    [newest, first] = analysed_demo.bids.versions(tender_id)
    assert (newest.version, newest.edited_by, newest.status) == (2, "alice", BidStatus.DRAFT)
    assert newest.note == "sharper value"
    assert at.text_input(key=f"bid_note_{tender_id}_2").value == "", "the note starts empty again"
    assert newest.document.value_proposition == "Our value, sharpened"
    assert newest.document.executive_summary == first.document.executive_summary
    assert any("Saved version 2 (draft) by Alice" in t for t in texts(at))
    assert at.text_area(key=f"bid_text_{tender_id}_value_proposition").value == (
        "Our value, sharpened"
    )
    assert "Approve version 2" in [b.label for b in at.button]


def test_saving_unchanged_text_saves_nothing(analysed_demo: AppContext, bids: list[int]) -> None:
    tender_id = bids[0]
    at = _open(tender_id)
    _click(at, "Save as new version")
    assert any("Nothing changed" in i.value for i in at.info)

    assert len(analysed_demo.bids.versions(tender_id)) == 1


def test_a_save_on_top_of_someone_elses_newer_version_is_refused(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    tender_id = bids[0]
    at = _open(tender_id)
    meanwhile = _draft("Carol's")
    analysed_demo.bids.add_version(tender_id, meanwhile, based_on=1, edited_by="Carol")

    at.text_area(key=f"bid_text_{tender_id}_executive_summary").input("Alice's words")
    _click(at, "Save as new version")

    assert any("Version 2 was saved by Carol meanwhile; reload" in e.value for e in at.error)
    assert _section(analysed_demo, tender_id, "executive_summary") == "Our summary for Carol's"
    assert at.text_area(key=f"bid_text_{tender_id}_executive_summary").value == "Alice's words"
    _click(at, "Load version 2")
    assert at.text_area(key=f"bid_text_{tender_id}_executive_summary").value == (
        "Our summary for Carol's"
    )


def test_regenerating_a_section_changes_only_that_section(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    tender_id = bids[0]
    before = analysed_demo.bids.versions(tender_id)[0].document
    at = _open(tender_id)

    _click(at, "Regenerate Technical approach")

    versions = analysed_demo.bids.versions(tender_id)
    assert [v.version for v in versions] == [2, 1]
    after = versions[0].document
    assert after.technical_approach != before.technical_approach
    assert after.technical_approach.strip()
    for field in SECTIONS:
        if field != "technical_approach":
            assert getattr(after, field) == getattr(before, field), field
    assert versions[0].note == "Regenerated Technical approach with rules"
    assert versions[0].edited_by == "alice"
    assert at.text_area(key=f"bid_text_{tender_id}_technical_approach").value == (
        after.technical_approach
    )
    assert any("Saved version 2 with a new technical approach" in t for t in texts(at))


def test_approving_the_draft(analysed_demo: AppContext, bids: list[int]) -> None:
    tender_id = bids[0]
    at = _open(tender_id)

    _click(at, "Approve version 1")

    latest = analysed_demo.bids.latest(tender_id)
    assert latest is not None and latest.status is BidStatus.APPROVED
    assert latest.approved_by == "alice"
    assert any("Version 1 approved by Alice" in t for t in texts(at))
    assert metrics(at)["Approved"] == "1"
    approve = next(b for b in at.button if b.label == "Approve version 1")
    assert approve.disabled, "an approved version cannot be approved again"


def test_restoring_an_older_version(analysed_demo: AppContext, bids: list[int]) -> None:
    tender_id = bids[0]
    analysed_demo.bids.add_version(tender_id, _draft("v2"), based_on=1, edited_by="Bob")
    at = _open(tender_id)
    restore = next(b for b in at.button if b.label == "Restore this version")
    assert restore.disabled, "the current version is already current"

    at.selectbox(key=f"bid_view_{tender_id}_2").select(1).run()
    _click(at, "Restore this version")

    versions = analysed_demo.bids.versions(tender_id)
    assert [v.version for v in versions] == [3, 2, 1]
    assert versions[0].note == "Restored version 1"
    assert versions[0].document.executive_summary == versions[2].document.executive_summary
    assert at.dataframe[-1].value["version"].tolist() == [3, 2, 1]
    assert at.selectbox(key=f"bid_view_{tender_id}_3").value == 3, "the newest, shown after"


def test_the_zip_holds_only_approved_bids_which_become_exported(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    approved, draft = bids
    analysed_demo.bids.approve(approved, 1, by="Alice", at=APPROVED_AT)
    at = _open()
    assert not at.get("download_button") or all(
        "approved bids" not in b.proto.label for b in at.get("download_button")
    ), "the ZIP is built only on request"

    _click(at, "Prepare ZIP of 1 approved bid")

    prepared = at.session_state["bids_approved_zip"]
    assert prepared.count == 1 and prepared.fmt == "docx"
    with zipfile.ZipFile(io.BytesIO(prepared.data)) as archive:
        names = archive.namelist()
    assert len(names) == 1 and names[0].startswith(f"tender-{approved}-")
    assert any(
        b.proto.label == "Download approved bids (ZIP, Word (DOCX))"
        for b in at.get("download_button")
    )
    assert any("1 document in the ZIP; it is now marked exported." in t for t in texts(at))
    assert analysed_demo.bids.latest(approved).status is BidStatus.EXPORTED  # type: ignore[union-attr]
    assert analysed_demo.bids.latest(draft).status is BidStatus.DRAFT  # type: ignore[union-attr]
    assert metrics(at)["Exported"] == "1"


def test_the_zip_button_waits_for_an_approved_bid(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    at = _open()
    prepare = next(b for b in at.button if b.label.startswith("Prepare ZIP"))
    assert prepare.disabled
    assert any("No bid is approved yet" in t for t in texts(at))


def test_a_link_to_a_tender_without_a_bid_is_one_warning(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    without_bid = next(
        s.tender.id or 0 for s in analysed_demo.tenders.all_states() if s.bid is None
    )
    at = app_test()
    at.run()
    at.query_params["id"] = str(without_bid)
    at.switch_page("pages/bids.py").run()
    assert not at.exception
    assert any(f"no bid for tender {without_bid}" in w.value for w in at.warning)
    assert at.selectbox[0].value in bids


def test_an_open_mandatory_requirement_needs_a_reason_to_approve(
    analysed_demo: AppContext, bids: list[int]
) -> None:
    from tests.fakes import pdf_bytes
    from tests.ui.helpers import USERS
    from tests.unit.test_requirements import SPEC

    tender_id = bids[0]
    analysed_demo.documents().add(tender_id, "spec.pdf", pdf_bytes(SPEC), USERS["carol"])
    at = app_test()
    at.run()
    at.query_params["id"] = str(tender_id)
    at.switch_page("pages/bids.py").run()
    assert any("8 mandatory requirements are open" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Approve version 1").click().run()
    assert any("answer them in the compliance matrix" in e.value for e in at.error)
    at.text_input(key=f"bid_override_{tender_id}").input("Certificates follow before the deadline.")
    next(b for b in at.button if b.label == "Approve version 1").click().run()
    assert not at.exception
    assert any("Version 1 approved" in s.value for s in at.success)
