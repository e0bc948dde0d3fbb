"""Sign in: the only page anyone sees before signing in."""

from __future__ import annotations

import streamlit as st

from core.access.errors import AccountError
from core.access.roles import Actor
from core.views.markup import escape_markdown
from ui.app.acting_user import SIGNED_IN_KEY
from ui.app.navigation import ensure_app_navigation
from ui.app.session import (
    accounts,
    client_label,
    requested_path,
    single_sign_on_configured,
    single_sign_on_refusal,
    start_session,
)

ensure_app_navigation(public=True)
st.title("Sign in to Tenderwise")
already = st.session_state.get(SIGNED_IN_KEY)
if isinstance(already, Actor):  # the browser is on its way to the app (ui.app.session)
    st.success(f"Signed in as {escape_markdown(already.label)}. Opening Tenderwise…")
    st.stop()
st.caption("Tender data is only shown to signed-in users. Ask an admin if you need an account.")

with st.form("sign_in", clear_on_submit=False):
    username = st.text_input("Username", max_chars=40, autocomplete="username")
    password = st.text_input(
        "Password", type="password", max_chars=1024, autocomplete="current-password"
    )
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    try:
        signed_in = accounts().sign_in(username, password, client=client_label())
    except AccountError as exc:
        st.error(str(exc))
    else:
        start_session(signed_in, requested_path())
        # The browser now reloads through /auth/session, which stores the cookie.
        st.success(f"Signed in as {escape_markdown(signed_in.actor.label)}. Opening Tenderwise…")

if single_sign_on_configured():
    st.divider()
    refusal = single_sign_on_refusal()
    if refusal:
        st.error(refusal)
    st.button("Sign in with single sign-on", icon=":material/key:", on_click=st.login)
