"""The app's pages, and a guard for deep links on a freshly started server.

Streamlit keeps a legacy mode for apps with a `pages/` folder: until some session has called
`st.navigation`, a visit to /dashboard runs pages/dashboard.py on its own, skipping app.py
(no wide layout, no runtime check, a sidebar listing raw file names). `ensure_app_navigation`,
called first by every page, registers the real navigation, which ends that mode for the whole
process, and reruns the visit through app.py.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

_APP_RAN = "_tenderwise_app_ran"
_REROUTED = "_tenderwise_rerouted"


def app_navigation() -> StreamlitPage:
    """Register the pages (st.navigation) and return the one to run."""
    return st.navigation(
        {
            "": [
                st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
            ],
            "Work": [
                st.Page(
                    "pages/import.py",
                    title="Import",
                    icon=":material/upload_file:",
                    url_path="import",
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
                    "pages/review.py",
                    title="Review",
                    icon=":material/fact_check:",
                    url_path="review",
                ),
                st.Page(
                    "pages/tender.py",
                    title="Tenders",
                    icon=":material/description:",
                    url_path="tenders",
                ),
                st.Page(
                    "pages/bids.py",
                    title="Bids",
                    icon=":material/edit_document:",
                    url_path="bids",
                ),
            ],
            "Admin": [
                st.Page(
                    "pages/settings.py",
                    title="Settings",
                    icon=":material/tune:",
                    url_path="settings",
                ),
                st.Page(
                    "pages/operations.py",
                    title="Operations",
                    icon=":material/speed:",
                    url_path="operations",
                ),
            ],
        }
    )


def mark_app_ran() -> None:
    st.session_state[_APP_RAN] = True


def ensure_app_navigation() -> None:
    if st.session_state.get(_APP_RAN) or st.session_state.get(_REROUTED):
        return
    st.session_state[_REROUTED] = True  # once: a page run on its own (a test) must not loop
    app_navigation()
    st.rerun()
