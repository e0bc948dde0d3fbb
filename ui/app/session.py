"""Who is signed in to this browser session, and signing in and out.

The signed-in Actor is kept in `st.session_state` for the life of the websocket session and
re-checked against the accounts on every run, so a disabled account or a changed role takes
effect at once. A browser refresh starts a new session: it is restored from the HttpOnly
cookie that `ui.app.auth_routes` set, which `AccountService.resolve` checks against the server's
session table.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.access.accounts import AccountService
from core.access.errors import AccountError
from core.access.roles import Actor
from core.access.sessions import SignedIn
from core.models import utcnow
from ui.app.acting_user import SIGNED_IN_KEY
from ui.app.auth_routes import (
    BROWSER_COOKIE,
    COOKIE_NAME,
    HANDOFFS,
    SESSION_PATH,
    SIGN_OUT_PATH,
    safe_next,
)
from ui.app.runtime import get_context

COOKIE_KEY = "tw_cookie"  # the signed cookie value of this session, to revoke it on sign-out
SSO_REFUSED_KEY = "tw_sso_refused"


def accounts() -> AccountService:
    return get_context().accounts()


def signed_in_actor() -> Actor | None:
    """The signed-in person for this run, or None. Restores a session from the cookie."""
    service = accounts()
    actor = st.session_state.get(SIGNED_IN_KEY)
    cookie = st.session_state.get(COOKIE_KEY)
    if isinstance(actor, Actor):
        # With a cookie, its session must still be open; either way the account must be enabled.
        current = service.resolve(cookie) if cookie else service.directory().find(actor.name)
        if current is None or current.name != actor.name:
            _forget()
            return None
        if current != actor:  # role or display name changed meanwhile
            st.session_state[SIGNED_IN_KEY] = current
        return current
    cookie = _browser_cookie()
    restored = service.resolve(cookie) if cookie else None
    if restored is not None:
        st.session_state[SIGNED_IN_KEY] = restored
        st.session_state[COOKIE_KEY] = cookie
        return restored
    return _from_single_sign_on(service)


def single_sign_on_configured() -> bool:
    """Whether `[auth]` is set in .streamlit/secrets.toml, so st.login can be offered."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _from_single_sign_on(service: AccountService) -> Actor | None:
    """A person the identity provider signed in (st.login), mapped by email to their account."""
    if not single_sign_on_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_REFUSED_KEY, {}).get("email") == email:
        return None  # refused already in this session: say it once, not on every rerun
    try:
        signed_in = service.sign_in_with_email(email, client=client_label())
    except AccountError as exc:
        st.session_state[SSO_REFUSED_KEY] = {"email": email, "message": str(exc)}
        return None
    start_session(signed_in, requested_path())
    return signed_in.actor


def single_sign_on_refusal() -> str | None:
    refused = st.session_state.get(SSO_REFUSED_KEY)
    return refused.get("message") if isinstance(refused, dict) else None


def start_session(signed_in: SignedIn, next_path: str = "/") -> None:
    """Remember the person here, and have the browser store the session cookie."""
    st.session_state[SIGNED_IN_KEY] = signed_in.actor
    st.session_state[COOKIE_KEY] = signed_in.cookie
    max_age = int((signed_in.expires_at - utcnow()).total_seconds())
    code = HANDOFFS.issue(signed_in.cookie, max_age, next_path, _browser_cookie(BROWSER_COOKIE))
    _redirect(f"{SESSION_PATH}?code={quote(code)}")


def sign_out() -> None:
    """End the session on the server and remove the cookie from the browser."""
    actor = st.session_state.get(SIGNED_IN_KEY)
    accounts().sign_out(
        st.session_state.get(COOKIE_KEY) or _browser_cookie(),
        actor if isinstance(actor, Actor) else None,
    )
    _forget()
    if single_sign_on_configured() and st.user.is_logged_in:
        st.logout()  # also forgets the identity provider's cookie, then returns home
        return
    _redirect(SIGN_OUT_PATH)


def requested_path() -> str:
    """The page path the browser asked for (/dashboard…), to return there after signing in."""
    return safe_next(urlsplit(st.context.url or "").path or "/")


def client_label() -> str | None:
    """Where the browser connects from, for the audit log."""
    try:
        address = st.context.ip_address
    except Exception:  # not available in every runtime (tests)
        return None
    return address if isinstance(address, str) else None


def _browser_cookie(name: str = COOKIE_NAME) -> str | None:
    try:
        cookie = st.context.cookies.get(name)
    except Exception:  # no request context
        return None
    return cookie if isinstance(cookie, str) else None  # AppTest hands back a mock


def _forget() -> None:
    for key in (SIGNED_IN_KEY, COOKIE_KEY):
        st.session_state.pop(key, None)


def _redirect(url: str) -> None:
    """Send the browser to `url` (the same message st.login uses to reach its own routes)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    ctx.enqueue(message)
