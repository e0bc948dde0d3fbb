"""Tenderwise: the sign-in gate and page routing. Every page lives in pages/.

`streamlit run app.py` finds `app` below and serves the script through it, which adds the
two small routes that set and clear the session cookie (ui/app/auth_routes.py).
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.app.auth_routes import BrowserCookieMiddleware, auth_routes


def main() -> None:
    from storage.db import StorageError
    from ui.app.navigation import app_navigation, mark_app_ran, signed_out_navigation
    from ui.app.runtime import get_runtime
    from ui.app.session import accounts, signed_in_actor

    st.set_page_config(page_title="Tenderwise", page_icon="📑", layout="wide")
    mark_app_ran()
    try:
        get_runtime()
        actor = signed_in_actor()
        has_accounts = actor is not None or accounts().has_accounts()
    except StorageError as exc:
        st.error(str(exc))
        st.stop()
    if actor is None:
        signed_out_navigation(has_accounts).run()
        return
    app_navigation(actor).run()


def storage_error_shown(exc: Exception) -> bool:
    """A damaged database fails its first query wherever that is: one sentence, not a crash."""
    from storage.db import storage_failure
    from ui.app.runtime import configured_database

    failure = storage_failure(exc, configured_database())
    if failure is None:
        return False
    st.error(str(failure))
    return True


if __name__ == "__main__":  # each Streamlit script run
    main()
else:  # imported by the server (`streamlit run` serves the app through this object)
    app = st.App("app.py", routes=auth_routes(), middleware=[Middleware(BrowserCookieMiddleware)])
