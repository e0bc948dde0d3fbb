"""The XML tree: parsing an export safely (no DTDs) and reading elements by local name, so that
every R2.0.9 namespace spelling reads the same."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from core.ingest.content import Content
from core.ingest.errors import ImportFileError

ROOT = "TED_EXPORT"


def parse_xml(content: Content) -> ET.Element:
    name = content.filename
    try:
        return DefusedET.fromstring(content.read(), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFileError(
            name,
            f"{name} declares a DTD or entities, which are not accepted because they can expand "
            "without limit or read other files; genuine TED exports have none, so download the "
            "notice from TED again.",
        ) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, -1))
        reason = str(exc).split(":", 1)[0].strip() or "unreadable"
        raise ImportFileError(
            name,
            f"{name} is not valid XML (line {line}, column {column + 1}); the parser stopped at "
            f"'{reason[:60]}', so the file is damaged or cut short: download it from TED again.",
        ) from exc
    except (ValueError, LookupError, RecursionError) as exc:  # odd encodings, absurd nesting
        raise ImportFileError(
            name,
            f"{name} is not valid XML ({type(exc).__name__}); "
            "download the notice from TED again and import that file.",
        ) from exc


def local(tag: Any) -> str:
    """'{namespace}NAME' → 'NAME'; comments and processing instructions → ''."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(element: ET.Element | None, name: str | None = None) -> list[ET.Element]:
    if element is None:
        return []
    return [child for child in element if name is None or local(child.tag) == name]


def kid(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((child for child in element if local(child.tag) == name), None)


def path_of(element: ET.Element | None, *names: str) -> ET.Element | None:
    for name in names:
        element = kid(element, name)
    return element


def text_of(element: ET.Element | None) -> str:
    """An element's text, whitespace collapsed; P paragraphs kept apart by line breaks."""
    if element is None:
        return ""
    paragraphs = kids(element, "P")
    if paragraphs:
        lines = (" ".join("".join(p.itertext()).split()) for p in paragraphs)
        return "\n".join(line for line in lines if line)
    return " ".join("".join(element.itertext()).split())


def attribute_of(element: ET.Element | None, name: str) -> str:
    return (element.get(name) or "").strip() if element is not None else ""


def codes_of(element: ET.Element | None) -> Iterable[str]:
    code = (element.get("CODE") or "").strip() if element is not None else ""
    return [code] if code else []


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
