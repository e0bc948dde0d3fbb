"""Reading single cells and headers: money, dates, CPV codes, header aliases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.ingest.errors import FieldProblem
from core.ingest.fields import cell_text, currency_code, match_headers, raw_keys
from core.ingest.values import parse_cpv, parse_date, parse_money


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("£1,200,000", (1_200_000, "GBP")),
        ("€ 120 000", (120_000, "EUR")),
        ("120.000,50 €", (120_000.5, "EUR")),
        ("$5m", (5_000_000, "USD")),
        ("5M", (5_000_000, None)),
        ("2.5 million", (2_500_000, None)),
        ("250k", (250_000, None)),
        ("EUR 1.2m", (1_200_000, "EUR")),
        ("1200000", (1_200_000, None)),
        ("1200000.75", (1_200_000.75, None)),
        ("USD 5,000,000.00", (5_000_000, "USD")),
        ("1 200 000 EUR", (1_200_000, "EUR")),
        ("€\u00a0120\u00a0000", (120_000, "EUR")),
        ("CHF 1'000'000", (1_000_000, "CHF")),
        ("5 mio. EUR", (5_000_000, "EUR")),
        ("1.5bn", (1_500_000_000, None)),
        ("1,5", (1.5, None)),
        ("1.200", (1_200, None)),  # a single mark before three digits groups thousands
        ("1,200.", (1_200, None)),
        ("0", (0, None)),
        ("", (None, None)),
        ("   ", (None, None)),
        (None, (None, None)),
        (1500, (1500, None)),
        (1500.5, (1500.5, None)),
        ({"amount": 10, "currency": "eur"}, (10, "EUR")),
    ],
)
def test_money_is_read_with_its_currency(cell: object, expected: tuple) -> None:
    assert parse_money(cell) == expected


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("abc", "is not an amount"),
        ("12.5.2026", "is not an amount"),
        ("1,2,3", "is not an amount"),
        ("100,000 - 200,000", "is not an amount"),
        ("5 XYZ", "is not an amount"),
        ("9" * 400, "is not an amount"),
        ("-5", "is negative"),
        ("€ -1,000", "is negative"),
        (-3, "is negative"),
        (10**400, "is not an amount"),
        (float("nan"), "is not an amount"),
        (float("inf"), "is not an amount"),
    ],
)
def test_money_that_is_not_an_amount_is_a_field_problem(cell: object, problem: str) -> None:
    with pytest.raises(FieldProblem, match=problem):
        parse_money(cell)


END_OF_2026 = datetime(2026, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-12-31", END_OF_2026),
        ("31/12/2026", END_OF_2026),
        ("31.12.2026", END_OF_2026),
        ("31-12-2026", END_OF_2026),
        ("31 Dec 2026", END_OF_2026),
        ("31 December 2026", END_OF_2026),
        ("December 31, 2026", END_OF_2026),
        ("1/2/2027", datetime(2027, 2, 1, tzinfo=UTC)),  # day first, as European portals write
        ("2026-12-31T12:00:00Z", END_OF_2026.replace(hour=12)),
        ("2026-12-31 17:00", END_OF_2026.replace(hour=17)),
        ("2026-12-31 17:00 UTC", END_OF_2026.replace(hour=17)),
        ("31/12/2026 17:00", END_OF_2026.replace(hour=17)),
        ("31 Dec 2026 at 17:30 GMT", END_OF_2026.replace(hour=17, minute=30)),
        (
            "2026-12-31T12:00:00+01:00",
            datetime(2026, 12, 31, 12, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "31.12.2026 12:00 +0100",
            datetime(2026, 12, 31, 12, tzinfo=timezone(timedelta(hours=1))),
        ),
        (datetime(2026, 12, 31), END_OF_2026),
        ("", None),
        (None, None),
    ],
)
def test_dates_become_timezone_aware(cell: object, expected: datetime | None) -> None:
    parsed = parse_date(cell)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(
    "cell",
    ["12/31/2026", "31/02/2026", "tomorrow", "2026-13-01", "0001-01-01", "45291", 45291.0],
)
def test_cells_that_are_not_dates_are_a_field_problem(cell: object) -> None:
    # 12/31/2026 is not guessed as US month-first; Excel serial numbers are not dates here either.
    with pytest.raises(FieldProblem):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("72212730-5", ["72212730"]),
        ("72000000", ["72000000"]),
        ("72000000 - IT services", ["72000000"]),
        (
            "72000000; 48000000-8|30200000,79000000 45000000",
            ["72000000", "48000000", "30200000", "79000000", "45000000"],
        ),
        ("72000000;72000000-5", ["72000000"]),
        ("7200000 or 123456789", []),
        ("IT services", []),
        ("", []),
        (72000000, ["72000000"]),
        (3000000.0, ["03000000"]),  # Excel dropped the leading zero
        (["72000000-5", "48000000"], ["72000000", "48000000"]),
    ],
)
def test_cpv_codes_are_normalised_to_eight_digits(cell: object, expected: list[str]) -> None:
    assert parse_cpv(cell) == expected


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("id", "source_id"),
        ("Notice ID", "source_id"),
        ("tender_id", "source_id"),
        ("Référence", "source_id"),
        ("Ref.", "source_id"),
        ("TITLE", "title"),
        ("Name", "title"),
        ("subject", "title"),
        ("Summary", "description"),
        ("details", "description"),
        ("organisation", "buyer"),
        ("Contracting Authority", "buyer"),
        ("buyer_name", "buyer"),
        ("agency", "buyer"),
        ("Closing Date", "deadline"),
        ("due-date", "deadline"),
        ("Submission deadline:", "deadline"),
        ("estimated_value", "value"),
        ("Contract Value", "value"),
        ("budget", "value"),
        ("amount", "value"),
        ("Currency", "currency"),
        ("CPV Codes", "cpv"),
        ("cpv_codes", "cpv"),
        ("Country", "country"),
        ("language", "language"),
        ("Link", "url"),
        ("URL", "url"),
    ],
)
def test_header_aliases_ignore_case_and_punctuation(header: str, field: str) -> None:
    assert dict(match_headers([header]).positions) == {field: 0}


def test_unknown_headers_are_not_fields() -> None:
    columns = match_headers(["Notes", "Buyer ABC", "", "title"])
    assert dict(columns.positions) == {"title": 3}


def test_the_better_alias_wins_when_two_columns_match_one_field() -> None:
    columns = match_headers(["name", "title", "value", "estimated value"])
    assert dict(columns.positions) == {"title": 1, "value": 3}


@pytest.mark.parametrize(
    ("header", "currency"),
    [
        ("Value (EUR)", "EUR"),
        ("Budget [£]", "GBP"),
        ("Estimated value GBP", "GBP"),
        ("Value €", "EUR"),
    ],
)
def test_a_currency_in_the_value_header_is_a_hint(header: str, currency: str) -> None:
    columns = match_headers(["title", header])
    assert dict(columns.positions) == {"title": 0, "value": 1}
    assert columns.currency_hint == currency


def test_raw_keys_name_blank_and_repeated_headers() -> None:
    assert raw_keys(["title", "", "title", " notes "]) == [
        "title",
        "column 2",
        "title (2)",
        "notes",
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("eur", "EUR"),
        (" GBP ", "GBP"),
        ("€", "EUR"),
        ("Euro", "EUR"),
        ("euros", "EUR"),
        ("x", None),
    ],
)
def test_currency_codes(text: str, code: str | None) -> None:
    assert currency_code(text) == code


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (12345.0, "12345"), (1.5, "1.5"), (True, "true"), (["a", "", "b"], "a; b")],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text
