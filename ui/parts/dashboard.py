"""The dashboard's filter sidebar, KPI tiles and tender table."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core.models import Recommendation, TenderStatus
from core.views.dashboard import DashboardFilters, DashboardKpis, FilterOptions, TablePage
from core.views.describe import compact_money, money_text, plural

# NumberColumn formats for a value column holding a single currency.
_CURRENCY_FORMATS = {"EUR": "euro", "USD": "dollar", "JPY": "yen"}


def filter_sidebar(options: FilterOptions) -> DashboardFilters:
    with st.sidebar:
        st.header("Filters")
        search = st.text_input("Search title or buyer", key="f_search", max_chars=200)
        only_relevant = st.toggle("Only relevant tenders", key="f_relevant")
        statuses = st.multiselect(
            "Status",
            options.statuses,
            format_func=lambda s: TenderStatus(s).label,
            key="f_status",
        )
        categories = st.multiselect("Capability", options.categories, key="f_category")
        recommendations = st.multiselect(
            "Recommendation",
            options.recommendations,
            format_func=lambda r: Recommendation(r).label,
            key="f_recommendation",
        )
        min_score = st.slider("Minimum overall score", 0.0, 10.0, 0.0, 0.5, key="f_score")
        deadline = st.date_input(
            "Deadline between",
            value=(),
            min_value=options.earliest_deadline,
            max_value=options.latest_deadline,
            key="f_deadline",
            format="DD/MM/YYYY",
        )
    start, end = _date_range(deadline)
    try:
        return DashboardFilters(
            statuses=statuses,
            categories=categories,
            recommendations=recommendations,
            min_score=min_score,
            search=search,
            deadline_from=start,
            deadline_to=end,
            only_relevant=only_relevant,
        )
    except ValidationError:
        st.sidebar.warning("Those filters do not fit together; showing every tender instead.")
        return DashboardFilters()


def _date_range(value: object) -> tuple[date | None, date | None]:
    if isinstance(value, date):
        return value, value
    if isinstance(value, tuple | list):
        dates = [d for d in value if isinstance(d, date)]
        if len(dates) == 1:
            return dates[0], None
        if len(dates) >= 2:
            return dates[0], dates[1]
    return None, None


def kpi_tiles(kpis: DashboardKpis) -> None:
    tiles = st.columns(5)
    tiles[0].metric("Tenders", f"{kpis.tenders:,}")
    tiles[1].metric("Relevant", f"{kpis.relevant:,}")
    tiles[2].metric(
        "Average score",
        f"{kpis.average_score:.1f} / 10" if kpis.average_score is not None else "–",
        help=f"overall score of the {kpis.rated:,} rated tenders",
    )
    tiles[3].metric("Bids ready", f"{kpis.bids_ready:,}")
    value = kpis.relevant_value
    converted = kpis.converted
    total = (
        f"{money_text(value.amount, value.currency)} over {plural(value.tenders, 'tender')}. "
        if value
        else ""
    )
    if converted:
        rates = f"the team's rates of {kpis.rates_as_of}" if kpis.rates_as_of else "team rates"
        total += (
            "Includes, converted at "
            + rates
            + ": "
            + ", ".join(f"{money_text(m.amount, m.currency)}" for m in converted)
            + ". "
        )
    tiles[4].metric(
        f"Relevant value ({kpis.main_currency}{', converted' if converted else ''})",
        compact_money(value.amount, value.currency) if value else "–",
        help=total + "Estimated contract values of relevant tenders as published; "
        "tenders without a value are not counted.",
    )
    if kpis.other_values:
        others = ", ".join(
            f"{money_text(m.amount, m.currency)} ({plural(m.tenders, 'tender')})"
            for m in kpis.other_values
        )
        st.caption(
            f"Not included above (no exchange rate to {kpis.main_currency} is set; add one "
            f"in Settings): {others}."
        )


def next_deadlines(kpis: DashboardKpis) -> None:
    st.subheader("Next deadlines")
    if not kpis.next_deadlines:
        st.caption("No relevant tender has a deadline ahead.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {"days left": d.days_left, "title": d.title, "deadline": d.deadline}
                for d in kpis.next_deadlines
            ]
        ),
        hide_index=True,
        column_config={
            "days left": st.column_config.NumberColumn("Days left", format="%d", width="small"),
            "title": st.column_config.TextColumn("Tender", width="large"),
            "deadline": st.column_config.DatetimeColumn("Deadline", format="D MMM YYYY"),
        },
    )


def tender_table(page: TablePage, key: str, height: int = 520) -> int | None:
    """The filtered tenders; returns the id of the row the user selected, if any."""
    rows = page.rows
    currencies = set(rows["value_currency"].dropna())
    value_format = (
        _CURRENCY_FORMATS.get(next(iter(currencies)), "localized")
        if len(currencies) == 1
        else "localized"
    )
    event = st.dataframe(
        rows,
        key=key,
        height=height,
        hide_index=True,
        placeholder="–",
        on_select="rerun",
        selection_mode="single-row",
        column_order=[
            "title",
            "buyer",
            "status",
            "overall_score",
            "recommendation",
            "strategic_fit",
            "win_probability",
            "effort_required",
            "confidence",
            "categories",
            "value_amount",
            "value_currency",
            "deadline",
            "country",
            "analyst",
        ],
        column_config={
            # not pinned: a pinned column is drawn in faded text, as if it were disabled
            "title": st.column_config.TextColumn("Tender", width="large"),
            "buyer": st.column_config.TextColumn("Buyer", width="medium"),
            "status": st.column_config.TextColumn("Status"),
            "overall_score": st.column_config.ProgressColumn(
                "Overall", min_value=0, max_value=10, format="%.1f"
            ),
            "recommendation": st.column_config.TextColumn("Recommendation"),
            "strategic_fit": st.column_config.ProgressColumn(
                "Fit", min_value=0, max_value=10, format="%.1f"
            ),
            "win_probability": st.column_config.ProgressColumn(
                "Win", min_value=0, max_value=10, format="%.1f"
            ),
            "effort_required": st.column_config.NumberColumn(
                "Effort", format="%.1f", help="0–10; 10 is a very heavy bid"
            ),
            "confidence": st.column_config.ProgressColumn(
                "Relevance confidence", min_value=0, max_value=1, format="percent"
            ),
            "categories": st.column_config.ListColumn("Capabilities"),
            "value_amount": st.column_config.NumberColumn("Value", format=value_format),
            "value_currency": st.column_config.TextColumn("Currency", width="small"),
            "deadline": st.column_config.DatetimeColumn("Deadline", format="D MMM YYYY"),
            "country": st.column_config.TextColumn("Country", width="small"),
            "analyst": st.column_config.TextColumn("Analyst", width="small"),
        },
    )
    selected = event.selection.rows if event is not None else []
    if not selected:
        return None
    return int(rows["id"].iloc[selected[0]])
