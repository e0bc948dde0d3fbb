"""Settings → Company profile → Exchange rates: a small dated table of the team's rates to the
profile's currency, so amounts in other currencies can be compared (core.profile.rates)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.profile.form import ProfileFormError, save_exchange_rates
from core.profile.setup import profile_changed

RATES_KEY = "exchange_rates_table"
RATES_NOTICE = "exchange_rates_notice"


def render_exchange_rates(ctx: AppContext, actor: Actor, wake_worker: Callable[[], None]) -> None:
    profile = ctx.profile()
    table = profile.exchange_rates
    base = profile.currency
    st.subheader(f"Exchange rates to {base}")
    st.caption(
        f"How many {base} one unit of another currency is worth, as your team prices it. "
        "Dashboard totals and the analyst's value range then count tenders in those "
        "currencies, marked as converted; no rate is fetched from the internet."
    )
    if notice := st.session_state.pop(RATES_NOTICE, None):
        st.success(notice)
    if table.rates and not table.applies_to(base):
        st.warning(
            f"These rates are to {table.base}, but the profile's currency is now {base}: "
            f"set them again to {base} to use them.",
            icon=":material/currency_exchange:",
        )
    rows = pd.DataFrame(
        [{"currency": code, f"{base} per unit": rate} for code, rate in table.rates.items()],
        columns=["currency", f"{base} per unit"],
    )
    if not actor.can(ADMINS):
        if rows.empty:
            st.text("No exchange rates are set.")
        else:
            st.dataframe(rows, hide_index=True)
            st.caption(f"As of {table.as_of or 'no date given'}.")
        return
    with st.form("exchange_rates", border=True):
        edited = st.data_editor(
            rows,
            key=RATES_KEY,
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "currency": st.column_config.TextColumn(
                    "currency", max_chars=3, help="ISO 4217 code, such as EUR", required=True
                ),
                f"{base} per unit": st.column_config.NumberColumn(
                    f"{base} per unit", min_value=0.000001, format="%.6g", required=True
                ),
            },
        )
        as_of = st.date_input("Rates as of", value=table.as_of or ctx.clock().date())
        saved = st.form_submit_button("Save rates", icon=":material/save:")
    if not saved:
        return
    rates = {
        str(row["currency"]): float(row[f"{base} per unit"])
        for _, row in edited.iterrows()
        if isinstance(row["currency"], str) and pd.notna(row[f"{base} per unit"])
    }
    try:
        version = save_exchange_rates(ctx.state, rates, as_of, actor=actor, audit=ctx.audit())
    except (ProfileFormError, NotAllowed) as exc:
        st.error(str(exc))
        return
    profile_changed(ctx.state, ctx.tenders, version)
    wake_worker()
    st.session_state.pop(RATES_KEY, None)
    st.session_state[RATES_NOTICE] = (
        f"Saved {len(rates)} exchange rates (profile version {version})."
    )
    st.rerun()
