"""Element text read as typed values: moments (eForms splits date and time), amounts with
their currency, and web links."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import TYPE_CHECKING

from core.ingest.eforms.tree import line_of
from core.ingest.errors import FieldProblem
from core.ingest.values import parse_date

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_URL_LIMIT = 2_000  # the model's limit on a link

_DATE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?P<zone>Z|[+-]\d{2}:\d{2})?$")
_TIME = re.compile(r"^(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:\d{2})?$")


def moment_text(date_text: str, time_text: str) -> str:
    """eForms splits a moment in two, each with its zone: '2019-11-15+01:00' and
    '10:00:00+01:00' → '2019-11-15T10:00:00+01:00'. The time's zone wins; without a time the
    moment is the start of the day. Text that is not of this shape is returned as it is."""
    day = _DATE.match(date_text)
    if day is None:
        return date_text
    clock = _TIME.match(time_text) if time_text else None
    zone = (clock["zone"] if clock else None) or day["zone"] or "Z"
    return f"{day['date']}T{clock['time'] if clock else '00:00:00'}{zone}"


def moment(date_text: str, time_text: str) -> datetime | None:
    if not date_text:
        return None
    try:
        return parse_date(moment_text(date_text, time_text))
    except FieldProblem:
        return None


_DECIMAL = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")


def amount_of(element: Element | None) -> tuple[float | None, str | None]:
    """An amount (xs:decimal: '1234.567' is not a thousands grouping) with its currencyID;
    (None, None) when absent, unreadable or negative."""
    text = line_of(element)
    if element is None or not _DECIMAL.match(text):
        return None, None
    amount = float(text)
    if not math.isfinite(amount):
        return None, None
    currency = (element.get("currencyID") or "").strip().upper()
    return amount, currency if len(currency) == 3 and currency.isalpha() else None


def web_link(text: str) -> str | None:
    text = text.strip()
    if text.lower().startswith(("http://", "https://")) and " " not in text:
        return text if len(text) <= _URL_LIMIT else None
    return None
