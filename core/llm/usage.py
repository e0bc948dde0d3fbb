"""Where usage rows (one per HTTP attempt, `core.models.LLMUsage`) go."""

from __future__ import annotations

import threading
from typing import Protocol

from core.models import LLMUsage


class UsageSink(Protocol):
    def record(self, row: LLMUsage) -> None: ...


class MemoryUsageSink:
    """Keeps rows in a list: for unit tests and for probing an endpoint without a database."""

    def __init__(self) -> None:
        self.rows: list[LLMUsage] = []
        self._lock = threading.Lock()

    def record(self, row: LLMUsage) -> None:
        with self._lock:
            self.rows.append(row)
