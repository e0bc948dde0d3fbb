"""Streamlit pieces shared by several pages. Business rules stay in core/."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import streamlit as st

from core.access.passwords import MIN_PASSWORD_LENGTH
from core.access.roles import WORKERS, Actor
from core.analysts.wording import format_date
from core.imports.service import load_demo
from core.models import (
    AnalysisProvenance,
    FilterResult,
    ImportSummary,
    RatingResult,
    Tender,
    TenderStatus,
)
from core.pipeline.status import pipeline_status
from core.profile.setup import choose_example
from core.views.describe import describe_analyst, money_text, plural
from core.views.markup import escape_markdown as md_escape
from core.views.markup import safe_markdown
from ui.app.acting_user import current_actor
from ui.app.runtime import get_context, get_runtime

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]

_STATUS_COLORS: dict[TenderStatus, BadgeColor] = {
    TenderStatus.PENDING: "gray",
    TenderStatus.PROCESSING: "blue",
    TenderStatus.FILTERED_OUT: "gray",
    TenderStatus.RATED_LOW: "orange",
    TenderStatus.NEEDS_REVIEW: "yellow",
    TenderStatus.APPROVED: "violet",
    TenderStatus.REJECTED: "red",
    TenderStatus.COMPLETE: "green",
    TenderStatus.ERROR: "red",
}

# Plotly colours for recommendations, matching the badges.
RECOMMENDATION_COLORS = {"Bid": "#21a366", "Consider": "#f2a900", "No bid": "#d9534f", "–": "#999"}

PAGE_HOME = "pages/home.py"
PAGE_IMPORT = "pages/import.py"
PAGE_DASHBOARD = "pages/dashboard.py"
PAGE_PIPELINE = "pages/pipeline.py"
PAGE_TENDER = "pages/tenders.py"
PAGE_REVIEW = "pages/review.py"
PAGE_BIDS = "pages/bids.py"


def status_badge(status: TenderStatus) -> None:
    st.badge(status.label, color=_STATUS_COLORS[status], help=f"status: {status.value}")


def analyst_caption(result: AnalysisProvenance, what: str) -> None:
    """'Rated by rules: offline CPV + keyword analyst on 3 Mar 2026 14:02 UTC.'"""
    when = f"{format_date(result.created_at)} {result.created_at:%H:%M} UTC"
    model = (
        f" (model {result.model})" if result.model and result.model not in result.analyst else ""
    )
    st.caption(f"{what} by {describe_analyst(result.analyst)}{model} on {when}.")


def score_metrics(rating: RatingResult) -> None:
    columns = st.columns(4)
    columns[0].metric("Overall score", f"{rating.overall_score:.1f} / 10")
    columns[1].metric("Strategic fit", f"{rating.strategic_fit:.1f} / 10")
    columns[2].metric("Win probability", f"{rating.win_probability:.1f} / 10")
    columns[3].metric(
        "Effort required", f"{rating.effort_required:.1f} / 10", help="10 means a very heavy bid"
    )


def bullet_list(items: Sequence[str], empty: str) -> None:
    """Tender-derived lines as a list; their own Markdown and HTML are shown literally."""
    if not items:
        st.caption(empty)
        return
    st.markdown("\n".join(f"- {md_escape(item)}" for item in items))


def relevance_details(relevance: FilterResult) -> None:
    """A verdict's capabilities, reasoning and evidence (the caller shows the verdict)."""
    if relevance.categories:
        st.text("Capabilities: " + ", ".join(relevance.categories))
    if relevance.reasoning:
        st.text(relevance.reasoning)
    st.caption("Evidence")
    bullet_list(relevance.evidence, "No evidence recorded.")


def strengths_and_risks(rating: RatingResult) -> None:
    """Strengths and risks side by side."""
    strengths, risks = st.columns(2)
    with strengths:
        st.markdown("**Strengths**")
        bullet_list(rating.strengths, "None recorded.")
    with risks:
        st.markdown("**Risks**")
        bullet_list(rating.risks, "None recorded.")


def notice_parts(tender: Tender) -> None:
    """A notice's lots, when it has any (its document links: ui.parts.document_links)."""
    if tender.lots:
        with st.expander(f"Lots ({len(tender.lots)})"):
            st.dataframe(
                [
                    {
                        "lot": lot.id or "–",
                        "title": lot.title or "–",
                        "value": money_text(lot.value_amount, lot.value_currency),
                        "CPV": ", ".join(lot.cpv_codes) or "–",
                    }
                    for lot in tender.lots
                ],
                hide_index=True,
                width="stretch",
            )


def show_notice(key: str) -> None:
    """The outcome of the click before the rerun (kept under `key`), shown once."""
    notice = st.session_state.pop(key, None)
    if notice:
        st.success(md_escape(notice), icon=":material/check_circle:")


def safe_text(text: str) -> None:
    """Analyst-written text with its headings and lists, but no links, images or HTML."""
    st.markdown(safe_markdown(text))


def load_demo_button(key: str, *, primary: bool = True) -> ImportSummary | None:
    """'Load demo tenders': stores them, wakes the worker, and says what happened.

    Shown only to those who may import (everyone but viewers).
    """
    actor = current_actor()
    if actor is None or not actor.can(WORKERS):
        st.caption("Bid managers, approvers and admins import tenders.")
        return None
    if not st.button(
        "Load demo tenders",
        key=key,
        type="primary" if primary else "secondary",
        icon=":material/science:",
    ):
        return None
    return load_demo_now(actor)


def load_demo_now(actor: Actor) -> ImportSummary:
    """Store the demo tenders (as the example company, when no company is set up yet)."""
    runtime = get_runtime()
    ctx = runtime.ctx
    choose_example(ctx.state)
    summary = load_demo(ctx.tenders, actor=actor, audit=ctx.audit(), now=ctx.clock())
    runtime.worker.wake()
    if summary.new:
        st.success(
            f"Loaded {summary.new} demo tenders; analysis has started "
            "(watch it on the Pipeline page)."
        )
    else:
        st.info("The demo tenders are already loaded.")
    return summary


def analysis_progress_note(key: str) -> None:
    """While tenders wait for analysis, say that the numbers shown will still change."""
    status = pipeline_status(get_context())
    if not status.waiting:
        return
    text, button = st.columns([5, 1], vertical_alignment="center")
    state = "paused" if status.paused else "in progress"
    text.info(
        f"Analysis {state}: {plural(status.waiting, 'tender')} still waiting, "
        "so these numbers will change.",
        icon=":material/hourglass_top:",
    )
    button.button("Refresh", key=key, icon=":material/refresh:")


def require_tenders() -> None:
    """On an empty database, tell the user how to get tenders in, and stop the page."""
    if get_context().tenders.count() > 0:
        return
    st.info("No tenders yet. Import a file of tenders, or load the demo tenders to look around.")
    left, right = st.columns([1, 3])
    with left:
        load_demo_button(key="require_tenders_demo")
    with right:
        st.page_link(PAGE_IMPORT, label="Import tenders", icon=":material/upload_file:")
    st.stop()


def refusal(filename: str, reason: str) -> str:
    """The one line for a refused file, naming the file once."""
    return reason if filename in reason else f"{filename}: {reason}"


def import_summary(summary: ImportSummary) -> None:
    """One file's outcome: refused (one error line) or counts plus the row errors."""
    if summary.failed:
        st.error(md_escape(refusal(summary.filename, summary.failed)))
        return
    problems = summary.refused_rows
    text = f"**{md_escape(summary.filename)}** ({summary.format}): {summary.counts_text()}"
    (st.warning if problems else st.success)(text)
    if summary.errors:
        label = f"Rows skipped or flagged in {md_escape(summary.filename)}"
        with st.expander(label, expanded=bool(problems)):
            st.dataframe(
                [{"row": e.row, "problem": e.message} for e in summary.errors],
                hide_index=True,
                column_config={"row": st.column_config.NumberColumn("Row", format="%d")},
            )


def new_password_input(label: str = "Password", *, note: str = "") -> str:
    """A field for a password being set: the minimum length in its help, `note` after it."""
    return st.text_input(
        label,
        type="password",
        max_chars=1024,
        help=f"At least {MIN_PASSWORD_LENGTH} characters{note}",
        autocomplete="new-password",
    )
