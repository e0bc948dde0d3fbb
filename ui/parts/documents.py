"""Tender page → Documents: the tender's own documents (specification, ITT, criteria), added
here or with `documents add`, listed with pages and size, downloadable, audited. A long PDF is
read in the background; its progress bar updates without blocking the page."""

from __future__ import annotations

import streamlit as st

from core.access.audit import audited
from core.access.roles import WORKERS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.documents.extract import KINDS, DocumentError
from core.models import TenderState
from core.models.documents import DocumentRecord
from core.views.describe import plural
from core.views.markup import escape_markdown
from ui.app.runtime import get_runtime
from ui.parts.document_facts import documents_in_brief
from ui.parts.document_links import render_document_links

NOTICE_KEY = "documents_notice"
_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text": "text/plain",
}


def tender_documents(ctx: AppContext, state: TenderState, actor: Actor) -> None:
    st.subheader("Documents")
    tender = state.tender
    tender_id = tender.id or 0
    render_document_links(ctx, tender, actor)
    service = ctx.documents()
    for kind, text in st.session_state.pop(NOTICE_KEY, []):
        (st.success if kind == "ok" else st.error)(escape_markdown(text))
    records = service.documents(tender_id)
    if any(r.reading for r in records):
        _reading_progress(ctx, tender_id)
    for record in records:
        if record.state == "failed":
            st.error(escape_markdown(record.error or f"{record.filename} could not be read."))
    if records:
        st.dataframe(
            [
                {
                    "document": r.filename,
                    "type": r.kind.upper(),
                    "state": _state(r),
                    "pages": r.pages,
                    "words": r.words,
                    "size (KB)": round(r.size_bytes / 1024),
                    "added by": r.added_by,
                    "added": r.added_at,
                }
                for r in records
            ],
            hide_index=True,
            column_config={
                "added": st.column_config.DatetimeColumn("added", format="D MMM YYYY, HH:mm")
            },
        )
        names = {r.id: r for r in records}
        pick, download = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox(
            "Document to download", list(names), format_func=lambda i: names[i].filename
        )
        record = names[chosen]
        download.download_button(
            "Download",
            data=audited(
                ctx.audit(),
                actor,
                lambda: service.content(record),
                target=f"tender {tender_id}",
                detail=f"document {record.filename}",
            ),
            file_name=record.filename,
            mime=_MIME.get(record.kind, "application/octet-stream"),
            icon=":material/download:",
            on_click="ignore",
        )
        documents_in_brief(ctx, tender, matrix=False)
        rated = state.rating.created_at if state.rating is not None else None
        if rated is not None and any(r.added_at > rated for r in records):
            st.info(
                "The rating was made before some of these documents were added: re-analyse "
                "the tender to rate it with their requirements.",
                icon=":material/refresh:",
            )
    else:
        st.caption(
            "No documents yet. Add the tender's own documents (specification, invitation to "
            "tender, evaluation criteria) to read them beside the notice."
        )
    if not actor.can(WORKERS):
        return
    counter = st.session_state.setdefault(f"documents_upload_{tender_id}", 0)
    files = st.file_uploader(
        "Add documents (PDF, DOCX, XLSX or text)",
        type=sorted(ext.lstrip(".") for ext in KINDS),
        accept_multiple_files=True,
        key=f"documents_files_{tender_id}_{counter}",
    )
    if files and st.button(f"Add {plural(len(files), 'document')}", icon=":material/attach_file:"):
        notices: list[tuple[str, str]] = []
        for upload in files:
            try:
                record, new = service.add(
                    tender_id, upload.name, upload.getvalue(), actor, background=True
                )
            except (DocumentError, NotAllowed) as exc:
                notices.append(("error", str(exc)))
                continue
            if new and record.reading:
                get_runtime().reader.wake()
                pages = plural(record.pages, "page")
                notices.append(("ok", f"{record.filename} added ({pages}): reading its text."))
            elif new:
                pages = plural(record.pages, "page")
                notices.append(("ok", f"{record.filename} added ({record.kind.upper()}, {pages})."))
            else:
                notices.append(("ok", f"{upload.name} is already here as {record.filename}."))
        st.session_state[NOTICE_KEY] = notices
        st.session_state[f"documents_upload_{tender_id}"] = counter + 1  # a fresh uploader
        st.rerun()


def _state(record: DocumentRecord) -> str:
    if record.reading:
        return f"reading ({record.pages_read} of {record.pages} pages)"
    return "could not be read" if record.state == "failed" else "read"


@st.fragment(run_every=1.5)
def _reading_progress(ctx: AppContext, tender_id: int) -> None:
    """A bar per document still being read; the whole page reruns once they are all read, so
    the matrix below shows their requirements."""
    reading = [r for r in ctx.documents().documents(tender_id) if r.reading]
    if not reading:
        st.rerun(scope="app")
    for record in reading:
        name = escape_markdown(record.filename)
        st.progress(
            record.pages_read / max(record.pages, 1),
            text=f"Reading {name}: {record.pages_read} of {record.pages} pages. The page stays "
            "usable; the matrix fills in when it is read.",
        )
