"""Dashboard: KPIs, charts and the table of tenders, all for the filters in the sidebar."""

from __future__ import annotations

import streamlit as st

from core.access.audit import audited
from core.access.roles import BID_EDITORS
from core.views.dashboard import DashboardService
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context
from ui.parts.dashboard import filter_sidebar, kpi_tiles, next_deadlines, tender_table
from ui.parts.feedback import NOTICE_KEY as FEEDBACK_NOTICE
from ui.parts.feedback import feedback_form
from ui.widgets import charts
from ui.widgets.components import (
    PAGE_TENDER,
    analysis_progress_note,
    require_tenders,
    show_notice,
)

ensure_app_navigation()
st.title("Dashboard")
actor = current_actor()
if actor is None:
    st.stop()
require_tenders()
analysis_progress_note(key="dashboard_refresh")

ctx = get_context()
board = DashboardService.from_context(ctx)
filters = filter_sidebar(board.filter_options())

kpis = board.kpis(filters)
kpi_tiles(kpis)
if kpis.tenders == 0:
    st.info("No tender matches these filters; widen them in the sidebar.")
    st.stop()

left, right = st.columns(2)
with left:
    scatter = board.score_points(filters)
    if scatter.points.empty:
        st.info("No tender is rated yet; the chart fills in as the analysis runs.")
    else:
        st.plotly_chart(
            charts.fit_vs_win(scatter.points, scatter.sized), width="stretch", key="chart_fit_win"
        )
        st.caption(scatter.caption)
with right:
    funnel = board.funnel(filters)
    st.plotly_chart(
        charts.score_histogram(board.score_histogram(filters), funnel.min_bid_score),
        width="stretch",
        key="chart_scores",
    )

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.status_funnel(funnel), width="stretch", key="chart_funnel")
with right:
    categories = board.category_counts(filters)
    if categories.empty:
        st.info("No relevant tender yet, so no capability to count.")
    else:
        st.plotly_chart(charts.categories_bar(categories), width="stretch", key="chart_categories")

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(
        charts.deadlines_timeline(board.deadlines_per_week(filters)),
        width="stretch",
        key="chart_deadlines",
    )
with right:
    next_deadlines(kpis)

st.subheader("Tenders")
page = board.table(filters)
st.caption(
    f"Showing {len(page.rows):,} of {page.total:,} tenders — narrow the filters to see the rest."
    if page.capped
    else f"{page.total:,} tenders. Select a row to open the tender."
)
selected = tender_table(page, key="tender_table")
show_notice(FEEDBACK_NOTICE)
if actor.can(BID_EDITORS) and not page.rows.empty:
    with st.expander("Feedback on relevance: tell the analyst which of these are for us"):
        titles = dict(zip(page.rows["id"], page.rows["title"], strict=True))
        picked = st.selectbox(
            "Tender", list(titles), format_func=lambda i: str(titles[i])[:120], key="fb_tender"
        )
        if picked is not None:
            feedback_form(ctx, int(picked), actor, key="dashboard")
downloads = st.columns([1, 1, 3])
for column, fmt, mime in (
    (downloads[0], "csv", "text/csv"),
    (downloads[1], "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
):
    column.download_button(
        f"Download ({fmt.upper()})",
        data=audited(
            ctx.audit(),
            actor,
            lambda fmt=fmt: board.table_file(filters, fmt),
            target=f"tender table ({fmt})",
            detail=f"{page.total:,} tenders matching the dashboard filters",
        ),
        file_name=f"tenders.{fmt}",
        mime=mime,
        icon=":material/download:",
        on_click="ignore",
        help="Every tender matching the filters, with its analysis; safe to open in a "
        "spreadsheet (cells that look like formulas are kept as text).",
    )
if selected is not None:
    st.session_state["tender_id"] = selected
    st.switch_page(PAGE_TENDER, query_params={"id": str(selected)})
