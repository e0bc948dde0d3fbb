"""Who can sign in, and their signed-in browsers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from core.models.base import utcnow


class Role(StrEnum):
    VIEWER = "viewer"
    BID_MANAGER = "bid_manager"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Account(BaseModel):
    """A person who can sign in. The password is kept only as a salted scrypt hash."""

    username: str  # lower case; what decisions and the audit log record
    display_name: str
    role: Role
    password_hash: str = Field(repr=False)
    email: str | None = None  # single sign-on maps this identity provider email to the account
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    disabled_at: datetime | None = None
    password_changed_at: datetime = Field(default_factory=utcnow)

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class AuthSession(BaseModel):
    """A signed-in browser, known to storage only by the SHA-256 of its token."""

    token_hash: str
    username: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    client: str | None = None


class AccountExists(Exception):
    """Storage could not add an account: the username is taken (or, for the first admin, any
    account exists already)."""
