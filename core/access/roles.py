"""Who is acting, and what their role lets them do. Checked in core services, not in pages.

Pages act as the signed-in account (core.access.accounts); the CLI acts as "cli" (an admin)
or, for decisions, as the account named by `--by`, whose role a `Directory` gives.
"""

from __future__ import annotations

import re
from typing import Protocol

from pydantic import BaseModel

from core.models import Role

DECIDERS = frozenset({Role.APPROVER, Role.ADMIN})
BID_EDITORS = frozenset({Role.BID_MANAGER, Role.APPROVER, Role.ADMIN})
WORKERS = BID_EDITORS  # import, run and re-analyse tenders: everyone but viewers
ADMINS = frozenset({Role.ADMIN})  # settings, users and the audit log
_NAME = re.compile(r"^[\w][\w .@'-]{0,79}$")


class NotAllowed(PermissionError):
    """The acting user's role does not allow this; the message is one sentence."""


class Actor(BaseModel):
    name: str  # the username: what decisions and the audit log record
    role: Role
    display_name: str = ""

    @property
    def label(self) -> str:
        """How pages show the person: their display name, else the username."""
        return self.display_name or self.name

    def can(self, allowed: frozenset[Role]) -> bool:
        return self.role in allowed


# The operator at the terminal is trusted: CLI commands without --by act as this admin.
CLI_ACTOR = Actor(name="cli", role=Role.ADMIN, display_name="command line")
# The background worker's own chores (retraining the team model) are done as this user.
WORKER_ACTOR = Actor(name="worker", role=Role.BID_MANAGER, display_name="background worker")


class Directory(Protocol):
    """Looks users up by name (core.access.accounts.AccountDirectory, over the accounts table)."""

    def find(self, name: str) -> Actor | None: ...


def clean_name(name: str | None) -> str:
    """A user name as typed, trimmed; raises NotAllowed with one sentence when unusable."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise NotAllowed("Say who is acting: choose your name (the CLI's --by USER).")
    if not _NAME.match(cleaned):
        raise NotAllowed(
            "A user name has up to 80 letters, digits, spaces or . @ ' - characters; "
            f"“{cleaned[:40]}” is not one."
        )
    return cleaned


def resolve_actor(name: str | None, directory: Directory | None = None) -> Actor:
    """The acting user for `name`: from the directory when there is one, else an approver."""
    cleaned = clean_name(name)
    if directory is None:
        return Actor(name=cleaned, role=Role.APPROVER)
    actor = directory.find(cleaned)
    if actor is None:
        raise NotAllowed(f"There is no user “{cleaned}”; ask an admin to add you.")
    return actor


def require(actor: Actor, allowed: frozenset[Role], doing: str) -> None:
    """Raise NotAllowed unless the actor is named and their role is one of `allowed`."""
    clean_name(actor.name)
    if actor.role in allowed:
        return
    plural = sorted(f"{r.label}s" for r in allowed)
    names = plural[0] if len(plural) == 1 else ", ".join(plural[:-1]) + " and " + plural[-1]
    raise NotAllowed(
        f"{actor.name} is a {actor.role.label}, and only {names} can {doing}: "
        "ask one of them, or an admin to change your role."
    )
