"""Small readers of what an AppTest page shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT_S = 30


def texts(at: AppTest) -> list[str]:
    """Every plain text, markdown, caption and alert on the page."""
    elements = [*at.text, *at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success]
    return [str(e.value).replace("\\", "") for e in elements]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}
