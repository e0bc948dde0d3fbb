"""Settings → Company profile: the working languages, by name, saved as codes."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.access.audit import AuditAction
from core.bootstrap import AppContext
from core.profile.company import save_profile
from tests.ui.helpers import USERS, texts

LABEL = "Working languages"


def _languages(at: AppTest):
    return next(m for m in at.multiselect if m.label == LABEL)


def _save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save profile").click()
    return at.run()


def test_an_admin_adds_german_and_the_saved_profile_has_it(
    open_page: Callable[..., AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()
    assert _languages(at).value == ["en"]
    assert {"English", "German", "Norwegian (nb)"} <= set(_languages(at).options), "names shown"

    _languages(at).set_value(["en", "de"])
    _save(at)

    assert not at.exception and not at.error
    assert ctx.state.profile_version() == before + 1
    assert ctx.profile().languages == ["en", "de"]
    assert _languages(at).value == ["en", "de"]
    event = ctx.audit().events(USERS["ann"], action=AuditAction.SETTINGS_CHANGED)[0]
    assert event.actor == "ann" and "working in English and German" in event.detail


def test_no_language_is_one_error_and_stores_nothing(
    open_page: Callable[..., AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/settings.py")
    before = ctx.state.profile_version()

    _languages(at).set_value([])
    _save(at)

    assert not at.exception
    assert [e.value for e in at.error] == [
        "Working languages: choose at least one working language."
    ]
    assert ctx.state.profile_version() == before
    assert ctx.profile().languages == ["en"]


def test_others_read_the_languages_by_name_and_cannot_change_them(
    open_page: Callable[..., AppTest], ctx: AppContext
) -> None:
    save_profile(ctx.state, ctx.profile().model_copy(update={"languages": ["de", "fr"]}))

    at = open_page("pages/settings.py", "vera")

    assert not at.exception
    assert not [m for m in at.multiselect if m.label == LABEL]
    assert "Working languages: German and French" in texts(at)
