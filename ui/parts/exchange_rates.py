"""Settings → Company profile → Exchange rates: a small dated table of the team's rates to the
profile's currency, so amounts in other currencies can be compared (core.profile.rates)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.access.roles import ADMINS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.profile.form import ProfileFormError, parse_rates, save_exchange_rates
from core.profile.setup import profile_changed

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
    lines = "\n".join(f"{code} {rate:g}" for code, rate in table.rates.items())
    if not actor.can(ADMINS):
        st.text(lines or "No exchange rates are set.")
        if lines:
            st.caption(f"As of {table.as_of or 'no date given'}.")
        return
    with st.form("exchange_rates", border=True):
        typed = st.text_area(
            f"One per line: a currency code and how many {base} one unit is worth",
            lines,
            height=120,
            max_chars=2_000,
            placeholder="GBP 1.17\nUSD 0.92\nSEK 0.087",
        )
        as_of = st.date_input("Rates as of", value=table.as_of or ctx.clock().date())
        saved = st.form_submit_button("Save rates", icon=":material/save:")
    if not saved:
        return
    try:
        rates = parse_rates(typed)
        if rates == table.rates and as_of == table.as_of and table.applies_to(base):
            st.info("Nothing changed: the rates and their date are as saved.")
            return
        version = save_exchange_rates(ctx.state, rates, as_of, actor=actor, audit=ctx.audit())
    except (ProfileFormError, NotAllowed) as exc:
        st.error(str(exc))
        return
    profile_changed(ctx.state, ctx.tenders, version)
    wake_worker()
    st.session_state[RATES_NOTICE] = (
        f"Saved {len(rates)} exchange rate{'s' if len(rates) != 1 else ''} "
        f"(profile version {version})."
    )
    st.rerun()
