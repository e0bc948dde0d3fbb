"""Pipeline: start or pause the background analysis and watch its progress live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access.roles import WORKERS, NotAllowed
from core.pipeline.status import pipeline_status
from core.views.describe import (
    describe_analyst,
    progress_fraction,
    settled_count,
    status_rows,
    time_left_text,
)
from core.views.operations import live_llm_stats, tokens_text, unavailable_text, usd
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context, get_runtime
from ui.widgets.components import md_escape

ensure_app_navigation()
REFRESH_S = 2

st.title("Pipeline")
st.write(
    "Every imported tender goes through filter → rate → write bid in the background. "
    "This page refreshes itself every few seconds."
)

runtime = get_runtime()
ctx = runtime.ctx
actor = current_actor()
if actor is None:
    st.stop()


def pipeline_controls() -> None:
    """Start or pause the analysis, and retry tenders in error (everyone but viewers)."""
    assert actor is not None
    controls = st.columns([1, 1, 3], vertical_alignment="center")
    try:
        with controls[0]:
            if ctx.controls().is_paused():
                if st.button("Start analysis", type="primary", icon=":material/play_arrow:"):
                    ctx.controls().set_paused(False, actor=actor)
                    runtime.worker.wake()
                    st.rerun()
            elif st.button("Pause analysis", icon=":material/pause:"):
                ctx.controls().set_paused(True, actor=actor)
                st.rerun()
        with controls[1]:
            if st.button("Retry tenders in error", icon=":material/replay:"):
                retried = ctx.controls().retry_errors(actor=actor)
                runtime.worker.wake()
                st.toast(f"{retried} tender{'s' if retried != 1 else ''} sent back to the queue.")
    except NotAllowed as exc:
        st.error(md_escape(str(exc)))


if actor.can(WORKERS):
    pipeline_controls()
else:
    st.info(
        "Only bid managers, approvers and admins start, pause or retry the analysis; "
        "you can watch it here.",
        icon=":material/visibility:",
    )


def llm_endpoint_numbers() -> None:
    """Calls/s against the limit, tokens, cost, retries and errors, when an LLM is configured."""
    llm = live_llm_stats(get_context())
    if llm is None:
        return
    st.subheader("LLM endpoint")
    tiles = st.columns([2, 1, 1, 1])
    tiles[0].metric(
        "Call rate",
        llm.rate_text,
        help="HTTP attempts per second over the last minute, against the limit (LLM_RPM / 60)",
    )
    tiles[1].metric(
        "Tokens, last minute",
        f"{llm.tokens_last_minute:,}",
        help=f"{tokens_text(llm.tokens_today)} today (UTC)",
    )
    tiles[2].metric("Cost today", usd(llm.cost_today), help="UTC day; local endpoints cost nothing")
    tiles[3].metric(
        "Retries today",
        f"{llm.retries_today:,}",
        help=f"of {llm.attempts_today:,} HTTP attempts; "
        f"{llm.cache_hits_today:,} answers came from the cache",
    )
    if llm.limiter_text:
        st.caption(f"Rate limiter: {llm.limiter_text}.")
    if not llm.errors:
        st.caption("No failed attempt today.")
        return
    st.dataframe(
        [
            {"error class": e.label, "last minute": e.last_minute, "today": e.today}
            for e in llm.errors
        ],
        hide_index=True,
    )


@st.fragment(run_every=REFRESH_S)
def live_progress() -> None:
    status = pipeline_status(get_context())
    if status.unavailable:
        st.warning(
            md_escape(unavailable_text(status.unavailable, status.unavailable_since)),
            icon=":material/cloud_off:",
        )
    if status.paused:
        st.warning("Analysis is paused: nothing new is analysed until you press Start analysis.")
    st.caption(f"Active analyst: {describe_analyst(status.analyst)}")

    done = settled_count(status)
    st.progress(
        progress_fraction(status),
        text=f"{done:,} of {status.tenders:,} tenders analysed"
        + (f" · {status.errors:,} in error" if status.errors else ""),
    )
    tiles = st.columns(4)
    tiles[0].metric("Waiting", f"{status.waiting:,}")
    tiles[1].metric("Throughput", f"{status.throughput_per_s:,.1f} tenders/s", help="last minute")
    tiles[2].metric(
        "Time left",
        time_left_text(status),
        help="at the throughput of the last minute",
    )
    tiles[3].metric("Bids ready", f"{status.bids:,}")

    rows = status_rows(status)
    for start in range(0, len(rows), 5):
        counts = st.columns(5)
        for column, (name, label, count) in zip(counts, rows[start : start + 5], strict=False):
            column.metric(label, f"{count:,}", help=f"status: {name}")
    st.bar_chart(
        # the labels people read on the tiles above, not the status codes
        pd.DataFrame({"status": [label for _, label, _ in rows], "tenders": [n for *_, n in rows]}),
        x="status",
        y="tenders",
        horizontal=True,
        height=280,
        sort=False,
    )
    llm_endpoint_numbers()

    st.subheader("Recent errors")
    if not status.recent_errors:
        st.caption("No tender is in error.")
    else:
        st.dataframe(
            [
                {"tender": e.tender_id, "title": e.title, "error": e.error, "when": e.at}
                for e in status.recent_errors
            ],
            hide_index=True,
            column_config={"when": st.column_config.DatetimeColumn("when", format="distance")},
        )


live_progress()
