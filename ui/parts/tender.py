"""The Tenders page's longer sections: the later notices that changed a tender, and the LLM
calls made for it."""

from __future__ import annotations

import streamlit as st

from core.models import TenderVersion
from core.views.operations import TraceRow, trace_summary
from core.views.tender import change_rows
from ui.widgets.components import md_escape


def version_history(versions: list[TenderVersion]) -> None:
    """Each later notice of the same procedure, newest first, with the fields it changed."""
    if not versions:
        return
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


def llm_calls(trace: list[TraceRow]) -> None:
    """Every HTTP attempt for the tender, grouped by call, in a collapsed expander."""
    if not trace:
        return
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
