"""Plotly figures for the dashboard, built from the frames core.views.dashboard returns."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.views.dashboard import StatusFunnel
from ui.widgets.components import RECOMMENDATION_COLORS

_MARGINS = {"l": 10, "r": 10, "t": 40, "b": 10}
_HEIGHT = 360


def _tidy(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, margin=_MARGINS, height=_HEIGHT)
    return fig


def fit_vs_win(points: pd.DataFrame, sized: bool) -> go.Figure:
    fig = px.scatter(
        points,
        x="strategic_fit",
        y="win_probability",
        size="bubble" if sized else None,
        size_max=28,
        color="recommendation",
        color_discrete_map=RECOMMENDATION_COLORS,
        category_orders={"recommendation": list(RECOMMENDATION_COLORS)},
        hover_name="title",
        hover_data={
            "buyer": True,
            "overall_score": ":.1f",
            "value_amount": ":,.0f",
            "value_currency": True,
            "bubble": False,
            "strategic_fit": ":.1f",
            "win_probability": ":.1f",
        },
        labels={
            "strategic_fit": "Strategic fit",
            "win_probability": "Win probability",
            "recommendation": "Recommendation",
            "overall_score": "Overall score",
            "value_amount": "Value",
            "value_currency": "Currency",
        },
        range_x=[-0.5, 10.5],
        range_y=[-0.5, 10.5],
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.18})
    return _tidy(fig, "Strategic fit × win probability")


def score_histogram(bins: pd.DataFrame, threshold: float) -> go.Figure:
    fig = px.bar(
        bins,
        x="bin_start",
        y="tenders",
        hover_name="label",
        labels={"bin_start": "Overall score", "tenders": "Tenders"},
    )
    fig.update_traces(width=0.45, offset=0.025, marker_color="#4c78a8")
    fig.add_vline(x=threshold, line_dash="dash", line_color="#d9534f")
    fig.update_xaxes(range=[0, 10], dtick=1)
    return _tidy(fig, f"Overall score distribution (dashed: bid threshold {threshold:g})")


def status_funnel(funnel: StatusFunnel) -> go.Figure:
    fig = go.Figure(
        go.Funnel(
            y=[s.stage for s in funnel.stages],
            x=[s.tenders for s in funnel.stages],
            texttemplate="%{value:,}<br>%{percentInitial:.0%}",
            marker={"color": ["#9ecae9", "#4c78a8", "#f2a900", "#21a366"]},
        )
    )
    return _tidy(fig, "From import to bid")


def categories_bar(categories: pd.DataFrame) -> go.Figure:
    fig = px.bar(
        categories.sort_values("tenders"),
        x="tenders",
        y="category",
        orientation="h",
        text="tenders",
        labels={"tenders": "Tenders", "category": ""},
    )
    fig.update_traces(marker_color="#4c78a8", texttemplate="%{x:,}")
    return _tidy(fig, "Relevant tenders per capability")


def deadlines_timeline(weeks: pd.DataFrame) -> go.Figure:
    fig = px.bar(
        weeks,
        x="week",
        y="tenders",
        labels={"week": "Week starting", "tenders": "Relevant tenders closing"},
    )
    fig.update_traces(marker_color="#f58518")
    fig.update_yaxes(
        rangemode="tozero", tickformat=",d", dtick=1 if weeks["tenders"].max() <= 8 else None
    )
    fig.update_xaxes(dtick=7 * 24 * 3600 * 1000 * 2, tickformat="%-d %b")
    return _tidy(fig, "Deadlines of relevant tenders, next 6 months")
