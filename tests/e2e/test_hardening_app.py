"""Hardening in a real browser: formula-safe table downloads, a sign-in handoff bound to the
browser that signed in, and sign-out that ends the session on the server."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, AppServer
from tests.e2e.test_app import no_exception, settled
from ui.app.auth_routes import COOKIE_NAME

pytestmark = pytest.mark.e2e

FORMULA_NAME = '=HYPERLINK("http://evil.example/","x")'


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_formula_typed_as_a_username_never_reaches_a_download_as_a_formula(
    app_server: AppServer, page: Page
) -> None:
    page.goto(app_server.url + "/")
    settled(page)
    _sign_in(page, FORMULA_NAME, "not the password at all")
    settled(page)
    app_server.sign_in(page, "ann")
    page.goto(app_server.url + "/audit")
    settled(page)
    no_exception(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    table.hover()
    # the tables' own toolbar offers no CSV download (client.disableDataExport)
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("hyperlink" in cell.lower() for cell in cells), "the attempt is in the log"
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert risky == [], risky


def test_a_captured_handoff_url_signs_in_no_other_browser(
    app_server: AppServer, page: Page, browser
) -> None:
    page.goto(app_server.url + "/dashboard")
    settled(page)
    # the attacker's browser signs in, but the redirect is only captured, not followed
    page.route("**/auth/session*", lambda route: route.abort())
    with page.expect_request(lambda r: "/auth/session" in r.url) as handoff:
        _sign_in(page, "carol", PASSWORD)
    captured = handoff.value.url
    other = browser.new_context()
    try:
        victim = other.new_page()
        victim.goto(app_server.url + "/")  # the victim's browser has its own browser cookie
        settled(victim)
        victim.goto(captured)
        settled(victim)
        expect(victim.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
        assert not [c for c in other.cookies() if c["name"] == COOKIE_NAME]
    finally:
        other.close()


def test_after_sign_out_a_copy_of_the_cookie_no_longer_works(
    app_server: AppServer, page: Page, browser
) -> None:
    page.goto(app_server.url + "/")
    settled(page)
    _sign_in(page, "alice", PASSWORD)
    expect(page.get_by_text("Signed in as Alice Martin")).to_be_visible()
    copy = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
    # a plain link to the sign-out address only offers to sign out…
    page.goto(app_server.url + "/auth/signout")
    expect(page.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
    settled(page)
    # …and once signed out, the copied cookie opens nothing, in any browser
    other = browser.new_context()
    try:
        thief = other.new_page()
        other.add_cookies(
            [{"name": COOKIE_NAME, "value": copy["value"], "url": app_server.url, "httpOnly": True}]
        )
        thief.goto(app_server.url + "/dashboard")
        settled(thief)
        expect(thief.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
    finally:
        other.close()


def test_bare_addresses_in_tender_text_are_not_live_links(tmp_path, page: Page) -> None:
    from core.bootstrap import open_context
    from core.models import Tender
    from storage.db import close_database
    from tests.e2e.conftest import start_app, stop_app

    db = tmp_path / "links.duckdb"
    ctx = open_context(db_path=db)
    ctx.tenders.import_tenders(
        [
            Tender(
                source="test",
                title="Portal at https://evil.example/login and www.evil.example",
                description="Write to bids@evil.example or see https://evil.example/terms",
            )
        ]
    )
    close_database(db)
    server, process = start_app(tmp_path, db_path=db)
    try:
        server.sign_in(page, "ann")
        page.goto(server.url + "/tenders?id=1")
        settled(page)
        no_exception(page)
        expect(page.get_by_text("evil", exact=False).first).to_be_visible()
        links = page.locator("a[href*='evil.example']")
        assert links.count() == 0, [
            links.nth(i).get_attribute("href") for i in range(links.count())
        ]
    finally:
        stop_app(process)
