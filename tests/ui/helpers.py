"""Small readers of what an AppTest page shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.access.roles import Actor
from core.models import Role
from ui.app.acting_user import SIGNED_IN_KEY

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT_S = 30

# The accounts tests/ui/conftest.py adds to every test database (password: TEST_PASSWORD).
TEST_PASSWORD = "correct horse battery staple"
USERS: dict[str, Actor] = {
    actor.name: actor
    for actor in (
        Actor(name="ann", role=Role.ADMIN, display_name="Ann Admin"),
        Actor(name="alice", role=Role.APPROVER, display_name="Alice Martin"),
        Actor(name="bob", role=Role.APPROVER, display_name="Bob Stone"),
        Actor(name="carol", role=Role.BID_MANAGER, display_name="Carol Diaz"),
        Actor(name="vera", role=Role.VIEWER, display_name="Vera Viewer"),
    )
}


def sign_in(at: AppTest, name: str | None) -> AppTest:
    """Sign `name` (a USERS key, any case) in to this AppTest session, or sign out (None)."""
    if name is None:
        if SIGNED_IN_KEY in at.session_state:
            del at.session_state[SIGNED_IN_KEY]
        return at
    at.session_state[SIGNED_IN_KEY] = USERS[name.lower()]
    return at


def app_test(user: str | None = "ann") -> AppTest:
    """The app, with `user` signed in (None: nobody), not run yet."""
    return sign_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S), user)


def texts(at: AppTest) -> list[str]:
    """Every plain text, markdown, caption and alert on the page."""
    elements = [*at.text, *at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success]
    return [str(e.value).replace("\\", "").replace("\u2060", "") for e in elements]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}
