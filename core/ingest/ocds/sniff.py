"""Content sniffing: whether the start of a file is an OCDS package, record, release or JSON
Lines of them."""

from __future__ import annotations

import io
from typing import Any

import ijson

from core.ingest.content import Content
from core.ingest.ocds.stream import CLOSE, OPEN, UTF8_BOM, UTF16_BOMS

_SNIFF_BYTES = 64 * 1024
# Top-level keys only OCDS packages carry; a plain JSON export may share "uri" or "version".
_PACKAGE_KEYS = frozenset({"publishedDate", "publisher", "extensions", "publicationPolicy"})
RELEASE_SECTIONS = ("tender", "planning", "awards", "contracts")
_OCDS_TAGS = frozenset(
    {
        "planning",
        "planningUpdate",
        "tender",
        "tenderAmendment",
        "tenderUpdate",
        "tenderCancellation",
        "award",
        "awardUpdate",
        "awardCancellation",
        "contract",
        "contractUpdate",
        "contractAmendment",
        "implementation",
        "implementationUpdate",
        "contractTermination",
        "compiled",
    }
)


def sniff_ocds(content: Content) -> int:
    """100 when the start of the file is an OCDS package, record, release or JSON Lines of them."""
    text = content.head_text
    if not text or text[0] not in "{[":
        return 0
    if content.head.startswith(UTF16_BOMS):
        head = text.encode("utf-8")
    else:
        head = content.prefix(len(UTF8_BOM) + _SNIFF_BYTES)
        start = len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0
        head = head[start : start + _SNIFF_BYTES]
    return 100 if _head_is_ocds(head) else 0


def _head_is_ocds(head: bytes) -> bool:
    top_keys: set[str] = set()
    tags: list[str] = []
    list_key: str | None = None  # "releases"/"records" when the head reached that list
    element_keys: set[str] | None = None  # keys of the first release/record/element seen
    is_array = False
    depth = 0
    key: Any = None
    element_depth = 0
    try:
        for event, value in ijson.basic_parse(io.BytesIO(head), multiple_values=True):
            if event == "map_key":
                key = value
                if depth == 1 and not is_array:
                    top_keys.add(value)
                elif depth == element_depth and element_keys is not None:
                    element_keys.add(value)
            elif event in OPEN:
                depth += 1
                if depth == 1:
                    is_array = event == "start_array"
                    element_depth = 2 if is_array else 0
                elif (
                    depth == 2
                    and not is_array
                    and event == "start_array"
                    and key in ("releases", "records")
                ):
                    list_key, element_depth = key, 3
                elif depth == element_depth and element_keys is None and event == "start_map":
                    element_keys = set()
            elif event in CLOSE:
                depth -= 1
                if depth == 0 or (element_keys is not None and depth < element_depth):
                    break
            elif key == "tag" and depth in (1, 2) and not is_array and isinstance(value, str):
                tags.append(value)  # "tag": "tender" or "tag": ["tender", "award"]
    except Exception:  # noqa: S110 - the head is cut off mid-value: what was read is enough
        pass
    if top_keys & {"ocid", "compiledRelease"}:
        return True  # a release, or a record with its releases
    if is_array or list_key is not None:
        if element_keys is not None:
            return looks_like_release(element_keys)
        return list_key is not None and bool(top_keys & _PACKAGE_KEYS)
    if len(top_keys & _PACKAGE_KEYS) >= 2:
        return True  # package metadata so long that the head ends before the releases
    if "initiationType" in top_keys:
        return True
    return bool(tags) and all(tag in _OCDS_TAGS for tag in tags)


def looks_like_release(keys: set[str] | dict[str, Any]) -> bool:
    if {"ocid", "initiationType", "compiledRelease"} & set(keys):
        return True
    return "tag" in keys and any(section in keys for section in RELEASE_SECTIONS)
