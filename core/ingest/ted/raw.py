"""raw: a compact, JSON-able copy of the export, bounded in size, kept beside the Tender."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from core.ingest.rows import SHORT_LIMIT
from core.ingest.ted.tree import cut, kid, kids, local, text_of

# raw keeps the coded data and the original form flattened to path → text, up to this many
# characters: a 650-lot award notice must not become a megabyte per row.
RAW_TEXT_BUDGET = 60_000
_MAX_DEPTH = 40  # deeper elements are no part of any TED form; not followed into raw


def raw_of(
    root: ET.Element, coded: ET.Element | None, form: ET.Element, forms: list[ET.Element]
) -> dict[str, Any]:
    """A compact, JSON-able copy: export attributes, coded data, the original form as
    path → text, and the other forms' titles by language."""
    budget = [RAW_TEXT_BUDGET]
    translations: dict[str, str] = {}
    for other in forms:
        if other is form:
            continue
        language = (other.get("LG") or "").strip().lower()
        title = " ".join(text_of(kid(item, "TITLE")) for item in kids(other, "OBJECT_CONTRACT"))
        if language and title.strip() and language not in translations:
            translations[language] = cut(title.strip(), SHORT_LIMIT)
    raw: dict[str, Any] = {
        "format": "TED R2.0.9",
        "version": root.get("VERSION"),
        "doc_id": root.get("DOC_ID"),
        "edition": root.get("EDITION"),
        "form": {
            "tag": local(form.tag),
            "form": form.get("FORM"),
            "language": form.get("LG"),
            "category": form.get("CATEGORY"),
        },
        "translations": translations,
        "coded_data": _flatten(coded, budget),
        "fields": _flatten(form, budget),
    }
    if budget[0] <= 0:
        raw["truncated"] = True
    return raw


def _flatten(element: ET.Element | None, budget: list[int]) -> dict[str, Any]:
    """Leaf elements as "A/B/C" → text ("A/B@ATTR" for attributes, True for empty markers such
    as PT_OPEN); repeated paths collect a list. Paragraphs (P) join into one text."""
    fields: dict[str, Any] = {}
    if element is None:
        return fields
    stack: list[tuple[ET.Element, str, int]] = [
        (child, local(child.tag), 1) for child in reversed(list(element))
    ]
    while stack and budget[0] > 0:
        node, path, depth = stack.pop()
        if not path:
            continue
        for attribute, value in node.attrib.items():
            _put(fields, f"{path}@{local(attribute)}", value, budget)
        children = [child for child in node if local(child.tag)]
        if children and all(local(child.tag) == "P" for child in children):
            _put(fields, path, text_of(node), budget)
        elif children:
            if depth < _MAX_DEPTH:
                stack.extend(
                    (child, f"{path}/{local(child.tag)}", depth + 1) for child in reversed(children)
                )
        else:
            text = " ".join((node.text or "").split())
            if text or not node.attrib:
                _put(fields, path, text or True, budget)
    return fields


def _put(fields: dict[str, Any], key: str, value: Any, budget: list[int]) -> None:
    budget[0] -= len(value) if isinstance(value, str) else 1
    if key not in fields:
        budget[0] -= len(key)
        fields[key] = value
    elif isinstance(fields[key], list):
        fields[key].append(value)
    else:
        fields[key] = [fields[key], value]
