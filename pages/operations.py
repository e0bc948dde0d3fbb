"""Operations: how the LLM endpoint behaves — latency, errors, retries, tokens and cost."""

from __future__ import annotations

import streamlit as st

from core.views.operations import latency_text, operations_report, usd
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context
from ui.widgets import llm_charts

ensure_app_navigation()
PERIODS = {1: "Last hour", 6: "Last 6 hours", 24: "Last 24 hours", 168: "Last 7 days"}

st.title("Operations")
st.write("Every HTTP attempt the LLM analyst made: how fast, how often it failed, and the cost.")

hours = st.segmented_control(
    "Period", list(PERIODS), format_func=PERIODS.get, default=24, key="ops_hours"
)
report = operations_report(get_context(), float(hours or 24))

if not report.any_calls_ever:
    st.info(
        "No LLM calls yet — set LLM_BASE_URL (or a base URL in Settings) to use the LLM "
        "analyst. The offline rules analyst makes no calls, so there is nothing to show.",
        icon=":material/info:",
    )
    st.stop()
if report.attempts == 0:
    st.info(f"No LLM calls in the {PERIODS[int(hours or 24)].lower()}; pick a longer period.")
    st.stop()

tiles = st.columns(6)
tiles[0].metric("Latency p50", latency_text(report.latency_p50_ms))
tiles[1].metric("Latency p95", latency_text(report.latency_p95_ms))
tiles[2].metric("HTTP attempts", f"{report.attempts:,}", help=f"{report.ok:,} answered")
tiles[3].metric(
    "Errors",
    f"{report.errors:,}",
    help=f"{report.retries:,} attempts were retries or reasks",
)
tiles[4].metric("Tokens", f"{report.tokens:,}")
tiles[5].metric("Cost", usd(report.cost), help="local endpoints cost nothing")
if report.cache_hits:
    st.caption(f"{report.cache_hits:,} answers came from the cache, at no cost.")

left, right = st.columns(2)
left.plotly_chart(
    llm_charts.attempts_and_errors(report.per_minute), width="stretch", key="ops_attempts"
)
right.plotly_chart(llm_charts.latency(report.per_minute), width="stretch", key="ops_latency")

left, right = st.columns(2)
with left:
    if report.errors_per_minute.empty:
        st.caption("No attempt failed in this period, so nothing was retried.")
    else:
        st.plotly_chart(
            llm_charts.errors_by_class(report.errors_per_minute),
            width="stretch",
            key="ops_errors",
        )
right.plotly_chart(llm_charts.tokens_and_cost(report.per_minute), width="stretch", key="ops_tokens")

st.subheader("By step and model")
st.dataframe(
    report.by_step,
    hide_index=True,
    column_config={
        "step": st.column_config.TextColumn("Step"),
        "model": st.column_config.TextColumn("Model"),
        "calls": st.column_config.NumberColumn("Calls", format="localized"),
        "attempts": st.column_config.NumberColumn("HTTP attempts", format="localized"),
        "reask_attempts": st.column_config.NumberColumn("Reasks", format="localized"),
        "tokens": st.column_config.NumberColumn("Tokens", format="localized"),
        "cost": st.column_config.NumberColumn("Cost", format="$%.4f"),
        "latency_p50_ms": st.column_config.NumberColumn("p50 (ms)", format="%.0f"),
        "latency_p95_ms": st.column_config.NumberColumn("p95 (ms)", format="%.0f"),
    },
)
if not report.errors_by_class.empty:
    st.subheader("Errors by class")
    st.dataframe(
        report.errors_by_class,
        hide_index=True,
        column_config={
            "error_class": st.column_config.TextColumn("Error class"),
            "attempts": st.column_config.NumberColumn("Attempts", format="localized"),
        },
    )
