"""The account rules over an in-memory store: the first admin, sessions, throttling, the last
admin, and who manages whom. tests/integration/test_accounts.py runs them over DuckDB."""

from __future__ import annotations

import pytest

from core.access.accounts import AccountService
from core.access.audit import AuditAction, AuditLog
from core.access.errors import AccountError, SignInRefused
from core.access.roles import NotAllowed
from core.access.throttle import FREE_FAILURES
from core.models import Role
from tests.fakes import Clock, InMemoryAccountStore, InMemoryAuditStore

PASSWORD = "tender season plans"
KEY = b"k" * 32


class Accounts:
    def __init__(self) -> None:
        self.clock = Clock()
        self.store = InMemoryAccountStore(self.clock)
        self.audit_rows = InMemoryAuditStore()
        self.service = AccountService(
            self.store,
            AuditLog(self.audit_rows, clock=self.clock),
            lambda: KEY,
            session_hours=8,
            clock=self.clock,
        )
        self.service.create_first_admin("Ann", "Ann Admin", PASSWORD)
        self.admin = self.service.sign_in("ann", PASSWORD).actor

    def actions(self) -> list[str]:
        return [row["action"] for row in self.audit_rows.rows]


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


def test_the_first_admin_is_created_once(accounts: Accounts) -> None:
    assert (accounts.admin.name, accounts.admin.role) == ("ann", Role.ADMIN)
    with pytest.raises(AccountError, match="An admin already exists"):
        accounts.service.create_first_admin("eve", "Eve", PASSWORD)
    assert [a.username for a in accounts.store.all()] == ["ann"]


def test_a_session_lasts_until_it_expires_or_is_ended(accounts: Accounts) -> None:
    signed = accounts.service.sign_in("ANN ", PASSWORD, client="firefox")
    assert accounts.service.resolve(signed.cookie) == accounts.admin
    assert accounts.service.resolve(signed.cookie[:-2] + "xx") is None  # forged
    accounts.clock.advance(hours=8, seconds=1)
    assert accounts.service.resolve(signed.cookie) is None
    again = accounts.service.sign_in("ann", PASSWORD)
    accounts.service.sign_out(again.cookie, accounts.admin)
    assert accounts.service.resolve(again.cookie) is None
    assert accounts.actions()[-1] == AuditAction.SIGN_OUT.value


def test_wrong_passwords_are_throttled_then_forgiven(accounts: Accounts) -> None:
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused, match="not right"):
            accounts.service.sign_in("ann", "wrong password here")
    with pytest.raises(SignInRefused, match="Too many failed sign-ins"):
        accounts.service.sign_in("ann", PASSWORD)  # even the right one, while locked
    accounts.clock.advance(minutes=16)
    assert accounts.service.sign_in("ann", PASSWORD).actor == accounts.admin


def test_disabling_or_a_new_password_ends_open_sessions(accounts: Accounts) -> None:
    accounts.service.add(accounts.admin, "vera", "Vera", Role.BID_MANAGER, PASSWORD)
    first = accounts.service.sign_in("vera", PASSWORD)
    accounts.service.reset_password(accounts.admin, "vera", "a brand new passphrase")
    assert accounts.service.resolve(first.cookie) is None
    second = accounts.service.sign_in("vera", "a brand new passphrase")
    accounts.service.disable(accounts.admin, "vera")
    assert accounts.service.resolve(second.cookie) is None
    with pytest.raises(SignInRefused, match="disabled"):
        accounts.service.sign_in("vera", "a brand new passphrase")


def test_the_last_admin_cannot_be_disabled_or_demoted(accounts: Accounts) -> None:
    with pytest.raises(AccountError):
        accounts.service.disable(accounts.admin, "ann")
    with pytest.raises(AccountError):
        accounts.service.set_role(accounts.admin, "ann", Role.VIEWER)
    accounts.service.add(accounts.admin, "bob", "Bob", Role.ADMIN, PASSWORD)
    assert accounts.service.set_role(accounts.admin, "ann", Role.APPROVER).role is Role.APPROVER


def test_a_role_change_applies_to_open_sessions(accounts: Accounts) -> None:
    accounts.service.add(accounts.admin, "vera", "Vera", Role.VIEWER, PASSWORD)
    signed = accounts.service.sign_in("vera", PASSWORD)
    accounts.service.set_role(accounts.admin, "vera", Role.APPROVER)
    resolved = accounts.service.resolve(signed.cookie)
    assert resolved is not None and resolved.role is Role.APPROVER


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BID_MANAGER, Role.APPROVER])
def test_only_admins_manage_users(accounts: Accounts, role: Role) -> None:
    accounts.service.add(accounts.admin, "someone", "Someone", role, PASSWORD)
    actor = accounts.service.sign_in("someone", PASSWORD).actor
    with pytest.raises(NotAllowed):
        accounts.service.add(actor, "eve", "Eve", Role.ADMIN, PASSWORD)
    with pytest.raises(NotAllowed):
        accounts.service.set_role(actor, "someone", Role.ADMIN)
    with pytest.raises(NotAllowed):
        accounts.service.reset_password(actor, "ann", "taking over this account")
    assert accounts.store.get("eve") is None
    assert accounts.actions().count(AuditAction.REFUSED.value) == 3
    # anyone may set their own password
    accounts.service.reset_password(actor, "someone", "my own new passphrase")
