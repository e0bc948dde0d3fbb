"""SAM.gov Contract Opportunities CSV (the public "ContractOpportunitiesFullCSV" export).

Its columns are fixed (NoticeId, Title, Sol#, Department/Ind.Agency, …, ResponseDeadLine,
NaicsCode, ClassificationCode, …, AdditionalInfoLink, Link, Description); the file is recognised
by them, not by its extension. NAICS and PSC codes are kept as classifications with their
scheme; the notice type (Solicitation, Presolicitation, Award Notice…) says whether it can be
bid for; AdditionalInfoLink is kept as a document link.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.ingest.content import Content, text_lines
from core.ingest.errors import FieldProblem, ImportFileError
from core.ingest.fields import first_row_has, normalise_header
from core.ingest.links import FoundLink, document_links
from core.ingest.rows import TenderBuilder
from core.ingest.values import parse_date
from core.models import Classification, NoticeType, ParsedFile

FORMAT = "samgov"
# Columns that only the SAM.gov export has together; the header must hold all of them.
_SIGNATURE = frozenset({"noticeid", "responsedeadline", "naicscode", "classificationcode"})
_TYPES: dict[str, NoticeType] = {
    "solicitation": NoticeType.TENDER,
    "combined synopsis/solicitation": NoticeType.TENDER,
    "presolicitation": NoticeType.PLANNING,
    "sources sought": NoticeType.PLANNING,
    "special notice": NoticeType.OTHER,
    "award notice": NoticeType.AWARD,
    "justification": NoticeType.AWARD,  # a sole-source justification: decided already
    "intent to bundle requirements (dod-funded)": NoticeType.PLANNING,
    "sale of surplus property": NoticeType.OTHER,
    "consolidate/(substantially) bundle": NoticeType.PLANNING,
}
_COUNTRIES = {"USA": "US", "UNITED STATES": "US"}


def sniff_samgov(content: Content) -> int:
    return 100 if first_row_has(content.head_text, _SIGNATURE) else 0


def parse_samgov(content: Content, source: str) -> ParsedFile:
    builder = TenderBuilder(content.filename, FORMAT, source)
    reader = csv.reader(text_lines(content))
    try:
        header = next(reader, [])
        keys = [cell.strip() for cell in header]
        canonical = [normalise_header(key) for key in keys]
        if not set(canonical) >= _SIGNATURE:
            raise _not_samgov(content.filename)
        for number, row in enumerate(reader, start=2):
            if not "".join(row).strip():
                continue
            raw = dict(zip(keys, row, strict=False))
            cells = dict(zip(canonical, row, strict=False))
            values, extra, warnings = _map_row(cells)
            builder.add(number, values, raw, "USD", extra)
            for warning in warnings:
                builder.warn(number, warning)
    except csv.Error as exc:
        raise ImportFileError(
            content.filename,
            f"{content.filename} could not be read as CSV (line {reader.line_num}: {exc}); "
            "download the SAM.gov export again and import the new file.",
        ) from exc
    return builder.result()


def _not_samgov(filename: str) -> ImportFileError:
    return ImportFileError(
        filename,
        f"{filename} does not have the SAM.gov export's columns (NoticeId, ResponseDeadLine, "
        "NaicsCode, ClassificationCode); import the file as it was downloaded.",
    )


def _map_row(cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    get = cells.get
    warnings: list[str] = []
    kind = (get("type") or get("basetype") or "").strip()
    office = " — ".join(
        part
        for part in ((get("departmentindagency") or "").strip(), (get("office") or "").strip())
        if part
    )
    country = (get("popcountry") or get("countrycode") or "").strip().upper()
    values = {
        "source_id": get("noticeid"),
        "title": get("title"),
        "description": get("description"),
        "buyer": office,
        "deadline": get("responsedeadline"),
        "value": get("award"),
        "country": _COUNTRIES.get(country, country if len(country) == 2 else ""),
        "language": "en",
        "url": get("link") or get("additionalinfolink"),
    }
    classifications = [
        Classification(scheme=scheme, code=code.strip())
        for scheme, code in (("NAICS", get("naicscode")), ("PSC", get("classificationcode")))
        if code and code.strip()
    ]
    extra: dict[str, Any] = {
        "notice_type": _TYPES.get(kind.lower(), NoticeType.OTHER if kind else NoticeType.TENDER),
        "form_type": kind or None,
        "procedure_id": (get("sol") or get("solicitationnumber") or "").strip() or None,
        "published_at": _posted(get("posteddate"), warnings),
        "classifications": classifications,
        # The notice's own page (Link) is its url; the buyer's page of more information may
        # hold the documents.
        "documents": document_links(
            [FoundLink(get("additionalinfolink"), "Additional information")]
        ),
    }
    return values, extra, warnings


def _posted(text: str | None, warnings: list[str]) -> datetime | None:
    """PostedDate, e.g. '2025-01-02 10:33:05.123-05' (parse_date reads the short offset)."""
    if not text or not text.strip():
        return None
    try:
        return parse_date(text)
    except FieldProblem:
        warnings.append(f"posted date '{text.strip()[:40]}' is not a date; imported without it")
        return None
