from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from tests.ui.helpers import metrics, texts


def test_empty_database_tells_a_new_user_what_to_do(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/home.py")
    assert not at.exception
    assert at.title[0].value == "Tenderwise"
    assert any("no tenders yet" in t for t in texts(at))
    assert [b.label for b in at.main.button] == ["Load demo tenders"]
    assert not at.metric


def test_load_demo_button_stores_the_demo_tenders(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/home.py")
    at.button(key="home_demo").click().run()
    assert not at.exception
    assert ctx.tenders.count() > 0
    assert any(f"Loaded {ctx.tenders.count()} demo tenders" in s.value for s in at.success)
    # and the page now says where things stand, not that there are no tenders
    assert not any("no tenders yet" in t for t in texts(at))
    assert metrics(at)["Tenders"] == str(ctx.tenders.count())


def test_with_tenders_shows_a_status_summary(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/home.py")
    assert not at.exception
    shown = metrics(at)
    assert shown["Tenders"] == str(analysed_demo.tenders.count())
    waiting = analysed_demo.tenders.counts_by_status().get("needs_review", 0)
    assert waiting > 0 and shown["Waiting for review"] == str(waiting)
    complete = analysed_demo.tenders.counts_by_status().get("complete", 0)
    assert shown["Bids ready"] == str(complete)
    assert shown["Waiting for analysis"] == "0"
    assert not at.main.button  # no "load demo" once there are tenders
