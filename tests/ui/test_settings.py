from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.profile.company import default_profile, save_profile
from tests.ui.helpers import texts


def _save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save profile").click()
    return at.run()


def test_shows_the_profile_in_force(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    at = open_page("pages/settings.py")
    assert not at.exception
    assert at.title[0].value == "Settings"
    version = ctx.state.profile_version()
    assert any(f"Profile version {version} is in force" in t for t in texts(at))
    assert at.text_input[0].value == default_profile().company_name
    editor = at.data_editor[0].value
    assert editor["name"].tolist() == default_profile().category_names


def test_save_stores_a_new_version(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    at.text_input[0].input("Contoso Security")
    _save(at)
    assert not at.exception
    assert not at.error
    assert ctx.state.profile_version() == before + 1
    profile = ctx.profile()
    assert profile.company_name == "Contoso Security"
    assert any(f"Saved as profile version {before + 1}" in s.value for s in at.success)
    assert at.text_input[0].value == "Contoso Security"


def test_min_above_max_is_one_error_and_stores_nothing(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    at.number_input[0].set_value(3_000_000)  # above the default maximum of 2,000,000
    _save(at)
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "minimum" in message and "maximum" in message
    assert message.count(".") <= 2 and "\n" not in message
    assert ctx.state.profile_version() == before
    assert ctx.profile().value_min == default_profile().value_min


def test_removing_every_capability_is_refused(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    rows = len(default_profile().capabilities)
    at.session_state["profile_capabilities"] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": list(range(rows)),
    }
    _save(at)
    assert not at.exception
    assert [e.value for e in at.error] == ["Add at least one capability before saving."]
    assert ctx.state.profile_version() == before


def test_added_capability_row_is_saved(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    at.session_state["profile_capabilities"] = {
        "edited_rows": {},
        "added_rows": [
            {"name": "Cloud", "keywords": "cloud hosting, AWS", "cpv_prefixes": "72415"}
        ],
        "deleted_rows": [],
    }
    _save(at)
    assert not at.exception, [e.value for e in at.exception]
    cloud = ctx.profile().capabilities[-1]
    assert (cloud.name, cloud.keywords, cloud.cpv_prefixes) == (
        "Cloud",
        ["cloud hosting", "AWS"],
        ["72415"],
    )
    # the table now shows the stored profile, without the pending edit applied twice
    assert at.data_editor[0].value["name"].tolist()[-1] == "Cloud"
    assert len(at.data_editor[0].value) == len(default_profile().capabilities) + 1


def test_reset_restores_the_default_profile(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    save_profile(ctx.state, ctx.profile().model_copy(update={"company_name": "Changed Ltd"}))
    at = open_page("pages/settings.py")
    assert at.text_input[0].value == "Changed Ltd"
    before = ctx.state.profile_version()
    next(b for b in at.button if b.label == "Reset to default profile").click()
    at.run()
    assert not at.exception
    assert ctx.state.profile_version() == before + 1
    assert ctx.profile() == default_profile()
    assert at.text_input[0].value == default_profile().company_name


def _policy_button(at: AppTest):
    return next(b for b in at.button if b.label == "Save review policy")


def test_review_policy_is_edited_and_stored_as_a_new_profile_version(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    sliders = {s.label: s for s in at.slider}
    sliders["Auto-accept confidence"].set_value(0.9)
    sliders["Review band around the threshold (±)"].set_value(1.0)
    next(t for t in at.toggle if t.label == "Every bid needs approval").set_value(False)
    _policy_button(at).click()
    at.run()
    assert not at.exception and not at.error
    assert ctx.state.profile_version() == before + 1
    policy = ctx.profile().thresholds
    assert (policy.auto_accept_confidence, policy.score_review_band) == (0.9, 1.0)
    assert policy.every_bid_needs_approval is False
    assert ctx.profile().company_name == default_profile().company_name, "profile unchanged"
    assert any("less than 90% confidence wait for review" in t for t in texts(at))


def test_auto_accept_below_the_minimum_is_one_error_and_stores_nothing(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    sliders = {s.label: s for s in at.slider}
    sliders["Minimum relevance confidence"].set_value(0.7)
    sliders["Auto-accept confidence"].set_value(0.6)
    _policy_button(at).click()
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "auto-accept" in at.error[0].value
    assert ctx.state.profile_version() == before


def test_an_admin_sets_exchange_rates_and_the_dashboard_counts_converted_values(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    at = open_page("pages/settings.py")
    box = next(t for t in at.text_area if t.label.startswith("One per line"))
    box.input("pounds 1.2")
    next(b for b in at.button if b.label == "Save rates").click().run()
    assert any("Line 1 ('pounds 1.2') is not a rate" in e.value for e in at.error)
    assert ctx.profile().exchange_rates.rates == {}

    box = next(t for t in at.text_area if t.label.startswith("One per line"))
    box.input("GBP 1.17\nNOK 0.085")
    next(b for b in at.button if b.label == "Save rates").click().run()
    assert not at.exception
    assert any("Saved 2 exchange rates" in s.value for s in at.success)
    rates = ctx.profile().exchange_rates
    assert (rates.base, rates.rates) == ("EUR", {"GBP": 1.17, "NOK": 0.085})

    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    assert "Relevant value (EUR, converted)" in [m.label for m in at.metric]
    assert not any("Not included above" in c.value and "GBP" in c.value for c in at.caption)

    vera = open_page("pages/settings.py", user="vera")  # a viewer reads them, dated
    assert any(t.value == "GBP 1.17\nNOK 0.085" for t in vera.text)
    assert any(f"As of {rates.as_of}" in c.value for c in vera.caption)


def test_rates_to_another_currency_than_the_profile_s_say_so(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    from core.profile.company import current_profile
    from core.profile.rates import ExchangeRates

    rates = ExchangeRates(base="EUR", as_of=ctx.clock().date(), rates={"GBP": 1.17})
    moved = current_profile(ctx.state).model_copy(
        update={"exchange_rates": rates, "currency": "GBP"}
    )
    save_profile(ctx.state, moved)
    at = open_page("pages/settings.py")
    assert not at.exception
    assert any("but the profile's currency is now GBP" in w.value for w in at.warning)
