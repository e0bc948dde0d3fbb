"""Bids: the bid documents after the analyst: edit, regenerate, approve, restore, export."""

from __future__ import annotations

import streamlit as st

from core.access.roles import BID_EDITORS, DECIDERS
from core.bids.editor import BidEditor
from core.models import BidStatus
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_context
from ui.parts.bid_versions import (
    bid_downloads,
    display_names,
    internal_wording_warning,
    older_version,
    versions_table,
    with_display_names,
)
from ui.parts.bids import (
    NOTICE_KEY,
    apply_change,
    approved_zip_panel,
    bid_heading,
    bids_being_written,
    bids_table,
    criterion_button,
    edit_form,
    pick_bid,
    regenerate_buttons,
    status_counts,
    status_filter,
)
from ui.parts.matrix import compliance_matrix
from ui.widgets.components import PAGE_REVIEW, show_notice

ensure_app_navigation()
st.title("Bids")
actor = current_actor()
if actor is None:
    st.stop()
edits, approves = actor.can(BID_EDITORS), actor.can(DECIDERS)
ctx = get_context()
editor = BidEditor.from_context(ctx)
show_notice(NOTICE_KEY)
bids_being_written(editor.waiting_for_bid)

counts = editor.counts()
if not any(counts.values()):
    st.info("No bid documents yet: approve tenders on the Review page.")
    st.page_link(PAGE_REVIEW, label="Go to the Review page", icon=":material/fact_check:")
    st.stop()
status_counts(counts)
approved_zip_panel(editor, counts, actor)

rows = editor.documents(status_filter())
if not rows:
    st.info("No bid has these statuses; clear the filter to see every bid.")
    st.stop()
bids_table(rows)
row = pick_bid(rows)
tender_id = row.tender_id
versions = editor.versions(tender_id)
current = versions[0]

names = display_names(ctx)
bid_heading(row, with_display_names(current, names))
approve_column, *download_columns = st.columns([1, 1, 1, 1])
approve = approves and approve_column.button(
    f"Approve version {current.version}",
    type="primary",
    icon=":material/task_alt:",
    disabled=current.status is not BidStatus.DRAFT,
    help="Only the newest draft can be approved; approvers and admins may approve.",
)
bid_downloads(download_columns, row.state, ctx, actor, with_display_names(current, names))
internal_wording_warning(current.document)
if not edits:
    st.info("Only bid managers, approvers and admins edit bids; you can read them.")
elif not approves:
    st.caption("Approvers and admins approve bids.")
blocking = ctx.matrix().summary(tender_id).blocking if approves else []
override = ""
if blocking and current.status is BidStatus.DRAFT:
    st.warning(
        f"{len(blocking)} mandatory requirements are open or non-compliant in the compliance "
        f"matrix ({', '.join(blocking[:5])}{'…' if len(blocking) > 5 else ''}): answer them on "
        "the Tender page, or give the reason to approve anyway.",
        icon=":material/rule:",
    )
    override = st.text_input(
        "Reason to approve with requirements not met",
        max_chars=500,
        key=f"bid_override_{tender_id}",
    )
if approve:
    apply_change(
        lambda actor: editor.approve(tender_id, current.version, actor, override),
        lambda saved: f"Version {saved.version} approved by {actor.label}.",
    )

edit = edit_form(row, current) if edits else None
if edit is not None:
    apply_change(
        lambda actor: editor.save_sections(
            tender_id, edit.based_on, edit.sections, actor, edit.note
        ),
        lambda saved: f"Saved version {saved.version} (draft) by {actor.label}.",
        restart_form=tender_id,
    )

regenerate = regenerate_buttons(current) if edits else None
if regenerate is not None:
    field, heading = regenerate
    with st.spinner(f"The analyst is writing the {heading.lower()} again…"):
        apply_change(
            lambda actor: editor.regenerate_section(tender_id, current.version, field, actor),
            lambda saved: f"Saved version {saved.version} with a new {heading.lower()}.",
            restart_form=tender_id,
        )

matrix_rows = ctx.matrix().rows(tender_id)
criteria = [r for r in matrix_rows if r.kind == "evaluation" and not r.dropped]
criterion = criterion_button(criteria) if edits else None
if criterion is not None:
    apply_change(
        lambda actor: editor.regenerate_criterion(tender_id, current.version, criterion, actor),
        lambda saved: f"Saved version {saved.version} with a new answer to {criterion}.",
        restart_form=tender_id,
    )

st.subheader("Versions")
versions_table(versions)
restore = older_version(row, versions, can_restore=edits)
if restore is not None:
    apply_change(
        lambda actor: editor.restore(tender_id, restore.version, current.version, actor),
        lambda saved: f"Version {restore.version} restored as version {saved.version} (draft).",
        restart_form=tender_id,
    )

if matrix_rows:
    compliance_matrix(ctx, tender_id, actor)
