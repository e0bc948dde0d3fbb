"""Who is acting on this page: a name chosen in the sidebar, until sign-in exists.

Core services check the role (core.roles); this only asks for the name and remembers it for
the browser session. Streamlit forgets a widget's value on pages that do not show it, so the
name is also kept under a key of its own and handed back to the field on every page.
"""

from __future__ import annotations

import streamlit as st

from core.roles import Actor, NotAllowed, resolve_actor

ACTING_USER_KEY = "acting_user"
SIGNED_IN_KEY = "tw_actor"  # the signed-in user's Actor, set by sign-in (and by tests)
_REMEMBERED = "acting_user_remembered"


def _remember() -> None:
    st.session_state[_REMEMBERED] = st.session_state.get(ACTING_USER_KEY, "")


def acting_user_input() -> None:
    """The sidebar field where a person says who they are (kept across pages)."""
    if ACTING_USER_KEY not in st.session_state and _REMEMBERED in st.session_state:
        st.session_state[ACTING_USER_KEY] = st.session_state[_REMEMBERED]
    st.sidebar.text_input(
        "Your name",
        key=ACTING_USER_KEY,
        max_chars=80,
        placeholder="e.g. Alice Martin",
        help="Decisions and bid edits are recorded under this name.",
        on_change=_remember,
    )
    _remember()  # also when the name was set by code, e.g. by a test


def current_actor() -> Actor | None:
    """The acting user, or None (with a one-line message in the page) when none is usable."""
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    if isinstance(signed_in, Actor):
        return signed_in
    try:
        return resolve_actor(st.session_state.get(ACTING_USER_KEY))
    except NotAllowed as exc:
        st.warning(str(exc).replace("(the CLI's --by USER)", "in the sidebar (“Your name”)"))
        return None
