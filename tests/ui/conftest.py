"""AppTest fixtures: each test gets its own DuckDB file and a fresh runtime, stopped after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.access.passwords import hash_password
from core.bootstrap import AppContext, open_context
from core.models import Account
from core.profile.setup import SETUP_KEY, SetUp
from storage.accounts import AccountRepository
from storage.db import close_database
from tests.fakes import analyse_demo, route_without_review
from tests.ui.helpers import TEST_PASSWORD, USERS, app_test

_HASH = hash_password(TEST_PASSWORD)  # once: scrypt is slow on purpose


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "ui.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    monkeypatch.delenv("LLM_BASE_URL", raising=False)
    yield path
    # on_release stops the runtime's worker and closes the database
    st.cache_resource.clear()
    close_database(path)


@pytest.fixture(autouse=True)
def ctx(db_path: Path) -> AppContext:
    """The same database the app opens (one Database per path per process), with USERS."""
    context = open_context(db_path=db_path)
    accounts = AccountRepository(context.db)
    if not accounts.count():
        for actor in USERS.values():
            accounts.add(
                Account(
                    username=actor.name,
                    display_name=actor.display_name,
                    role=actor.role,
                    password_hash=_HASH,
                    created_by="test",
                )
            )
    # A team that has set its company up; `fresh_company` is a database before the set-up.
    context.state.set(SETUP_KEY, SetUp.YOURS.value)
    return context


@pytest.fixture
def fresh_company(ctx: AppContext) -> AppContext:
    """A fresh database: accounts exist, but nobody has set the company up yet."""
    ctx.state.set(SETUP_KEY, None)
    return ctx


@pytest.fixture
def analysed_demo(ctx: AppContext) -> AppContext:
    """The demo tenders, fully analysed by the rules analyst before the app starts.

    Under the default policy about half of them wait for review and no bid is written.
    """
    return analyse_demo(ctx)


@pytest.fixture
def demo_with_bids(ctx: AppContext) -> AppContext:
    """The demo analysed with a policy that sends nothing to review, so bids are written."""
    route_without_review(ctx.state)
    return analyse_demo(ctx)


@pytest.fixture
def open_page(ctx: AppContext) -> Callable[..., AppTest]:
    """Run the app signed in as `user` (default the admin, Ann), then switch to
    `pages/<name>.py` the way the sidebar does."""

    def open_(page: str, user: str | None = "ann") -> AppTest:
        at = app_test(user).run()
        assert not at.exception, [e.value for e in at.exception]
        if page != "pages/home.py":
            at.switch_page(page).run()
        return at

    return open_
