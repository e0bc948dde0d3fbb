"""Reading one cell: money, dates and CPV codes, as bid teams and portals write them."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from core.ingest.errors import FieldProblem
from core.ingest.fields import CURRENCY_SYMBOLS, KNOWN_CURRENCIES, cell_text, currency_code

_SYMBOLS = "€£$¥₹₴₦"
_DIGITS = re.compile(r"\d[\d\s.,'’]*")
# What may follow the number: a scale ("m", "mio.", "million"), then a currency ("EUR", "€").
_SUFFIX = re.compile(
    rf"^(?P<scale>thousand|k|millions?|mio|mn|m|billions?|bln|bn|mrd)?\.?\s*(?P<post>[a-z]{{3}}|[{_SYMBOLS}])?\.?$"
)
_MINUS = ("-", "−")
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "bn": 1e9,
    "bln": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "mrd": 1e9,
}
_LONGEST_AMOUNT = 60  # longer text is prose, not an amount; also keeps the regex cheap
_GROUP_SPACES = re.compile(r"[\s’']+")
_GROUPS = re.compile(r"^\d{1,3}(?:([.,'])\d{3})(?:\1\d{3})*$")
_DROP_GROUPING = str.maketrans("", "", ".,'")
# "1200000", "1200000.50": nothing to guess, so no further work.
_PLAIN_NUMBER = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{1,2})?$")


def _symbol_currency(token: str | None) -> str | None:
    if not token:
        return None
    upper = token.upper()
    if upper in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[upper]
    if upper in KNOWN_CURRENCIES:
        return upper
    raise FieldProblem("is not an amount")


def _number(text: str, scaled: bool) -> float:
    """'1,200,000', '120.000,50', '120 000', "1'000", '2.5' → float; which mark is the decimal point
    is decided by position: the last of '.'/',' when both appear, else a single mark not followed
    by exactly three digits (or any single mark when a scale like 'm' follows)."""
    digits = text.strip()
    if not digits.isdigit():
        digits = _GROUP_SPACES.sub("'", digits)
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    decimal = None
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        after = len(digits) - digits.rfind(mark) - 1
        if digits.count(mark) == 1 and (scaled or after != 3):
            decimal = mark
    whole, fraction = digits.rsplit(decimal, 1) if decimal else (digits, "")
    if fraction and not fraction.isdigit():
        raise FieldProblem("is not an amount")
    if not whole.isdigit() and not _GROUPS.match(whole):
        raise FieldProblem("is not an amount")
    return float(f"{whole.translate(_DROP_GROUPING)}.{fraction or '0'}")


def parse_money(value: Any) -> tuple[float | None, str | None]:
    """(amount, currency from a symbol or code in the text); (None, None) for an empty cell.

    Raises FieldProblem for text that is not an amount and for negative amounts.
    """
    if isinstance(value, dict):  # OCDS-style {"amount": 5, "currency": "EUR"}
        amount, currency = parse_money(value.get("amount"))
        code = value.get("currency")
        return amount, currency_code(code) if isinstance(code, str) else currency
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            amount = float(value)
        except OverflowError:  # a JSON integer with hundreds of digits
            raise FieldProblem("is not an amount") from None
        if not math.isfinite(amount):
            raise FieldProblem("is not an amount")
        if amount < 0:
            raise FieldProblem("is negative")
        return amount, None
    text = (value if isinstance(value, str) else cell_text(value)).strip()
    if not text:
        return None, None
    if _PLAIN_NUMBER.match(text):
        return float(text), None
    number = _DIGITS.search(text) if len(text) <= _LONGEST_AMOUNT else None
    if number is None:
        raise FieldProblem("is negative" if text.startswith(_MINUS) else "is not an amount")
    prefix = "".join(text[: number.start()].split())
    negative = prefix.startswith(_MINUS) or prefix.endswith(_MINUS)
    pre = _symbol_currency(prefix.strip("".join(_MINUS)))
    suffix = _SUFFIX.match(text[number.end() :].lower())
    if suffix is None:
        raise FieldProblem("is not an amount")
    scale = suffix["scale"] or ""
    amount = _number(number[0], scaled=bool(scale)) * _SCALES.get(scale, 1.0)
    if not math.isfinite(amount):
        raise FieldProblem("is not an amount")
    if negative:
        raise FieldProblem("is negative")
    post = _symbol_currency(suffix["post"])
    # Scaling makes float noise (1.1m → 1100000.0000000002); amounts are money: cents at most.
    return round(amount, 2) if scale else amount, post or pre


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T,]+(?:at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
# A zone only counts after a time, so the year in "31-12-2026" is never read as an offset.
_ZONE = re.compile(
    r"(?:(?<=\d)\s*(?P<utc>Z|UTC|GMT)|(?<=\d\d:\d\d)\s*(?P<sign>[+-])(?P<zh>\d{2}):?(?P<zm>\d{2}))$",
    re.IGNORECASE,
)
_DAY_FIRST = re.compile(
    rf"^(?P<day>\d{{1,2}})[./-](?P<month>\d{{1,2}})[./-](?P<year>\d{{4}}){_TIME}$"
)
_DAY_NAME = re.compile(
    rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?P<mname>[A-Za-z]{{3,9}})\.?,?[\s-]+(?P<year>\d{{4}}){_TIME}$"
)
_NAME_DAY = re.compile(
    rf"^(?P<mname>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}}){_TIME}$"
)
_ISO_START = re.compile(r"^\d{4}-?\d{2}-?\d{2}")
DATE_HINT = "use 31/12/2026 or 2026-12-31"
_LONGEST_DATE = 60


def _plausible(moment: datetime) -> datetime:
    if not 1900 <= moment.year <= 2999:
        raise FieldProblem("is not a plausible date")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _from_match(match: re.Match[str], zone: timezone | None) -> datetime:
    groups = match.groupdict()
    month = _MONTHS.get(groups["mname"].lower()) if groups.get("mname") else int(groups["month"])
    if month is None:
        raise FieldProblem(f"is not a date ({DATE_HINT})")
    try:
        return datetime(
            int(groups["year"]),
            month,
            int(groups["day"]),
            int(groups["hour"] or 0),
            int(groups["minute"] or 0),
            int(groups["second"] or 0),
            tzinfo=zone or UTC,
        )
    except ValueError:
        raise FieldProblem(f"is not a date ({DATE_HINT})") from None


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime (UTC unless the text says otherwise); None for an empty cell.

    Numeric dates are read day first (31/12/2026), as European portals write them; month-first
    US dates are not guessed. Raises FieldProblem when the cell is not a date.
    """
    if isinstance(value, datetime):
        return _plausible(value)
    if isinstance(value, date):
        return _plausible(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if value is not None and not isinstance(value, str):
        raise FieldProblem(f"is not a date ({DATE_HINT})")
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > _LONGEST_DATE:
        raise FieldProblem(f"is not a date ({DATE_HINT})")
    if _ISO_START.match(text):
        try:
            return _plausible(datetime.fromisoformat(text.replace("z", "Z")))
        except ValueError:
            pass
    zone: timezone | None = None
    # A zone is a trailing Z/UTC/GMT or an offset after a time: no search needed otherwise.
    found = _ZONE.search(text) if text[-1].isalpha() or ":" in text else None
    if found:
        text = text[: found.start()]
        if not found["utc"]:
            offset = timedelta(hours=int(found["zh"]), minutes=int(found["zm"]))
            if offset >= timedelta(hours=24):
                raise FieldProblem(f"is not a date ({DATE_HINT})")
            zone = timezone(-offset if found["sign"] == "-" else offset)
    if _ISO_START.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise FieldProblem(f"is not a date ({DATE_HINT})") from None
        return _plausible(moment.replace(tzinfo=zone or moment.tzinfo or UTC))
    for pattern in (_DAY_FIRST, _DAY_NAME, _NAME_DAY):
        match = pattern.match(text)
        if match:
            return _plausible(_from_match(match, zone))
    raise FieldProblem(f"is not a date ({DATE_HINT})")


_CPV = re.compile(r"(?<![0-9])([0-9]{8})(?:-[0-9])?(?![0-9])")


def parse_cpv(value: Any) -> list[str]:
    """Every 8-digit CPV code in a cell, check digit dropped, in order, without repeats.

    Codes may be separated by ; , | or spaces and followed by a label ("72000000 - IT services").
    """
    if isinstance(value, int) and not isinstance(value, bool) and 10**6 <= value < 10**8:
        return [f"{value:08d}"]  # Excel drops the leading zero of codes like 03000000
    if isinstance(value, float) and value.is_integer() and 10**6 <= value < 10**8:
        return [f"{int(value):08d}"]
    if isinstance(value, list):
        return list(dict.fromkeys(code for item in value for code in parse_cpv(item)))
    return list(dict.fromkeys(_CPV.findall(cell_text(value))))
