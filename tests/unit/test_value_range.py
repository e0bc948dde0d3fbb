"""A value published as a range keeps both ends: value_amount is the upper, value_low the lower."""

from __future__ import annotations

import pytest

from core.ingest import parse_file
from core.models import Tender, TenderState, TenderStatus
from core.views.describe import compact_value, money_text
from core.views.tender import tender_facts
from tests.fakes import tender


@pytest.mark.parametrize(
    "header",
    [
        "Title,Value Low,Value High,Currency",
        "Title,Min value,Max value,Currency",
        "Title,Budget from,Budget to,Currency",
        "Title,Minimum value,Maximum value,Currency",
        "Title,Value min,Value max,Currency",
    ],
)
def test_a_low_and_a_high_column_keep_both_ends(header: str) -> None:
    parsed = parse_file(f"{header}\nCloud hosting,100000,240000,GBP\n".encode(), "range.csv")
    (found,) = parsed.tenders
    assert (found.value_low, found.value_amount, found.value_currency) == (100000, 240000, "GBP")
    assert not parsed.errors


def test_the_currency_of_a_range_can_sit_in_its_headers() -> None:
    data = b'Title,Value Low (EUR),Value High (EUR)\nCloud hosting,"1,000","2,000"\n'
    (found,) = parse_file(data, "range.csv").tenders
    assert (found.value_low, found.value_amount, found.value_currency) == (1000, 2000, "EUR")


def test_only_one_end_given_is_the_value() -> None:
    data = b"Title,Value Low,Value High\nLow only,5000,\nHigh only,,9000\n"
    low_only, high_only = parse_file(data, "range.csv").tenders
    assert (low_only.value_amount, low_only.value_low) == (5000, None)
    assert (high_only.value_amount, high_only.value_low) == (9000, None)


def test_ends_in_the_wrong_order_are_put_right_and_equal_ends_are_one_value() -> None:
    data = b"Title,Value Low,Value High\nSwapped,900,100\nSame,500,500\n"
    swapped, same = parse_file(data, "range.csv").tenders
    assert (swapped.value_low, swapped.value_amount) == (100, 900)
    assert (same.value_low, same.value_amount) == (None, 500)


def test_a_value_column_beside_a_lower_end_keeps_the_range() -> None:
    data = b"Title,Estimated value,Value Low\nCloud,240000,100000\n"
    (found,) = parse_file(data, "range.csv").tenders
    assert (found.value_low, found.value_amount) == (100000, 240000)


def test_ends_in_two_currencies_keep_the_upper_value_with_a_warning() -> None:
    data = "Title,Value Low,Value High\nCloud,€100,£200\n".encode()
    parsed = parse_file(data, "range.csv")
    (found,) = parsed.tenders
    assert (found.value_low, found.value_amount, found.value_currency) == (None, 200, "GBP")
    assert any("different currencies" in e.message for e in parsed.errors)


def test_a_range_reads_as_one_on_the_pages() -> None:
    ranged = tender("Cloud", value_amount=240000, value_low=100000, value_currency="GBP")
    assert money_text(ranged.value_amount, ranged.value_currency, ranged.value_low) == (
        "£100,000–£240,000"
    )
    assert compact_value(ranged) == "£100k–£240k"
    facts = dict(tender_facts(TenderState(tender=ranged, status=TenderStatus.PENDING)).facts)
    assert facts["Value"] == "£100,000–£240,000"


def test_a_later_notice_with_one_value_replaces_the_range() -> None:
    older = Tender(source="x", title="Cloud", value_amount=200, value_low=100)
    newer = Tender(source="x", title="Cloud", value_amount=150)
    merged = newer.merged_over(older)
    assert (merged.value_low, merged.value_amount) == (None, 150)
    silent = Tender(source="x", title="Cloud").merged_over(older)
    assert (silent.value_low, silent.value_amount) == (100, 200)
