"""Accounts and sign-in: salted scrypt hashes, throttled attempts, signed server-side sessions.

A browser holds a cookie `token.expiry.signature`. The signature (HMAC-SHA256 with the session
key) lets a forged or altered cookie be refused without a database read; the token's SHA-256
must also name an open session in `auth_sessions`, so signing out or disabling the account
ends it at once. The token itself is never stored.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.roles import ADMINS, Actor, NotAllowed, require
from core.models import Account, AccountExists, AuthSession, Role, utcnow

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# scrypt: 16 MiB of memory and ~50 ms per hash on this class of machine (OWASP's minimum).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,39}$")
# Throttling: this many failures within the window are free; each one after doubles the wait.
FREE_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_LOCKOUT = timedelta(seconds=30)
LONGEST_LOCKOUT = timedelta(minutes=15)
TOUCH_EVERY = timedelta(minutes=5)
SESSION_KEY_FILE = "session.key"


class AccountError(ValueError):
    """Something about an account a person can fix; the message is one sentence."""


class SignInRefused(AccountError):
    """Wrong username or password, a disabled account, or too many attempts."""


class AccountStore(Protocol):
    """storage.accounts.AccountRepository."""

    def count(self) -> int: ...
    def add(self, account: Account, *, only_if_none: bool = False) -> Account: ...
    def get(self, username: str) -> Account | None: ...
    def by_email(self, email: str) -> Account | None: ...
    def all(self) -> list[Account]: ...
    def count_enabled(self, role: Role) -> int: ...
    def update(self, username: str, **changes: object) -> Account | None: ...
    def add_session(self, session: AuthSession) -> None: ...
    def session(self, token_hash: str) -> AuthSession | None: ...
    def touch_session(self, token_hash: str, at: datetime) -> None: ...
    def revoke_session(self, token_hash: str, at: datetime) -> bool: ...
    def add_failure(self, username: str, at: datetime) -> None: ...
    def failures_since(self, username: str, since: datetime) -> list[datetime]: ...
    def clear_failures(self, username: str, before: datetime | None = None) -> None: ...


# --------------------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` with a fresh 16-byte salt (base64, no padding)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`, compared in constant time; False for a bad hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


@functools.cache
def _nobody_hash() -> str:
    """A hash to check against when the username is unknown, so both cases take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, username: str = "") -> None:
    """Raise AccountError with one sentence when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters; "
            f"this one has {len(password)}."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"A password has at most {MAX_PASSWORD_LENGTH} characters.")
    if username and username.casefold() in password.casefold():
        raise AccountError("A password must not contain the username; choose another.")
    if len(set(password)) < 4:
        raise AccountError("That password repeats too few characters; choose another.")


def clean_username(username: str) -> str:
    cleaned = (username or "").strip().lower()
    if not _USERNAME.match(cleaned):
        raise AccountError(
            "A username has 2 to 40 lower-case letters, digits or . _ @ - characters and starts "
            "with a letter or digit."
        )
    return cleaned


def clean_display_name(display_name: str, username: str) -> str:
    cleaned = " ".join((display_name or "").split()) or username
    if len(cleaned) > 80 or any(ord(ch) < 32 for ch in cleaned):
        raise AccountError("A display name has at most 80 printable characters.")
    return cleaned


# --------------------------------------------------------------------------- session keys


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


# --------------------------------------------------------------------------- the service


class AccountService:
    def __init__(
        self,
        store: AccountStore,
        audit: AuditLog,
        key: Callable[[], bytes],
        *,
        session_hours: float = 12.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._audit = audit
        self._key_source = key  # read only when a cookie is signed or checked
        self._session_length = timedelta(hours=session_hours)
        self._clock = clock

    # ------------------------------------------------------------------ accounts

    def has_accounts(self) -> bool:
        return self._store.count() > 0

    def get(self, username: str) -> Account | None:
        return self._store.get(username.strip().lower())

    def create_first_admin(self, username: str, display_name: str, password: str) -> Account:
        """The first account, an admin; refused once any account exists."""
        account = self._new_account(username, display_name, Role.ADMIN, password, "setup", None)
        try:
            self._store.add(account, only_if_none=True)
        except AccountExists:
            raise AccountError(
                "An admin already exists; sign in, or ask them to add your account."
            ) from None
        self._audit.record(
            account.username,
            Role.ADMIN,
            AuditAction.USER_ADDED,
            target=_user(account.username),
            detail="first admin, created at setup",
        )
        return account

    def add(
        self,
        actor: Actor,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        email: str | None = None,
    ) -> Account:
        self._require_admin(actor, "add users")
        account = self._new_account(username, display_name, role, password, actor.name, email)
        try:
            self._store.add(account)
        except AccountExists:
            raise AccountError(
                f"There is already a user “{account.username}”; choose another username."
            ) from None
        self._audit.record(
            actor.name,
            actor.role,
            AuditAction.USER_ADDED,
            target=_user(account.username),
            detail=f"role {role.label}",
        )
        return account

    def accounts(self, actor: Actor) -> list[Account]:
        self._require_admin(actor, "see the users")
        return self._store.all()

    def set_role(self, actor: Actor, username: str, role: Role) -> Account:
        self._require_admin(actor, "change roles")
        account = self._existing(username)
        if account.role is role:
            return account
        if account.role is Role.ADMIN and account.enabled:
            self._keep_an_admin(account)
        updated = self._store.update(account.username, role=role)
        self._user_changed(actor, account.username, f"role {account.role.label} → {role.label}")
        return updated or account

    def disable(self, actor: Actor, username: str) -> Account:
        self._require_admin(actor, "disable users")
        account = self._existing(username)
        if not account.enabled:
            return account
        if account.role is Role.ADMIN:
            self._keep_an_admin(account)
        updated = self._store.update(account.username, disabled_at=self._clock())
        self._user_changed(actor, account.username, "disabled; their sessions were ended")
        return updated or account

    def enable(self, actor: Actor, username: str) -> Account:
        self._require_admin(actor, "enable users")
        account = self._existing(username)
        if account.enabled:
            return account
        updated = self._store.update(account.username, disabled_at=None)
        self._user_changed(actor, account.username, "enabled")
        return updated or account

    def reset_password(self, actor: Actor, username: str, password: str) -> Account:
        """An admin sets someone's password (or anyone their own); open sessions end."""
        account = self._existing(username)
        if actor.name != account.username:
            self._require_admin(actor, "set other people's passwords")
        check_password(password, account.username)
        updated = self._store.update(
            account.username,
            password_hash=hash_password(password),
            password_changed_at=self._clock(),
        )
        self._user_changed(actor, account.username, "password changed; their sessions were ended")
        return updated or account

    # ------------------------------------------------------------------ signing in

    def sign_in(self, username: str, password: str, *, client: str | None = None) -> SignedIn:
        """A new session for a right username and password; SignInRefused otherwise."""
        name = (username or "").strip().lower()[:80]
        now = self._clock()
        wait = self._lockout(name, now)
        if wait is not None:
            self._failed_sign_in(
                name or "?", None, _user(name), "refused: too many failed attempts"
            )
            raise SignInRefused(
                f"Too many failed sign-ins for “{name}”; wait {_duration(wait)} and try again, "
                "or ask an admin to reset your password."
            )
        account = self._store.get(name) if name else None
        good = verify_password(password or "", account.password_hash if account else _nobody_hash())
        if account is None or not good:
            self._store.add_failure(name, now)
            self._failed_sign_in(name or "?", None, _user(name), "wrong username or password")
            raise SignInRefused("The username or password is not right; check both and try again.")
        if not account.enabled:
            self._failed_sign_in(name, account.role, _user(name), "account disabled")
            raise SignInRefused("This account is disabled; ask an admin to enable it.")
        self._store.clear_failures(name, before=now - FAILURE_WINDOW)
        return self._open_session(account, client, how="password")

    def sign_in_with_email(self, email: str, *, client: str | None = None) -> SignedIn:
        """Single sign-on: the identity provider vouched for `email`; map it to an account."""
        account = self._store.by_email(email.strip()) if email and email.strip() else None
        if account is None or not account.enabled:
            self._failed_sign_in(
                email or "?", None, email or "", "single sign-on: no enabled account has this email"
            )
            raise SignInRefused(
                f"No enabled Tenderwise account has the email {email}; ask an admin to add it."
            )
        return self._open_session(account, client, how="single sign-on")

    def resolve(self, cookie: str | None) -> Actor | None:
        """The signed-in actor for a session cookie; None when it is forged, expired or ended."""
        token = self._verified_token(cookie)
        if token is None:
            return None
        hashed = token_hash(token)
        session = self._store.session(hashed)
        now = self._clock()
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            return None
        account = self._store.get(session.username)
        if account is None or not account.enabled:
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            self._store.touch_session(hashed, now)
        return _actor(account)

    def sign_out(self, cookie: str | None, actor: Actor | None = None) -> None:
        token = self._verified_token(cookie)
        if token is not None:
            self._store.revoke_session(token_hash(token), self._clock())
        if actor is not None:
            self._audit.record(
                actor.name, actor.role, AuditAction.SIGN_OUT, target=_user(actor.name)
            )

    def directory(self) -> AccountDirectory:
        return AccountDirectory(self._store)

    # ------------------------------------------------------------------ helpers

    def _new_account(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        created_by: str,
        email: str | None,
    ) -> Account:
        name = clean_username(username)
        check_password(password, name)
        mail = (email or "").strip() or None
        if mail is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", mail):
            raise AccountError(f"“{mail[:60]}” is not an email address; leave it empty or fix it.")
        now = self._clock()
        return Account(
            username=name,
            display_name=clean_display_name(display_name, name),
            role=role,
            password_hash=hash_password(password),
            email=mail,
            created_at=now,
            created_by=created_by,
            password_changed_at=now,
        )

    def _failed_sign_in(self, who: str, role: Role | None, target: str, detail: str) -> None:
        self._audit.record(
            who, role, AuditAction.SIGN_IN_FAILED, target=target, detail=detail, outcome="refused"
        )

    def _user_changed(self, actor: Actor, username: str, detail: str) -> None:
        self._audit.record(
            actor.name, actor.role, AuditAction.USER_CHANGED, target=_user(username), detail=detail
        )

    def _existing(self, username: str) -> Account:
        account = self._store.get((username or "").strip().lower())
        if account is None:
            raise AccountError(f"There is no user “{username}”; check the name in the user list.")
        return account

    def _keep_an_admin(self, account: Account) -> None:
        if self._store.count_enabled(Role.ADMIN) <= 1:
            raise AccountError(
                f"{account.username} is the only admin; make someone else an admin first."
            )

    def _require_admin(self, actor: Actor, doing: str) -> None:
        try:
            require(actor, ADMINS, doing)
        except NotAllowed:
            self._audit.record(
                actor.name, actor.role, AuditAction.REFUSED, detail=doing, outcome="refused"
            )
            raise

    def _lockout(self, username: str, now: datetime) -> timedelta | None:
        """How long `username` must wait before trying again, or None."""
        failures = self._store.failures_since(username, now - FAILURE_WINDOW)
        extra = len(failures) - FREE_FAILURES
        if extra < 0:
            return None
        lockout = min(FIRST_LOCKOUT * (2**extra), LONGEST_LOCKOUT)
        remaining = failures[-1] + lockout - now
        return remaining if remaining > timedelta(0) else None

    def _open_session(self, account: Account, client: str | None, *, how: str) -> SignedIn:
        now = self._clock()
        token = secrets.token_urlsafe(32)
        expires = now + self._session_length
        self._store.add_session(
            AuthSession(
                token_hash=token_hash(token),
                username=account.username,
                created_at=now,
                expires_at=expires,
                last_seen_at=now,
                client=(client or "")[:80] or None,
            )
        )
        self._audit.record(
            account.username,
            account.role,
            AuditAction.SIGN_IN,
            target=_user(account.username),
            detail=how,
        )
        return SignedIn(_actor(account), self._sign(token, expires), expires)

    @property
    def _key(self) -> bytes:
        return self._key_source()

    def _sign(self, token: str, expires: datetime) -> str:
        payload = f"{token}.{int(expires.timestamp())}"
        signature = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()
        return f"{payload}.{_b64(signature)}"

    def _verified_token(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > 200:
            return None
        parts = cookie.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        token, expiry, signature = parts
        expected = hmac.new(
            self._key, f"{token}.{expiry}".encode("ascii", errors="replace"), hashlib.sha256
        ).digest()
        try:
            given = _unb64(signature)
        except ValueError:
            return None
        if not hmac.compare_digest(given, expected):
            return None
        if int(expiry) <= self._clock().timestamp():
            return None
        return token


class AccountDirectory:
    """core.access.roles.Directory over the accounts: enabled users only, by username."""

    def __init__(self, store: AccountStore) -> None:
        self._store = store

    def find(self, name: str) -> Actor | None:
        account = self._store.get(name.strip().lower())
        if account is None or not account.enabled:
            return None
        return _actor(account)


def _actor(account: Account) -> Actor:
    return Actor(name=account.username, role=account.role, display_name=account.display_name)


def _user(username: str) -> str:
    return f"user {username}" if username else ""


def _duration(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc
