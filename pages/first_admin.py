"""First run: create the admin account. Shown only while there are no accounts at all."""

from __future__ import annotations

import streamlit as st

from core.access.errors import AccountError
from core.views.markup import escape_markdown
from ui.app.navigation import ensure_app_navigation
from ui.app.session import accounts, client_label, start_session
from ui.widgets.components import new_password_input

ensure_app_navigation(public=True)
st.title("Set up Tenderwise")
st.markdown(
    "There are no accounts yet. Create the first **admin**: they add the other users "
    "(viewers, bid managers, approvers) on the Users page. "
    "You can also do this on the server with "
    "`python -m core.cli users add NAME --role admin --password-stdin`."
)

with st.form("first_admin"):
    username = st.text_input("Username", max_chars=40, help="Lower-case letters, digits, . _ @ -")
    display_name = st.text_input("Display name", max_chars=80, placeholder="e.g. Ann Admin")
    password = new_password_input(note=".")
    repeated = st.text_input("Repeat the password", type="password", max_chars=1024)
    submitted = st.form_submit_button("Create admin account", type="primary")

if submitted:
    service = accounts()
    try:
        if password != repeated:
            raise AccountError("The two passwords differ; type the same password twice.")
        account = service.create_first_admin(username, display_name, password)
        signed_in = service.sign_in(account.username, password, client=client_label())
    except AccountError as exc:
        st.error(str(exc))
    else:
        start_session(signed_in)
        # The browser now reloads through /auth/session, which stores the cookie.
        st.success(f"Signed in as {escape_markdown(signed_in.actor.label)}. Opening Tenderwise…")
