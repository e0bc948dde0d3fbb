"""Tender documents in a real browser: upload a specification on the Tender page, see the
compliance matrix fill in, download it (owners and statuses are set in tests/ui)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from core.bootstrap import open_context
from storage.db import close_database
from tests.e2e.conftest import AppServer, start_app, stop_app
from tests.e2e.test_app import no_exception, settled, shot
from tests.fakes import pdf_bytes, tender
from tests.unit.test_requirements import SPEC

pytestmark = pytest.mark.e2e


@pytest.fixture
def one_tender_app(tmp_path: Path) -> Iterator[AppServer]:
    """The app on a database holding one tender (no demo: nothing else to analyse)."""
    db = tmp_path / "matrix.duckdb"
    ctx = open_context(db_path=db)
    ctx.tenders.add_tenders([tender("Managed cloud hosting for the Council website")])
    close_database(db)
    server, process = start_app(tmp_path, db_path=db)
    try:
        yield server
    finally:
        stop_app(process)


def test_a_specification_fills_the_matrix_which_downloads_as_xlsx(
    one_tender_app: AppServer, page: Page, tmp_path: Path
) -> None:
    app_server = one_tender_app
    spec = tmp_path / "specification.pdf"
    spec.write_bytes(pdf_bytes(SPEC))
    app_server.sign_in(page, "ann")
    page.goto(app_server.url + "/tenders?id=1")
    settled(page)
    expect(page.get_by_text("No documents yet")).to_be_visible(timeout=30_000)
    page.locator("[data-testid='stFileUploader'] input[type=file]").last.set_input_files(str(spec))
    settled(page)
    page.get_by_role("button", name="Add 1 document").click()
    settled(page)
    expect(page.get_by_text("specification.pdf added (PDF, 3 pages)")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Compliance matrix")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows")).to_contain_text(
        "16", timeout=30_000
    )
    no_exception(page)

    shot(page, "matrix")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the matrix (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (first["Ref"], first["Status"], first["Page"]) == ("R-001", "open", 1)
    assert first["Requirement"].startswith("The supplier shall host all Council data")
    no_exception(page)
