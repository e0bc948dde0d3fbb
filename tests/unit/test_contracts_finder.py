"""The Contracts Finder "Download CSV", recognised by its header and read as its columns mean."""

from __future__ import annotations

from datetime import UTC, datetime

from core.ingest import parse_file
from core.models import NoticeType

HEADER = (
    "Notice Identifier,Notice Type,Organisation Name,Status,Published Date,Title,Description,"
    "Region,Cpv Codes,Contact Email,Contact Website,Closing Date,Closing Time,Value Low,"
    "Value High\n"
)


def export(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode("utf-8")


def test_a_contracts_finder_export_keeps_id_deadline_time_value_and_codes() -> None:
    data = export(
        'abc-123,Contract,Harbour City Council,Open,01/07/2026,Cloud hosting,"Hosting of the '
        'council website.",London,"72415000 72222300\n48000000",bids@harbour.gov.uk,'
        "https://harbour.gov.uk,24/07/2026,12:00,100000,240000\n",
        "old-9,Contract,Harbour City Council,Awarded,01/01/2026,Cleaning,Office cleaning.,"
        "London,90910000,,,15/01/2026,17:00,,50000\n",
    )
    parsed = parse_file(data, "notices.csv")
    assert parsed.format == "contracts finder"
    open_call, award = parsed.tenders
    assert open_call.source_id == "abc-123" and open_call.buyer == "Harbour City Council"
    # 12:00 in London in July is 11:00 UTC (British Summer Time)
    assert open_call.deadline == datetime(2026, 7, 24, 11, 0, tzinfo=UTC)
    assert (open_call.value_amount, open_call.value_currency) == (240000, "GBP")
    assert open_call.value_low == 100000  # Value Low / Value High: both ends kept
    assert award.value_amount == 50000 and award.value_low is None
    assert open_call.cpv_codes == ["72415000", "72222300", "48000000"]
    assert open_call.url == "https://www.contractsfinder.service.gov.uk/Notice/abc-123"
    assert open_call.notice_type is NoticeType.TENDER and open_call.country == "GB"
    assert open_call.raw["Value Low"] == "100000" and open_call.raw["Region"] == "London"
    assert (open_call.region, open_call.contact) == ("London", "bids@harbour.gov.uk")
    assert award.contact is None  # no e-mail and no website given
    # 17:00 in London in January is 17:00 UTC
    assert award.deadline == datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    assert award.notice_type is NoticeType.AWARD


def test_a_bad_closing_date_is_a_warning_and_the_tender_is_kept() -> None:
    parsed = parse_file(
        export("x-1,Pipeline,Council,Open,,Road study,,,,,,31/02/2026,09:00,,\n"), "cf.csv"
    )
    (tender,) = parsed.tenders
    assert tender.deadline is None and tender.notice_type is NoticeType.PLANNING
    assert any("closing date '31/02/2026 09:00' is not a date" in e.message for e in parsed.errors)


def test_a_plain_csv_is_not_taken_for_contracts_finder() -> None:
    assert parse_file(b"Title,Buyer\nCleaning,Council\n", "plain.csv").format == "csv"
