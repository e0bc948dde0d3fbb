"""Import in a real browser: a spreadsheet whose columns Tenderwise does not know is read
after the user says which column is which, and nothing is stored until Import."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.test_app import no_exception, settled, shot

pytestmark = pytest.mark.e2e

ODD = (
    "Opportunity name,Estimated spend,Closing Date,Closing Time,Internal notes\n"
    'Cloud hosting for the council,"£120,000",24/07/2027,12:00,call Bob\n'
)


def test_columns_are_named_in_the_preview_then_imported(
    app_server: AppServer, page: Page, tmp_path: Path
) -> None:
    upload = tmp_path / "opportunities.csv"
    upload.write_text(ODD, encoding="utf-8")
    app_server.sign_in(page, "ann")
    page.goto(app_server.url + "/import")
    settled(page)
    page.set_input_files("input[type=file]", str(upload))
    settled(page)
    expect(page.get_by_text("say which column holds the title")).to_be_visible(timeout=30_000)
    page.get_by_role("textbox", name="Which column holds the title?").fill("Opportunity name")
    page.get_by_role("button", name="Read again").click()
    settled(page)
    expect(page.get_by_text("Columns: 3 read, 2 not used")).to_be_visible(timeout=30_000)

    # "Estimated spend" (second row of the column list) fills the value
    grid = page.get_by_test_id("stExpander").get_by_test_id("stDataFrame")
    box = grid.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] * 0.4, box["y"] + 35 + 35 + 17)
    page.get_by_role("option", name="Value", exact=True).click()
    settled(page)
    expect(page.get_by_text("Columns: 4 read, 1 not used")).to_be_visible(timeout=30_000)
    no_exception(page)
    shot(page, "import-columns")

    page.get_by_role("button", name="Import 1 file").click()
    settled(page)
    expect(page.get_by_text("1 new, 0 duplicates")).to_be_visible(timeout=30_000)
    no_exception(page)
