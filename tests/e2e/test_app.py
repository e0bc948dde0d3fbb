"""The app in a real browser: every page renders, and a CSV goes from upload to the dashboard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.integration.test_cli import PLAIN_CSV

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/import",
    "/pipeline",
    "/dashboard",
    "/review",
    "/tenders",
    "/bids",
    "/quality",
    "/settings",
    "/operations",
]


def settled(page: Page, timeout: float = 60_000) -> None:
    """Wait for the script run to finish (never a fixed sleep)."""
    expect(page.locator("[data-test-script-state='notRunning']")).to_be_attached(timeout=timeout)


def no_exception(page: Page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into $TENDERWISE_SCREENSHOTS, when set (to look at, as a user)."""
    folder = os.environ.get("TENDERWISE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_page_renders_without_exception(app_server, page: Page):
    app_server.sign_in(page, "ann")
    for path in PAGES:
        page.goto(app_server.url + path)
        settled(page)
        expect(page.locator("h1").first).to_be_visible()
        no_exception(page)
    # and through the navigation, as a user clicks
    page.goto(app_server.url + "/")
    settled(page)
    for title in (
        "Import",
        "Pipeline",
        "Dashboard",
        "Review",
        "Tenders",
        "Bids",
        "Quality",
        "Settings",
        "Operations",
        "Users",
        "Audit log",
        "Home",
    ):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        settled(page)
        no_exception(page)


def test_upload_csv_then_dashboard_shows_charts_and_table(app_server, page: Page, tmp_path: Path):
    csv_path = tmp_path / "tenders.csv"
    csv_path.write_bytes(PLAIN_CSV.read_bytes())
    app_server.sign_in(page, "carol")

    page.goto(app_server.url + "/import")
    settled(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(csv_path)
    import_button = page.get_by_role("button", name="Import 1 file")
    expect(import_button).to_be_visible()
    import_button.click()
    settled(page)
    expect(page.get_by_text(re.compile(r"5 new"))).to_be_visible()
    no_exception(page)

    page.goto(app_server.url + "/pipeline")
    settled(page)
    # the fragment refreshes itself from the database until the background worker is done
    expect(page.get_by_text("5 of 5 tenders analysed")).to_be_visible(timeout=60_000)

    page.goto(app_server.url + "/dashboard")
    settled(page)
    no_exception(page)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    assert page.locator(".js-plotly-plot").count() >= 3
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    expect(page.get_by_text("5 tenders. Select a row to open the tender.")).to_be_visible()
