"""One source row → a Tender or a row error, the same way for every format.

Only a row without a usable title is refused. A bad value, deadline, currency, CPV cell or link
does not lose the tender: it is imported without that field, and a RowError whose message starts
with "warning: " says what was left out. Over-long text is cut to the model's limit, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from core.ingest.currencies import currency_of_country
from core.ingest.errors import WARNING_PREFIX, FieldProblem, ImportFileError
from core.ingest.fields import cell_text, currency_code
from core.ingest.values import parse_cpv, parse_date, parse_money
from core.models import ParsedFile, RowError, Tender

TITLE_LIMIT = 500
DESCRIPTION_LIMIT = 20_000
# The source payload kept with each tender (`raw`): enough for a reader to see what the source
# said, never a whole cell of a bomb. Longer texts and lists are cut, and `raw` says so.
RAW_TEXT_LIMIT = 20_000
RAW_LIST_LIMIT = 1_000
RAW_CUT_KEY = "_cut_by_tenderwise"
SHORT_LIMIT = 500  # buyer: same ShortText limit as the title
_QUOTE_LIMIT = 40


def quote(value: Any) -> str:
    """A cell value as it reads in a one-line message: 'abc', shortened when long."""
    text = " ".join(cell_text(value).split())
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return f"'{text}'"


def _line(value: Any) -> str:
    """The cell as one line of text: runs of spaces and line breaks become one space."""
    return " ".join((value if isinstance(value, str) else cell_text(value)).split())


def _cap(text: str, limit: int, name: str, warnings: list[str]) -> str:
    if len(text) <= limit:
        return text
    warnings.append(f"{name} was {len(text):,} characters long; cut to {limit:,}")
    return text[: limit - 1].rstrip() + "…"


def capped_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` with texts over RAW_TEXT_LIMIT characters and lists over RAW_LIST_LIMIT items cut,
    and a note saying how many were (the same object when nothing was too long)."""
    if not _too_long(raw):
        return raw
    cut = [0]
    capped = _capped(raw, cut)
    capped[RAW_CUT_KEY] = (
        f"{cut[0]:,} values were longer than {RAW_TEXT_LIMIT:,} characters or "
        f"{RAW_LIST_LIMIT:,} items and were cut when imported"
    )
    return capped


def _too_long(value: Any) -> bool:
    """Whether anything in `value` is over the limits (a walk that copies nothing)."""
    if isinstance(value, str):
        return len(value) > RAW_TEXT_LIMIT
    if isinstance(value, dict):
        return any(_too_long(item) for item in value.values())
    if isinstance(value, list):
        return len(value) > RAW_LIST_LIMIT or any(_too_long(item) for item in value)
    return False


def _capped(value: Any, cut: list[int]) -> Any:
    if isinstance(value, str):
        if len(value) <= RAW_TEXT_LIMIT:
            return value
        cut[0] += 1
        return value[:RAW_TEXT_LIMIT] + f"… [{len(value) - RAW_TEXT_LIMIT:,} characters cut]"
    if isinstance(value, dict):
        return {key: _capped(item, cut) for key, item in value.items()}
    if isinstance(value, list):
        if len(value) > RAW_LIST_LIMIT:
            cut[0] += 1
            value = value[:RAW_LIST_LIMIT]
        return [_capped(item, cut) for item in value]
    return value


def _with_time(day: Any, time: Any) -> Any:
    """A date-only deadline cell and a time cell beside it, read as one: '24/07/2026 12:00'."""
    clock = cell_text(time).strip()
    if not clock or not day:
        return day
    if isinstance(day, datetime):
        if day.time() != datetime.min.time():
            return day  # it has its time already
        day = day.date().isoformat()
    text = cell_text(day).strip()
    if ":" in text:  # "24/07/2026 12:00" already
        return day
    if len(clock) >= 8 and clock[2] == ":" and clock[5] == ":":
        clock = clock[:5]  # Excel times read as "12:00:00"
    return f"{text} {clock}"


def _short(cell: Any, name: str, warnings: list[str]) -> str | None:
    text = _line(cell)
    return _cap(text, SHORT_LIMIT, name, warnings) if text else None


def _given(cell: Any) -> bool:
    return bool(cell) or cell == 0


def _web_address(value: Any, warnings: list[str]) -> str | None:
    text = cell_text(value).strip()
    if not text:
        return None
    if text.lower().startswith("www."):
        text = "https://" + text
    # Only web links: a 'javascript:' or 'file:' link in a tender file must never become clickable.
    if text.lower().startswith(("http://", "https://")) and " " not in text:
        return text
    warnings.append(f"url {quote(value)} is not a web address; imported without a link")
    return None


Sink = Callable[[list[Tender]], None]
# While set (see `streaming_to`), builders hand every STREAM_BATCH tenders to this sink instead
# of keeping them all: a 100,000-release package is stored batch by batch as it is read.
_SINK: ContextVar[Sink | None] = ContextVar("tender_sink", default=None)
STREAM_BATCH = 5_000


@contextmanager
def streaming_to(sink: Sink) -> Iterator[None]:
    """Within this block, importers pass their tenders to `sink` in batches as they read."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


class TenderBuilder:
    """Collects the tenders and row errors of one file, row by row.

    Inside `streaming_to(sink)`, full batches go to the sink as they fill, and `result()` hands
    over the rest: the ParsedFile then carries no tenders, only the row errors and `streamed`.
    """

    def __init__(self, filename: str, file_format: str, source: str) -> None:
        self.filename = filename
        self.format = file_format
        self.source = source
        self.tenders: list[Tender] = []
        self.errors: list[RowError] = []
        self._refused = 0
        self._sink = _SINK.get()
        self._streamed = 0
        self._no_currency = 0
        self._no_currency_row = 0

    @property
    def kept(self) -> int:
        """Tenders read so far (streamed to the sink or still held)."""
        return self._streamed + len(self.tenders)

    def _flush(self) -> None:
        if self._sink is not None and self.tenders:
            batch, self.tenders = self.tenders, []
            self._sink(batch)
            self._streamed += len(batch)

    def warn(self, row: int, message: str) -> None:
        """A problem the format's own reader found in a row it kept."""
        self.errors.append(RowError(row=row, message=WARNING_PREFIX + message, level="warning"))

    def refuse(self, row: int, message: str) -> None:
        self._refused += 1
        self.errors.append(RowError(row=row, message=message))

    def add(
        self,
        row: int,
        values: Mapping[str, Any],
        raw: dict[str, Any],
        currency_hint: str | None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """`values` maps canonical field names (see fields.FIELD_ALIASES) to cell values.

        `extra` carries Tender fields that structured formats know already typed (notice_type,
        form_type, procedure_id, published_at, classifications, lots, documents); they are
        validated with the tender, and a bad one refuses the row like any other field.
        """
        get = values.get
        title = _line(get("title"))
        if not title:
            self.refuse(row, "no title")
            return
        warnings: list[str] = []
        description = cell_text(get("description")).strip()
        buyer = _line(get("buyer"))
        if len(title) > TITLE_LIMIT or len(buyer) > SHORT_LIMIT:
            title = _cap(title, TITLE_LIMIT, "title", warnings)
            buyer = _cap(buyer, SHORT_LIMIT, "buyer", warnings)
        if len(description) > DESCRIPTION_LIMIT:
            description = _cap(description, DESCRIPTION_LIMIT, "description", warnings)
        amount, low, currency = self._range(values, currency_hint, warnings)
        country = _line(get("country")) or None
        if amount is not None and currency is None:
            currency = currency_of_country(country)  # what the country's buyers publish in
            if currency is None:  # said once for the file, at its first row, in result()
                self._no_currency += 1
                self._no_currency_row = self._no_currency_row or row
        deadline = _with_time(get("deadline"), get("deadline_time"))
        url = get("url")
        try:
            tender = Tender(
                source=self.source,
                source_id=_line(get("source_id")) or None,
                title=title,
                description=description,
                buyer=buyer or None,
                value_amount=amount,
                value_low=low,
                value_currency=currency,
                deadline=self._deadline(deadline, warnings),
                cpv_codes=self._cpv(get("cpv"), warnings),
                country=country,
                region=_short(get("region"), "region", warnings),
                contact=_short(get("contact"), "contact", warnings),
                language=_line(get("language")) or None,
                url=_web_address(url, warnings) if url else None,
                raw=capped_raw(raw),
                **(extra or {}),
            )
        except ValidationError as exc:  # every field is checked above; this is a last guard
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            self.refuse(row, f"{where}: {first['msg']}")
            return
        self.tenders.append(tender)
        if len(self.tenders) >= STREAM_BATCH:
            self._flush()
        if warnings:
            self.errors.extend(
                RowError(row=row, message=WARNING_PREFIX + text, level="warning")
                for text in warnings
            )

    @classmethod
    def _range(
        cls, values: Mapping[str, Any], currency_hint: str | None, warnings: list[str]
    ) -> tuple[float | None, float | None, str | None]:
        """(value, lower end or None, currency): a 'value' column, else the range's ends."""
        get = values.get
        currency_cell = get("currency")
        value, high, low_cell = get("value"), get("value_high"), get("value_low")
        if not _given(value) and not _given(high):
            value, low_cell = low_cell, None  # only a lower end: that is the value
        elif not _given(value):
            value = high
        amount, currency = cls._money(value, currency_cell, currency_hint, warnings)
        if not _given(low_cell) or amount is None:
            return amount, None, currency
        low, low_currency = cls._money(low_cell, currency_cell, currency_hint, warnings)
        if low is not None and low_currency != currency:
            warnings.append(
                f"the value range's ends are in different currencies ({low_currency} and "
                f"{currency}); imported the upper value only"
            )
            return amount, None, currency
        return amount, low, currency

    @staticmethod
    def _money(
        cell: Any, currency_cell: Any, currency_hint: str | None, warnings: list[str]
    ) -> tuple[float | None, str | None]:
        if not cell and cell != 0:
            return None, None
        try:
            amount, currency = parse_money(cell)
        except FieldProblem as problem:
            warnings.append(f"value {quote(cell)} {problem}; imported without a value")
            return None, None
        if amount is None:
            return None, None
        column = cell_text(currency_cell).strip()
        if column:
            code = currency_code(column)
            if code is None:
                warnings.append(
                    f"currency {quote(column)} is not a 3-letter code; imported without a currency"
                )
            return amount, code  # a currency column wins over a symbol in the amount
        return amount, currency or currency_hint

    @staticmethod
    def _deadline(cell: Any, warnings: list[str]) -> Any:
        if not cell:
            return None
        try:
            return parse_date(cell)
        except FieldProblem as problem:
            warnings.append(f"deadline {quote(cell)} {problem}; imported without a deadline")
            return None

    @staticmethod
    def _cpv(cell: Any, warnings: list[str]) -> list[str]:
        if not cell:
            return []
        codes = parse_cpv(cell)
        if not codes and cell_text(cell).strip():
            warnings.append(
                f"cpv {quote(cell)} has no 8-digit CPV code; imported without CPV codes"
            )
        return codes

    def result(self) -> ParsedFile:
        """The parsed file; refuses it when rows were read but none became a tender."""
        if not self.kept:
            if not self.errors:
                raise ImportFileError(
                    self.filename,
                    f"{self.filename} has no tenders below its header row; "
                    "add one row per tender and import again.",
                )
            first = self.errors[0]
            more = f", and {self._refused - 1:,} more" if self._refused > 1 else ""
            raise ImportFileError(
                self.filename,
                f"{self.filename} has no rows that could be imported "
                f"(row {first.row}: {first.message}{more}); fix those rows and import again.",
            )
        if self._no_currency:
            which = (
                "the value of this row has"
                if self._no_currency == 1
                else f"the values of {self._no_currency:,} rows from here have"
            )
            self.warn(
                self._no_currency_row,
                f"{which} no currency (no currency column, symbol or known country); "
                "imported without one: add a currency column to compare them",
            )
        self._flush()
        return ParsedFile(
            filename=self.filename,
            format=self.format,
            tenders=self.tenders,
            errors=self.errors,
            streamed=self._streamed,
        )
