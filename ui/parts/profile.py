"""Settings → Company profile: what the company sells and never bids for.

Admins edit it in a form; everyone else reads it. Saving and the role check live in
core.profile.form.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.analysts.wording import language_label
from core.bootstrap import AppContext
from core.profile.form import (
    ProfileForm,
    ProfileFormError,
    capability_rows,
    form_from_profile,
    language_options,
    languages_text,
    reset_profile,
    save_profile_form,
)
from core.profile.setup import profile_changed
from core.views.describe import money_text
from ui.parts.setup import example_note, reanalyse_offer

CAPABILITIES_KEY = "profile_capabilities"


def render_profile(ctx: AppContext, wake_worker: Callable[[], None], actor: Actor) -> None:
    st.write(
        "What your company sells and never bids for. The analyst uses this profile for every "
        "tender analysed from now on; after a change, Tenderwise offers to analyse the "
        "undecided tenders again."
    )
    profile = ctx.profile()
    version = ctx.state.profile_version()
    form = form_from_profile(profile)
    st.caption(f"Profile version {version} is in force. Every save creates a new version.")
    if notice := st.session_state.pop("settings_notice", None):
        st.success(notice)
    example_note(ctx)
    if not actor.can(ADMINS):
        _read_only(form)
        return

    with st.form("profile", border=True):
        st.subheader("Company")
        company_name = st.text_input("Company name", form.company_name, max_chars=120)
        summary = st.text_area("Summary", form.summary, max_chars=2_000, height=100)
        languages = st.multiselect(
            "Working languages",
            language_options(form.languages),
            default=form.languages,
            format_func=language_label,
            help=(
                "The languages your team bids in, and writes the keywords below in. For notices "
                "in other languages the rules analyst leans on CPV codes. The first one is "
                "assumed for notices that do not say."
            ),
        )

        st.subheader("Capabilities")
        st.caption(
            "One row per line of business. Keywords and CPV prefixes are comma-separated; "
            "a tender matching either counts as relevant, and so does one whose wording reads "
            "like what we do. Add or delete rows at the bottom of the table."
        )
        capabilities = st.data_editor(
            pd.DataFrame([row.model_dump() for row in form.capabilities]),
            key=CAPABILITIES_KEY,
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "name": st.column_config.TextColumn("Capability", width="small", required=True),
                "description": st.column_config.TextColumn(
                    "What we do (plain words)",
                    width="large",
                    max_chars=300,
                    help="A sentence or two in the words a buyer would use; the analyst "
                    "recognises tenders that read like it, even without a keyword.",
                ),
                "keywords": st.column_config.TextColumn("Keywords", width="large"),
                "cpv_prefixes": st.column_config.TextColumn("CPV prefixes", width="medium"),
            },
        )

        st.subheader("Exclusions")
        left, right = st.columns(2)
        exclusion_keywords = left.text_area(
            "Keywords that mean “not for us” (one per line)", form.exclusion_keywords, height=200
        )
        exclusion_cpv = right.text_area(
            "CPV prefixes that mean “not for us” (one per line)",
            form.exclusion_cpv_prefixes,
            height=200,
        )

        st.subheader("Contract value")
        columns = st.columns(3)
        currency = columns[0].text_input("Currency (ISO code)", form.currency, max_chars=3)
        value_min = columns[1].number_input(
            "Preferred minimum value",
            min_value=0.0,
            value=float(form.value_min),
            step=10_000.0,
            format="%.0f",
        )
        value_max = columns[2].number_input(
            "Preferred maximum value (0 = no maximum)",
            min_value=0.0,
            value=float(form.value_max),
            step=10_000.0,
            format="%.0f",
        )
        saved = st.form_submit_button("Save profile", type="primary", icon=":material/save:")

    if saved:
        edited = ProfileForm(
            company_name=company_name,
            summary=summary,
            capabilities=capability_rows(capabilities.to_dict("records")),
            exclusion_keywords=exclusion_keywords,
            exclusion_cpv_prefixes=exclusion_cpv,
            languages=languages,
            currency=currency,
            value_min=value_min,
            value_max=value_max,
        )
        try:
            new_version = save_profile_form(ctx.state, edited, actor=actor, audit=ctx.audit())
        except (ProfileFormError, NotAllowed) as exc:
            st.error(str(exc))
        else:
            profile_changed(ctx.state, ctx.tenders, new_version)
            wake_worker()
            # start the next run from the stored profile, not from the table's pending edits
            st.session_state.pop(CAPABILITIES_KEY, None)
            st.session_state["settings_notice"] = (
                f"Saved as profile version {new_version}; it applies to the next tenders analysed."
            )
            st.rerun()
    # Right under the form, where the eyes are after "Save profile".
    reanalyse_offer(ctx, actor, wake_worker)

    st.divider()
    if st.button("Reset to default profile", icon=":material/restart_alt:"):
        try:
            new_version = reset_profile(ctx.state, actor=actor, audit=ctx.audit())
        except NotAllowed as exc:
            st.error(str(exc))
            return
        profile_changed(ctx.state, ctx.tenders, new_version)
        st.session_state.pop(CAPABILITIES_KEY, None)
        st.session_state["settings_notice"] = (
            f"The default profile is back in force (version {new_version})."
        )
        st.rerun()


def _read_only(form: ProfileForm) -> None:
    """The profile as text: no field to change."""
    st.subheader("Company")
    st.text(form.company_name)
    if form.summary:
        st.text(form.summary)
    st.text(f"Working languages: {languages_text(form.languages)}")
    st.subheader("Capabilities")
    st.dataframe(
        [row.model_dump() for row in form.capabilities],
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Capability", width="small"),
            "description": st.column_config.TextColumn("What we do", width="large"),
            "keywords": st.column_config.TextColumn("Keywords", width="large"),
            "cpv_prefixes": st.column_config.TextColumn("CPV prefixes", width="medium"),
        },
    )
    st.subheader("Exclusions")
    left, right = st.columns(2)
    left.caption("Keywords that mean “not for us”")
    left.text(form.exclusion_keywords or "none")
    right.caption("CPV prefixes that mean “not for us”")
    right.text(form.exclusion_cpv_prefixes or "none")
    st.subheader("Contract value")
    low = money_text(form.value_min, form.currency) if form.value_min else "no minimum"
    high = money_text(form.value_max, form.currency) if form.value_max else "no maximum"
    st.text(f"Preferred value: {low} to {high} ({form.currency})")
