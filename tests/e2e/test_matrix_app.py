"""Tender documents in a real browser: upload a specification on the Tender page, see the
compliance matrix fill in, give a row an owner and a status, download it; a long PDF is read
in the background while the page stays usable."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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

    # One row at a time: R-001 gets an owner and a status.
    page.get_by_text("Edit one row").click()
    _pick(page, "Owner", "ann")
    _pick(page, "Status", "compliant")
    page.get_by_role("textbox", name="Response").fill("Hosted in London and Leeds.")
    page.get_by_role("button", name="Save the row").click()
    settled(page)
    expect(page.get_by_text("Saved R-001.")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Open")).to_contain_text(
        "11", timeout=30_000
    )
    no_exception(page)
    shot(page, "matrix-row-saved")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the matrix (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (first["Ref"], first["Status"], first["Page"]) == ("R-001", "compliant", 1)
    assert (first["Owner"], first["Response"]) == ("ann", "Hosted in London and Leeds.")
    assert first["Requirement"].startswith("The supplier shall host all Council data")
    no_exception(page)


def _pick(page: Page, label: str, option: str) -> None:
    """Choose a selectbox option as a person does: open it (again if the first click landed
    while the expander was still opening), then click the option."""
    box = page.get_by_role("combobox", name=label)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            wanted.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    wanted.click()


def test_a_long_pdf_is_read_in_the_background_and_its_requirements_fill_the_matrix(
    one_tender_app: AppServer, page: Page, tmp_path: Path
) -> None:
    app_server = one_tender_app
    pages = [[f"{n}. Section {n}", f"Background text on page {n}."] for n in range(1, 201)]
    pages[149] = ["150. Security", "The supplier shall hold ISO 27001 certification."]
    itt = tmp_path / "itt.pdf"
    itt.write_bytes(pdf_bytes(pages))
    app_server.sign_in(page, "ann")
    page.goto(app_server.url + "/tenders?id=1")
    settled(page)
    page.locator("[data-testid='stFileUploader'] input[type=file]").last.set_input_files(str(itt))
    settled(page)
    page.get_by_role("button", name="Add 1 document").click()
    expect(page.get_by_text("itt.pdf added (200 pages): reading its text.")).to_be_visible(
        timeout=30_000
    )
    shot(page, "document-reading")
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows")).to_contain_text(
        "1", timeout=60_000
    )
    expect(page.get_by_test_id("stProgress")).to_have_count(0, timeout=30_000)
    no_exception(page)
