"""Audit log: who signed in, decided, approved, edited, exported, imported or changed settings.

Admins only; the log itself (and the role check) lives in core.access.audit.
"""

from __future__ import annotations

import streamlit as st

from core.access.audit import (
    PAGE_LIMIT,
    AuditAction,
    audited,
    count_text,
    day_range,
    event_rows,
    events_csv,
)
from core.access.roles import ADMINS
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context

ensure_app_navigation()
st.title("Audit log")
actor = current_actor()
if actor is None:
    st.stop()
if not actor.can(ADMINS):
    st.info("Only admins read the audit log.")
    st.stop()

log = get_context().audit()
who, what, start, end, search = st.columns([2, 2, 1, 1, 3])
name = who.text_input("Who", key="audit_actor", max_chars=80, placeholder="any user, cli, system")
action = what.selectbox(
    "Action",
    [None, *AuditAction],
    format_func=lambda a: "any action" if a is None else a.label,
    key="audit_action",
)
first_day = start.date_input("From (UTC)", value=None, key="audit_from")
last_day = end.date_input("To (UTC)", value=None, key="audit_to")
text = search.text_input("Search target and detail", key="audit_text", max_chars=200)
since, until = day_range(first_day, last_day)

events = log.events(
    actor, actor=name, action=action, since=since, until=until, text=text, limit=PAGE_LIMIT
)
st.caption(count_text(len(events)))
if not events:
    st.info("No event matches these filters.")
    st.stop()
st.dataframe(
    event_rows(events),
    hide_index=True,
    placeholder="–",
    column_config={"detail": st.column_config.TextColumn("detail", width="large")},
)
st.download_button(
    "Download CSV",
    data=audited(
        log,
        actor,
        lambda: events_csv(events),
        target="audit log (csv)",
        detail=f"{len(events)} events",
    ),
    file_name="audit-log.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    help="The events shown, safe to open in a spreadsheet (cells that look like formulas "
    "are kept as text).",
)
