"""Accounts, sign-in, sessions and throttling over a real DuckDB file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.access.accounts import AccountService
from core.access.audit import AuditAction
from core.access.errors import AccountError, SignInRefused
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.access.throttle import FREE_FAILURES
from core.bootstrap import AppContext, open_context
from core.models import Role, utcnow
from storage.accounts import AccountRepository
from storage.db import close_database

PASSWORD = "tender season 2026"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "accounts.duckdb"
    context = open_context(db_path=path)
    yield context
    close_database(path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(ctx: AppContext, clock: Clock) -> AccountService:
    return AccountService(
        AccountRepository(ctx.db), ctx.audit(), ctx.session_key, session_hours=8, clock=clock
    )


@pytest.fixture
def admin(service: AccountService) -> Actor:
    service.create_first_admin("Ann", "Ann Admin", PASSWORD)
    return service.sign_in("ann", PASSWORD).actor


def _events(ctx: AppContext, action: AuditAction) -> list[str]:
    viewer = Actor(name="ann", role=Role.ADMIN)
    return [e.outcome for e in ctx.audit().events(viewer, action=action)]


def test_the_first_admin_is_created_once(service: AccountService) -> None:
    assert not service.has_accounts()
    account = service.create_first_admin("Ann", "Ann Admin", PASSWORD)
    assert (account.username, account.role, account.display_name) == (
        "ann",
        Role.ADMIN,
        "Ann Admin",
    )
    with pytest.raises(AccountError, match="An admin already exists"):
        service.create_first_admin("eve", "Eve", PASSWORD)
    assert [a.username for a in service.accounts(CLI_ACTOR)] == ["ann"]


def test_sign_in_gives_a_signed_cookie_that_resolves_until_sign_out(
    ctx: AppContext, service: AccountService, admin: Actor
) -> None:
    service.add(admin, "carol", "Carol Diaz", Role.BID_MANAGER, PASSWORD)
    signed_in = service.sign_in("Carol", PASSWORD, client="127.0.0.1")
    assert signed_in.actor == Actor(name="carol", role=Role.BID_MANAGER, display_name="Carol Diaz")
    assert service.resolve(signed_in.cookie) == signed_in.actor
    token = signed_in.cookie.split(".")[0]
    stored = ctx.db.cursor().execute("SELECT token_hash FROM auth_sessions").fetchall()
    assert all(token not in row[0] for row in stored), "only the token's hash is stored"

    forged = signed_in.cookie[:-3] + ("AAA" if not signed_in.cookie.endswith("AAA") else "BBB")
    assert service.resolve(forged) is None
    longer = signed_in.cookie.replace(".", ".9", 1)  # a later expiry without a new signature
    assert service.resolve(longer) is None
    assert service.resolve("") is None and service.resolve("a.b.c") is None

    service.sign_out(signed_in.cookie, signed_in.actor)
    assert service.resolve(signed_in.cookie) is None
    assert _events(ctx, AuditAction.SIGN_OUT) == ["ok"]


def test_sessions_expire(service: AccountService, admin: Actor, clock: Clock) -> None:
    signed_in = service.sign_in("ann", PASSWORD)
    clock.advance(hours=7, minutes=59)
    assert service.resolve(signed_in.cookie) == admin
    clock.advance(minutes=2)
    assert service.resolve(signed_in.cookie) is None


def test_wrong_passwords_are_throttled_then_forgiven(
    ctx: AppContext, service: AccountService, admin: Actor, clock: Clock
) -> None:
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused, match="username or password is not right"):
            service.sign_in("ann", "not the password at all")
    with pytest.raises(SignInRefused, match="Too many failed sign-ins for “ann”; wait 30 seconds"):
        service.sign_in("ann", PASSWORD)  # even the right password waits
    clock.advance(seconds=31)
    with pytest.raises(SignInRefused, match="not right"):
        service.sign_in("ann", "still wrong password")
    with pytest.raises(SignInRefused, match="wait 60 seconds"):
        service.sign_in("ann", PASSWORD)  # the wait doubles
    clock.advance(minutes=16)
    assert service.sign_in("ann", PASSWORD).actor == admin
    failed = _events(ctx, AuditAction.SIGN_IN_FAILED)
    assert len(failed) == FREE_FAILURES + 3 and set(failed) == {"refused"}


def test_a_lock_binds_one_source_and_an_admin_sees_and_clears_it(
    ctx: AppContext, service: AccountService, admin: Actor
) -> None:
    for _ in range(FREE_FAILURES + 1):
        with pytest.raises(SignInRefused):
            service.sign_in("ann", "an attacker guessing", client="203.0.113.9")
    with pytest.raises(SignInRefused, match="Too many failed sign-ins"):
        service.sign_in("ann", PASSWORD, client="203.0.113.9")
    # the attacker cannot lock the admin out of her own machine
    assert service.sign_in("ann", PASSWORD, client="192.0.2.10").actor == admin
    (lock,) = service.locks(admin)
    assert (lock.username, lock.source, lock.failures) == ("ann", "203.0.113.9", FREE_FAILURES)
    with pytest.raises(NotAllowed):
        service.locks(Actor(name="bob", role=Role.APPROVER))
    service.clear_lock(admin, "ann")
    assert service.locks(admin) == []
    assert service.sign_in("ann", PASSWORD, client="203.0.113.9").actor == admin
    changed = [e.detail for e in ctx.audit().events(admin, action=AuditAction.USER_CHANGED)]
    assert "cleared the sign-in lock" in changed


def test_unknown_users_are_throttled_the_same_way(service: AccountService, admin: Actor) -> None:
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused, match="not right"):
            service.sign_in("mallory", "guessing passwords")
    with pytest.raises(SignInRefused, match="Too many failed sign-ins"):
        service.sign_in("mallory", "guessing passwords")


def test_disabling_ends_sessions_and_the_directory_forgets_the_user(
    service: AccountService, admin: Actor
) -> None:
    service.add(admin, "alice", "Alice Martin", Role.APPROVER, PASSWORD)
    session = service.sign_in("alice", PASSWORD)
    assert service.directory().find("Alice") == session.actor
    service.disable(admin, "alice")
    assert service.resolve(session.cookie) is None
    assert service.directory().find("alice") is None
    with pytest.raises(SignInRefused, match="disabled"):
        service.sign_in("alice", PASSWORD)
    service.enable(admin, "alice")
    assert service.sign_in("alice", PASSWORD).actor.role is Role.APPROVER


def test_a_role_change_applies_to_open_sessions(service: AccountService, admin: Actor) -> None:
    service.add(admin, "bob", "Bob", Role.APPROVER, PASSWORD)
    session = service.sign_in("bob", PASSWORD)
    service.set_role(admin, "bob", Role.VIEWER)
    resolved = service.resolve(session.cookie)
    assert resolved is not None and resolved.role is Role.VIEWER


def test_a_new_password_ends_sessions_and_the_old_one_stops_working(
    service: AccountService, admin: Actor
) -> None:
    service.add(admin, "bob", "Bob", Role.BID_MANAGER, PASSWORD)
    session = service.sign_in("bob", PASSWORD)
    service.reset_password(admin, "bob", "a brand new passphrase")
    assert service.resolve(session.cookie) is None
    with pytest.raises(SignInRefused):
        service.sign_in("bob", PASSWORD)
    assert service.sign_in("bob", "a brand new passphrase").actor.name == "bob"


def test_the_last_admin_cannot_be_disabled_or_demoted(
    service: AccountService, admin: Actor
) -> None:
    with pytest.raises(AccountError, match="only admin"):
        service.disable(admin, "ann")
    with pytest.raises(AccountError, match="only admin"):
        service.set_role(admin, "ann", Role.APPROVER)
    service.add(admin, "root2", "Second Admin", Role.ADMIN, PASSWORD)
    service.set_role(admin, "ann", Role.APPROVER)  # now there is another admin


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BID_MANAGER, Role.APPROVER])
def test_only_admins_manage_users(
    ctx: AppContext, service: AccountService, admin: Actor, role: Role
) -> None:
    service.add(admin, "someone", "Someone", role, PASSWORD)
    someone = service.sign_in("someone", PASSWORD).actor
    with pytest.raises(NotAllowed, match="only admins can add users"):
        service.add(someone, "eve", "Eve", Role.ADMIN, PASSWORD)
    with pytest.raises(NotAllowed):
        service.set_role(someone, "someone", Role.ADMIN)
    with pytest.raises(NotAllowed):
        service.reset_password(someone, "ann", "taking over the admin")
    service.reset_password(someone, "someone", "my own new passphrase")  # their own is fine
    assert service.get("eve") is None
    assert "refused" in _events(ctx, AuditAction.REFUSED)


def test_duplicate_usernames_and_bad_emails_are_refused(
    service: AccountService, admin: Actor
) -> None:
    with pytest.raises(AccountError, match="already a user “ann”"):
        service.add(admin, "ANN", "Other Ann", Role.VIEWER, PASSWORD)
    with pytest.raises(AccountError, match="is not an email address"):
        service.add(admin, "zed", "Zed", Role.VIEWER, PASSWORD, email="zed at example")


def test_single_sign_on_maps_an_email_to_its_account(service: AccountService, admin: Actor) -> None:
    service.add(admin, "alice", "Alice", Role.APPROVER, PASSWORD, email="Alice@Example.org")
    assert service.sign_in_with_email("alice@example.org").actor.role is Role.APPROVER
    with pytest.raises(SignInRefused, match="No enabled Tenderwise account"):
        service.sign_in_with_email("stranger@example.org")


def test_no_password_is_stored_in_clear(tmp_path: Path, ctx: AppContext) -> None:
    service = ctx.accounts()
    service.create_first_admin("ann", "Ann", "Secret-Passphrase-8271")
    service.sign_in("ann", "Secret-Passphrase-8271")
    with pytest.raises(SignInRefused):
        service.sign_in("ann", "Wrong-Passphrase-1234")
    ctx.db.cursor().execute("CHECKPOINT")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Secret-Passphrase-8271" not in data, path
            assert b"Wrong-Passphrase-1234" not in data, path
