"""Lenient readers of a release's JSON values: a field of the wrong type reads as empty."""

from __future__ import annotations

from typing import Any

from core.ingest.rows import SHORT_LIMIT


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str:
    """A JSON scalar as text ("" for objects, lists, null and booleans)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return ""


def cap(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= SHORT_LIMIT else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def web(value: Any) -> str | None:
    text = text_of(value)
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")) and " " not in text and len(text) <= 2_000:
        return text
    return None


def first_text(*groups: list[Any]) -> str:
    for group in groups:
        for value in group:
            text = text_of(value)
            if text:
                return text
    return ""
