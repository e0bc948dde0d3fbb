"""Import: upload tender files, check a preview, import them; or load the demo tenders."""

from __future__ import annotations

import functools

import streamlit as st

from core.access.roles import WORKERS, NotAllowed
from core.imports.mapping import remember, resolver
from core.imports.preview import FilePreview, import_files, preview_file, upload_types
from core.views.describe import plural
from ui.app.acting_user import current_actor
from ui.app.navigation import ensure_app_navigation
from ui.app.runtime import get_runtime
from ui.parts.import_columns import column_choices, title_column_prompt
from ui.parts.setup import setup_needed
from ui.widgets.components import (
    PAGE_HOME,
    PAGE_PIPELINE,
    import_summary,
    load_demo_button,
    md_escape,
    refusal,
)
from ui.widgets.import_progress import FilesProgress

ensure_app_navigation()
st.title("Import tenders")
actor = current_actor()
if actor is None:
    st.stop()
if not actor.can(WORKERS):
    st.info(
        "Only bid managers, approvers and admins import tenders; you can see what is "
        "imported on the Dashboard and Tenders pages.",
        icon=":material/visibility:",
    )
    st.stop()
if setup_needed(get_runtime().ctx):
    st.info(
        "Set up your company first (its name, what it does, its currency): Tenderwise judges "
        "every tender against it. The set-up is on the Home page.",
        icon=":material/domain:",
    )
    st.page_link(PAGE_HOME, label="Set up the company", icon=":material/arrow_forward:")
    st.stop()
st.write(
    "Upload tender files as they come: CSV or Excel exports, JSON lists, OCDS JSON (release "
    "or record packages, JSON Lines), TED XML (R2.0.9), eForms XML, the Contracts Finder CSV "
    "or the SAM.gov Contract Opportunities CSV; the format is recognised from the content. "
    "You will see a preview "
    "before anything is stored. Tenders already imported are skipped, and a later notice of "
    "a procedure already stored updates its tender."
)

files = st.file_uploader(
    "Tender files", type=upload_types(), accept_multiple_files=True, key="import_files"
)

store = get_runtime().ctx.state  # where column choices are remembered
# Parsing a large file takes a moment: keep each upload's preview across reruns.
cache: dict[str, FilePreview] = st.session_state.setdefault("import_previews", {})
unread = [upload for upload in files or [] if upload.file_id not in cache]
if unread:
    reading = FilesProgress(st.progress(0.0), "Reading", [(u.name, u.size) for u in unread])
    for index, upload in enumerate(unread):
        reading.update(index, 0.0)
        cache[upload.file_id] = preview_file(
            upload.getvalue(),
            upload.name,
            progress=functools.partial(reading.update, index),
            resolve=resolver(store),
        )
    reading.clear()
uploads = {upload.file_id: upload for upload in files or []}
previews = [cache[file_id] for file_id in uploads]

for file_id, preview in zip(uploads, previews, strict=True):
    name = md_escape(preview.filename)
    if preview.failed:
        st.error(md_escape(refusal(preview.filename, preview.failed)))
        if (title := title_column_prompt(file_id, preview.failed)) is not None:
            cache[file_id] = preview_file(
                uploads[file_id].getvalue(), preview.filename, resolve=resolver(store, title)
            )
            if cache[file_id].layout is not None:  # read: remember it for this layout
                remember(store, cache[file_id].layout, title)
            st.rerun()
        continue
    st.subheader(name, divider="gray")
    unused = len(preview.unused_columns)
    st.caption(
        f"{preview.format or ''} · {plural(preview.tenders, 'tender')} · "
        f"{plural(preview.row_problems, 'row')} refused · "
        f"{plural(preview.row_warnings, 'warning')}"
        + (f" · {plural(unused, 'column')} not used" if unused else "")
    )
    st.dataframe(
        preview.first_rows(),
        hide_index=True,
        placeholder="–",
        column_config={
            "value": st.column_config.NumberColumn("value", format="localized"),
            "deadline": st.column_config.DatetimeColumn("deadline", format="D MMM YYYY, HH:mm"),
        },
    )
    if column_choices(preview, file_id, store):
        # read again every upload of this layout, with the choice
        for other in [i for i, p in cache.items() if p.layout == preview.layout]:
            cache.pop(other, None)
            st.session_state.pop(f"columns_{other}", None)
        st.rerun()

readable = [file_id for file_id in uploads if cache[file_id].readable]
if previews:
    label = f"Import {len(readable)} file{'s' if len(readable) != 1 else ''}"
    if st.button(label, type="primary", disabled=not readable, icon=":material/download:"):
        runtime = get_runtime()
        chosen = [uploads[file_id] for file_id in readable]
        importing = FilesProgress(st.progress(0.0), "Importing", [(u.name, u.size) for u in chosen])
        try:
            st.session_state["import_summaries"] = import_files(
                runtime.ctx.tenders,
                [(upload.name, upload.getvalue()) for upload in chosen],
                actor=actor,
                audit=runtime.ctx.audit(),
                progress=importing.update,
                resolve=resolver(store),
            )
        except NotAllowed as exc:
            st.error(md_escape(str(exc)))
        finally:
            importing.clear()
        runtime.worker.wake()

summaries = st.session_state.get("import_summaries", [])
if summaries:
    st.subheader("Import summary")
    for summary in summaries:
        import_summary(summary)
    if any(s.new for s in summaries):
        st.page_link(PAGE_PIPELINE, label="Watch the analysis", icon=":material/autorenew:")

st.divider()
st.write("No file at hand? Load a set of demo tenders to try Tenderwise.")
load_demo_button(key="import_demo", primary=False)
