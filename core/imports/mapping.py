"""The user's column choices, remembered per header layout (core.ingest.columns reads them).

Stored in the app state under one key: {layout: {normalised header: field or "" (not used)}}.
Saving a choice changes no tender; the next preview and import of that layout use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from core.ingest.columns import NOT_USED, ColumnMap, layout_key
from core.ingest.fields import FIELD_ALIASES, FIELD_LABELS, normalise_header

MAPS_KEY = "column_maps"
NOT_USED_LABEL = "not used"
# What `--map` also accepts for "not used", and for a field by another name.
_NOT_USED_WORDS = {"", "none", "notused", "ignore", "skip", "-"}
_FIELD_WORDS = {
    normalise_header(word): name
    for name in FIELD_ALIASES
    for word in (name, FIELD_LABELS.get(name, name))
} | {"id": "source_id", "reference": "source_id", "link": "url", "closingtime": "deadline_time"}


class MapError(ValueError):
    """A `--map` the CLI cannot use; the message is one sentence saying what to write."""


class StateStore(Protocol):
    """storage.app_state.AppStateRepository has it."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...


def remembered(store: StateStore, layout: str) -> dict[str, str]:
    maps = store.get(MAPS_KEY, {})
    found = maps.get(layout, {}) if isinstance(maps, dict) else {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def remember(store: StateStore, layout: str, choices: Mapping[str, str]) -> None:
    """Keep these choices (normalised header → field or "") for files of this layout."""
    maps = store.get(MAPS_KEY, {})
    maps = dict(maps) if isinstance(maps, dict) else {}
    merged = {**remembered(store, layout), **choices}
    maps[layout] = {
        key: value for key, value in merged.items() if value in FIELD_ALIASES or not value
    }
    store.set(MAPS_KEY, maps)


def forget(store: StateStore, layout: str) -> None:
    maps = store.get(MAPS_KEY, {})
    if isinstance(maps, dict) and layout in maps:
        store.set(MAPS_KEY, {k: v for k, v in maps.items() if k != layout})


def resolver(
    store: StateStore, extra: Mapping[str, str] | None = None
) -> Callable[[Sequence[str]], ColumnMap]:
    """For a header row: what was remembered for its layout, then `extra` (which wins)."""

    def resolve(headers: Sequence[str]) -> ColumnMap:
        return {**remembered(store, layout_key(headers)), **(extra or {})}

    return resolve


def field_choice(label: str) -> str:
    """A preview's selectbox label ('Value, low end', 'not used') → the stored field name."""
    for name, text in FIELD_LABELS.items():
        if text == label:
            return name
    return NOT_USED


def field_options() -> list[str]:
    return [NOT_USED_LABEL, *FIELD_LABELS.values()]


def field_label(name: str | None) -> str:
    return FIELD_LABELS.get(name or "", NOT_USED_LABEL)


def parse_maps(items: Sequence[str]) -> dict[str, str]:
    """`--map "Estimated spend=value"` (repeatable) → {normalised header: field or ""}."""
    found: dict[str, str] = {}
    for item in items:
        header, sign, name = item.rpartition("=")
        if not sign or not header.strip():
            raise MapError(
                f'--map {item!r} needs the form "Column name=field", such as '
                '"Estimated spend=value".'
            )
        word = normalise_header(name)
        if word in _NOT_USED_WORDS:
            found[normalise_header(header)] = NOT_USED
            continue
        if word not in _FIELD_WORDS:
            names = ", ".join(FIELD_ALIASES)
            raise MapError(
                f"--map {item!r}: {name.strip()!r} is not a field; use one of {names}, or none."
            )
        found[normalise_header(header)] = _FIELD_WORDS[word]
    return found
