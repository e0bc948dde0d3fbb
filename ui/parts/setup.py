"""The company set-up on a fresh database, the example company's label, and the offer to
re-analyse after a profile change. The rules live in core.profile.setup."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.access.roles import ADMINS, WORKERS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.profile.form import ProfileFormError
from core.profile.setup import (
    SetupAnswers,
    choose_example,
    close_offer,
    needs_setup,
    pending_offer,
    save_setup,
    suggestions,
    uses_example,
)
from core.views.describe import plural
from core.views.markup import escape_markdown

SETUP_NOTICE = "setup_notice"
OFFER_NOTICE = "reanalyse_offer_notice"
# Offered first in the set-up: what most bid teams bid in.
CURRENCIES = ("GBP", "EUR", "USD", "SEK", "NOK", "DKK", "CHF", "PLN", "CZK", "CAD", "AUD")


def setup_needed(ctx: AppContext) -> bool:
    return needs_setup(ctx.state, ctx.tenders)


def company_setup(ctx: AppContext, actor: Actor, load_demo: Callable[[], None]) -> None:
    """Who we are, before anything is analysed; or the demo as the example company."""
    st.subheader("Set up your company")
    if not actor.can(ADMINS):
        st.info(
            "An admin sets up the company (its name, what it does, its currency and value "
            "range) before tenders are analysed. Ask them to sign in and finish the set-up.",
            icon=":material/hourglass_top:",
        )
        return
    st.write(
        "Tenderwise judges every tender against what your company does. Tell it who you are "
        "first; everything here can be refined later in Settings."
    )
    options = suggestions()
    with st.form("company_setup", border=True):
        name = st.text_input("Company name", max_chars=120, placeholder="e.g. Acme Digital Ltd")
        summary = st.text_area(
            "What the company does, in a sentence or two",
            max_chars=2_000,
            height=80,
            placeholder="e.g. A 30-person consultancy delivering cloud hosting and cyber "
            "security for councils and the NHS.",
        )
        chosen = st.multiselect(
            "Lines of business (pick the ones you bid for)",
            [s.name for s in options],
            help="Each comes with keywords and CPV codes that find its tenders; adjust them "
            "later in Settings.",
        )
        own = st.text_area(
            "Other lines of business, one per line as 'Name: keywords'",
            max_chars=2_000,
            height=80,
            placeholder="Drone surveys: drone survey, aerial mapping, photogrammetry",
        )
        columns = st.columns(3)
        currency = columns[0].selectbox(
            "Currency", CURRENCIES, accept_new_options=True, help="An ISO 4217 code"
        )
        value_min = columns[1].number_input(
            "Smallest contract worth bidding for", min_value=0.0, step=10_000.0, format="%.0f"
        )
        value_max = columns[2].number_input(
            "Largest (0 = no maximum)", min_value=0.0, step=100_000.0, format="%.0f"
        )
        saved = st.form_submit_button("Save and start", type="primary", icon=":material/check:")
    if saved:
        answers = SetupAnswers(
            company_name=name,
            summary=summary,
            currency=str(currency or ""),
            chosen=tuple(chosen),
            own=own,
            value_min=value_min,
            value_max=value_max,
        )
        try:
            version = save_setup(ctx.state, ctx.tenders, answers, actor=actor, audit=ctx.audit())
        except (ProfileFormError, NotAllowed) as exc:
            st.error(str(exc))
        else:
            st.session_state[SETUP_NOTICE] = (
                f"{name.strip()} is set up (profile version {version}): import your tenders "
                "and Tenderwise analyses them as your company."
            )
            st.rerun()
    st.caption("Just looking? Load the demo tenders, analysed as the example company.")
    if st.button("Load the demo with the example company", icon=":material/science:"):
        choose_example(ctx.state)
        load_demo()


def example_note(ctx: AppContext) -> None:
    """While the example company is in force, say so wherever results are shown."""
    if uses_example(ctx.state):
        name = escape_markdown(ctx.profile().company_name)
        st.caption(
            f":material/info: Analysing as the **example company {name}**. "
            "Set up your own company in Settings → Company profile."
        )


def reanalyse_offer(ctx: AppContext, actor: Actor, wake_worker: Callable[[], None]) -> None:
    """After a profile change: re-analyse the undecided tenders, or keep their results."""
    if notice := st.session_state.pop(OFFER_NOTICE, None):
        st.success(notice)
    stale = pending_offer(ctx.state, ctx.tenders)
    if not stale:
        return
    with st.container(border=True):
        st.markdown(
            f"**The company profile changed.** {plural(stale, 'undecided tender')} "
            f"{'was' if stale == 1 else 'were'} analysed with the earlier profile; analyse "
            "them again to judge them as the company is now. Decisions people made stand."
        )
        if not actor.can(WORKERS):
            st.caption("Bid managers, approvers and admins re-analyse tenders.")
            return
        again, keep = st.columns([1, 1])
        if again.button(
            f"Re-analyse {plural(stale, 'tender')}",
            type="primary",
            icon=":material/refresh:",
            key="reanalyse_offer_yes",
        ):
            queued = ctx.controls().reanalyse(None, actor=actor)
            close_offer(ctx.state)
            wake_worker()
            st.session_state[OFFER_NOTICE] = (
                f"{plural(queued, 'tender')} queued for analysis with the new profile."
            )
            st.rerun()
        if keep.button("Keep their results", key="reanalyse_offer_no"):
            close_offer(ctx.state)
            st.rerun()
