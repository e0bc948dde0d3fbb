"""A tender's documents in brief, for the Review and Tender pages: the compliance matrix in
four numbers and the key dates the documents state beside the notice's deadline."""

from __future__ import annotations

import streamlit as st

from core.bootstrap import AppContext
from core.models import Tender
from core.views.describe import plural
from core.views.documents import document_facts
from core.views.markup import escape_markdown


def documents_in_brief(ctx: AppContext, tender: Tender, *, matrix: bool = True) -> None:
    """Nothing when the tender has no documents."""
    if tender.id is None:
        return
    service = ctx.documents()
    records = service.documents(tender.id)
    if not records:
        return
    facts = document_facts(
        records,
        ctx.matrix().rows(tender.id) if matrix else [],
        service.key_dates(tender.id),
        tender.deadline,
    )
    if facts.summary is None and len(facts.dates) <= (tender.deadline is not None):
        return  # nothing read from them yet
    st.markdown(f"**From the tender's {plural(facts.documents, 'document')}**")
    if facts.summary is not None:
        tiles = st.columns(4)
        tiles[0].metric("Requirements", facts.summary.rows)
        tiles[1].metric("Mandatory", facts.summary.mandatory)
        tiles[2].metric("Open", facts.summary.open)
        tiles[3].metric("Non-compliant", facts.summary.non_compliant)
    if facts.mismatch:
        st.warning(escape_markdown(facts.mismatch), icon=":material/event_busy:")
    if facts.clarification_first:
        first = next(d for d in facts.dates if d.label.startswith("Clarification"))
        st.info(
            escape_markdown(f"Questions close first: {first.when}, before tenders are due."),
            icon=":material/help:",
        )
    if len(facts.dates) > (tender.deadline is not None):  # the documents state some dates
        st.dataframe(
            [{"date": d.label, "when": d.when, "from": d.source} for d in facts.dates],
            hide_index=True,
            key=f"key_dates_{tender.id}",
        )
