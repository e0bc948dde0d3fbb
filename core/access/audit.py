"""The audit log: who did what, when, and whether it was allowed. Append-only.

Services record an event after an action succeeded, and a "refused" event when a signed-in
actor's role did not allow it. Details are short text and never hold secrets. Only admins
read the log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from core.access.roles import ADMINS, CLI_ACTOR, Actor, NotAllowed, clean_name, require
from core.models import Role, utcnow

T = TypeVar("T")
Outcome = Literal["ok", "refused", "failed"]
MAX_DETAIL_CHARS = 300
MAX_TARGET_CHARS = 120
CLI_NAME = "cli"
SYSTEM_NAME = "system"

# Anything that looks like a credential is masked before it is stored.
_SECRET = re.compile(
    r"(?i)\b(api[_ -]?key|password|passwd|secret|token|authorization|bearer)\b(\s*[:=]?\s*)(\S+)"
)
_KEY_LIKE = re.compile(r"\b(sk|gsk|pk|rk)-[A-Za-z0-9_\-]{8,}\b")


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    USER_ADDED = "user_added"
    USER_CHANGED = "user_changed"
    DECISION = "decision"
    BID_APPROVED = "bid_approved"
    BID_EDITED = "bid_edited"
    EXPORT = "export"
    SETTINGS_CHANGED = "settings_changed"
    IMPORT = "import"
    REANALYSE = "reanalyse"
    FEEDBACK = "feedback"
    LLM_TEST = "llm_test"
    MODEL_TRAINED = "model_trained"
    EVALUATION = "evaluation"
    DOCUMENT_ADDED = "document_added"
    MATRIX_CHANGED = "matrix_changed"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class AuditEvent(BaseModel):
    id: int | None = None
    at: datetime
    actor: str
    role: Role | None
    action: AuditAction
    target: str = ""
    detail: str = ""
    outcome: Outcome = "ok"


class AuditStore(Protocol):
    """storage.audit.AuditRepository has it (and tests.fakes.InMemoryAuditStore).

    Stores speak plain values (storage imports only core.models): rows are dicts with the
    AuditEvent fields, `role` and `action` as their string values.
    """

    def append(self, row: dict[str, Any]) -> int: ...
    def list_events(
        self,
        *,
        actor: str | None,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
        limit: int,
    ) -> list[dict[str, Any]]: ...


def clean_detail(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """One line, bounded, with anything that looks like a credential masked."""
    line = " ".join(str(text or "").split())
    line = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", line)
    line = _KEY_LIKE.sub("***", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


class AuditLog:
    """Records events and, for admins, reads them back."""

    def __init__(self, store: AuditStore, clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._clock = clock

    def record(
        self,
        actor: str,
        role: Role | None,
        action: AuditAction,
        *,
        target: str = "",
        detail: str = "",
        outcome: Outcome = "ok",
    ) -> AuditEvent:
        event = AuditEvent(
            at=self._clock(),
            actor=clean_detail(actor, 80) or SYSTEM_NAME,
            role=role,
            action=action,
            target=clean_detail(target, MAX_TARGET_CHARS),
            detail=clean_detail(detail),
            outcome=outcome,
        )
        row = event.model_dump(mode="json", exclude={"id"})
        row["at"] = event.at
        new_id = self._store.append(row)
        return event.model_copy(update={"id": new_id})

    def record_actor(self, actor: Actor, action: AuditAction, **kw: Any) -> AuditEvent:
        """Record as `actor` (their username and role; the command line as "cli", no role)."""
        if actor == CLI_ACTOR:
            return self.record(CLI_NAME, None, action, **kw)
        return self.record(actor.name, actor.role, action, **kw)

    def refused(self, actor: Actor, error: NotAllowed | str, *, target: str = "") -> AuditEvent:
        """Record that `actor` tried something their role does not allow."""
        return self.record_actor(
            actor, AuditAction.REFUSED, target=target, detail=str(error), outcome="refused"
        )

    def require(
        self, actor: Actor, allowed: frozenset[Role], doing: str, *, target: str = ""
    ) -> None:
        """core.access.roles.require, recording a refused event before re-raising NotAllowed."""
        try:
            require(actor, allowed, doing)
        except NotAllowed as exc:
            if _named(actor):  # nobody to record when no one said who they are
                self.refused(actor, exc, target=target)
            raise

    def events(
        self,
        viewer: Actor,
        *,
        actor: str | None = None,
        action: AuditAction | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Events newest first, narrowed by the filters. Only admins read the audit log."""
        require(viewer, ADMINS, "read the audit log")
        rows = self._store.list_events(
            actor=(actor or "").strip() or None,
            action=AuditAction(action).value if action else None,
            since=since,
            until=until,
            text=(text or "").strip() or None,
            limit=max(1, min(int(limit), 100_000)),
        )
        return [AuditEvent.model_validate(row) for row in rows]


def check(
    audit: AuditLog | None,
    actor: Actor,
    allowed: frozenset[Role],
    doing: str,
    *,
    target: str = "",
) -> None:
    """Enforce a role in a service, recording a refusal when there is an audit log."""
    if audit is None:
        require(actor, allowed, doing)
    else:
        audit.require(actor, allowed, doing, target=target)


def note(audit: AuditLog | None, actor: Actor, action: AuditAction, **kw: Any) -> None:
    """Record a successful action when there is an audit log."""
    if audit is not None:
        audit.record_actor(actor, action, **kw)


def audited(
    audit: AuditLog | None,
    actor: Actor,
    make: Callable[[], T],
    *,
    target: str,
    detail: str = "",
) -> Callable[[], T]:
    """`make`, recording an export once it has produced its data (for downloads built on
    click: the page hands this to the download button)."""

    def run() -> T:
        data = make()
        note(audit, actor, AuditAction.EXPORT, target=target, detail=detail)
        return data

    return run


def _named(actor: Actor) -> bool:
    try:
        clean_name(actor.name)
    except NotAllowed:
        return False
    return True


def matches(
    row: dict[str, Any],
    *,
    actor: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    text: str | None,
) -> bool:
    """Whether a stored row passes the filters (the semantics every store follows):
    actor is matched whole and case-insensitively, `since` is inclusive, `until` exclusive,
    and text is a case-insensitive substring of actor, action, target or detail."""
    if actor and str(row["actor"]).lower() != actor.lower():
        return False
    if action and str(row["action"]) != action:
        return False
    if since and row["at"] < since:
        return False
    if until and row["at"] >= until:
        return False
    if text:
        haystack = " ".join(str(row[k]) for k in ("actor", "action", "target", "detail"))
        if text.lower() not in haystack.lower():
            return False
    return True


AUDIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("at", "When (UTC)"),
    ("actor", "Who"),
    ("role", "Role"),
    ("action", "Action"),
    ("target", "Target"),
    ("detail", "Detail"),
    ("outcome", "Outcome"),
)


def event_rows(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    """Rows for a table or CSV: times in UTC ISO format, enums as their values."""
    return [
        {
            "at": e.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "actor": e.actor,
            "role": e.role.value if e.role else "",
            "action": e.action.value,
            "target": e.target,
            "detail": e.detail,
            "outcome": e.outcome,
        }
        for e in events
    ]


PAGE_LIMIT = 1000


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """(since, until) in UTC for days picked on a page: `end` counts as a whole day."""
    since = datetime.combine(start, time.min, tzinfo=UTC) if start else None
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None
    return since, until


def count_text(shown: int, limit: int = PAGE_LIMIT) -> str:
    """'12 events, newest first.' (saying so when the list was cut at `limit`)."""
    if shown >= limit:
        return f"The newest {shown:,} events; narrow the filters to see older ones."
    return f"{shown:,} event{'s' if shown != 1 else ''}, newest first."


def events_csv(events: Sequence[AuditEvent]) -> bytes:
    """The events as a formula-safe CSV (core.export.table's neutralisation)."""
    from core.export.table import csv_bytes

    return csv_bytes(event_rows(events), AUDIT_COLUMNS)
