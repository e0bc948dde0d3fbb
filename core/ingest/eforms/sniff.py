"""Content sniffing: whether a file's root element is an eForms notice in its UBL namespace."""

from __future__ import annotations

import re

from core.ingest.content import Content
from core.ingest.eforms.tree import NOTICE_ROOTS

_SNIFF_LIMIT = 65_536
_PROLOG_SKIP = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>)", re.DOTALL | re.IGNORECASE
)
_START_TAG = re.compile(r"<(?:(?P<prefix>[A-Za-z_][\w.-]*):)?(?P<local>[A-Za-z_][\w.-]*)")
_XMLNS = re.compile(r"""\sxmlns(?::(?P<prefix>[\w.-]+))?\s*=\s*(?P<q>["'])(?P<uri>.*?)(?P=q)""")


def _longer_head(content: Content) -> str:
    """Up to 64 KB of the file as text: for notices whose leading comments fill the 4 KB head."""
    start = content.prefix(_SNIFF_LIMIT)
    encoding = "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    return start.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")


def _root_tag(text: str) -> str | None:
    """The root element's start tag (up to 4 KB of it), after the XML declaration, comments,
    processing instructions and a DOCTYPE; None when the text does not start with markup."""
    position = 0
    while True:
        skipped = _PROLOG_SKIP.match(text, position)
        if skipped is None or skipped.end() == position:
            break
        position = skipped.end()
    while position < len(text) and text[position].isspace():
        position += 1
    if not text.startswith("<", position):
        return None
    end = text.find(">", position)
    return text[position : end if end >= 0 else position + 4096]


def _notice_root(text: str) -> bool:
    tag = _root_tag(text)
    start = _START_TAG.match(tag) if tag else None
    if start is None:
        return False
    namespaces = {match["prefix"] or "": match["uri"] for match in _XMLNS.finditer(tag or "")}
    return NOTICE_ROOTS.get(namespaces.get(start["prefix"] or "", "")) == start["local"]


def sniff_eforms(content: Content) -> int:
    """100 when the root element is an eForms notice in its UBL namespace, else 0."""
    text = content.head_text
    if not text or not text.startswith("<"):
        return 0
    if _notice_root(text):
        return 100
    if content.size > len(content.head) and _notice_root(_longer_head(content)):
        return 100
    return 0
