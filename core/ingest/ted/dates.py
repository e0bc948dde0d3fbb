"""Dates: the deadline in the buyer's time zone (TED's "local time"), and the publication date."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.ingest.ted.tree import kid, path_of, text_of

# TED dates and times carry no zone; forms label the time "local time", meaning the buyer's.
# Deadlines are read in the buyer country's zone (Helsinki for a Finnish buyer, Lisbon for a
# Portuguese one), else Brussels time as the Publications Office's own converter assumes, and
# stored timezone-aware. Reading a Helsinki 12:00 as Brussels time would make it an hour late.
try:
    NOTICE_ZONE: tzinfo = ZoneInfo("Europe/Brussels")
except ZoneInfoNotFoundError:  # no tz database on this system (tzdata comes with pandas)
    NOTICE_ZONE = timezone(timedelta(hours=1), "CET")
# Countries whose time differs from Brussels time; every other EU/EEA country keeps CET/CEST.
_COUNTRY_ZONES = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "PT": "Europe/Lisbon",
    "IS": "Atlantic/Reykjavik",
    "FI": "Europe/Helsinki",
    "EE": "Europe/Tallinn",
    "LV": "Europe/Riga",
    "LT": "Europe/Vilnius",
    "BG": "Europe/Sofia",
    "RO": "Europe/Bucharest",
    "GR": "Europe/Athens",
    "CY": "Asia/Nicosia",
    "UA": "Europe/Kyiv",
    "MD": "Europe/Chisinau",
    "TR": "Europe/Istanbul",
}
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::\d{2})?$")


def zone_for(country: str) -> tzinfo:
    """The buyer's time zone for a notice's "local time"; Brussels time when not known."""
    name = _COUNTRY_ZONES.get(country)
    if name is None:
        return NOTICE_ZONE
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return NOTICE_ZONE


def deadline_of(
    form: ET.Element, codif: ET.Element | None, country: str, warnings: list[str]
) -> datetime | None:
    procedure = kid(form, "PROCEDURE")
    day = text_of(kid(procedure, "DATE_RECEIPT_TENDERS"))
    clock = text_of(kid(procedure, "TIME_RECEIPT_TENDERS"))
    if not day:  # the coded copy: "20180507 17:00" or "20180507"
        coded = text_of(kid(codif, "DT_DATE_FOR_SUBMISSION"))
        day, _, clock = coded.partition(" ")
    if not day:
        return None
    try:
        date = _day(day)
    except ValueError:
        warnings.append(f"deadline '{day[:40]}' is not a date; imported without a deadline")
        return None
    hour, minute = 23, 59  # a date without a time: the end of that day
    if clock:
        match = _TIME.match(clock.strip())
        if match and (int(match[1]), int(match[2])) == (24, 0):
            pass  # "24:00" is the end of the day too
        elif match and int(match[1]) < 24 and int(match[2]) < 60:
            hour, minute = int(match[1]), int(match[2])
        else:
            warnings.append(
                f"deadline time '{clock[:20]}' is not a time of day; "
                "the deadline is taken as the end of that day"
            )
    else:
        warnings.append(
            "the deadline has a date but no time; it is taken as 23:59 the buyer's time"
        )
    return date.replace(hour=hour, minute=minute, tzinfo=zone_for(country))


def published_at_of(
    coded: ET.Element | None, codif: ET.Element | None, warnings: list[str]
) -> datetime | None:
    text = text_of(path_of(coded, "REF_OJS", "DATE_PUB")) or text_of(kid(codif, "DATE_PUB"))
    if not text:
        return None
    try:
        return _day(text).replace(tzinfo=UTC)
    except ValueError:
        warnings.append(f"publication date '{text[:40]}' is not a date; imported without it")
        return None


def _day(text: str) -> datetime:
    """'2018-05-07' or '20180507' → naive midnight; ValueError otherwise."""
    cleaned = text.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            moment = datetime.strptime(cleaned, pattern)  # naive: the caller adds the zone
        except ValueError:
            continue
        if 1900 <= moment.year <= 2999:
            return moment
    raise ValueError(text)
