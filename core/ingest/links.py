"""A notice's own document links, kept the same way by every importer: web addresses only
(http, https), each once, at most MAX_LINKS per notice, titles on one line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from core.models import NoticeDocument

MAX_LINKS = 50  # a notice with more is a portal's file listing; the first ones are the notice's
_URL_LIMIT = 2_000
_TITLE_LIMIT = 500  # ShortText
_KIND_LIMIT = 100


class FoundLink(NamedTuple):
    """A link as an importer found it in the notice, before it is checked."""

    url: str | None
    title: str | None = None
    kind: str | None = None
    format: str | None = None


def web_address(text: str | None) -> str | None:
    """The address when it is a complete http or https link that a browser can open."""
    link = (text or "").strip()
    if not link or len(link) > _URL_LIMIT or any(c.isspace() for c in link):
        return None
    try:
        parts = urlsplit(link)
    except ValueError:  # a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return link


def document_links(found: Iterable[FoundLink]) -> list[NoticeDocument]:
    """The notice's document links: web addresses only, each once (the first title wins)."""
    links: dict[str, NoticeDocument] = {}
    for link in found:
        url = web_address(link.url)
        if url is None or url in links:
            continue
        links[url] = NoticeDocument(
            url=url,
            title=_line(link.title, _TITLE_LIMIT),
            kind=_line(link.kind, _KIND_LIMIT),
            format=_line(link.format, _KIND_LIMIT),
        )
        if len(links) == MAX_LINKS:
            break
    return list(links.values())


def _line(text: str | None, limit: int) -> str | None:
    return " ".join((text or "").split())[:limit] or None
