from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.profile.setup import pending_offer
from tests.ui.helpers import app_test, metrics, texts


def test_a_fresh_database_asks_who_the_company_is_first(
    open_page: Callable[[str], AppTest], fresh_company: AppContext
) -> None:
    ctx = fresh_company
    at = open_page("pages/home.py")
    assert not at.exception
    assert "Set up your company" in [h.value for h in at.subheader]
    # the Import page sends the admin back here rather than analysing as someone else
    at.switch_page("pages/import.py").run()
    assert any("Set up your company first" in i.value for i in at.info)
    assert not at.get("file_uploader")

    at.switch_page("pages/home.py").run()
    at.text_input[0].input("Acme Digital Ltd")
    at.text_area[0].input("Cloud hosting and cyber security for councils.")
    at.multiselect[0].select("Cybersecurity").select("IT services & cloud")
    at.text_area[1].input("Drone surveys: drone survey, aerial mapping")
    at.selectbox[0].set_value("GBP")
    at.number_input[0].set_value(20_000.0)
    at.number_input[1].set_value(1_500_000.0)
    at.button[0].click().run()  # Save and start
    assert not at.exception and not at.error

    profile = ctx.profile()
    assert profile.company_name == "Acme Digital Ltd" and profile.currency == "GBP"
    assert [c.name for c in profile.capabilities] == [
        "Cybersecurity",
        "IT services & cloud",
        "Drone surveys",
    ]
    assert (profile.value_min, profile.value_max) == (20_000, 1_500_000)
    assert any("Acme Digital Ltd is set up" in s.value for s in at.success)
    assert any("no tenders yet" in t for t in texts(at))
    assert not any("example company" in t for t in texts(at))


def test_the_set_up_says_what_is_missing_and_saves_nothing(
    open_page: Callable[[str], AppTest], fresh_company: AppContext
) -> None:
    at = open_page("pages/home.py")
    at.text_input[0].input("Acme")
    at.button[0].click().run()
    assert not at.exception
    assert any("Pick at least one line of business" in e.value for e in at.error)
    assert fresh_company.state.profile_version() <= 1
    assert "Set up your company" in [h.value for h in at.subheader]


def test_the_demo_can_be_loaded_straight_away_as_the_example_company(
    open_page: Callable[[str], AppTest], fresh_company: AppContext
) -> None:
    at = open_page("pages/home.py")
    next(b for b in at.button if b.label.startswith("Load the demo")).click().run()
    assert not at.exception
    assert fresh_company.tenders.count() > 0
    assert any("example company" in c.value for c in at.caption)
    assert metrics(at)["Tenders"] == str(fresh_company.tenders.count())


def test_a_bid_manager_is_told_an_admin_sets_the_company_up(
    fresh_company: AppContext,
) -> None:
    at = app_test("carol").run()
    assert not at.exception
    assert any("An admin sets up the company" in i.value for i in at.info)


def test_after_a_profile_change_the_undecided_tenders_are_offered_for_re_analysis(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    at = open_page("pages/settings.py")
    next(t for t in at.text_input if t.label == "Company name").set_value("Acme Digital Ltd")
    next(b for b in at.button if b.label == "Save profile").click().run()
    assert not at.exception
    assert ctx.profile().company_name == "Acme Digital Ltd"
    stale = ctx.tenders.count_reanalysable()
    assert stale > 0
    offer = f"Re-analyse {stale} tenders"
    assert offer in [b.label for b in at.button]

    at.switch_page("pages/home.py").run()  # the offer stands on Home too
    next(b for b in at.button if b.label == offer).click().run()
    assert not at.exception
    assert any(f"{stale} tenders queued for analysis" in s.value for s in at.success)
    assert offer not in [b.label for b in at.button]
    assert pending_offer(ctx.state, ctx.tenders) == 0  # answered


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
