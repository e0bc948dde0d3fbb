"""Review: the tenders waiting for a person, one at a time: accept, go or no-go."""

from __future__ import annotations

import streamlit as st

from core.access.roles import DECIDERS, Actor, NotAllowed
from core.models import TenderStatus
from core.review.service import ReviewError, ReviewItem
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context, get_runtime
from ui.parts.document_facts import documents_in_brief
from ui.parts.review import (
    NOTICE_KEY,
    DecisionRequest,
    decision_buttons,
    decision_notice,
    error_text,
    next_in_queue,
    override_form,
    pick_item,
    policy_caption,
    queue_counts,
    queue_filters,
    queue_table,
    review_item,
    select,
    take_request,
)
from ui.widgets.components import PAGE_DASHBOARD, require_tenders, show_notice

READ_ONLY = "Only approvers and admins decide; you can read the queue."


def settle(request: DecisionRequest | None, queue: list[ReviewItem], actor: Actor) -> None:
    """Record the decision just clicked; then show the next tender, or say why it was not."""
    if request is None:
        return
    try:
        decision = review.decide(
            request.tender_id, request.action, actor, request.reason, request.overrides
        )
    except (ReviewError, NotAllowed) as exc:
        st.error(error_text(exc))
        return
    if decision.status_after is TenderStatus.APPROVED:
        get_runtime().worker.wake()  # write the bid now, not at the next poll
    st.session_state[NOTICE_KEY] = decision_notice(decision, actor.label)
    following = next_in_queue(queue, request.tender_id)
    if following is not None:
        select(following)
    st.rerun()


ensure_app_navigation()
st.title("Review")
actor = current_actor()
if actor is None:
    st.stop()
decides = actor.can(DECIDERS)
require_tenders()
ctx = get_context()
review = ctx.review()
show_notice(NOTICE_KEY)
request = take_request()  # taken now, so that a click is never replayed on a later run

waiting = review.queue()
queue_counts(waiting)
if not waiting:
    settle(request, [], actor)
    st.success("Nothing waits for review: every analysed tender has been routed or decided.")
    st.page_link(
        PAGE_DASHBOARD, label="See every tender on the Dashboard", icon=":material/monitoring:"
    )
    policy_caption(ctx.profile().thresholds)
    st.stop()

filters = queue_filters()
queue = filters.select(waiting)
if not queue:
    settle(request, [], actor)
    st.info(
        f"No tender in the queue matches these filters; clear them to see all {len(waiting):,}."
    )
    policy_caption(ctx.profile().thresholds)
    st.stop()
if len(queue) < len(waiting):
    st.caption(f"Showing {len(queue):,} of {len(waiting):,} waiting tenders.")
queue_table(queue)
item = pick_item(queue)

details, decision_panel = st.columns([3, 2], gap="large")
with details:
    review_item(item)
    documents_in_brief(ctx, item.state.tender)
with decision_panel:
    st.subheader("Decision")
    if decides:
        decision_buttons(item)
        with st.container():
            settle(request, queue, actor)  # errors and warnings show under the buttons
        override_form(item)
    else:
        st.info(READ_ONLY, icon=":material/visibility:")

st.divider()
policy_caption(ctx.profile().thresholds)
