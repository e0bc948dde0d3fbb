"""Signed session cookies: the key that signs them, the cookie format, and what storage keeps
of a session (the token's SHA-256 only).

A browser holds a cookie `token.expiry.signature`. The signature (HMAC-SHA256 with the session
key) lets a forged or altered cookie be refused without a database read; the token's SHA-256
must also name an open session in `auth_sessions`, so signing out or disabling the account
ends it at once. The token itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.access.passwords import b64, unb64
from core.access.roles import Actor

SESSION_KEY_FILE = "session.key"
TOUCH_EVERY = timedelta(minutes=5)  # how often a session's last-seen time is written


def load_session_key(secret: str | None, key_dir: Path) -> bytes:
    """The key that signs session cookies: the configured secret, else a random key kept in
    `key_dir/session.key` (readable by this user only), created on first use."""
    if secret:
        return hashlib.sha256(secret.encode("utf-8")).digest()
    path = key_dir / SESSION_KEY_FILE
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", errors="replace")).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    cookie: str  # the value for the browser's session cookie
    expires_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(32)


def sign_cookie(key: bytes, token: str, expires: datetime) -> str:
    """The cookie value for `token`, valid until `expires`."""
    payload = f"{token}.{int(expires.timestamp())}"
    signature = hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{b64(signature)}"


def verified_token(key: bytes, cookie: str | None, now: datetime) -> str | None:
    """The token inside a well-formed, correctly signed, unexpired cookie; else None."""
    if not cookie or len(cookie) > 200:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    token, expiry, signature = parts
    expected = hmac.new(
        key, f"{token}.{expiry}".encode("ascii", errors="replace"), hashlib.sha256
    ).digest()
    try:
        given = unb64(signature)
    except ValueError:
        return None
    if not hmac.compare_digest(given, expected):
        return None
    if int(expiry) <= now.timestamp():
        return None
    return token
