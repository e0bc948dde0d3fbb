"""What people do to the background analysis: pause and resume it, send tenders in error
back to the queue, analyse tenders again; and the flag the worker raises while the
analyst's endpoint is down. Each change is checked against the actor's role and audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.roles import WORKERS, Actor
from core.models import utcnow

PAUSED_KEY = "worker_paused"
UNAVAILABLE_KEY = "analyst_unavailable"


class Settable(Protocol):
    """storage.app_state.AppStateRepository has it."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...


class Requeue(Protocol):
    """storage.tenders.TenderRepository (its work queue) has it."""

    def retry_errors(self) -> int: ...
    def reanalyse(self, tender_ids: Sequence[int] | None = None) -> int: ...


class PipelineControls:
    def __init__(
        self,
        queue: Requeue,
        state: Settable,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._queue = queue
        self._state = state
        self._audit = audit
        self._clock = clock

    def is_paused(self) -> bool:
        return bool(self._state.get(PAUSED_KEY, False))

    def set_paused(self, paused: bool, *, actor: Actor) -> None:
        """Pause or resume the background analysis (everyone but viewers)."""
        doing = "pause the analysis" if paused else "start the analysis"
        self._audit.require(actor, WORKERS, doing, target="pipeline")
        self._state.set(PAUSED_KEY, paused)

    def retry_errors(self, *, actor: Actor) -> int:
        """Send every tender in error back to the queue; returns how many."""
        self._audit.require(actor, WORKERS, "retry tenders in error", target="tenders in error")
        retried = self._queue.retry_errors()
        if retried:
            self._audit.record_actor(
                actor,
                AuditAction.REANALYSE,
                target="tenders in error",
                detail=f"{retried} sent back to the queue",
            )
        return retried

    def reanalyse(self, tender_ids: Sequence[int] | None, *, actor: Actor) -> int:
        """Filter and rate these tenders (all when None) again; returns how many were queued."""
        ids = None if tender_ids is None else list(tender_ids)
        target = tenders_target(ids)
        self._audit.require(actor, WORKERS, "re-analyse tenders", target=target)
        queued = self._queue.reanalyse(ids)
        self._audit.record_actor(
            actor, AuditAction.REANALYSE, target=target, detail=f"{queued} queued for analysis"
        )
        return queued

    def unavailable(self) -> dict[str, Any] | None:
        """{"reason", "since"} while the analyst's endpoint is down, else None."""
        value = self._state.get(UNAVAILABLE_KEY)
        return value if isinstance(value, dict) else None

    def set_unavailable(self, reason: str | None) -> None:
        """Raised by the worker when the endpoint stops answering, cleared when it answers."""
        if reason is None:
            self._state.set(UNAVAILABLE_KEY, None)
            return
        since = (self.unavailable() or {}).get("since") or self._clock().isoformat()
        self._state.set(UNAVAILABLE_KEY, {"reason": reason, "since": since})


def tenders_target(ids: list[int] | None) -> str:
    """How the audit log names the tenders an action touched."""
    if ids is None:
        return "all tenders"
    if len(ids) == 1:
        return f"tender {ids[0]}"
    shown = ", ".join(str(i) for i in ids[:10])
    return f"tenders {shown}" + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
