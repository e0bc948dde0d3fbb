"""Who is acting on this page: the signed-in person (ui.app.session restores them every run).

Core services check the role (core.access.roles); pages ask `current_actor()` and show only what the
role allows. Tests sign someone in by putting an Actor under SIGNED_IN_KEY.
"""

from __future__ import annotations

import streamlit as st

from core.access.roles import Actor

SIGNED_IN_KEY = "tw_actor"  # the signed-in user's Actor, set by sign-in (and by tests)


def current_actor() -> Actor | None:
    """The signed-in person, or None (with a one-line message in the page) when nobody is."""
    signed_in = st.session_state.get(SIGNED_IN_KEY)
    if isinstance(signed_in, Actor):
        return signed_in
    st.warning("Sign in to do this.")
    return None
