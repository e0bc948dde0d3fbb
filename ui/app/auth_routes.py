"""HTTP routes that put the session cookie in the browser, and take it out again.

A Streamlit page talks to the browser over a websocket, which cannot set cookies. So after a
good sign-in the page keeps the signed cookie value here under a one-time code (60 seconds)
and sends the browser to `/auth/session?code=…`; that response sets the cookie (HttpOnly,
SameSite=Lax, Secure over HTTPS) and redirects to the page the person asked for. The cookie
value never appears in a URL, and a code works once.

A code is bound to the browser that signed in: `BrowserCookieMiddleware` gives every browser
a random `tenderwise_browser` cookie on its first request, the page records it with the code,
and `/auth/session` redeems the code only for a request carrying the same cookie. So a code
captured by someone else (their own, sent to a victim: login CSRF) signs nobody in.

Signing out is a POST to `/auth/signout`: it ends the session on the server (a copied cookie
stops working), records it in the audit log and removes the cookie. A GET there only shows a
page that makes that POST.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "tenderwise_session"
BROWSER_COOKIE = "tenderwise_browser"
SESSION_PATH = "/auth/session"
SIGN_OUT_PATH = "/auth/signout"
HANDOFF_SECONDS = 60.0
_NEXT = re.compile(r"^/[a-z0-9_-]{0,40}$")


@dataclass(frozen=True)
class _Handoff:
    cookie: str
    max_age: int
    next_path: str
    issued: float
    browser: str | None  # the browser cookie of the page that signed in


class HandoffStore:
    """One-time codes for cookie values, kept in this process's memory only."""

    def __init__(self) -> None:
        self._codes: dict[str, _Handoff] = {}
        self._lock = threading.Lock()

    def issue(
        self, cookie: str, max_age: int, next_path: str = "/", browser: str | None = None
    ) -> str:
        code = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            for stale in [c for c, h in self._codes.items() if now - h.issued > HANDOFF_SECONDS]:
                del self._codes[stale]
            self._codes[code] = _Handoff(
                cookie, max(60, max_age), safe_next(next_path), now, browser
            )
        return code

    def redeem(self, code: str, browser: str | None) -> _Handoff | None:
        """The handoff for `code`, once, and only for the browser it was issued to."""
        with self._lock:
            handoff = self._codes.pop(code, None)
        if handoff is None or time.monotonic() - handoff.issued > HANDOFF_SECONDS:
            return None
        if not handoff.browser or not hmac.compare_digest(handoff.browser, browser or ""):
            return None  # another browser, or a page that had no browser cookie
        return handoff


HANDOFFS = HandoffStore()


def safe_next(path: str | None) -> str:
    """Only this app's own page paths; anything else (other sites, odd paths) goes home."""
    return path if path and _NEXT.match(path) else "/"


async def _session(request: Request) -> Response:
    code = request.query_params.get("code", "")
    handoff = HANDOFFS.redeem(code, request.cookies.get(BROWSER_COOKIE))
    if handoff is None:  # expired, used or made up: sign in again
        return RedirectResponse("/", status_code=303)
    response = RedirectResponse(handoff.next_path, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        handoff.cookie,
        max_age=handoff.max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


_SIGN_OUT_PAGE = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Signing out</title></head><body style="font-family: sans-serif">
<form method="post" action="{SIGN_OUT_PATH}"><p>Signing you out of Tenderwise…</p>
<button type="submit">Sign out</button></form>
<script>document.forms[0].submit();</script></body></html>"""


async def _sign_out_page(request: Request) -> Response:
    """A GET only shows the page that signs out: a link cannot end anyone's session."""
    return HTMLResponse(_SIGN_OUT_PAGE, headers={"Cache-Control": "no-store"})


async def _sign_out(request: Request) -> Response:
    """End the session on the server, record it, and remove the cookie."""
    end_session(request.cookies.get(COOKIE_NAME))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def end_session(cookie: str | None) -> None:
    """Revoke the session behind `cookie` and audit the sign-out (nothing when it is not one)."""
    if not cookie:
        return
    from ui.app.runtime import get_runtime  # the database: only once the app runs

    accounts = get_runtime().ctx.accounts()
    accounts.sign_out(cookie, accounts.resolve(cookie))


def auth_routes() -> list[BaseRoute]:
    return [
        Route(SESSION_PATH, _session, methods=["GET"]),
        Route(SIGN_OUT_PATH, _sign_out_page, methods=["GET"]),
        Route(SIGN_OUT_PATH, _sign_out, methods=["POST"]),
    ]


class BrowserCookieMiddleware:
    """Gives every browser a random `tenderwise_browser` cookie on its first HTTP request, so
    that a sign-in handoff can be bound to the browser that signed in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _has_browser_cookie(scope):
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        value = secrets.token_urlsafe(24)
        cookie = f"{BROWSER_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}".encode()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _has_browser_cookie(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"cookie" and f"{BROWSER_COOKIE}=".encode() in value:
            return True
    return False
