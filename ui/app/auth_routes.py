"""HTTP routes that put the session cookie in the browser, and take it out again.

A Streamlit page talks to the browser over a websocket, which cannot set cookies. So after a
good sign-in the page keeps the signed cookie value here under a one-time code (60 seconds)
and sends the browser to `/auth/session?code=…`; that response sets the cookie (HttpOnly,
SameSite=Lax, Secure over HTTPS) and redirects to the page the person asked for. The cookie
value never appears in a URL, and a code works once.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

COOKIE_NAME = "tenderwise_session"
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


class HandoffStore:
    """One-time codes for cookie values, kept in this process's memory only."""

    def __init__(self) -> None:
        self._codes: dict[str, _Handoff] = {}
        self._lock = threading.Lock()

    def issue(self, cookie: str, max_age: int, next_path: str = "/") -> str:
        code = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            for stale in [c for c, h in self._codes.items() if now - h.issued > HANDOFF_SECONDS]:
                del self._codes[stale]
            self._codes[code] = _Handoff(cookie, max(60, max_age), safe_next(next_path), now)
        return code

    def redeem(self, code: str) -> _Handoff | None:
        with self._lock:
            handoff = self._codes.pop(code, None)
        if handoff is None or time.monotonic() - handoff.issued > HANDOFF_SECONDS:
            return None
        return handoff


HANDOFFS = HandoffStore()


def safe_next(path: str | None) -> str:
    """Only this app's own page paths; anything else (other sites, odd paths) goes home."""
    return path if path and _NEXT.match(path) else "/"


async def _session(request: Request) -> Response:
    handoff = HANDOFFS.redeem(request.query_params.get("code", ""))
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


async def _sign_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def auth_routes() -> list[BaseRoute]:
    return [
        Route(SESSION_PATH, _session, methods=["GET"]),
        Route(SIGN_OUT_PATH, _sign_out, methods=["GET"]),
    ]
