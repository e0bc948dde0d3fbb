"""An approver in a real browser: decide go on the Review page, approve the bid, download it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from core.bootstrap import open_context
from core.models import BID_SECTIONS
from storage.db import close_database
from tests.e2e.conftest import AppServer, start_app, stop_app
from tests.e2e.test_app import no_exception, settled
from tests.fakes import analyse_demo

pytestmark = pytest.mark.e2e


@pytest.fixture
def reviewed_app(tmp_path: Path) -> Iterator[tuple[AppServer, int, str]]:
    """The demo analysed under the default policy (every bid waits), then the app on it.

    Yields the server, the first tender in the review queue, and its title.
    """
    db = tmp_path / "review.duckdb"
    ctx = open_context(db_path=db)
    analyse_demo(ctx)
    first = ctx.review().queue()[0]
    assert ctx.tenders.get(first.tender_id).bid is None  # type: ignore[union-attr]
    close_database(db)
    server, process = start_app(tmp_path, db_path=db)
    try:
        yield server, first.tender_id, first.state.tender.title
    finally:
        stop_app(process)


def test_go_in_the_browser_then_approve_and_download_the_docx(reviewed_app, page: Page):
    server, tender_id, title = reviewed_app
    server.sign_in(page, "alice")
    page.goto(f"{server.url}/review")
    settled(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    page.get_by_role("textbox", name="Reason", exact=True).fill(
        "Strategic account; we know the buyer well."
    )
    page.get_by_role("button", name="Go", exact=True).click()
    settled(page)
    expect(page.get_by_text(f"Go recorded for tender {tender_id}")).to_be_visible()
    no_exception(page)

    # the background worker writes the bid; the Bids page lists it as a draft when it lands
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Bids").click()
    settled(page)
    expect(page.get_by_text("Signed in as Alice Martin")).to_be_visible()
    approve = page.get_by_role("button", name="Approve version 1")
    expect(approve).to_be_visible(timeout=60_000)
    settled(page)
    approve.click()
    settled(page)
    expect(page.get_by_text("Version 1 approved by Alice Martin")).to_be_visible()
    no_exception(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download DOCX").click()
    document = docx.Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for _, heading in BID_SECTIONS:
        assert heading in headings
    assert title in text
    assert "Submitted by " in text and "not yet approved" not in text
    for internal in ("Win probability", "/ 10", "Approved by", "Prompt version", "analyst"):
        assert internal not in text, f"the buyer's DOCX says {internal!r}"

    # what the analyst found goes to the team, in the internal brief
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Internal brief").click()
    brief = docx.Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    cells = [c.text for t in brief.tables for row in t.rows for c in row.cells]
    brief_text = "\n".join([p.text for p in brief.paragraphs] + cells)
    assert "Approved by Alice Martin" in brief_text and "Win probability" in brief_text

    # the download of an approved version counts as an export, as the audit log says
    page.reload()
    settled(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Exported")).to_contain_text("1")
    no_exception(page)

    # the decision is in the tender's history (a table), with who and why
    page.goto(f"{server.url}/tenders?id={tender_id}")
    settled(page)
    history = page.locator("[role='gridcell']")  # cells of the history table (a canvas grid)
    expect(history.filter(has_text="Strategic account; we know the buyer well.")).to_have_count(1)
    expect(history.filter(has_text="alice")).to_have_count(1)
    no_exception(page)
