"""The LLM endpoint section of Settings: the form, Test connection, values in force, refusals."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.llm.probe import ProbeReport
from core.views.llm_settings import (
    FIELD_LABELS,
    EndpointFormValues,
    endpoint_form,
    forget_refusals,
    models_text,
    probe_connection,
    remembered_refusals,
    save_endpoint_form,
)
from core.views.operations import latency_text
from ui.widgets.components import md_escape


def render_llm_endpoint(ctx: AppContext, wake_worker: Callable[[], None], actor: Actor) -> None:
    """The form for admins; for everyone else, the values in force as a table."""
    admin = actor.can(ADMINS)
    llm = endpoint_form(ctx)
    if llm.active:
        st.caption(f"Active analyst: {md_escape(llm.analyst)}")
    else:
        st.info(
            "No base URL is set, so the offline rules analyst (CPV codes + keywords) is in use. "
            + (
                "To switch to the LLM analyst, enter the base URL of an OpenAI-compatible "
                "endpoint below and save (or set LLM_BASE_URL); put the key in LLM_API_KEY in "
                "the environment or .streamlit/secrets.toml."
                if admin
                else "An admin can switch to the LLM analyst here."
            ),
            icon=":material/info:",
        )
    st.caption(llm.api_key_text)
    if llm_notice := st.session_state.pop("llm_notice", None):
        st.success(llm_notice)

    if admin:
        _endpoint_form(ctx, wake_worker, actor, llm.values)
    _in_force(ctx, llm.source_rows(), llm.active, actor)


def _endpoint_form(
    ctx: AppContext,
    wake_worker: Callable[[], None],
    actor: Actor,
    current: EndpointFormValues,
) -> None:
    with st.form("llm_endpoint", border=True):
        st.caption("Leave a field blank to use the value from the environment.")
        base_url = st.text_input(
            "Base URL",
            current.base_url,
            placeholder="https://api.openai.com/v1 or http://localhost:11434/v1",
            key="llm_base_url",
        )
        model = st.text_input("Model", current.model, key="llm_model")
        columns = st.columns(3)
        step_models = [
            column.text_input(
                FIELD_LABELS[name], getattr(current, name), placeholder="same as Model"
            )
            for column, name in zip(
                columns, ("model_filter", "model_rate", "model_write"), strict=True
            )
        ]
        columns = st.columns(5)
        rpm = columns[0].number_input(
            "Requests per minute", min_value=1, value=current.rpm, step=1, placeholder="no limit"
        )
        tpm = columns[1].number_input(
            "Tokens per minute", min_value=1, value=current.tpm, step=1_000, placeholder="no limit"
        )
        max_concurrency = columns[2].number_input(
            "Max concurrency", min_value=1, max_value=64, value=current.max_concurrency, step=1
        )
        timeout_s = columns[3].number_input(
            "Timeout (s)", min_value=0.1, value=float(current.timeout_s), step=5.0
        )
        max_retries = columns[4].number_input(
            "Max retries", min_value=0, max_value=20, value=current.max_retries, step=1
        )
        cascade = st.columns([1, 1, 2], vertical_alignment="bottom")
        prefilter = cascade[0].toggle(
            "Rules prefilter",
            current.prefilter,
            help="The cascade: the free offline rules settle the verdicts they are sure of, "
            "either way, and only the uncertain ones are sent to the LLM.",
        )
        cascade_level = cascade[1].number_input(
            FIELD_LABELS["cascade_level"],
            min_value=0.5,
            max_value=1.0,
            value=float(current.cascade_level),
            step=0.01,
            format="%.2f",
            help="Rules verdicts at least this confident are not sent to the LLM's relevance "
            "step; lower it to spend less, raise it to let the LLM see more. 1.00 sends "
            "everything the rules are not certain of.",
        )
        test_key = st.text_input(
            "API key for a test of another host (optional, never stored)",
            type="password",
            key="llm_test_key",
            help="The configured key is only ever sent to the host it was set for; to test "
            "another host with a key, type it here.",
        )
        buttons = st.columns([1, 1, 3])
        save_llm = buttons[0].form_submit_button(
            "Save endpoint", type="primary", icon=":material/save:"
        )
        test_llm = buttons[1].form_submit_button("Test connection", icon=":material/network_check:")

    if save_llm:
        try:
            error = save_endpoint_form(
                ctx,
                EndpointFormValues(
                    base_url=base_url,
                    model=model,
                    model_filter=step_models[0],
                    model_rate=step_models[1],
                    model_write=step_models[2],
                    rpm=rpm,
                    tpm=tpm,
                    max_concurrency=max_concurrency,
                    timeout_s=timeout_s,
                    max_retries=max_retries,
                    prefilter=prefilter,
                    cascade_level=float(cascade_level),
                ),
                actor=actor,
            )
        except NotAllowed as exc:
            error = str(exc)
        if error:
            st.error(error)
        else:
            wake_worker()
            st.session_state["llm_notice"] = (
                "Saved; the endpoint applies to the next tenders analysed."
            )
            st.rerun()
    if test_llm:
        with st.spinner("Testing the connection…"):
            try:
                st.session_state["llm_probe"] = probe_connection(
                    ctx, base_url, model, actor=actor, api_key=test_key or None
                )
            except NotAllowed as exc:
                st.error(md_escape(str(exc)))

    probe: ProbeReport | None = st.session_state.get("llm_probe")
    if probe is not None:
        (st.success if probe.ok else st.error)(md_escape(probe.message))
        if probe.models:
            st.caption(md_escape(models_text(probe)))
        if probe.modes:
            st.dataframe(
                [
                    {
                        "output mode": m.mode,
                        "works": m.works,
                        "latency": latency_text(m.latency_ms),
                        "detail": m.detail,
                    }
                    for m in probe.modes
                ],
                hide_index=True,
                column_config={"works": st.column_config.CheckboxColumn("works")},
            )


def _in_force(ctx: AppContext, rows: list[dict[str, str]], active: bool, actor: Actor) -> None:
    st.subheader("Values in force")
    st.dataframe(rows, hide_index=True)

    if active:
        st.subheader("Refused output modes")
        refusals = remembered_refusals(ctx)
        if not refusals:
            st.caption("None remembered: calls start with json_schema, the strictest output mode.")
        else:
            st.dataframe(
                [
                    {"model": r.model, "refused": r.feature, "since": r.since, "reason": r.reason}
                    for r in refusals
                ],
                hide_index=True,
                column_config={
                    "since": st.column_config.DatetimeColumn("since", format="distance")
                },
            )
            if actor.can(ADMINS) and st.button(
                "Forget them (re-probe)", icon=":material/restart_alt:"
            ):
                try:
                    forgotten = forget_refusals(ctx, actor=actor)
                except NotAllowed as exc:
                    st.error(md_escape(str(exc)))
                    return
                st.session_state["llm_notice"] = (
                    f"Forgot {forgotten} refusal{'s' if forgotten != 1 else ''}; "
                    "the next call tries json_schema first again."
                )
                st.rerun()
