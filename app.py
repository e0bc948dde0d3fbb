"""Tenderwise: routing only. Every page lives in pages/ and talks to core services."""

from __future__ import annotations

import streamlit as st

from storage.db import StorageError
from ui.runtime import get_runtime

st.set_page_config(page_title="Tenderwise", page_icon="📑", layout="wide")

try:
    get_runtime()
except StorageError as exc:
    st.error(str(exc))
    st.stop()

navigation = st.navigation(
    {
        "": [
            st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        ],
        "Work": [
            st.Page(
                "pages/import.py", title="Import", icon=":material/upload_file:", url_path="import"
            ),
            st.Page(
                "pages/pipeline.py",
                title="Pipeline",
                icon=":material/autorenew:",
                url_path="pipeline",
            ),
            st.Page(
                "pages/dashboard.py",
                title="Dashboard",
                icon=":material/monitoring:",
                url_path="dashboard",
            ),
            st.Page(
                "pages/tender.py",
                title="Tenders",
                icon=":material/description:",
                url_path="tenders",
            ),
        ],
        "Admin": [
            st.Page(
                "pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"
            ),
        ],
    }
)
navigation.run()
