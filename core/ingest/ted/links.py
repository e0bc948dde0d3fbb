"""Links and references: OJ notice numbers, the notice's TED address, and the buyer's document
links."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from core.ingest.links import FoundLink, document_links
from core.ingest.rows import SHORT_LIMIT
from core.ingest.ted.tree import attribute_of, cut, kid, kids, text_of
from core.models import NoticeDocument

_OJ_NUMBER = re.compile(r"\b(\d{4})\s*/\s*S\s*(\d{1,3})\s*[-–—]\s*(\d{1,6})\b", re.IGNORECASE)
_DOCUMENT_LINKS = (
    ("URL_DOCUMENT", "Procurement documents"),
    ("URL_PARTICIPATION", "Submit tenders or requests to participate"),
)


def url_of(notice_data: ET.Element | None, language: str) -> str:
    links = [link for link in kids(kid(notice_data, "URI_LIST"), "URI_DOC") if text_of(link)]
    preferred = [link for link in links if attribute_of(link, "LG").upper() == language]
    return next((text_of(link) for link in preferred + links), "")


def documents_of(form: ET.Element, warnings: list[str]) -> list[NoticeDocument]:
    """The buyer's links to the procurement documents and to where tenders go, each once."""
    body = kid(form, "CONTRACTING_BODY")
    found: list[FoundLink] = []
    for tag, title in _DOCUMENT_LINKS:
        for element in kids(body, tag):
            link = _web_link(text_of(element))
            if link is None:
                if text_of(element):
                    warnings.append(
                        f"{tag} '{text_of(element)[:40]}' is not a web address; left out"
                    )
                continue
            found.append(FoundLink(link, title))
    return document_links(found)


def _web_link(text: str) -> str | None:
    link = text.strip()
    if link.lower().startswith("www."):
        link = "https://" + link
    if link.lower().startswith(("http://", "https://")) and " " not in link and len(link) <= 2000:
        return link
    return None


def oj_number(text: str) -> str:
    """A notice number of the OJ S in TED's spelling ("2019/S 076-012345"), however a buyer
    typed it ("2019/S76-12345", "2019 / S 076 – 012345 z dnia 29.03.2019"); other text is
    kept as it is."""
    match = _OJ_NUMBER.search(text)
    if match is None:
        return cut(" ".join(text.split()), SHORT_LIMIT)
    year, issue, number = match.groups()
    return f"{year}/S {int(issue):03d}-{int(number):06d}"
