"""Sign-in, first-admin set-up and the Users page through AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.models import Role
from tests.ui.helpers import APP, TEST_PASSWORD, app_test, texts

SIGN_IN = "Sign in to Tenderwise"


def _fill_sign_in(at: AppTest, username: str, password: str) -> AppTest:
    by_label = {t.label: t for t in at.text_input}
    by_label["Username"].input(username)
    by_label["Password"].input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_signed_out_the_app_offers_only_sign_in_and_shows_no_data(
    analysed_demo: AppContext,
) -> None:
    at = app_test(user=None).run()
    assert not at.exception
    assert at.title[0].value == SIGN_IN
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.metric and not at.dataframe
    shown = " ".join(texts(at))
    titles = [s.tender.title for s in analysed_demo.tenders.all_states()]
    assert not [t for t in titles if t[:30] in shown]


@pytest.mark.parametrize("page", ["pages/dashboard.py", "pages/review.py", "pages/tenders.py"])
def test_a_page_run_on_its_own_shows_nothing_without_a_session(
    analysed_demo: AppContext, page: str
) -> None:
    at = AppTest.from_file(str(APP.parent / page), default_timeout=30).run()
    assert not at.metric and not at.dataframe
    assert not at.exception


def test_a_wrong_password_is_one_sentence_and_a_right_one_signs_in(ctx: AppContext) -> None:
    at = app_test(user=None).run()
    _fill_sign_in(at, "carol", "not my password at all")
    assert [e.value for e in at.error] == [
        "The username or password is not right; check both and try again."
    ]
    assert at.title[0].value == SIGN_IN

    _fill_sign_in(at, "Carol", TEST_PASSWORD)
    # the browser now goes through /auth/session for its cookie (tests/e2e) and reloads
    assert any("Signed in as Carol Diaz" in s.value for s in at.success)
    cookie = at.session_state["tw_cookie"]
    assert ctx.accounts().resolve(cookie) == at.session_state["tw_actor"]

    at = app_test(user=None)
    at.session_state["tw_actor"] = ctx.accounts().resolve(cookie)
    at.session_state["tw_cookie"] = cookie
    at.run()
    assert at.title[0].value == "Tenderwise"
    assert any("Signed in as **Carol Diaz** · bid manager" in c.value for c in at.sidebar.caption)
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert ctx.accounts().resolve(cookie) is None, "signing out ends the session on the server"
    assert "tw_actor" not in at.session_state


def test_with_no_accounts_the_first_admin_is_created(ctx: AppContext) -> None:
    ctx.db.cursor().execute("DELETE FROM accounts")
    at = app_test(user=None).run()
    assert at.title[0].value == "Set up Tenderwise"
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input("Root")
    fields["Display name"].input("Rita Root")
    fields["Password"].input("abc")
    fields["Repeat the password"].input("abc")
    next(b for b in at.button if b.label == "Create admin account").click().run()
    assert [e.value for e in at.error] == [
        "A password needs at least 12 characters; this one has 3."
    ]
    fields = {t.label: t for t in at.text_input}
    fields["Password"].input(TEST_PASSWORD)
    fields["Repeat the password"].input(TEST_PASSWORD)
    next(b for b in at.button if b.label == "Create admin account").click().run()
    assert not at.exception
    assert at.session_state["tw_actor"].role is Role.ADMIN
    account = ctx.accounts().get("root")
    assert account is not None and account.role is Role.ADMIN


def _users_page(user: str = "ann") -> AppTest:
    at = app_test(user).run()
    at.switch_page("pages/users.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_adds_a_user_and_a_short_password_is_refused(ctx: AppContext) -> None:
    at = _users_page()
    assert at.title[0].value == "Users"
    assert set(at.dataframe[0].value["Username"]) == {"ann", "alice", "bob", "carol", "vera"}
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input("dave")
    fields["Display name"].input("Dave Doe")
    fields["Password"].input("short")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert any("at least 12 characters; this one has 5" in e.value for e in at.error)
    assert ctx.accounts().get("dave") is None

    fields = {t.label: t for t in at.text_input}
    fields["Username"].input("dave")
    fields["Display name"].input("Dave Doe")
    fields["Password"].input(TEST_PASSWORD)
    next(b for b in at.button if b.label == "Add user").click().run()
    assert any("Added dave as bid manager." in s.value.replace("\\", "") for s in at.success)
    assert ctx.accounts().get("dave").role is Role.BID_MANAGER  # type: ignore[union-attr]


def test_an_admin_changes_a_role_and_disables_a_user(ctx: AppContext) -> None:
    at = _users_page()
    at.selectbox(key="change_user").select("carol").run()
    assert at.selectbox(key="role_of_carol").value is Role.BID_MANAGER
    at.selectbox(key="role_of_carol").select(Role.APPROVER)
    next(b for b in at.button if b.label == "Change role").click().run()
    assert any("carol is now approver." in s.value.replace("\\", "") for s in at.success)
    at.selectbox(key="change_user").select("carol").run()
    next(b for b in at.button if b.label == "Disable account").click().run()
    assert any("carol is disabled." in s.value.replace("\\", "") for s in at.success)
    carol = ctx.accounts().get("carol")
    assert carol is not None and carol.role is Role.APPROVER and not carol.enabled


@pytest.mark.parametrize("user", ["carol", "alice", "vera"])
def test_only_admins_see_the_users_page(ctx: AppContext, user: str) -> None:
    at = app_test(user).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/users.py")  # not in their navigation at all
    at.switch_page("pages/settings.py").run()
    assert not at.exception


def test_a_disabled_user_is_signed_out_on_their_next_click(ctx: AppContext) -> None:
    at = app_test("carol").run()
    assert at.title[0].value == "Tenderwise"
    ctx.db.cursor().execute("UPDATE accounts SET disabled_at = now() WHERE username = 'carol'")
    at.run()
    assert [i.value for i in at.info] == ["Sign in to see Tenderwise."]
    assert not at.metric and "tw_actor" not in at.session_state
