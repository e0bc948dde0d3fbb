"""What each (base_url, model) has refused — output modes and request parameters — remembered.

Kept in memory for speed and in the database so a restart does not probe again.
"""

from __future__ import annotations

import threading
from typing import Protocol

from core.llm.modes import MODE_ORDER, OutputMode

# Unexplained 400s in a mode before the mode counts as refused (a named refusal counts at once).
UNEXPLAINED_REFUSALS = 3
# Parameters some endpoints reject; each is remembered as "param:<name>".
PARAM_MAX_TOKENS = "param:max_tokens"
PARAM_TEMPERATURE = "param:temperature"


class CapabilityStore(Protocol):
    def refused(self, base_url: str, model: str) -> set[str]: ...
    def add_refusal(self, base_url: str, model: str, feature: str, reason: str) -> None: ...
    def clear(self, base_url: str, model: str) -> None: ...


class Capabilities:
    """Thread-safe memory of refusals, loaded lazily from `store` once per (base_url, model)."""

    def __init__(self, store: CapabilityStore | None = None) -> None:
        self._store = store
        self._refused: dict[tuple[str, str], set[str]] = {}
        self._unexplained: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def _get(self, base_url: str, model: str) -> set[str]:
        key = (base_url, model)
        with self._lock:
            if key not in self._refused:
                self._refused[key] = self._store.refused(base_url, model) if self._store else set()
            return self._refused[key]

    def preferred_mode(self, base_url: str, model: str) -> OutputMode:
        refused = self._get(base_url, model)
        for mode in MODE_ORDER:
            if mode.value not in refused:
                return mode
        return OutputMode.PROMPTED

    def refuses(self, base_url: str, model: str, feature: str) -> bool:
        return feature in self._get(base_url, model)

    def remember(self, base_url: str, model: str, feature: str, reason: str) -> None:
        refused = self._get(base_url, model)
        with self._lock:
            if feature in refused:
                return
            refused.add(feature)
        if self._store is not None:
            self._store.add_refusal(base_url, model, feature, reason[:500])

    def note_unexplained(self, base_url: str, model: str, feature: str, reason: str) -> None:
        """An unexplained 400 in a mode: remembered as a refusal once it keeps happening."""
        key = (base_url, model, feature)
        with self._lock:
            self._unexplained[key] = self._unexplained.get(key, 0) + 1
            count = self._unexplained[key]
        if count >= UNEXPLAINED_REFUSALS:
            self.remember(base_url, model, feature, reason)

    def forget(self, base_url: str, model: str) -> None:
        """Start again from json_schema (after the endpoint or model was upgraded)."""
        with self._lock:
            self._refused.pop((base_url, model), None)
            for key in [k for k in self._unexplained if k[:2] == (base_url, model)]:
                del self._unexplained[key]
        if self._store is not None:
            self._store.clear(base_url, model)

    def refused(self, base_url: str, model: str) -> set[str]:
        return set(self._get(base_url, model))
