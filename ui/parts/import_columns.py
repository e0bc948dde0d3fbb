"""The Import preview's column list: every column with the field it fills or "not used", and
a choice for each, remembered per header layout (core.imports.mapping). Nothing is stored in
the tenders until the user imports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.imports.mapping import StateStore, field_choice, field_label, field_options, remember
from core.imports.preview import FilePreview
from core.ingest.fields import normalise_header
from core.ingest.tabular import NO_TITLE


def column_choices(preview: FilePreview, key: str, store: StateStore) -> bool:
    """Show the columns of a spreadsheet preview; True when the user changed a choice (the
    choice is remembered for the layout, and the caller reads the file again)."""
    if not preview.columns or preview.layout is None:
        return False
    unused = preview.unused_columns
    title = f"Columns: {len(preview.columns) - len(unused)} read"
    title += f", {len(unused)} not used" if unused else ", all used"
    with st.expander(title, expanded=bool(unused), icon=":material/view_column:"):
        st.caption(
            "Each column of the file and the field it fills. Pick a field for a column "
            "Tenderwise did not recognise, or 'not used' for one it should leave alone; "
            "the choice is remembered for files with these columns. Columns not used are "
            "still kept with each tender's source data."
        )
        shown = pd.DataFrame(
            [
                {"column": c.header, "fills": field_label(c.field), "first row": c.sample}
                for c in preview.columns
            ]
        )
        edited = st.data_editor(
            shown,
            key=f"columns_{key}",
            hide_index=True,
            disabled=["column", "first row"],
            column_config={
                "column": st.column_config.TextColumn("column", width="medium"),
                "fills": st.column_config.SelectboxColumn(
                    "fills", options=field_options(), required=True, width="medium"
                ),
                "first row": st.column_config.TextColumn("first row", width="large"),
            },
        )
    changes = {
        normalise_header(str(row["column"])): field_choice(str(row["fills"]))
        for (_, row), (_, before) in zip(edited.iterrows(), shown.iterrows(), strict=True)
        if row["fills"] != before["fills"] and str(row["column"]).strip()
    }
    if not changes:
        return False
    remember(store, preview.layout, changes)
    return True


def title_column_prompt(key: str, message: str) -> dict[str, str] | None:
    """For a spreadsheet refused for having no title column: ask which column holds the
    title; returns the choice to read the file again with (remembered once it is read)."""
    if NO_TITLE not in message:
        return None
    with st.form(f"title_column_{key}", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        column = left.text_input(
            "Which column holds the title? (its heading, as in the file)", max_chars=200
        )
        read = right.form_submit_button("Read again", icon=":material/refresh:")
    if read and column.strip():
        return {normalise_header(column): "title"}
    return None
