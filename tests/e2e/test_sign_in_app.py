"""Signing in with a real browser: nothing shows before, a refresh keeps the session, sign-out
ends it, and a bid manager gets no decision buttons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.bootstrap import open_context
from storage.db import close_database
from tests.e2e.conftest import PASSWORD, AppServer, start_app, stop_app
from tests.e2e.test_app import no_exception, settled
from tests.fakes import analyse_demo
from ui.app.auth_routes import COOKIE_NAME

pytestmark = pytest.mark.e2e

PATHS = ["/", "/dashboard", "/review", "/bids", "/tenders", "/settings", "/import", "/pipeline"]


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[tuple[AppServer, list[str]]]:
    """The demo, analysed under the default policy, and the app on it; yields tender titles."""
    db = tmp_path / "signin.duckdb"
    ctx = open_context(db_path=db)
    analyse_demo(ctx)
    titles = [state.tender.title for state in ctx.tenders.all_states()]
    close_database(db)
    server, process = start_app(tmp_path, db_path=db)
    try:
        yield server, titles
    finally:
        stop_app(process)


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_no_page_shows_tender_data_before_sign_in(demo_app, page: Page) -> None:
    server, titles = demo_app
    for path in PATHS:
        page.goto(server.url + path)
        settled(page)
        no_exception(page)
        expect(page.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
        body = page.locator("body").inner_text()
        shown = [t for t in titles if t[:40] in body]
        assert shown == [], f"{path} shows tender titles before sign-in: {shown[:3]}"
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def test_a_bid_manager_signs_in_stays_signed_in_after_a_refresh_then_signs_out(
    demo_app, page: Page
) -> None:
    server, _ = demo_app
    page.goto(server.url + "/dashboard")
    settled(page)
    _sign_in(page, "carol", "not the password")
    settled(page)
    expect(page.get_by_text("The username or password is not right")).to_be_visible()

    # the browser is sent through /auth/session, which sets the cookie and returns here
    with page.expect_response(lambda response: "/auth/session" in response.url) as handoff:
        _sign_in(page, "carol", PASSWORD)
    assert handoff.value.status == 303
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    settled(page)
    assert page.url.endswith("/dashboard")
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert PASSWORD not in cookie["value"]

    page.reload()
    settled(page)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Signed in as Carol Diaz")).to_be_visible()
    no_exception(page)

    # a bid manager reads the review queue but has no decision buttons
    page.goto(server.url + "/review")
    settled(page)
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    expect(page.get_by_text("Only approvers and admins decide")).to_be_visible()
    for label in ("Go", "No-go"):
        expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    # and the admin pages are not offered
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
    settled(page)
    page.goto(server.url + "/dashboard")
    settled(page)
    expect(page.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()
    # the old cookie value no longer opens a session, even if someone kept a copy
    page.context.add_cookies(
        [{"name": COOKIE_NAME, "value": cookie["value"], "url": server.url, "httpOnly": True}]
    )
    page.reload()
    settled(page)
    expect(page.get_by_role("heading", name="Sign in to Tenderwise")).to_be_visible()


def test_the_first_admin_is_created_in_the_browser(tmp_path: Path, page: Page) -> None:
    db = tmp_path / "fresh.duckdb"
    server, process = start_app(tmp_path, db_path=db, seed=False)
    try:
        page.goto(server.url + "/")
        settled(page)
        expect(page.get_by_role("heading", name="Set up Tenderwise")).to_be_visible()
        page.get_by_role("textbox", name="Username").fill("ann")
        page.get_by_role("textbox", name="Display name").fill("Ann Admin")
        page.get_by_role("textbox", name="Password", exact=True).fill("abc")
        page.get_by_role("textbox", name="Repeat the password").fill("abc")
        page.get_by_role("button", name="Create admin account").click()
        settled(page)
        expect(page.get_by_text("at least 12 characters; this one has 3")).to_be_visible()
        page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
        page.get_by_role("textbox", name="Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        expect(page.get_by_text("Signed in as Ann Admin")).to_be_visible()
        settled(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Users").click()
        settled(page)
        expect(page.get_by_role("heading", name="Users")).to_be_visible()
        no_exception(page)
    finally:
        stop_app(process)
