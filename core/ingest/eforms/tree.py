"""The XML tree: parsing a notice safely (no DTDs), the UBL and eForms namespaces, and reading
an element's text, in the notice language when it is given in several."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from core.ingest.content import Content
from core.ingest.errors import ImportFileError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NOTICE_ROOTS: dict[str, str] = {
    f"{_UBL}{name}-2": name
    for name in ("ContractNotice", "PriorInformationNotice", "ContractAwardNotice")
}
NS = {
    "cbc": f"{_UBL}CommonBasicComponents-2",
    "cac": f"{_UBL}CommonAggregateComponents-2",
    "ext": f"{_UBL}CommonExtensionComponents-2",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_REFETCH = "download the notice again from TED and import that file"


def parse_xml(content: Content) -> Element:
    name = content.filename
    try:
        return SafeET.fromstring(content.read(), forbid_dtd=True)
    except SafeET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc)) or "unreadable XML"
        raise ImportFileError(
            name,
            f"{name} is not well-formed XML (line {line}, column {column + 1}: {reason}); "
            f"{_REFETCH}.",
        ) from exc
    except DefusedXmlException as exc:
        raise ImportFileError(
            name,
            f"{name} declares a DOCTYPE or entities, which Tenderwise refuses for safety; "
            f"{_REFETCH}.",
        ) from exc
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read, and the like
        raise ImportFileError(
            name, f"{name} could not be read as XML ({exc}); {_REFETCH}."
        ) from exc


def line_of(element: Element | None) -> str:
    """An element's text on one line."""
    if element is None or not element.text:
        return ""
    return " ".join(element.text.split())


def _paragraphs(element: Element | None) -> str:
    """An element's text with its line breaks kept and each line's indentation dropped."""
    if element is None or not element.text:
        return ""
    lines = (" ".join(line.split()) for line in element.text.splitlines())
    return "\n".join(line for line in lines if line)


def find(element: Element | None, path: str) -> Element | None:
    return None if element is None else element.find(path, NS)


def findall(element: Element | None, path: str) -> list[Element]:
    return [] if element is None else element.findall(path, NS)


def text_of(element: Element | None, path: str) -> str:
    return line_of(find(element, path))


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Texts:
    """One text in every language the notice gives it, and the one to show."""

    chosen: str = ""
    by_language: dict[str, str] = field(default_factory=dict)


def texts(elements: Iterable[Element], language: str, *, keep_lines: bool = False) -> Texts:
    """The text in the notice language, else one without a language, else the first given."""
    by_language: dict[str, str] = {}
    for element in elements:
        text = _paragraphs(element) if keep_lines else line_of(element)
        if text:
            by_language.setdefault((element.get("languageID") or "").strip().upper(), text)
    if not by_language:
        return Texts()
    chosen = by_language.get(language) or by_language.get("") or next(iter(by_language.values()))
    return Texts(chosen, by_language)
