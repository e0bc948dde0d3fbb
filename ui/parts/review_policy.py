"""Settings → Review policy: when results route themselves and when a person decides."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.review.policy import PolicyError, describe_policy, save_policy

_NOTICE = "policy_notice"


def render_review_policy(ctx: AppContext, wake_worker: Callable[[], None], actor: Actor) -> None:
    policy = ctx.profile().thresholds
    st.write(
        "Results the analyst is unsure about wait on the Review page for an approver; "
        "no bid is written for a tender until it is approved. Teams usually start with every "
        "bid reviewed and let only confident results through once they trust the analyst."
    )
    if notice := st.session_state.pop(_NOTICE, None):
        st.success(notice)
    st.markdown("\n".join(f"- {line}" for line in describe_policy(policy)))
    if not actor.can(ADMINS):
        return  # read-only: the policy in words above

    with st.form("review_policy", border=True):
        st.subheader("Relevance")
        left, right = st.columns(2)
        min_confidence = left.slider(
            "Minimum relevance confidence",
            0.0,
            1.0,
            float(policy.min_relevance_confidence),
            0.05,
            help="Verdicts less confident than this count as not relevant, without review.",
        )
        auto_accept = right.slider(
            "Auto-accept confidence",
            0.0,
            1.0,
            float(policy.auto_accept_confidence),
            0.05,
            help="Verdicts at least this confident route themselves; between the two levels "
            "they wait for review.",
        )
        st.subheader("Scores")
        left, right = st.columns(2)
        min_bid_score = left.slider(
            "Bid threshold (minimum overall score)",
            0.0,
            10.0,
            float(policy.min_bid_score),
            0.5,
            help="Relevant tenders scoring below this are 'rated low'; at or above, a bid is due.",
        )
        band = right.slider(
            "Review band around the threshold (±)",
            0.0,
            3.0,
            float(policy.score_review_band),
            0.25,
            help="Overall scores this close to the threshold wait for review. 0 turns it off.",
        )
        every_bid = st.toggle(
            "Every bid needs approval",
            value=policy.every_bid_needs_approval,
            help="On: every tender the analyst would bid for waits for an approver first.",
        )
        saved = st.form_submit_button("Save review policy", type="primary", icon=":material/save:")

    if saved:
        try:
            version = save_policy(
                ctx.state,
                actor=actor,
                audit=ctx.audit(),
                min_relevance_confidence=min_confidence,
                auto_accept_confidence=auto_accept,
                min_bid_score=min_bid_score,
                score_review_band=band,
                every_bid_needs_approval=every_bid,
            )
        except (PolicyError, NotAllowed) as exc:
            st.error(str(exc))
        else:
            wake_worker()
            st.session_state[_NOTICE] = (
                f"Saved as profile version {version}; tenders analysed from now on are routed "
                "with it. Tenders already waiting stay in the queue."
            )
            st.rerun()
