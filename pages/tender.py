"""Tenders: one tender with every field, its analysis, scores and bid draft."""

from __future__ import annotations

import streamlit as st

from core.access.roles import DECIDERS, WORKERS, NotAllowed
from core.models import BID_SECTIONS, TenderStatus
from core.review.service import REOPENABLE, ReviewError
from core.views.dashboard import DashboardService
from core.views.operations import tender_trace, trace_summary
from core.views.tender import change_rows, pick_tender_id, tender_facts, with_current
from ui.acting_user import current_actor
from ui.bid_parts import bid_downloads
from ui.components import (
    PAGE_REVIEW,
    analyst_caption,
    md_escape,
    notice_parts,
    relevance_details,
    require_tenders,
    safe_text,
    score_metrics,
    show_notice,
    status_badge,
    strengths_and_risks,
)
from ui.navigation import ensure_app_navigation
from ui.review_parts import decision_history, error_text
from ui.runtime import get_context, get_runtime

ensure_app_navigation()
REANALYSE_HELP = (
    "Filter and rate it again with the current profile and analyst; a bid draft is kept. "
    "Unchanged questions are answered from the cache, at no cost."
)
REOPENED_KEY = "tender_reopened_notice"

st.title("Tenders")
actor = current_actor()
if actor is None:
    st.stop()
require_tenders()
ctx = get_context()

current = pick_tender_id(st.query_params.get("id"), st.session_state.get("tender_id"))
shown = ctx.tenders.get(current) if current is not None else None
if current is not None and shown is None:
    st.warning(f"There is no tender {current}; pick one below.")

search = st.text_input("Search by title or buyer", key="tender_search", max_chars=200)
choices = with_current(
    DashboardService.from_context(ctx).tender_choices(search),
    current if shown is not None and not search else None,
    shown.tender.title if shown is not None else None,
)
if not choices:
    st.info("No tender matches that search.")
    st.stop()
ids = list(choices)
chosen = st.selectbox(
    "Tender (most relevant first)",
    ids,
    index=ids.index(current) if current in ids else 0,
    format_func=lambda i: choices[i],
)
st.session_state["tender_id"] = chosen
st.query_params["id"] = str(chosen)  # a shareable link to this tender

state = shown if shown is not None and shown.tender.id == chosen else ctx.tenders.get(chosen)
if state is None:
    st.warning("That tender was just removed; pick another one.")
    st.stop()
tender = state.tender

st.header(md_escape(tender.title), divider="gray")
status_badge(state.status)
if state.status is TenderStatus.ERROR and state.error:
    st.error(f"Analysis failed: {md_escape(state.error)}")
can_reanalyse = (
    actor.can(WORKERS) and state.filter is not None and state.status is not TenderStatus.PROCESSING
)
if can_reanalyse and st.button("Re-analyse", icon=":material/refresh:", help=REANALYSE_HELP):
    try:
        ctx.reanalyse([chosen], actor=actor)
    except NotAllowed as exc:
        st.error(error_text(exc))
    else:
        get_runtime().worker.wake()
        st.toast("Queued for analysis again.")
        st.rerun()

facts = tender_facts(state)
grid = st.columns(3)
for i, (label, value) in enumerate(facts.facts):
    with grid[i % 3]:
        st.caption(label)
        st.text(value)
if facts.url:
    st.link_button("Open the notice", facts.url, icon=":material/open_in_new:")

with st.expander("Description", expanded=True):
    st.text(tender.description or "No description was published.")
notice_parts(tender)

versions = ctx.tenders.versions(chosen)
if versions:
    st.subheader("Changes")
    st.caption(
        f"Updated by {len(versions)} later notice(s) of the same procedure; "
        "a change of deadline, value, scope or notice type runs the analysis again."
    )
    for version in reversed(versions):
        rerun = " · analysis run again" if version.reanalysed else ""
        source = f" from {version.source_file}" if version.source_file else ""
        st.caption(
            f"Version {version.version}, imported {version.imported_at:%d %b %Y %H:%M} UTC"
            f"{md_escape(source)}{rerun}"
        )
        st.dataframe(change_rows(version), hide_index=True, width="stretch")

st.subheader("Relevance")
relevance = state.filter
if relevance is None:
    st.caption("Not analysed yet; it is in the queue.")
else:
    verdict = "Relevant" if relevance.is_relevant else "Not relevant"
    st.text(f"{verdict} · confidence {relevance.confidence:.0%}")
    relevance_details(relevance)
    analyst_caption(relevance, "Filtered")

st.subheader("Rating")
rating = state.rating
if rating is None:
    st.caption(
        "Not rated: it was filtered out."
        if state.status is TenderStatus.FILTERED_OUT
        else "Not rated yet."
    )
else:
    score_metrics(rating)
    st.text(f"Recommendation: {rating.recommendation.label}")
    if rating.reasoning:
        st.text(rating.reasoning)
    strengths_and_risks(rating)
    analyst_caption(rating, "Rated")

st.subheader("Decision history")
show_notice(REOPENED_KEY)
decision_history(ctx.review().history(chosen), waiting=state.status is TenderStatus.NEEDS_REVIEW)
if state.status is TenderStatus.NEEDS_REVIEW:
    st.page_link(
        PAGE_REVIEW,
        label="It waits for review: decide on the Review page",
        icon=":material/fact_check:",
        query_params={"id": str(chosen)},
    )
elif state.status in REOPENABLE and state.filter is not None and actor.can(DECIDERS):
    with st.form("reopen_for_review"):
        reopen_reason = st.text_input(
            "Reason for reopening", max_chars=500, key=f"reopen_reason_{chosen}"
        )
        reopen = st.form_submit_button("Reopen for review", icon=":material/undo:")
    if reopen:
        try:
            ctx.review().reopen(chosen, actor, reopen_reason or "")
        except (ReviewError, NotAllowed) as exc:
            st.error(error_text(exc))
        else:
            st.session_state[REOPENED_KEY] = (
                f"Tender {chosen} is back in the review queue, reopened by {actor.label}."
            )
            st.rerun()

st.subheader("Bid draft")
bid = state.bid
if bid is None:
    st.caption(
        "No bid draft: drafts are written for relevant tenders rated at or above the bid "
        "threshold (see Settings)."
    )
else:
    analyst_caption(bid, "Drafted")
    docx_column, md_column, _ = st.columns([1, 1, 3])
    bid_downloads(docx_column, md_column, state, ctx.profile().company_name, ctx.audit(), actor)
    for field, heading in BID_SECTIONS:
        st.markdown(f"#### {heading}")
        safe_text(getattr(bid, field))

trace = tender_trace(ctx, chosen)
if trace:
    with st.expander(f"LLM calls ({len({row.call for row in trace}):,})"):
        st.caption(md_escape(trace_summary(trace)))
        st.dataframe(
            [
                {
                    "call": row.call,
                    "when": row.at,
                    "step": row.step,
                    "attempt": row.attempt,
                    "reask": row.reask,
                    "mode": row.mode,
                    "model": row.model,
                    "status": row.status,
                    "HTTP": row.http_status,
                    "error class": row.error_class,
                    "tokens": row.tokens,
                    "latency (ms)": row.latency_ms,
                    "cost": row.cost,
                    "prompt version": row.prompt_version,
                    "error": row.error,
                }
                for row in trace
            ],
            hide_index=True,
            placeholder="–",
            column_config={
                "when": st.column_config.DatetimeColumn("when", format="D MMM, HH:mm:ss"),
                "HTTP": st.column_config.NumberColumn("HTTP", format="%d"),
                "tokens": st.column_config.NumberColumn("tokens", format="localized"),
                "latency (ms)": st.column_config.NumberColumn("latency (ms)", format="%.0f"),
                "cost": st.column_config.NumberColumn("cost", format="$%.4f"),
            },
        )

with st.expander("Source data (as imported)"):
    st.json(tender.raw, expanded=1)
