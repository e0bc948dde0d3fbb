"""Tender page → Compliance matrix: every requirement and criterion found in the documents,
with an owner, a status and the response, edited in place (audited), exported to Excel."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access.audit import audited
from core.access.roles import WORKERS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.documents.matrix import MatrixError, matrix_bytes, summarise
from core.models.documents import MATRIX_STATUSES, RequirementRow
from core.views.describe import plural
from core.views.markup import escape_markdown

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTICE_KEY = "matrix_notice"
_EDITABLE = ("owner", "status", "response", "dropped")


def compliance_matrix(ctx: AppContext, tender_id: int, actor: Actor) -> None:
    st.subheader("Compliance matrix")
    matrix = ctx.matrix()
    rows = matrix.rows(tender_id)
    if matrix.last_refinement is not None and matrix.last_refinement.asked:
        st.info(escape_markdown(matrix.last_refinement.summary()), icon=":material/smart_toy:")
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.success(escape_markdown(notice))
    if not rows:
        st.caption("No requirements yet: they are found in the documents added above.")
        return
    summary = summarise(rows)
    tiles = st.columns(4)
    tiles[0].metric("Rows", summary.rows)
    tiles[1].metric("Mandatory", summary.mandatory)
    tiles[2].metric("Open", summary.open)
    tiles[3].metric("Non-compliant", summary.non_compliant)
    if summary.blocking:
        st.warning(
            f"{plural(len(summary.blocking), 'mandatory requirement')} still open or "
            f"non-compliant ({', '.join(summary.blocking[:6])}"
            f"{'…' if len(summary.blocking) > 6 else ''}): answer them before the bid goes.",
            icon=":material/rule:",
        )
    shown = pd.DataFrame([_cells(r) for r in rows])
    editable = actor.can(WORKERS)
    people = matrix.owners() if editable else []
    edited = st.data_editor(
        shown,
        key=f"matrix_{tender_id}",
        hide_index=True,
        disabled=not editable or [c for c in shown.columns if c not in _EDITABLE],
        column_config={
            "ref": st.column_config.TextColumn("ref", width="small"),
            "text": st.column_config.TextColumn("requirement", width="large"),
            "mandatory": st.column_config.CheckboxColumn("mandatory", width="small"),
            "weight": st.column_config.NumberColumn("weight", format="%g%%", width="small"),
            "page": st.column_config.NumberColumn("page", format="%d", width="small"),
            "owner": st.column_config.SelectboxColumn("owner", options=["", *people]),
            "status": st.column_config.SelectboxColumn(
                "status", options=list(MATRIX_STATUSES), required=True
            ),
            "response": st.column_config.TextColumn("response", width="large", max_chars=20_000),
            "dropped": st.column_config.CheckboxColumn("drop", help="A wrong row: kept, left out"),
            "note": st.column_config.TextColumn("note", width="small"),
        },
    )
    if editable:
        _save_edits(ctx, tender_id, actor, shown, edited)
    st.download_button(
        "Download the matrix (XLSX)",
        data=audited(
            ctx.audit(),
            actor,
            lambda: matrix_bytes(rows, "xlsx"),
            target=f"tender {tender_id}",
            detail="compliance matrix (xlsx)",
        ),
        file_name=f"tender-{tender_id}-compliance-matrix.xlsx",
        mime=XLSX_MIME,
        icon=":material/table_view:",
        on_click="ignore",
    )
    if editable:
        _edit_row(ctx, tender_id, actor, rows, people)
        _merge_rows(ctx, tender_id, actor, rows)
        _add_row(ctx, tender_id, actor)


def _edit_row(
    ctx: AppContext, tender_id: int, actor: Actor, rows: list[RequirementRow], people: list[str]
) -> None:
    """One row at a time, with plain fields (as the table, for keyboards and screen readers)."""
    by_ref = {r.ref: r for r in rows if not r.dropped}
    if not by_ref:
        return
    with st.expander("Edit one row"):
        ref = st.selectbox(
            "Row",
            list(by_ref),
            format_func=lambda r: f"{r} · {by_ref[r].text[:80]}",
            key=f"matrix_row_{tender_id}",
        )
        row = by_ref[ref]
        with st.form(f"matrix_edit_{tender_id}_{ref}", border=False):
            owners = ["", *people]
            owner = st.selectbox(
                "Owner",
                owners,
                index=owners.index(row.owner) if row.owner in owners else 0,
                format_func=lambda o: o or "nobody yet",
            )
            status = st.selectbox(
                "Status", MATRIX_STATUSES, index=MATRIX_STATUSES.index(row.status)
            )
            response = st.text_area("Response", row.response, max_chars=20_000, height=100)
            save = st.form_submit_button("Save the row", icon=":material/save:")
    if save:
        changes = {"owner": owner or None, "status": status, "response": response}
        changes = {k: v for k, v in changes.items() if v != getattr(row, k)}
        if not changes:
            st.info("Nothing changed in that row.")
            return
        try:
            ctx.matrix().update(tender_id, ref, actor, **changes)
        except (MatrixError, NotAllowed) as exc:
            st.error(escape_markdown(str(exc)))
            return
        st.session_state[NOTICE_KEY] = f"Saved {ref}."
        st.rerun()


def _merge_rows(ctx: AppContext, tender_id: int, actor: Actor, rows: list[RequirementRow]) -> None:
    """Rows the extractor split (or found twice) made one again; the others stay, dropped."""
    by_ref = {r.ref: r for r in rows if not r.dropped}
    if len(by_ref) < 2:
        return
    with (
        st.expander("Merge rows"),
        st.form(f"matrix_merge_{tender_id}", border=False),
    ):
        keep = st.selectbox(
            "Keep this row",
            list(by_ref),
            format_func=lambda r: f"{r} · {by_ref[r].text[:80]}",
        )
        others = st.multiselect(
            "Merge these into it",
            list(by_ref),
            format_func=lambda r: f"{r} · {by_ref[r].text[:80]}",
            help="Their text and responses join the kept row; they are dropped, marked as "
            "merged, and keep their refs.",
        )
        merge = st.form_submit_button("Merge", icon=":material/merge:")
    if merge:
        try:
            ctx.matrix().merge(tender_id, keep, others, actor)
        except (MatrixError, NotAllowed) as exc:
            st.error(escape_markdown(str(exc)))
            return
        st.session_state[NOTICE_KEY] = (
            f"Merged {', '.join(o for o in others if o != keep)} into {keep}."
        )
        st.rerun()


def _cells(row: RequirementRow) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "text": row.text,
        "mandatory": row.mandatory,
        "weight": row.weight,
        "page": row.page,
        "owner": row.owner or "",
        "status": row.status,
        "response": row.response,
        "dropped": row.dropped,
        "note": f"merged into {row.merged_into}" if row.merged_into else "",
    }


def _save_edits(
    ctx: AppContext, tender_id: int, actor: Actor, shown: pd.DataFrame, edited: pd.DataFrame
) -> None:
    changed = 0
    for (_, before), (_, after) in zip(shown.iterrows(), edited.iterrows(), strict=True):
        changes = {c: after[c] for c in _EDITABLE if after[c] != before[c]}
        if not changes:
            continue
        if "owner" in changes:
            changes["owner"] = changes["owner"] or None
        try:
            ctx.matrix().update(tender_id, str(before["ref"]), actor, **changes)
        except (MatrixError, NotAllowed) as exc:
            st.error(escape_markdown(str(exc)))
            return
        changed += 1
    if changed:
        st.session_state[NOTICE_KEY] = f"Saved {plural(changed, 'row')} of the matrix."
        st.session_state.pop(f"matrix_{tender_id}", None)
        st.rerun()


def _add_row(ctx: AppContext, tender_id: int, actor: Actor) -> None:
    with (
        st.expander("Add a requirement the documents did not show"),
        st.form(f"matrix_add_{tender_id}", border=False),
    ):
        text = st.text_area("Requirement", max_chars=2_000, height=80)
        mandatory = st.checkbox("Mandatory", value=True)
        add = st.form_submit_button("Add the row", icon=":material/add:")
    if add:
        try:
            row = ctx.matrix().add_row(tender_id, text, actor, mandatory=mandatory)
        except (MatrixError, NotAllowed) as exc:
            st.error(escape_markdown(str(exc)))
            return
        st.session_state[NOTICE_KEY] = f"Added {row.ref}."
        st.rerun()
