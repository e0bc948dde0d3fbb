"""Tenders: one tender with every field, its analysis, scores and bid draft."""

from __future__ import annotations

import streamlit as st

from core.access.roles import WORKERS, NotAllowed
from core.export.bid_content import when
from core.models import BID_SECTIONS, TenderStatus
from core.review.service import ReviewError
from core.views.dashboard import DashboardFilters, DashboardService
from core.views.describe import describe_analyst
from core.views.tender import TenderView, pick_tender_id, tender_facts, with_current
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context, get_runtime
from ui.parts.bid_versions import (
    bid_downloads,
    display_names,
    internal_wording_warning,
    with_display_names,
)
from ui.parts.dashboard import tender_table
from ui.parts.documents import tender_documents
from ui.parts.feedback import NOTICE_KEY as FEEDBACK_NOTICE
from ui.parts.feedback import feedback_form
from ui.parts.matrix import compliance_matrix
from ui.parts.review import decision_history, error_text
from ui.parts.tender import llm_calls, version_history
from ui.widgets.components import (
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
view = TenderView.from_context(ctx)

current = pick_tender_id(st.query_params.get("id"), st.session_state.get("tender_id"))
shown = view.state(current)
if current is not None and shown is None:
    st.warning(f"There is no tender {current}; pick one below.")

search = st.text_input("Search by title or buyer", key="tender_search", max_chars=200)
dashboard = DashboardService.from_context(ctx)
listed = dashboard.table(DashboardFilters(search=search))
shown_rows = f"{len(listed.rows):,} of {listed.total:,}" if listed.capped else f"{listed.total:,}"
with st.expander(f"Tenders ({shown_rows})", expanded=shown is None or bool(search)):
    picked = tender_table(listed, key="tenders_list", height=300)
    st.caption("Select a row to open the tender.")
if picked is not None and picked != current:
    st.session_state["tender_id"] = picked
    st.query_params["id"] = str(picked)
    st.session_state.pop("tenders_list", None)  # the selection opened it: clear it
    st.rerun()
choices = with_current(
    dashboard.tender_choices(search),
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

state = shown if shown is not None and shown.tender.id == chosen else view.state(chosen)
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
        ctx.controls().reanalyse([chosen], actor=actor)
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

version_history(view.changes(chosen))

st.subheader("Relevance")
show_notice(FEEDBACK_NOTICE)
relevance = state.filter
if relevance is None:
    st.caption("Not analysed yet; it is in the queue.")
else:
    verdict = "Relevant" if relevance.is_relevant else "Not relevant"
    st.text(f"{verdict} · confidence {relevance.confidence:.0%}")
    relevance_details(relevance)
    analyst_caption(relevance, "Filtered")
feedback_form(ctx, chosen, actor, key="tender")

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
elif ctx.review().can_reopen(state, actor):
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

tender_documents(ctx, state, actor)
compliance_matrix(ctx, chosen, actor)

st.subheader("Bid draft")
bid = state.bid
if bid is None:
    st.caption(
        "No bid draft: drafts are written for relevant tenders rated at or above the bid "
        "threshold (see Settings)."
    )
else:
    latest = ctx.bids.latest(chosen)
    version = with_display_names(latest, display_names(ctx)) if latest else None
    if version is not None and version.edited_by:  # the person who last edited it wrote it
        st.caption(
            md_escape(
                f"Version {version.version}, last edited by {version.edited_by} on "
                f"{when(version.document.created_at)}; first drafted by "
                f"{describe_analyst(bid.analyst)}."
            )
        )
    else:
        analyst_caption(bid, "Drafted")
    docx_column, md_column, brief_column, _ = st.columns([1, 1, 1, 2])
    bid_downloads([docx_column, md_column, brief_column], state, ctx, actor, version)
    internal_wording_warning(bid)
    for field, heading in BID_SECTIONS:
        st.markdown(f"#### {heading}")
        safe_text(getattr(bid, field))

llm_calls(view.llm_calls(chosen))

with st.expander("Source data (as imported)"):
    st.json(tender.raw, expanded=1)
