"""A person's word on relevance (core.review.feedback), as the Tender page and Dashboard ask it."""

from __future__ import annotations

import streamlit as st

from core.access.roles import BID_EDITORS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.review.service import ReviewError
from ui.app.runtime import get_runtime
from ui.parts.review import error_text

NOTICE_KEY = "feedback_notice"
CHOICES = {True: "Relevant: this is our kind of work", False: "Not relevant: not for us"}


def feedback_form(ctx: AppContext, tender_id: int, actor: Actor, key: str) -> None:
    """Relevant / not relevant with an optional reason; on submit the notice is kept under
    NOTICE_KEY and the page reruns. Shown to bid managers, approvers and admins."""
    if not actor.can(BID_EDITORS):
        return
    with st.form(f"feedback_{key}_{tender_id}", border=True):
        st.caption(
            "Your word on relevance teaches the analyst. A tender nobody has decided yet "
            "moves at once; a decided one keeps its decision."
        )
        relevant = st.radio(
            "Is it for us?",
            list(CHOICES),
            format_func=CHOICES.get,
            horizontal=True,
            index=None,
            key=f"feedback_word_{key}_{tender_id}",
        )
        reason = st.text_input(
            "Why (optional)", max_chars=500, key=f"feedback_reason_{key}_{tender_id}"
        )
        sent = st.form_submit_button("Save feedback", icon=":material/thumbs_up_down:")
    if not sent:
        return
    if relevant is None:
        st.warning("Choose relevant or not relevant, then save.")
        return
    try:
        given = ctx.feedback().give(tender_id, bool(relevant), actor, reason or "")
    except (ReviewError, NotAllowed) as exc:
        st.error(error_text(exc))
        return
    if given.rerouted:
        get_runtime().worker.wake()
    st.session_state[NOTICE_KEY] = given.sentence(actor.label)
    st.rerun()
