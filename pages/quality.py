"""Quality: how often people agree with the analyst, the team model, and evaluations."""

from __future__ import annotations

import streamlit as st

from core.access.roles import DECIDERS
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context
from ui.parts import quality
from ui.widgets.components import show_notice

ensure_app_navigation()
st.title("Quality")
actor = current_actor()
if actor is None:
    st.stop()
if not actor.can(DECIDERS):
    st.info(
        "Only approvers and admins see how the analyst does; give feedback on tenders from the "
        "Tenders page, and it counts here.",
        icon=":material/visibility:",
    )
    st.stop()
ctx = get_context()
show_notice(quality.NOTICE_KEY)
summary = ctx.quality().summary()

st.subheader("What people and the analyst agree on")
quality.agreement(summary)

st.subheader("Team model")
st.caption(
    "Learns from the team's labels and is used only while it beats the rules alone on them; "
    "it retrains by itself as labels come in."
)
trained = quality.team_model(ctx, summary, actor)

st.subheader("Auto-accept level")
st.caption(
    f"The lowest confidence from which the analyst's verdicts were right at least "
    f"{summary.target:.0%} of the time, by the team's labels."
)
applied = quality.suggested_level(ctx, summary, actor)
for notice in (trained, applied):
    if notice:
        st.session_state[quality.NOTICE_KEY] = notice
        st.rerun()

st.subheader("Evaluate on labelled notices")
st.caption(
    "Runs the analyst as configured over the uploaded notices in a scratch database and "
    "compares its verdicts with your labels; your tenders and settings stay as they are."
)
quality.evaluation_form(ctx, actor)

st.subheader("Past evaluations")
picked = quality.history(ctx.evaluations.recent())
if picked is not None:
    quality.evaluation_result(picked)
