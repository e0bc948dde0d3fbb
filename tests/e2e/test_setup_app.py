"""A bid manager's first day in a real browser: the first admin, the company set-up before
anything is judged, the demo, and the offer to re-analyse after the profile changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, start_app, stop_app
from tests.e2e.test_app import PAGES, no_exception, settled, shot

pytestmark = pytest.mark.e2e


def _pick(page: Page, label: str, option: str) -> None:
    """Choose an option of a Streamlit multiselect or selectbox, as a person does."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def test_a_fresh_database_walks_through_the_company_set_up(tmp_path: Path, page: Page) -> None:
    server, process = start_app(tmp_path, db_path=tmp_path / "first-day.duckdb", seed=False)
    try:
        page.goto(server.url + "/")
        settled(page)
        page.get_by_role("textbox", name="Username").fill("ann")
        page.get_by_role("textbox", name="Display name").fill("Ann Admin")
        page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
        page.get_by_role("textbox", name="Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        expect(page.get_by_text("Signed in as Ann Admin")).to_be_visible()
        settled(page)

        # before anything is analysed: who are we?
        expect(page.get_by_role("heading", name="Set up your company")).to_be_visible()
        no_exception(page)
        shot(page, "setup-1-asked")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Import").click()
        settled(page)
        expect(page.get_by_text("Set up your company first")).to_be_visible()
        page.get_by_role("link", name="Set up the company").click()
        settled(page)

        page.get_by_role("textbox", name="Company name").fill("Acme Digital Ltd")
        page.get_by_role("textbox", name="What the company does").fill(
            "Cloud hosting and cyber security for councils."
        )
        _pick(page, "Lines of business (pick the ones you bid for)", "Cybersecurity")
        _pick(page, "Lines of business (pick the ones you bid for)", "IT services & cloud")
        expect(page.get_by_role("combobox", name="Currency")).to_have_value("GBP")
        shot(page, "setup-2-filled")
        page.get_by_role("button", name="Save and start").click()
        settled(page)
        expect(page.get_by_text("Acme Digital Ltd is set up")).to_be_visible()
        no_exception(page)
        shot(page, "setup-3-done")

        # the demo, analysed as our company now; then the profile changes
        page.get_by_role("button", name="Load demo tenders").click()
        settled(page)
        expect(page.get_by_text("Waiting for analysis")).to_be_visible()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Settings").click()
        settled(page)
        page.get_by_role("textbox", name="Company name").fill("Acme Digital Group")
        page.get_by_role("button", name="Save profile").click()
        settled(page)
        offer = page.get_by_role("button", name=re.compile(r"^Re-analyse \d+ tenders?$"))
        expect(offer).to_be_visible(timeout=60_000)
        expect(page.get_by_text("The company profile changed.")).to_be_visible()
        offer.scroll_into_view_if_needed()
        shot(page, "setup-4-offer")
        offer.click()
        settled(page)
        expect(page.get_by_text("queued for analysis with the new profile")).to_be_visible()
        expect(page.get_by_text("The company profile changed.")).to_have_count(0)
        no_exception(page)

        for path in PAGES:  # and every page opens for the new company
            page.goto(server.url + path)
            settled(page)
            no_exception(page)
            shot(page, f"page{path.replace('/', '-') or '-home'}")
    finally:
        stop_app(process)
