"""Home: what Tenderwise does, and the next step for a new or returning user."""

from __future__ import annotations

import streamlit as st

from core.pipeline.status import pipeline_status
from core.views.describe import describe_analyst, progress_fraction
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context
from ui.widgets.components import (
    PAGE_DASHBOARD,
    PAGE_IMPORT,
    PAGE_PIPELINE,
    PAGE_REVIEW,
    PAGE_TENDER,
    load_demo_button,
    show_notice,
)

ensure_app_navigation()
st.title("Tenderwise")
st.markdown(
    "Import public-procurement tenders and let Tenderwise sort them for you: it filters out what "
    "is not for your company, rates the rest, and drafts a bid for the best ones once an "
    "approver agrees.  \n"
    "Results appear on the dashboard while the analysis runs in the background; what the "
    "analyst is unsure about waits on the Review page."
)

LOADED_KEY = "home_loaded_notice"
ctx = get_context()
status = pipeline_status(ctx)
show_notice(LOADED_KEY)

if status.tenders == 0:
    st.subheader("Get started")
    st.write(
        "There are no tenders yet. Import a CSV, Excel or JSON file of tenders, "
        "or load the demo tenders to see how it works."
    )
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        loaded = load_demo_button(key="home_demo")
        if loaded is not None and loaded.new:  # show where things stand now, with the news
            st.session_state[LOADED_KEY] = (
                f"Loaded {loaded.new} demo tenders; analysis has started (watch it on the "
                "Pipeline page)."
            )
            st.rerun()
    with right:
        st.page_link(PAGE_IMPORT, label="Import tenders", icon=":material/upload_file:")
    st.stop()

st.subheader("Where things stand")
tiles = st.columns(5)
tiles[0].metric("Tenders", f"{status.tenders:,}")
tiles[1].metric("Waiting for analysis", f"{status.waiting:,}")
tiles[2].metric("Waiting for review", f"{status.review_queue:,}")
tiles[3].metric("Bids ready", f"{status.by_status.get('complete', 0):,}")
tiles[4].metric("In error", f"{status.errors:,}")
if status.waiting:
    st.progress(
        progress_fraction(status),
        text="Analysis is paused." if status.paused else "Analysis is running…",
    )
st.caption(f"Analyst: {describe_analyst(status.analyst)}")

links = st.columns(5)
links[0].page_link(PAGE_DASHBOARD, label="Dashboard", icon=":material/monitoring:")
links[1].page_link(PAGE_REVIEW, label="Review", icon=":material/fact_check:")
links[2].page_link(PAGE_PIPELINE, label="Pipeline", icon=":material/autorenew:")
links[3].page_link(PAGE_TENDER, label="Tenders", icon=":material/description:")
links[4].page_link(PAGE_IMPORT, label="Import more", icon=":material/upload_file:")
