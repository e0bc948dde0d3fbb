"""Which column is which: header aliases, matched case- and punctuation-insensitively."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from core.ingest.columns import user_mapping
from core.ingest.currencies import ISO_4217

# Canonical field → header aliases, best first: of two columns for one field, the better alias wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    # "tender/…" and "buyer/name": OCDS flattened to one row per procedure, as the OCDS Data
    # Registry's CSV and Excel downloads for Find a Tender, Public Contracts Scotland and
    # Sell2Wales have it (the "main" sheet); the ocid names the procedure across notices.
    "source_id": (
        "ocid",
        "id",
        "source_id",
        "notice id",
        "tender id",
        "reference",
        "ref",
        "reference number",
        "notice number",
        "tender reference",
    ),
    "title": ("title", "name", "subject", "tender title", "notice title", "contract title"),
    "description": ("description", "summary", "details", "short description", "tender/description"),
    "buyer": (
        "buyer",
        "buyer name",
        "contracting authority",
        "authority",
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "agency",
        "buyer/name",
    ),
    "deadline": (
        "deadline",
        "submission deadline",
        "tender deadline",
        "response deadline",
        "closing date",
        "due date",
        "tender/tenderPeriod/endDate",
    ),
    # A time beside a date-only deadline column ("Closing Date" + "Closing Time").
    "deadline_time": (
        "closing time",
        "deadline time",
        "submission time",
        "due time",
        "response time",
        "time",
    ),
    "value": (
        "estimated_value",
        "estimated value",
        "value",
        "contract value",
        "budget",
        "amount",
        "estimated amount",
        "tender/value/amount",
    ),
    # A value published as a range: the upper end is the tender's value, the lower end kept.
    "value_high": (
        "value high",
        "high value",
        "maximum value",
        "max value",
        "value max",
        "value maximum",
        "value to",
        "upper value",
        "estimated value high",
        "estimated value max",
        "budget max",
        "budget to",
        "max budget",
        "maximum budget",
        "to value",
    ),
    "value_low": (
        "value low",
        "low value",
        "minimum value",
        "min value",
        "value min",
        "value minimum",
        "value from",
        "lower value",
        "estimated value low",
        "estimated value min",
        "budget min",
        "budget from",
        "min budget",
        "minimum budget",
        "from value",
        "tender/minValue/amount",
    ),
    "currency": ("currency", "currency code", "value currency", "tender/value/currency"),
    "cpv": ("cpv", "cpv code", "cpv codes", "cpv_codes", "tender/classification/id"),
    "country": ("country", "country code"),
    "region": (
        "region",
        "location",
        "place of performance",
        "nuts",
        "nuts code",
        "delivery region",
    ),
    "contact": (
        "contact email",
        "contact",
        "email",
        "contact e-mail",
        "contact website",
        "buyer/contactPoint/email",
    ),
    "language": ("language", "lang"),
    "url": ("url", "link", "notice url", "web link"),
}
MONEY_FIELDS = ("value", "value_high", "value_low")
# How the Import preview names each field (and what `import --map` takes: the keys).
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "description": "Description",
    "buyer": "Buyer",
    "source_id": "Reference (id)",
    "deadline": "Deadline",
    "deadline_time": "Deadline time",
    "value": "Value",
    "value_low": "Value, low end",
    "value_high": "Value, high end",
    "currency": "Currency",
    "cpv": "CPV codes",
    "country": "Country",
    "region": "Region",
    "contact": "Contact",
    "language": "Language",
    "url": "Link",
}
TITLE_HINT = ", ".join(FIELD_ALIASES["title"][:3])
_LONGEST_HEADER = 200


def normalise_header(header: str) -> str:
    """'Closing Date', 'closing_date', 'CLOSING-DATE:' → 'closingdate'; 'Réf.' → 'ref'."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


_ALIAS_RANK: dict[str, tuple[str, int]] = {
    normalise_header(alias): (field, rank)
    for field, aliases in FIELD_ALIASES.items()
    for rank, alias in enumerate(aliases)
}
# "Value (EUR)", "Budget [€]", "Estimated value GBP": the unit names the currency of the column.
_UNIT = re.compile(r"^(?P<base>.*?)[\s_-]*(?:\((?P<p>[^)]*)\)|\[(?P<b>[^\]]*)\]|(?P<s>[€£$]))\s*$")
_TRAILING_CODE = re.compile(r"^(?P<base>.+?)[\s_-]+(?P<code>[A-Za-z]{3})\s*$")


@dataclass(frozen=True)
class Columns:
    """Where each canonical field sits in a row (position in the header), and a currency hint.

    `used` has one (field or None, whether the user chose it) per header cell.
    """

    positions: tuple[tuple[str, int], ...]
    currency_hint: str | None = None
    used: tuple[tuple[str | None, bool], ...] = ()

    @property
    def has_title(self) -> bool:
        return any(field == "title" for field, _ in self.positions)


def _match_one(header: str) -> tuple[str, int, str | None] | None:
    """(field, rank, currency unit) for one header cell, or None when it is not a known field."""
    unit = _UNIT.match(header) or _TRAILING_CODE.match(header)
    found = _ALIAS_RANK.get(normalise_header(header))
    parts = unit.groupdict() if unit else {}
    if found is None and unit is not None:
        found = _ALIAS_RANK.get(normalise_header(parts["base"]))
        if found is not None and parts.get("code") and found[0] not in MONEY_FIELDS:
            return None  # "Buyer ABC": a trailing code is a unit only on a value column
    if found is None:
        return None
    field, rank = found
    if field not in MONEY_FIELDS:
        return field, rank, None
    unit_text = parts.get("p") or parts.get("b") or parts.get("s") or parts.get("code")
    return field, rank, currency_code(unit_text)


def _unit_of(header: str) -> str | None:
    """The currency a header names as its unit ("Spend (GBP)"), for a column the user mapped."""
    unit = _UNIT.match(header) or _TRAILING_CODE.match(header)
    if unit is None:
        return None
    parts = unit.groupdict()
    return currency_code(parts.get("p") or parts.get("b") or parts.get("s") or parts.get("code"))


def match_headers(headers: Sequence[str]) -> Columns:
    """Map header cells to canonical fields: the user's choices (core.ingest.columns) first,
    then the aliases; unknown columns stay in `raw` only."""
    chosen = user_mapping(headers)
    best: dict[str, tuple[int, int, str | None]] = {}
    declined: set[int] = set()
    for position, header in enumerate(headers):
        key = normalise_header(header) if header else ""
        if key and key in chosen:
            field = chosen[key]
            if field in FIELD_ALIASES:
                best[field] = (-1, position, _unit_of(header) if field in MONEY_FIELDS else None)
            else:  # "" (not used) or an unknown name: no field
                declined.add(position)
            continue
        # A header is a few words; skipping long cells keeps the search cheap on 5 MB cells.
        matched = _match_one(header) if header and len(header) <= _LONGEST_HEADER else None
        if matched is None:
            continue
        field, rank, unit = matched
        if field not in best or rank < best[field][0]:
            best[field] = (rank, position, unit)
    units = [best[field][2] for field in MONEY_FIELDS if field in best]
    hint = next((unit for unit in units if unit), None)
    positions = tuple((field, position) for field, (_, position, _) in best.items())
    by_position = {position: (field, rank < 0) for field, (rank, position, _) in best.items()}
    used = tuple(by_position.get(i, (None, i in declined)) for i in range(len(headers)))
    return Columns(positions=positions, currency_hint=hint, used=used)


def raw_keys(headers: Sequence[str]) -> list[str]:
    """Header texts usable as `raw` keys: blanks named by position, repeats numbered."""
    keys: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(headers, start=1):
        key = header.strip() or f"column {position}"
        if key in seen:
            number = 2
            while f"{key} ({number})" in seen:
                number += 1
            key = f"{key} ({number})"
        seen.add(key)
        keys.append(key)
    return keys


CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
    "US$": "USD",
    "¥": "JPY",
    "₹": "INR",
    "₴": "UAH",
    "₦": "NGN",
    "EURO": "EUR",
    "EUROS": "EUR",
}
# Codes recognised inside an amount ("EUR 1.2m"); a currency column may hold any 3-letter code.
_CODES_IN_AMOUNTS = (
    "EUR GBP USD CHF SEK NOK DKK ISK PLN CZK HUF RON BGN HRK RSD UAH RUB TRY CAD AUD NZD JPY "
    "CNY HKD SGD INR ZAR NGN KES GHS EGP MAD BRL MXN ARS CLP COP PEN AED SAR QAR ILS KRW THB "
    "MYR IDR PHP"
)
KNOWN_CURRENCIES = frozenset(_CODES_IN_AMOUNTS.split())


def currency_code(text: str | None) -> str | None:
    """'€', 'eur', ' EUR ' → 'EUR'; None when the text is not an ISO 4217 currency."""
    if not text:
        return None
    cleaned = text.strip().upper()
    if cleaned in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[cleaned]
    return cleaned if cleaned in ISO_4217 else None


def cell_text(value: Any) -> str:
    """Any cell value (CSV string, Excel number or date, JSON scalar/list/object) as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(text for item in value if (text := cell_text(item)))
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return name
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def raw_value(value: Any) -> Any:
    """A cell value that JSON can store: dates become ISO strings, the rest is kept as it is."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def first_row_has(content_head: str | None, columns: frozenset[str]) -> bool:
    """Whether the first line of a text file is a CSV header holding all of `columns` (as
    normalised header names): how portal exports with fixed columns are recognised."""
    if not content_head:
        return False
    try:
        cells = next(csv.reader([content_head.split("\n", 1)[0]]), [])
    except csv.Error:  # not a CSV header at all
        return False
    return {normalise_header(cell) for cell in cells} >= columns
