"""A bid's versions: who wrote and approved each, their history, reading an older one, and
the DOCX/Markdown downloads (the Bids page and the Tender page share them)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from core.access.audit import audited
from core.access.roles import Actor
from core.bids.editor import BidRow
from core.bootstrap import AppContext
from core.export.bid_content import is_approved
from core.export.bids import (
    bid_docx,
    bid_filename,
    bid_markdown,
    brief_docx,
    brief_filename,
    internal_mentions,
)
from core.models import BID_SECTIONS, BidDocument, BidVersion, TenderState
from core.views.describe import describe_analyst
from core.views.markup import escape_markdown
from ui.widgets.components import safe_text

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def display_names(ctx: AppContext) -> Callable[[str], str]:
    """username → how pages name the person (their display name, else the username)."""
    accounts = ctx.accounts()

    @functools.cache
    def name(username: str) -> str:
        account = accounts.get(username)
        return account.display_name if account is not None and account.display_name else username

    return name


def with_display_names(version: BidVersion, name: Callable[[str], str]) -> BidVersion:
    """The version with its editor and approver named as pages name people."""
    return version.model_copy(
        update={
            "edited_by": name(version.edited_by) if version.edited_by else None,
            "approved_by": name(version.approved_by) if version.approved_by else None,
        }
    )


def bid_downloads(
    columns: Sequence[Any],
    state: TenderState,
    ctx: AppContext,
    actor: Actor,
    version: BidVersion | None = None,
) -> None:
    """The bid for the buyer as DOCX and Markdown, and the team's internal brief, each built
    when clicked and recorded as an export: `version` (naming people as the page does,
    with_display_names) or else the analyst's draft. An approved version downloaded is
    marked exported, as `export bids` marks it."""
    docx_column, md_column, brief_column = columns
    company, audit = ctx.profile().company_name, ctx.audit()
    target = f"tender {state.tender.id}"
    what = f"bid version {version.version}" if version else "bid draft"
    hint = "For the buyer: the title page and the four sections, without our assessment."

    def for_buyer(make: Callable[[], bytes], fmt: str) -> Callable[[], bytes]:
        def run() -> bytes:
            data = make()
            if is_approved(version) and version is not None and state.tender.id is not None:
                ctx.bids.mark_exported([(state.tender.id, version.version)], ctx.clock())
            return data

        return audited(audit, actor, run, target=target, detail=f"{what} ({fmt})")

    docx_column.download_button(
        "Download DOCX",
        help=hint,
        data=for_buyer(lambda: bid_docx(state, company, version=version), "docx"),
        file_name=bid_filename(state, "docx"),
        mime=DOCX_MIME,
        icon=":material/description:",
        on_click="ignore",
    )
    md_column.download_button(
        "Download Markdown",
        help=hint,
        data=for_buyer(lambda: bid_markdown(state, company, version=version).encode("utf-8"), "md"),
        file_name=bid_filename(state, "md"),
        mime="text/markdown",
        icon=":material/download:",
        on_click="ignore",
    )
    brief_column.download_button(
        "Internal brief",
        help="For the bid team only: scores, strengths, risks, evidence, response plan and "
        "the gaps still to fill.",
        data=audited(
            audit,
            actor,
            lambda: brief_docx(state, company, version=version),
            target=target,
            detail=f"internal brief of the {what} (docx)",
        ),
        file_name=brief_filename(state, "docx"),
        mime=DOCX_MIME,
        icon=":material/lock:",
        on_click="ignore",
    )


def internal_wording_warning(document: BidDocument) -> None:
    """A warning when the bid's text still speaks of our own assessment to the buyer."""
    mentions = internal_mentions(document)
    if not mentions:
        return
    heading, sentence = mentions[0]
    more = f" and {len(mentions) - 1} more" if len(mentions) > 1 else ""
    st.warning(
        f"The bid still speaks of our own assessment ({heading}: “{escape_markdown(sentence)}”"
        f"{more}): reword it before the buyer reads it. The internal brief lists every place.",
        icon=":material/visibility:",
    )


def versions_table(versions: list[BidVersion]) -> None:
    st.dataframe(
        [_version_row(v) for v in versions],
        hide_index=True,
        placeholder="–",
        column_config={
            "version": st.column_config.NumberColumn("version", format="%d", width="small"),
            "when": st.column_config.DatetimeColumn("when", format="D MMM YYYY, HH:mm"),
            "note": st.column_config.TextColumn("note", width="medium"),
        },
    )


def _version_row(version: BidVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": version.status.label,
        "when": version.document.created_at,
        "by": version.edited_by or f"analyst: {describe_analyst(version.document.analyst)}",
        "note": version.note,
        "approved by": version.approved_by,
        "approved at": version.approved_at,
    }


def older_version(
    row: BidRow, versions: list[BidVersion], *, can_restore: bool = True
) -> BidVersion | None:
    """Pick a version to read; returns it when 'Restore this version' is clicked (offered
    only when `can_restore`)."""
    by_number = {v.version: v for v in versions}
    newest = versions[0].version
    chosen = st.selectbox(
        "Read the text of version",
        list(by_number),
        format_func=lambda n: (
            f"Version {n} — {by_number[n].status.label}" + (" (current)" if n == newest else "")
        ),
        key=f"bid_view_{row.tender_id}_{newest}",  # a new version opens at the newest
    )
    shown = by_number[chosen]
    restore = can_restore and st.button(
        "Restore this version",
        icon=":material/history:",
        disabled=chosen == newest,
        help="Saves its text as a new draft version; no version is lost.",
    )
    with st.expander(f"Text of version {chosen}", expanded=chosen != newest):
        for field, heading in BID_SECTIONS:
            st.markdown(f"#### {heading}")
            safe_text(getattr(shown.document, field))
    return shown if restore else None
