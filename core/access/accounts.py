"""The account service: who may sign in, with which role, and who may change that.

Sign-in attempts are throttled per username; sessions are server-side and named by a signed
cookie (core.access.sessions); passwords are scrypt hashes (core.access.passwords). Every change
is checked against the actor's role and audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.errors import AccountError, SignInRefused
from core.access.passwords import (
    check_password,
    clean_display_name,
    clean_username,
    hash_password,
    nobody_hash,
    verify_password,
)
from core.access.roles import ADMINS, Actor, NotAllowed, require
from core.access.sessions import (
    TOUCH_EVERY,
    SignedIn,
    new_token,
    sign_cookie,
    token_hash,
    verified_token,
)
from core.access.throttle import FAILURE_WINDOW, SignInLock, wait_after
from core.models import Account, AccountExists, AuthSession, Role, utcnow


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
    def add_failure(self, username: str, at: datetime, source: str = "") -> None: ...
    def failures_since(
        self, username: str, since: datetime, source: str = ""
    ) -> list[datetime]: ...
    def recent_failures(self, since: datetime) -> list[tuple[str, str, datetime]]: ...
    def clear_failures(
        self, username: str, before: datetime | None = None, source: str | None = None
    ) -> None: ...


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
        source = (client or "")[:80]  # throttled per username and source: nobody locks out
        wait = self._lockout(name, now, source)  # another person from elsewhere
        if wait is not None:
            self._failed_sign_in(
                name or "?", None, _user(name), "refused: too many failed attempts"
            )
            raise SignInRefused(
                f"Too many failed sign-ins for “{name}”; wait {_duration(wait)} and try again, "
                "or ask an admin to reset your password."
            )
        account = self._store.get(name) if name else None
        good = verify_password(password or "", account.password_hash if account else nobody_hash())
        if account is None or not good:
            self._store.add_failure(name, now, source)
            self._failed_sign_in(name or "?", None, _user(name), "wrong username or password")
            raise SignInRefused("The username or password is not right; check both and try again.")
        if not account.enabled:
            self._failed_sign_in(name, account.role, _user(name), "account disabled")
            raise SignInRefused("This account is disabled; ask an admin to enable it.")
        self._store.clear_failures(name, before=now - FAILURE_WINDOW, source=source)
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

    def _lockout(self, username: str, now: datetime, source: str = "") -> timedelta | None:
        """How long `username` must wait before trying again from `source`, or None."""
        failures = self._store.failures_since(username, now - FAILURE_WINDOW, source)
        return wait_after(failures, now)

    def locks(self, actor: Actor) -> list[SignInLock]:
        """Usernames that must wait before signing in again, per source (admins only)."""
        self._audit.require(actor, ADMINS, "see sign-in locks", target="sign-in locks")
        now = self._clock()
        by_key: dict[tuple[str, str], list[datetime]] = {}
        for username, source, at in self._store.recent_failures(now - FAILURE_WINDOW):
            by_key.setdefault((username, source), []).append(at)
        locks = []
        for (username, source), failures in sorted(by_key.items()):
            wait = wait_after(failures, now)
            if wait is not None:
                locks.append(SignInLock(username, source, len(failures), now + wait))
        return locks

    def clear_lock(self, actor: Actor, username: str) -> None:
        """Let `username` sign in again at once, from anywhere (admins only; audited)."""
        name = (username or "").strip().lower()
        self._audit.require(actor, ADMINS, "clear sign-in locks", target=_user(name))
        self._store.clear_failures(name)
        self._audit.record_actor(
            actor, AuditAction.USER_CHANGED, target=_user(name), detail="cleared the sign-in lock"
        )

    def _open_session(self, account: Account, client: str | None, *, how: str) -> SignedIn:
        now = self._clock()
        token = new_token()
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

    def _sign(self, token: str, expires: datetime) -> str:
        return sign_cookie(self._key_source(), token, expires)

    def _verified_token(self, cookie: str | None) -> str | None:
        return verified_token(self._key_source(), cookie, self._clock())


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
