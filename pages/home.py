"""Home: what Tenderwise does, and the next step for a new or returning user."""

from __future__ import annotations

import streamlit as st

from core.models import ImportSummary
from core.pipeline.status import pipeline_status
from core.views.describe import describe_analyst, progress_fraction
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context, get_runtime
from ui.parts.setup import (
    SETUP_NOTICE,
    company_setup,
    example_note,
    reanalyse_offer,
    setup_needed,
)
from ui.widgets.components import (
    PAGE_DASHBOARD,
    PAGE_IMPORT,
    PAGE_PIPELINE,
    PAGE_REVIEW,
    PAGE_TENDER,
    load_demo_button,
    load_demo_now,
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

actor = current_actor()
if actor is None:
    st.stop()
if notice := st.session_state.pop(SETUP_NOTICE, None):
    st.success(notice)


def _demo_loaded(loaded: ImportSummary | None) -> None:
    if loaded is not None and loaded.new:  # show where things stand now, with the news
        st.session_state[LOADED_KEY] = (
            f"Loaded {loaded.new} demo tenders; analysis has started (watch it on the "
            "Pipeline page)."
        )
        st.rerun()


if setup_needed(ctx):
    company_setup(ctx, actor, lambda: _demo_loaded(load_demo_now(actor)))
    st.stop()

if status.tenders == 0:
    st.subheader("Get started")
    st.write(
        "There are no tenders yet. Import a CSV, Excel or JSON file of tenders, "
        "or load the demo tenders to see how it works."
    )
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        _demo_loaded(load_demo_button(key="home_demo"))
    with right:
        st.page_link(PAGE_IMPORT, label="Import tenders", icon=":material/upload_file:")
    example_note(ctx)
    st.stop()

reanalyse_offer(ctx, actor, get_runtime().worker.wake)
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
example_note(ctx)

links = st.columns(5)
links[0].page_link(PAGE_DASHBOARD, label="Dashboard", icon=":material/monitoring:")
links[1].page_link(PAGE_REVIEW, label="Review", icon=":material/fact_check:")
links[2].page_link(PAGE_PIPELINE, label="Pipeline", icon=":material/autorenew:")
links[3].page_link(PAGE_TENDER, label="Tenders", icon=":material/description:")
links[4].page_link(PAGE_IMPORT, label="Import more", icon=":material/upload_file:")
