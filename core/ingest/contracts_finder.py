"""UK Contracts Finder "Download CSV" (the search results export), recognised by its header.

Columns: Notice Identifier, Notice Type, Organisation Name, Status, Published Date, Title,
Description, Region, Cpv Codes, Contact Email, Contact Website, Closing Date, Closing Time,
Value Low, Value High. Dates are dd/mm/yyyy and times UK local time, so Closing Date and
Closing Time are read together in Europe/London and stored in UTC. CPV codes are separated by
spaces or new lines. Values are GBP, kept as a range: Value High is the tender's value and
Value Low its lower end.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.ingest.content import Content, text_lines
from core.ingest.errors import ImportFileError
from core.ingest.fields import first_row_has, normalise_header
from core.ingest.rows import TenderBuilder
from core.models import NoticeType, ParsedFile

FORMAT = "contracts finder"
UK_TIME = ZoneInfo("Europe/London")
NOTICE_URL = "https://www.contractsfinder.service.gov.uk/Notice/"
# Columns only the Contracts Finder export has together; the header must hold all of them.
_SIGNATURE = frozenset({"noticeidentifier", "organisationname", "closingdate", "cpvcodes"})
_PLANNING = ("pipeline", "early engagement", "future opportunity", "preliminary")


def sniff_contracts_finder(content: Content) -> int:
    return 100 if first_row_has(content.head_text, _SIGNATURE) else 0


def parse_contracts_finder(content: Content, source: str) -> ParsedFile:
    builder = TenderBuilder(content.filename, FORMAT, source)
    reader = csv.reader(text_lines(content))
    try:
        keys = [cell.strip() for cell in next(reader, [])]
        canonical = [normalise_header(key) for key in keys]
        if not set(canonical) >= _SIGNATURE:
            raise ImportFileError(
                content.filename,
                f"{content.filename} does not have the Contracts Finder export's columns "
                "(Notice Identifier, Organisation Name, Closing Date, Cpv Codes); import the "
                "file as it was downloaded.",
            )
        for number, row in enumerate(reader, start=2):
            if not "".join(row).strip():
                continue
            cells = dict(zip(canonical, row, strict=False))
            values, extra, warnings = _map_row(cells)
            builder.add(number, values, dict(zip(keys, row, strict=False)), "GBP", extra)
            for warning in warnings:
                builder.warn(number, warning)
    except csv.Error as exc:
        raise ImportFileError(
            content.filename,
            f"{content.filename} could not be read as CSV (line {reader.line_num}: {exc}); "
            "download the Contracts Finder export again and import the new file.",
        ) from exc
    return builder.result()


def _map_row(cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    def get(name: str) -> str:
        return (cells.get(name) or "").strip()

    warnings: list[str] = []
    notice_id = get("noticeidentifier")
    low, high = get("valuelow"), get("valuehigh")
    values = {
        "source_id": notice_id,
        "title": get("title"),
        "description": get("description"),
        "buyer": get("organisationname"),
        "deadline": _uk_time(get("closingdate"), get("closingtime"), "closing", warnings),
        "value_high": high,
        "value_low": low,
        "currency": "GBP",
        "cpv": " ".join(get("cpvcodes").split()),
        "country": "GB",
        "region": get("region"),
        "contact": get("contactemail") or get("contactwebsite"),
        "language": "en",
        "url": f"{NOTICE_URL}{notice_id}" if notice_id else None,
    }
    kind, status = get("noticetype"), get("status")
    extra: dict[str, Any] = {
        "notice_type": _notice_type(kind, status),
        "form_type": " / ".join(part for part in (kind, status) if part) or None,
        "procedure_id": notice_id or None,
        "published_at": _uk_time(get("publisheddate"), "", "published", warnings),
    }
    return values, extra, warnings


def _notice_type(kind: str, status: str) -> NoticeType:
    text = f"{kind} {status}".lower()
    if "withdrawn" in text or "cancel" in text:
        return NoticeType.CANCELLATION
    if "award" in text:
        return NoticeType.AWARD
    if any(word in text for word in _PLANNING):
        return NoticeType.PLANNING
    return NoticeType.TENDER


def _uk_time(day: str, time: str, what: str, warnings: list[str]) -> datetime | None:
    """'24/01/2027' and '12:00' (UK local time) → the UTC instant; midnight without a time."""
    if not day:
        return None
    text = f"{day} {time}".strip()
    for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            local = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return local.replace(tzinfo=UK_TIME).astimezone(UTC)
    warnings.append(f"{what} date '{text[:40]}' is not a date; imported without it")
    return None
