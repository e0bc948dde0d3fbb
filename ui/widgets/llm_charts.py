"""Plotly figures for the Operations page, built from the frames core.views.operations returns."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.views.operations import error_class_label

_MARGINS = {"l": 10, "r": 10, "t": 40, "b": 10}
_HEIGHT = 320
_LEGEND = {"orientation": "h", "y": -0.25}
ATTEMPTS_COLOR = "#4c78a8"
ERRORS_COLOR = "#d9534f"
# Error classes keep their colour on every chart.
ERROR_CLASS_COLORS = {
    error_class_label(name): color
    for name, color in {
        "transient": "#f58518",
        "rate_limited": "#e45756",
        "unsupported": "#b279a2",
        "fatal": "#9d2c2c",
        "invalid_output": "#eeca3b",
        "truncated": "#72b7b2",
    }.items()
}


MINUTE_MS = 60_000


def _tidy(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, margin=_MARGINS, height=_HEIGHT, legend=_LEGEND)
    # Minutes, not milliseconds, even when every call fell in one minute.
    fig.update_xaxes(title=None, tickformat="%H:%M", dtick=60_000 * _minute_step(fig))
    fig.update_traces(selector={"type": "bar"}, width=MINUTE_MS * 0.8)
    return fig


def _minute_step(fig: go.Figure) -> int:
    """A tick every minute for short spans, fewer for long ones (about eight ticks)."""
    xs = [x for trace in fig.data for x in (trace.x if trace.x is not None else ())]
    if len(xs) < 2:
        return 1
    span_min = (pd.Timestamp(max(xs)) - pd.Timestamp(min(xs))).total_seconds() / 60
    return max(1, int(span_min // 8) or 1)


def attempts_and_errors(per_minute: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(
                x=per_minute["minute"],
                y=per_minute["attempts"] - per_minute["errors"],
                name="answered",
                marker_color=ATTEMPTS_COLOR,
            ),
            go.Bar(
                x=per_minute["minute"],
                y=per_minute["errors"],
                name="failed",
                marker_color=ERRORS_COLOR,
            ),
        ]
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="HTTP attempts per minute", rangemode="tozero", tickformat=",d")
    return _tidy(fig, "Attempts and errors per minute")


def latency(per_minute: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(
                x=per_minute["minute"],
                y=per_minute[column] / 1000,
                name=name,
                mode="lines+markers",
                line={"dash": dash, "color": color},
            )
            for column, name, dash, color in (
                ("latency_p50_ms", "p50", "solid", ATTEMPTS_COLOR),
                ("latency_p95_ms", "p95", "dot", "#f58518"),
            )
        ]
    )
    fig.update_yaxes(title="seconds", rangemode="tozero")
    return _tidy(fig, "Latency per minute (p50 and p95)")


def errors_by_class(errors_per_minute: pd.DataFrame) -> go.Figure:
    """Failed attempts per minute, stacked by error class: what the retries were for."""
    fig = px.bar(
        errors_per_minute,
        x="minute",
        y="attempts",
        color="error_class",
        color_discrete_map=ERROR_CLASS_COLORS,
        labels={"attempts": "Failed attempts", "error_class": "Error class"},
    )
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    return _tidy(fig, "Retries by error class")


def tokens_and_cost(per_minute: pd.DataFrame) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, name, color in (
        ("prompt_tokens", "prompt tokens", "#9ecae9"),
        ("completion_tokens", "completion tokens", ATTEMPTS_COLOR),
    ):
        fig.add_trace(
            go.Bar(x=per_minute["minute"], y=per_minute[column], name=name, marker_color=color)
        )
    if per_minute["cost"].fillna(0).sum() > 0:  # a flat $0 line only crowds the chart
        fig.add_trace(
            go.Scatter(
                x=per_minute["minute"],
                y=per_minute["cost"].cumsum(),
                name="cost so far (USD)",
                mode="lines+markers",
                line={"color": "#21a366"},
            ),
            secondary_y=True,
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="tokens per minute", tickformat=",d", secondary_y=False)
    fig.update_yaxes(
        title="USD", tickprefix="$", rangemode="tozero", showgrid=False, secondary_y=True
    )
    return _tidy(fig, "Tokens and cost over time")
