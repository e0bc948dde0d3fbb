"""The Bids page's pieces. What may change, by whom, and how, lives in core.bids.editor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.access.roles import BID_EDITORS, Actor, NotAllowed
from core.bids.editor import (
    MAX_NOTE,
    MAX_SECTION,
    BidEditError,
    BidEditor,
    BidRow,
    NothingChanged,
    ZipFormat,
)
from core.export.bid_content import when
from core.export.bids import version_line
from core.models import BID_SECTIONS, BidStatus, BidVersion
from core.models.documents import RequirementRow
from core.views.describe import compact_money, describe_analyst, plural
from core.views.tender import pick_tender_id
from ui.app.acting_user import current_actor
from ui.widgets.components import PAGE_TENDER, BadgeColor, md_escape

NOTICE_KEY = "bids_notice"
SELECTED_KEY = "bids_tender_id"
ZIP_KEY = "bids_approved_zip"
WRITING_KEY = "bids_being_written"
_STATUS_COLORS: dict[BidStatus, BadgeColor] = {
    BidStatus.DRAFT: "orange",
    BidStatus.APPROVED: "green",
    BidStatus.EXPORTED: "blue",
}
_FORMATS: dict[ZipFormat, str] = {"docx": "Word (DOCX)", "md": "Markdown"}


@dataclass(frozen=True)
class PreparedZip:
    fmt: ZipFormat
    data: bytes
    count: int


def bid_status_badge(status: BidStatus) -> None:
    st.badge(status.label, color=_STATUS_COLORS[status], help=f"bid status: {status.value}")


def apply_change(
    change: Callable[[Actor], BidVersion],
    notice: Callable[[BidVersion], str],
    *,
    restart_form: int | None = None,
) -> None:
    """Run a bid change as the acting user; on success remember the notice and rerun.

    When nothing was saved, says why in one sentence where it is called.
    `restart_form` (a tender id) makes that bid's edit form start from the new version.
    """
    actor = current_actor()
    if actor is None:
        return
    try:
        saved = change(actor)
    except NothingChanged as exc:
        st.info(md_escape(str(exc)))
        return
    except (BidEditError, NotAllowed) as exc:
        st.error(md_escape(str(exc)))
        return
    st.session_state[NOTICE_KEY] = notice(saved)
    st.session_state.pop(ZIP_KEY, None)  # a prepared ZIP no longer matches the bids
    if restart_form is not None:
        reset_edit_form(restart_form)
    st.rerun()


# ------------------------------------------------------------------------------ the list
def status_counts(counts: dict[BidStatus, int]) -> None:
    tiles = st.columns(len(BidStatus))
    for tile, status in zip(tiles, BidStatus, strict=True):
        tile.metric(status.label, f"{counts.get(status, 0):,}")


def approved_zip_panel(editor: BidEditor, counts: dict[BidStatus, int], actor: Actor) -> None:
    """Prepare a ZIP of the approved bids on request (it marks them exported), then offer it."""
    ready = counts.get(BidStatus.APPROVED, 0) + counts.get(BidStatus.EXPORTED, 0)
    with st.container(border=True):
        st.markdown("**Download approved bids (ZIP)**")
        fmt_column, button_column = st.columns([2, 3], vertical_alignment="bottom")
        fmt: ZipFormat = fmt_column.radio(
            "Format",
            list(_FORMATS),
            format_func=_FORMATS.__getitem__,
            horizontal=True,
            key="bids_zip_format",
        )
        if button_column.button(
            f"Prepare ZIP of {plural(ready, 'approved bid')}",
            icon=":material/folder_zip:",
            disabled=not ready or not actor.can(BID_EDITORS),
            help="Builds one document per approved bid from its approved version, and marks "
            "those bids exported. Drafts are never included. Bid managers and above export.",
        ):
            try:
                data, count = editor.approved_zip(fmt, actor=actor)
            except (BidEditError, NotAllowed) as exc:
                st.error(md_escape(str(exc)))
            else:
                st.session_state[ZIP_KEY] = PreparedZip(fmt, data, count)
                st.rerun()
        if not ready:
            st.caption("No bid is approved yet: approve a version below to export it.")
        prepared: PreparedZip | None = st.session_state.get(ZIP_KEY)
        if prepared is not None:
            st.download_button(
                f"Download approved bids (ZIP, {_FORMATS[prepared.fmt]})",
                data=prepared.data,
                file_name=f"approved-bids-{prepared.fmt}.zip",
                mime="application/zip",
                icon=":material/download:",
                type="primary",
                on_click="ignore",
            )
            st.caption(
                f"{plural(prepared.count, 'document')} in the ZIP; "
                f"{'it is' if prepared.count == 1 else 'they are'} now marked exported."
            )


def status_filter() -> list[BidStatus]:
    return st.multiselect(
        "Show bids with status (all when empty)",
        list(BidStatus),
        format_func=lambda s: s.label,
        key="bids_statuses",
    )


def bids_table(rows: list[BidRow]) -> None:
    """Every bid listed, soonest deadline first; cells are plain text."""
    st.dataframe(
        [
            {
                "id": row.tender_id,
                "title": row.tender.title,
                "status": row.latest.status.label,
                "version": row.latest.version,
                "deadline": row.tender.deadline,
                "buyer": row.tender.buyer,
                "value": compact_money(row.tender.value_amount, row.tender.value_currency)
                if row.tender.value_amount is not None
                else None,
                "edited by": row.latest.edited_by or "analyst",
                "approved by": row.latest.approved_by,
            }
            for row in rows
        ],
        hide_index=True,
        placeholder="–",
        height=min(38 + 35 * len(rows), 320),
        column_config={
            "id": st.column_config.NumberColumn("id", format="%d", width="small"),
            "deadline": st.column_config.DatetimeColumn("deadline", format="D MMM YYYY"),
            "version": st.column_config.NumberColumn("version", format="%d", width="small"),
        },
    )


def pick_bid(rows: list[BidRow]) -> BidRow:
    """The bid shown: the link's id, else the last one chosen, else the first."""
    by_id = {row.tender_id: row for row in rows}
    linked = pick_tender_id(st.query_params.get("id"))
    if linked is not None and linked not in by_id:
        st.warning(f"There is no bid for tender {linked} among these; pick one below.")
    current = pick_tender_id(linked, st.session_state.get(SELECTED_KEY))
    ids = list(by_id)
    chosen = st.selectbox(
        "Bid document",
        ids,
        index=ids.index(current) if current in by_id else 0,
        format_func=lambda i: (
            f"{by_id[i].tender.title} — {by_id[i].latest.status.label}, "
            f"version {by_id[i].latest.version} (#{i})"
        ),
    )
    st.session_state[SELECTED_KEY] = chosen
    st.query_params["id"] = str(chosen)  # a shareable link to this bid
    return by_id[chosen]


# ------------------------------------------------------------------------------ one bid
def bid_heading(row: BidRow, current: BidVersion) -> None:
    st.subheader(md_escape(row.tender.title), divider="gray")
    bid_status_badge(current.status)
    saved_by = current.edited_by or f"the analyst ({describe_analyst(current.document.analyst)})"
    standing = (
        f"Version {current.version} · Draft"
        if current.status is BidStatus.DRAFT
        else version_line(current)
    )
    st.caption(md_escape(f"{standing} · saved {when(current.document.created_at)} by {saved_by}"))
    st.page_link(
        PAGE_TENDER,
        label="Open the tender",
        icon=":material/description:",
        query_params={"id": str(row.tender_id)},
    )


@dataclass(frozen=True)
class SectionEdit:
    based_on: int
    sections: dict[str, str]
    note: str


def _text_key(tender_id: int, field: str) -> str:
    return f"bid_text_{tender_id}_{field}"


def _base_key(tender_id: int) -> str:
    return f"bid_base_{tender_id}"


def reset_edit_form(tender_id: int) -> None:
    """Next run, the form starts again from the newest version."""
    st.session_state.pop(_base_key(tender_id), None)


def edit_form(row: BidRow, current: BidVersion) -> SectionEdit | None:
    """One text area per section, filled from the version being edited; saved on submit.

    The version the text came from is remembered, so a save on top of someone else's newer
    version is refused by core instead of overwriting it.
    """
    tender_id = row.tender_id
    keys = {field: _text_key(tender_id, field) for field, _ in BID_SECTIONS}
    base = st.session_state.get(_base_key(tender_id))
    if base is None or any(key not in st.session_state for key in keys.values()):
        for field, key in keys.items():
            st.session_state[key] = getattr(current.document, field)
        st.session_state[_base_key(tender_id)] = base = current.version
    if base != current.version:
        st.warning(
            f"You are editing version {base}, but version {current.version} is newer. "
            "Load it to edit the newest text (your unsaved changes are dropped)."
        )
        if st.button(f"Load version {current.version}", icon=":material/refresh:"):
            reset_edit_form(tender_id)
            st.rerun()
    with st.form(f"bid_edit_{tender_id}"):
        st.markdown(f"**Edit bid** (starting from version {base})")
        texts = {
            field: st.text_area(heading, key=keys[field], height=180, max_chars=MAX_SECTION)
            for field, heading in BID_SECTIONS
        }
        note = st.text_input(
            "Note (optional)",
            max_chars=MAX_NOTE,
            placeholder="What changed, for the version list",
            key=f"bid_note_{tender_id}_{base}",  # empty again once the version is saved
        )
        submitted = st.form_submit_button(
            "Save as new version", type="primary", icon=":material/save:"
        )
    if not submitted:
        return None
    return SectionEdit(
        based_on=base, sections={field: text or "" for field, text in texts.items()}, note=note
    )


def regenerate_buttons(current: BidVersion) -> tuple[str, str] | None:
    """'Regenerate <heading>' per section; returns the (field, heading) clicked."""
    st.markdown("**Ask the analyst again, one section at a time**")
    st.caption(
        f"Each writes a new version from version {current.version}, replacing only that "
        "section; unsaved edits in the form above are dropped."
    )
    columns = st.columns(len(BID_SECTIONS))
    for column, (field, heading) in zip(columns, BID_SECTIONS, strict=True):
        if column.button(f"Regenerate {heading}", key=f"regenerate_{field}", width="stretch"):
            return field, heading
    return None


def criterion_button(criteria: list[RequirementRow]) -> str | None:
    """The criterion whose answer to write again from the matrix, or None."""
    if not criteria:
        return None
    by_ref = {r.ref: r for r in criteria}
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    ref = pick.selectbox(
        "Answer to one evaluation criterion",
        list(by_ref),
        format_func=lambda r: f"{by_ref[r].text} ({by_ref[r].weight or 0:g}%) · {r}",
        help="Writes that criterion's part of the technical approach again from the compliance "
        "matrix: the team's responses, and the rows marked compliant.",
        key="regenerate_criterion_ref",
    )
    return ref if go.button("Write it again", icon=":material/rule:", width="stretch") else None


def bids_being_written(count: Callable[[], int], every_s: float = 2.0) -> None:
    """While approved tenders wait for their bid, say so; show the page again when one lands."""
    if not count():
        return

    @st.fragment(run_every=every_s)
    def watch() -> None:
        waiting = count()
        before = st.session_state.get(WRITING_KEY, waiting)
        st.session_state[WRITING_KEY] = waiting
        if waiting < before:
            st.rerun(scope="app")  # a new bid document exists: list it
        if waiting:
            st.info(
                f"The analyst is writing the bid for {plural(waiting, 'approved tender')}; "
                "it appears here as a draft when ready.",
                icon=":material/hourglass_top:",
            )

    watch()
