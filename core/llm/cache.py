"""A cache of validated answers, so re-analysing an unchanged tender makes no call."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any, Protocol


def cache_key(
    *,
    base_url: str,
    model: str,
    messages: list[dict[str, Any]],
    mode: str,
    schema_hash: str,
    temperature: float | None,
    prompt_version: str | None,
) -> str:
    """sha256 over everything that can change the answer (DESIGN.md, "Cache")."""
    material = json.dumps(
        [base_url, model, messages, mode, schema_hash, temperature, prompt_version],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class AnswerCache(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, *, step: str, model: str, answer_json: str) -> None: ...


class MemoryAnswerCache:
    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self.answers.get(key)

    def put(self, key: str, *, step: str, model: str, answer_json: str) -> None:
        with self._lock:
            self.answers[key] = answer_json
