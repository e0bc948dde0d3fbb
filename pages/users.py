"""Users (admins): who can sign in, with which role; add, change role, disable, set password."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access.errors import AccountError
from core.access.roles import ADMINS, NotAllowed
from core.models import Account, Role
from core.views.describe import plural
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.session import accounts
from ui.widgets.components import md_escape, new_password_input, show_notice

ensure_app_navigation()
st.title("Users")
actor = current_actor()
if actor is None or not actor.can(ADMINS):
    st.info("Only admins manage users; ask an admin to add someone or change a role.")
    st.stop()

NOTICE_KEY = "users_notice"
ROLE_HELP = (
    "Viewer: looks only · Bid manager: imports, runs, edits bids · "
    "Approver: also decides review items and approves bids · Admin: also settings and users"
)
service = accounts()
show_notice(NOTICE_KEY)


def _done(message: str) -> None:
    st.session_state[NOTICE_KEY] = message
    st.rerun()


def _role_label(role: Role) -> str:
    return role.label.capitalize()


locks = service.locks(actor)
if locks:
    st.subheader("Sign-in locks")
    st.caption(
        "Too many wrong passwords from one place make that place wait (up to 15 minutes); "
        "others can still sign in. Clear a lock to let the person in at once."
    )
    for lock in locks:
        where = lock.source or "an unknown address"
        text, button = st.columns([4, 1], vertical_alignment="center")
        text.write(
            f"**{md_escape(lock.username)}** from {md_escape(where)}: {lock.failures} failed "
            f"sign-ins, waiting until {lock.until:%H:%M} UTC"
        )
        if button.button("Clear lock", key=f"clear_lock_{lock.username}_{lock.source}"):
            service.clear_lock(actor, lock.username)
            _done(f"{lock.username} can sign in again at once.")

people: list[Account] = service.accounts(actor)
enabled = sum(1 for a in people if a.enabled)
st.caption(f"{plural(len(people), 'user')} · {enabled} enabled. {ROLE_HELP}.")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Username": a.username,
                "Display name": a.display_name,
                "Role": _role_label(a.role),
                "Email (single sign-on)": a.email or "",
                "State": "enabled" if a.enabled else "disabled",
                "Created": a.created_at.strftime("%Y-%m-%d %H:%M"),
                "Created by": a.created_by,
            }
            for a in people
        ]
    ),
    hide_index=True,
    width="stretch",
)

add_tab, change_tab = st.tabs(["Add a user", "Change a user"])
with add_tab, st.form("add_user", clear_on_submit=True):
    username = st.text_input("Username", max_chars=40, help="Lower-case letters, digits, . _ @ -")
    display_name = st.text_input("Display name", max_chars=80)
    role = st.selectbox(
        "Role", list(Role), index=1, format_func=_role_label, help=ROLE_HELP, key="new_role"
    )
    email = st.text_input("Email (optional, for single sign-on)", max_chars=120)
    password = new_password_input(note="; tell it to the person directly.")
    if st.form_submit_button("Add user", type="primary"):
        try:
            added = service.add(actor, username, display_name, role, password, email or None)
        except (AccountError, NotAllowed) as exc:
            st.error(str(exc))
        else:
            _done(f"Added {added.username} as {added.role.label}.")

with change_tab:
    names = [a.username for a in people]
    chosen = st.selectbox("User", names, key="change_user")
    account = next((a for a in people if a.username == chosen), None)
    if account is not None:
        left, right = st.columns(2)
        with left, st.form("change_role"):
            new_role = st.selectbox(
                "Role",
                list(Role),
                index=list(Role).index(account.role),
                format_func=_role_label,
                key=f"role_of_{account.username}",
            )
            if st.form_submit_button("Change role"):
                try:
                    changed = service.set_role(actor, account.username, new_role)
                except (AccountError, NotAllowed) as exc:
                    st.error(str(exc))
                else:
                    _done(f"{changed.username} is now {changed.role.label}.")
            if account.enabled:
                st.caption("Disabling ends their sessions at once; their decisions stay recorded.")
                if st.form_submit_button("Disable account"):
                    try:
                        service.disable(actor, account.username)
                    except (AccountError, NotAllowed) as exc:
                        st.error(str(exc))
                    else:
                        _done(f"{account.username} is disabled.")
            elif st.form_submit_button("Enable account"):
                service.enable(actor, account.username)
                _done(f"{account.username} is enabled again.")
        with right, st.form("set_password", clear_on_submit=True):
            new_password = new_password_input("New password", note=". Their open sessions end.")
            if st.form_submit_button("Set password"):
                try:
                    service.reset_password(actor, account.username, new_password)
                except (AccountError, NotAllowed) as exc:
                    st.error(str(exc))
                else:
                    _done(f"{account.username} has a new password; their sessions were ended.")
