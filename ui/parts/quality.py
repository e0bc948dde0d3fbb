"""The Quality page's parts: agreement with the team, the team model, evaluations."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.models import EvaluationRecord
from core.quality.evaluate import EvaluationError, evaluate_uploads
from core.quality.labels import LabelError
from core.quality.summary import QualitySummary
from core.quality.team import NotEnoughLabels
from core.views.markup import escape_markdown
from ui.app.runtime import get_runtime
from ui.widgets.components import md_escape

NOTICE_KEY = "quality_notice"
_MARGINS = {"l": 10, "r": 10, "t": 40, "b": 10}


# ----------------------------------------------------------------- agreement and the model
def agreement(summary: QualitySummary) -> None:
    tiles = st.columns(4)
    tiles[0].metric(
        "Labels from the team",
        f"{summary.labels:,}",
        help="Feedback, relevance overrides, accepted relevance verdicts and go decisions.",
    )
    tiles[1].metric("Relevant", f"{summary.relevant:,}")
    tiles[2].metric(
        "Agree with the analyst",
        f"{summary.agreement:.0%}" if summary.agreement is not None else "–",
        help=f"Of {summary.compared} labels given on an analyst's verdict.",
    )
    tiles[3].metric("Relevance overrides", f"{summary.overrides.get('Relevance', 0):,}")
    st.dataframe(
        pd.DataFrame(
            {"dimension": list(summary.overrides), "overrides": list(summary.overrides.values())}
        ),
        hide_index=True,
        on_select="ignore",
    )


def team_model(ctx: AppContext, summary: QualitySummary, actor: Actor) -> str | None:
    """The model's state and a button to train it now; returns a notice after training."""
    st.write(escape_markdown(summary.model_state))
    train, rescore = st.columns([1, 2])
    if (
        summary.model is not None
        and summary.model.in_use
        and rescore.button(
            "Re-score tenders with it",
            icon=":material/refresh:",
            help="Re-analyse every tender nobody said go, no-go or relevant to (like "
            "`reanalyse --all`); bid drafts are kept.",
        )
    ):
        try:
            queued = ctx.controls().reanalyse(None, actor=actor)
        except NotAllowed as exc:
            st.warning(md_escape(str(exc)))
            return None
        get_runtime().worker.wake()
        return f"{queued:,} tenders are queued to be analysed again with the team model."
    if not train.button("Train the team model now", icon=":material/model_training:"):
        return None
    try:
        record = ctx.learner().learn(actor)
    except (NotEnoughLabels, NotAllowed) as exc:
        st.warning(md_escape(str(exc)))
        return None
    used = "It is in use" if record.in_use else "It is not used: it does not beat the rules"
    return (
        f"Team model {record.id} trained on {record.labels} labels: F1 {record.learned_f1:.3f} "
        f"against {record.base_f1:.3f} for the rules alone. {used}."
    )


def suggested_level(ctx: AppContext, summary: QualitySummary, actor: Actor) -> str | None:
    """The suggested auto-accept level; admins apply it with one click (audited)."""
    st.write(escape_markdown(summary.suggestion_note))
    if summary.suggestion is None:
        return None
    is_admin = actor.can(ADMINS)
    clicked = st.button(
        f"Use {summary.suggestion.level:.0%} as the auto-accept level",
        disabled=not is_admin,
        help=None if is_admin else "Only admins change the review policy.",
        icon=":material/rule:",
    )
    if not clicked:
        return None
    try:
        level = ctx.quality().apply_suggestion(actor, summary.target)
    except (ValueError, NotAllowed) as exc:
        st.warning(md_escape(str(exc)))
        return None
    return f"The auto-accept level is now {level:.0%}; tenders analysed from now on use it."


# ------------------------------------------------------------------------- evaluations
def evaluation_form(ctx: AppContext, actor: Actor) -> EvaluationRecord | None:
    """Upload tender files and a labels CSV; runs the evaluation in a scratch database (the
    result is the newest of the history shown below)."""
    with st.form("evaluate", clear_on_submit=False):
        files = st.file_uploader("Tender files", accept_multiple_files=True, key="quality_files")
        labels = st.file_uploader(
            "Labels (CSV with id,relevant: the notices' own ids; yes/no)",
            type=["csv", "txt"],
            key="quality_labels",
        )
        hide_cpv = st.checkbox(
            "Text only: hide the notices' CPV codes from the analyst", key="quality_hide_cpv"
        )
        submitted = st.form_submit_button("Evaluate", type="primary", icon=":material/science:")
    if not submitted:
        return None
    if not files or labels is None:
        st.warning("Upload at least one file of tenders and a labels CSV to evaluate.")
        return None
    uploads = [(f.name, f.getvalue()) for f in files]
    try:
        with st.spinner("Analysing the labelled notices in a scratch database…"):
            _, record = evaluate_uploads(
                ctx, uploads, (labels.name, labels.getvalue()), actor=actor, hide_cpv=hide_cpv
            )
    except (LabelError, EvaluationError, NotAllowed) as exc:
        st.error(md_escape(str(exc)))
        return None
    return record


def evaluation_result(record: EvaluationRecord) -> None:
    result = record.result
    codes = "text only" if record.hide_cpv else "with CPV codes"
    st.caption(
        escape_markdown(
            f"Evaluation {record.id} of {record.files} ({codes}) by {record.created_by}, "
            f"analyst {record.analyst}."
        )
    )
    tiles = st.columns(5)
    tiles[0].metric("Notices", f"{result['n']:,}")
    tiles[1].metric("Precision", f"{result['precision']:.2f}")
    tiles[2].metric("Recall", f"{result['recall']:.2f}")
    tiles[3].metric("F1", f"{result['f1']:.2f}")
    tiles[4].metric("Routed to review", f"{result['review_share']:.0%}")
    left, right = st.columns(2)
    left.plotly_chart(confusion_matrix(result), width="stretch", key=f"cm_{record.id}")
    right.plotly_chart(reliability_diagram(result), width="stretch", key=f"rd_{record.id}")
    st.dataframe(
        pd.DataFrame(result["calibration"]).rename(
            columns={
                "low": "from",
                "high": "to",
                "count": "notices",
                "mean_confidence": "mean confidence",
                "accuracy": "right",
            }
        ),
        hide_index=True,
        on_select="ignore",
    )
    st.caption(f"Expected calibration error: {result['ece']:.3f}")


def confusion_matrix(result: dict[str, Any]) -> go.Figure:
    z = [[result["tp"], result["fn"]], [result["fp"], result["tn"]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["found relevant", "found not relevant"],
            y=["labelled relevant", "labelled not"],
            text=z,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        )
    )
    fig.update_layout(title="Confusion matrix", margin=_MARGINS, height=320)
    fig.update_yaxes(autorange="reversed")
    return fig


def reliability_diagram(result: dict[str, Any]) -> go.Figure:
    bins = result["calibration"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0.5, 1.0],
            y=[0.5, 1.0],
            mode="lines",
            name="perfectly calibrated",
            line={"dash": "dash", "color": "grey"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[b["mean_confidence"] for b in bins],
            y=[b["accuracy"] for b in bins],
            mode="lines+markers",
            name="the analyst",
            marker={"size": [8 + min(b["count"], 60) / 3 for b in bins]},
            text=[f"{b['count']} notices" for b in bins],
            hovertemplate="confidence %{x:.2f}<br>right %{y:.0%}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Reliability: how often a verdict is right at each confidence",
        margin=_MARGINS,
        height=320,
        xaxis={"title": "confidence", "range": [0.45, 1.02]},
        yaxis={"title": "share right", "range": [0, 1.05]},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def history(records: list[EvaluationRecord]) -> EvaluationRecord | None:
    """Past evaluations, newest first; returns the one picked to show (else the newest)."""
    if not records:
        st.caption("No evaluation yet: upload labelled notices above, or run `evaluate`.")
        return None
    rows = [
        {
            "id": r.id,
            "when": r.created_at,
            "by": r.created_by,
            "files": r.files,
            "text only": r.hide_cpv,
            "analyst": r.analyst,
            "notices": r.result.get("n"),
            "precision": r.result.get("precision"),
            "recall": r.result.get("recall"),
            "F1": r.result.get("f1"),
            "review": r.result.get("review_share"),
            "ECE": r.result.get("ece"),
        }
        for r in records
    ]
    event = st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="quality_history",
        column_config={
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm"),
            "review": st.column_config.NumberColumn("review", format="percent"),
        },
    )
    picked = event.selection.rows if event is not None else []
    return records[picked[0]] if picked else records[0]
