"""The Review page's pieces, and the decision history the Tenders page shows too.

Decisions themselves (who may decide, the reason rule, where a tender goes) live in
core.review.service; these only ask and render.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import streamlit as st

from core.models import Decision, DecisionAction, Proposal, ReviewStage, TenderStatus
from core.profile.company import Thresholds
from core.review.policy import describe_policy
from core.review.service import (
    DIMENSION_LABELS,
    SCORE_DIMENSIONS,
    Overrides,
    QueueFilters,
    ReviewItem,
    format_when,
)
from core.views.describe import compact_value
from core.views.tender import pick_tender_id, tender_facts
from ui.widgets.components import (
    analyst_caption,
    md_escape,
    relevance_details,
    score_metrics,
    strengths_and_risks,
)

SELECTED_KEY = "review_tender_id"
NOTICE_KEY = "review_notice"
PENDING_KEY = "review_pending"
PAGE_SETTINGS = "pages/settings.py"
_KEY_FACTS = ("Buyer", "Value", "Deadline", "Country", "CPV codes", "Link")
_CLI_HINT = " (--reason TEXT on the command line)"


@dataclass(frozen=True)
class DecisionRequest:
    """What the reviewer clicked: an action, their reason and any values they changed."""

    tender_id: int
    action: DecisionAction
    reason: str
    overrides: Overrides | None = None


# ---------------------------------------------------------------------------- the queue
def queue_counts(queue: list[ReviewItem]) -> None:
    """'Waiting for review' and how many wait at each stage."""
    by_stage = Counter(item.stage for item in queue)
    tiles = st.columns(1 + len(ReviewStage))
    tiles[0].metric("Waiting for review", f"{len(queue):,}")
    for tile, stage in zip(tiles[1:], ReviewStage, strict=True):
        tile.metric(stage.label, f"{by_stage[stage]:,}")


def queue_filters() -> QueueFilters:
    stages, proposals, search = st.columns([2, 1, 2])
    return QueueFilters(
        stages=stages.multiselect(
            "Why it waits", list(ReviewStage), format_func=lambda s: s.label, key="review_stages"
        ),
        proposals=proposals.multiselect(
            "Analyst proposal",
            list(Proposal),
            format_func=lambda p: p.label,
            key="review_proposals",
        ),
        text=search.text_input("Search title, buyer or text", key="review_search", max_chars=200),
    )


def queue_table(queue: list[ReviewItem]) -> None:
    """The queue in the service's order (soonest deadline first); cells are plain text."""
    rows = []
    for item in queue:
        tender, relevance, rating = item.state.tender, item.state.filter, item.state.rating
        rows.append(
            {
                "id": item.tender_id,
                "title": tender.title,
                "buyer": tender.buyer,
                "why": item.stage.label,
                "Analyst proposal": item.proposal.label,
                "confidence": round(relevance.confidence * 100) if relevance else None,
                "overall score": rating.overall_score if rating else None,
                "deadline": tender.deadline,
                "value": compact_value(tender),
            }
        )
    st.dataframe(
        rows,
        hide_index=True,
        placeholder="–",
        height=min(38 + 35 * len(rows), 320),
        column_config={
            "id": st.column_config.NumberColumn("id", format="%d", width="small"),
            "title": st.column_config.TextColumn("title", width="medium"),
            "buyer": st.column_config.TextColumn("buyer", width="medium"),
            "confidence": st.column_config.NumberColumn("confidence", format="%d%%"),
            "overall score": st.column_config.NumberColumn("overall score", format="%.1f"),
            "deadline": st.column_config.DatetimeColumn("deadline", format="D MMM YYYY"),
            # "1.2M SEK", "£100k–£240k": wide enough for the figure and its currency
            "value": st.column_config.TextColumn("value", width="medium"),
        },
    )


def pick_item(queue: list[ReviewItem]) -> ReviewItem:
    """The tender being reviewed: the link's id, else the last one chosen, else the first."""
    by_id = {item.tender_id: item for item in queue}
    current = pick_tender_id(st.query_params.get("id"), st.session_state.get(SELECTED_KEY))
    ids = list(by_id)
    chosen = st.selectbox(
        "Tender to review",
        ids,
        index=ids.index(current) if current in by_id else 0,
        format_func=lambda i: f"{by_id[i].state.tender.title} — {by_id[i].stage.label} (#{i})",
    )
    select(chosen)
    return by_id[chosen]


def select(tender_id: int) -> None:
    st.session_state[SELECTED_KEY] = tender_id
    st.query_params["id"] = str(tender_id)  # a shareable link to this review


def next_in_queue(queue: list[ReviewItem], decided: int) -> int | None:
    """The tender after the decided one, else the first one left."""
    ids = [item.tender_id for item in queue]
    after = ids[ids.index(decided) + 1 :] if decided in ids else []
    rest = [i for i in ids if i != decided]
    return (after or rest or [None])[0]


def policy_caption(policy: Thresholds) -> None:
    st.caption("Routing policy: " + " ".join(describe_policy(policy)))
    st.page_link(PAGE_SETTINGS, label="Change the thresholds in Settings", icon=":material/tune:")


# ------------------------------------------------------------------------ one tender
def review_item(item: ReviewItem) -> None:
    """What the approver needs to decide: facts, why it waits, the analysis and the text."""
    state = item.state
    tender, relevance, rating = state.tender, state.filter, state.rating
    st.subheader(md_escape(tender.title), divider="gray")
    st.badge(item.stage.label, color="orange", icon=":material/pending_actions:")
    st.markdown(f"**Why it waits:** {md_escape(item.reason)}")

    facts = tender_facts(state)
    shown = [(label, value) for label, value in facts.facts if label in _KEY_FACTS]
    grid = st.columns(3)
    for i, (label, value) in enumerate(shown):
        with grid[i % 3]:
            st.caption(label)
            st.text(value)
    if facts.url:
        st.link_button("Open the notice", facts.url, icon=":material/open_in_new:")

    verdict = st.columns(3)
    verdict[0].metric("Analyst proposal", item.proposal.label)
    if relevance is not None:
        verdict[1].metric("Relevant", "Yes" if relevance.is_relevant else "No")
        verdict[2].metric("Confidence", f"{relevance.confidence:.0%}")
        relevance_details(relevance)
        _provenance(relevance, "Filtered")

    if rating is None:
        st.caption("Not rated.")
    else:
        score_metrics(rating)
        strengths_and_risks(rating)
        st.text(f"Recommendation: {rating.recommendation.label}")
        if rating.reasoning:
            st.text(rating.reasoning)
        _provenance(rating, "Rated")

    with st.expander("Full text"):
        st.text(tender.description or "No description was published.")


def _provenance(result: Any, what: str) -> None:
    analyst_caption(result, what)
    if result.prompt_version:
        st.caption(f"Prompt version {md_escape(result.prompt_version)}")


# --------------------------------------------------------------------- the decision
def decision_buttons(item: ReviewItem) -> None:
    """Reason, then Accept (the analyst's proposal), Go or No-go."""
    tender_id = item.tender_id
    st.text_area(
        "Reason",
        key=f"review_reason_{tender_id}",
        max_chars=2_000,
        placeholder="Needed when you decide differently from the analyst: say why.",
    )
    accept = st.container()  # on its own row: "Accept (No-go)" needs the width
    go, no_go = st.columns(2)
    for column, action, label, kind, help_text in (
        (
            accept,
            DecisionAction.ACCEPT,
            f"Accept ({item.proposal.label})",
            "primary",
            "Take the analyst's proposal as it is; a reason is optional.",
        ),
        (go, DecisionAction.GO, "Go", "secondary", "Write a bid; say why in the reason."),
        (no_go, DecisionAction.NO_GO, "No-go", "secondary", "Do not bid; say why in the reason."),
    ):
        column.button(
            label,
            key=f"review_{action.value}_{tender_id}",
            type=kind,
            width="stretch",
            help=help_text,
            on_click=_ask,
            args=(tender_id, action),
        )


def override_form(item: ReviewItem) -> None:
    """Go or no-go with the reviewer's own relevance verdict and scores."""
    tender_id, relevance, rating = item.tender_id, item.state.filter, item.state.rating
    with (
        st.expander("Override relevance or scores"),
        st.form(f"review_override_{tender_id}", border=False),
    ):
        st.radio(
            "Relevant",
            [True, False],
            index=0 if relevance is None or relevance.is_relevant else 1,
            format_func=lambda yes: "Yes" if yes else "No",
            horizontal=True,
            key=f"override_is_relevant_{tender_id}",
        )
        if rating is not None:
            columns = st.columns(2)
            for i, name in enumerate(SCORE_DIMENSIONS):
                columns[i % 2].number_input(
                    DIMENSION_LABELS[name],
                    min_value=0.0,
                    max_value=10.0,
                    value=float(getattr(rating, name)),
                    step=0.1,
                    format="%.1f",
                    key=f"override_{name}_{tender_id}",
                )
        st.text_area("Reason for these values", max_chars=2_000, key=f"override_reason_{tender_id}")
        go, no_go = st.columns(2)
        for column, action, label in (
            (go, DecisionAction.GO, "Go with these values"),
            (no_go, DecisionAction.NO_GO, "No-go with these values"),
        ):
            column.form_submit_button(
                label, width="stretch", on_click=_ask, args=(tender_id, action, True)
            )


def _ask(tender_id: int, action: DecisionAction, with_values: bool = False) -> None:
    """Remember which tender the click was for, so it never lands on another one."""
    state = st.session_state
    overrides = None
    if with_values:
        scores = {
            name: round(float(state[key]), 1)
            for name in SCORE_DIMENSIONS
            if (key := f"override_{name}_{tender_id}") in state
        }
        overrides = Overrides(is_relevant=state.get(f"override_is_relevant_{tender_id}"), **scores)
    prefix = "override" if with_values else "review"
    reason = state.get(f"{prefix}_reason_{tender_id}") or ""
    state[PENDING_KEY] = DecisionRequest(tender_id, action, reason, overrides)


def take_request() -> DecisionRequest | None:
    """The decision asked for by the click that started this run, if any."""
    return st.session_state.pop(PENDING_KEY, None)


def error_text(exc: Exception) -> str:
    """The service's one sentence, without its command-line hint, safe to show."""
    return md_escape(str(exc).replace(_CLI_HINT, ""))


def decision_notice(decision: Decision, by: str | None = None) -> str:
    """'Go recorded for tender 12 by Alice Martin; its bid is being written.' (`by`: how the
    page names the decider, else their username)."""
    who = f"for tender {decision.tender_id} by {by or decision.decided_by}"
    bid = (
        "; its bid is being written."
        if decision.status_after is TenderStatus.APPROVED
        else f"; it is now {decision.status_after.label.lower()}."
    )
    if decision.action is DecisionAction.ACCEPT:
        proposal = decision.ai_proposal.label if decision.ai_proposal else "the proposal"
        return f"Accepted: {proposal} {who}{bid}"
    return f"{decision.action.label} recorded {who}{bid}"


# ----------------------------------------------------------------- decision history
def decision_history(decisions: list[Decision], waiting: bool = False) -> None:
    """Every decision on a tender, oldest first, with the analysis it was made on."""
    if not decisions:
        st.caption(
            "No decision yet." if waiting else "No decision yet: the analysis routed it on its own."
        )
        return
    st.dataframe(
        [_history_row(d) for d in decisions],
        hide_index=True,
        placeholder="–",
        column_config={"reason": st.column_config.TextColumn("reason", width="large")},
    )


def _history_row(decision: Decision) -> dict[str, Any]:
    when = decision.decided_at
    when = when.astimezone(UTC) if when.tzinfo else when
    return {
        "when": format_when(when),
        "who": decision.decided_by,
        "role": decision.role.label,
        "action": decision.action.label,
        "status": f"{decision.status_before.label} → {decision.status_after.label}",
        "reason": decision.reason,
        "Analyst proposal": decision.ai_proposal.label if decision.ai_proposal else None,
        "Analyst confidence": f"{decision.ai_confidence:.0%}"
        if decision.ai_confidence is not None
        else None,
        "Analyst score": f"{decision.ai_score:.1f}" if decision.ai_score is not None else None,
        "overridden": overrides_text(decision.overrides) or None,
        "analyst": decision.analyst,
        "model": decision.model,
        "prompt version": decision.prompt_version,
    }


def overrides_text(overrides: dict[str, dict[str, Any]]) -> str:
    """'Overall score 5.9 → 7.0; Relevance not relevant → relevant'."""
    return "; ".join(
        f"{DIMENSION_LABELS.get(name, name)} {_value(change.get('ai'))} → "
        f"{_value(change.get('reviewer'))}"
        for name, change in overrides.items()
    )


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "relevant" if value else "not relevant"
    if isinstance(value, int | float):
        return f"{value:.1f}"
    return "–" if value is None else str(value)
