"""Tenderwise: routing only. Every page lives in pages/ and talks to core services."""

from __future__ import annotations

import streamlit as st

from storage.db import StorageError
from ui.navigation import app_navigation, mark_app_ran
from ui.runtime import get_runtime

st.set_page_config(page_title="Tenderwise", page_icon="📑", layout="wide")
mark_app_ran()

try:
    get_runtime()
except StorageError as exc:
    st.error(str(exc))
    st.stop()

app_navigation().run()
