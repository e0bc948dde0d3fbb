"""Whether an endpoint is usable right now: tripped by a call that ran out of retries.

While it is down, calls fail at once (no tender is failed for it: the pipeline puts the tender
back) and the worker probes until the endpoint answers again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class HealthSnapshot:
    down: bool
    reason: str | None
    since: float | None  # time.time() of the trip


class EndpointHealth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._since: float | None = None

    def trip(self, reason: str) -> None:
        with self._lock:
            if self._reason is None:
                self._since = time.time()
            self._reason = reason

    def clear(self) -> None:
        with self._lock:
            self._reason = None
            self._since = None

    @property
    def is_down(self) -> bool:
        return self._reason is not None

    def snapshot(self) -> HealthSnapshot:
        with self._lock:
            return HealthSnapshot(self._reason is not None, self._reason, self._since)


_registry: dict[str, EndpointHealth] = {}
_registry_lock = threading.Lock()


def health_for(base_url: str) -> EndpointHealth:
    """The process-wide health of one endpoint (shared by the worker, the CLI and the pages)."""
    with _registry_lock:
        return _registry.setdefault(base_url, EndpointHealth())
