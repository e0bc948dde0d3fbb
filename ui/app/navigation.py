"""The app's pages for the signed-in person, and the guard every page calls first.

Nobody sees a page with data before signing in: until then `st.navigation` offers only the
sign-in page (or, with no accounts at all, the page that creates the first admin). Admin pages
are listed for admins only; the services check roles again whatever a page shows.

Streamlit keeps a legacy mode for apps with a `pages/` folder: until some session has called
`st.navigation`, a visit to /dashboard runs pages/dashboard.py on its own, skipping app.py.
`ensure_app_navigation`, called first by every page, registers the navigation, which ends that
mode for the whole process, and reruns the visit through app.py; a page also stops there unless
someone is signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from core.access.roles import ADMINS, DECIDERS, Actor
from core.models import Role
from core.views.markup import escape_markdown
from ui.app.session import sign_out, signed_in_actor

_APP_RAN = "_tenderwise_app_ran"
_REROUTED = "_tenderwise_rerouted"

# Absolute: a page run on its own (legacy mode) resolves relative paths against itself.
_PAGES = Path(__file__).resolve().parents[2] / "pages"
SIGN_IN_PAGE = _PAGES / "sign_in.py"
FIRST_ADMIN_PAGE = _PAGES / "first_admin.py"


@dataclass(frozen=True)
class _PageSpec:
    section: str
    script: str  # in pages/
    title: str
    icon: str
    url_path: str = ""  # "" for Home, the default page
    only_for: frozenset[Role] | None = None  # listed for these roles only (None: everyone)


# The signed-in app's pages, in sidebar order.
_APP_PAGES = (
    _PageSpec("", "home.py", "Home", ":material/home:"),
    _PageSpec("Work", "import.py", "Import", ":material/upload_file:", "import"),
    _PageSpec("Work", "pipeline.py", "Pipeline", ":material/autorenew:", "pipeline"),
    _PageSpec("Work", "dashboard.py", "Dashboard", ":material/monitoring:", "dashboard"),
    _PageSpec("Work", "review.py", "Review", ":material/fact_check:", "review"),
    _PageSpec("Work", "tenders.py", "Tenders", ":material/description:", "tenders"),
    _PageSpec("Work", "bids.py", "Bids", ":material/edit_document:", "bids"),
    _PageSpec("Work", "quality.py", "Quality", ":material/verified:", "quality", DECIDERS),
    _PageSpec("Admin", "settings.py", "Settings", ":material/tune:", "settings"),
    _PageSpec("Admin", "operations.py", "Operations", ":material/speed:", "operations"),
    _PageSpec("Admin", "users.py", "Users", ":material/group:", "users", ADMINS),
    _PageSpec("Admin", "audit.py", "Audit log", ":material/policy:", "audit", ADMINS),
)
# Every page path of the signed-in app; signed out, each of them shows the sign-in page.
APP_PATHS = tuple(spec.url_path for spec in _APP_PAGES if spec.url_path)


def signed_out_navigation(has_accounts: bool) -> StreamlitPage:
    """Only the sign-in page (or first-admin set-up), whatever URL was asked for: a deep link
    such as /dashboard shows the sign-in form and keeps its address, to return there after."""
    script, title = (SIGN_IN_PAGE, "Sign in") if has_accounts else (FIRST_ADMIN_PAGE, "Set up")
    pages = [st.Page(script, title=title, icon=":material/login:", default=True)]
    pages += [st.Page(script, title=title, url_path=path) for path in APP_PATHS]
    return st.navigation(pages, position="hidden")


def app_navigation(actor: Actor) -> StreamlitPage:
    """Register the pages this person may open (st.navigation) and return the one to run."""
    sections: dict[str, list[StreamlitPage]] = {}
    for spec in _APP_PAGES:
        if spec.only_for is not None and not actor.can(spec.only_for):
            continue
        page = st.Page(
            f"pages/{spec.script}",
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=not spec.url_path,
        )
        sections.setdefault(spec.section, []).append(page)
    return st.navigation(sections)


def mark_app_ran() -> None:
    st.session_state[_APP_RAN] = True


def ensure_app_navigation(*, public: bool = False) -> None:
    """First call of every page: reroute a legacy-mode visit through app.py, and stop a page
    with data (public=False) when nobody is signed in.

    (AppTest runs the current page's file directly after the first run; app.py has run in that
    session by then, so the page goes on, still behind the sign-in check.)
    """
    if not (st.session_state.get(_APP_RAN) or st.session_state.get(_REROUTED)):
        st.session_state[_REROUTED] = True  # once: a page run on its own must not loop
        signed_out_navigation(True)
        st.rerun()
    if public:
        return
    actor = signed_in_actor()
    if actor is None:
        st.info("Sign in to see Tenderwise.")
        st.stop()
    _account_box(actor)


def _account_box(actor: Actor) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{escape_markdown(actor.label)}** · {actor.role.label}")
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            sign_out()
            st.rerun()
