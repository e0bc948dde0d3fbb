"""Settings: the company profile, the review policy that routes results, the LLM endpoint.

Everyone signed in can read them; only admins change them (core checks it again).
"""

from __future__ import annotations

import streamlit as st

from core.access.roles import ADMINS
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_runtime
from ui.parts.exchange_rates import render_exchange_rates
from ui.parts.llm_endpoint import render_llm_endpoint
from ui.parts.profile import render_profile
from ui.parts.review_policy import render_review_policy

ensure_app_navigation()
st.title("Settings")
actor = current_actor()
if actor is None:
    st.stop()
if not actor.can(ADMINS):
    st.info("Only admins change settings; you can read them.", icon=":material/visibility:")

runtime = get_runtime()
ctx = runtime.ctx
profile_tab, policy_tab, llm_tab = st.tabs(["Company profile", "Review policy", "LLM endpoint"])

with llm_tab:
    render_llm_endpoint(ctx, runtime.worker.wake, actor)

with policy_tab:
    render_review_policy(ctx, runtime.worker.wake, actor)

with profile_tab:
    render_profile(ctx, runtime.worker.wake, actor)
    st.divider()
    render_exchange_rates(ctx, actor, runtime.worker.wake)
