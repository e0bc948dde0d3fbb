"""SAM.gov Contract Opportunities CSV: recognised by its columns, NAICS and PSC kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.ingest import ImportFileError, parse_file
from core.models import Classification, NoticeType

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "samgov_opportunities.csv"


def test_the_export_is_recognised_by_its_columns_whatever_its_name() -> None:
    parsed = parse_file(FIXTURE.read_bytes(), "ContractOpportunitiesFullCSV.txt")
    assert parsed.format == "samgov"
    assert len(parsed.tenders) == 4


def test_fields_notice_types_and_classifications() -> None:
    parsed = parse_file(FIXTURE.read_bytes(), FIXTURE.name)
    by_id = {t.source_id: t for t in parsed.tenders}
    soc = by_id["a1b2c3d4e5f60718293a4b5c6d7e8f90"]
    assert soc.source == "samgov"
    assert soc.title == "Cybersecurity Operations Center Support Services"
    assert soc.buyer == ("HOMELAND SECURITY, DEPARTMENT OF — CISA-CISA CONTRACTING ACTIVITY")
    assert soc.deadline == datetime(2025, 2, 14, 22, 0, tzinfo=UTC)  # 17:00 at UTC-5
    assert soc.notice_type is NoticeType.TENDER and soc.form_type == "Solicitation"
    assert soc.procedure_id == "70RCSA25R00000012"
    assert soc.classifications == [
        Classification(scheme="NAICS", code="541512"),
        Classification(scheme="PSC", code="D310"),
    ]
    assert soc.country == "US" and soc.language == "en"
    assert soc.url == "https://sam.gov/opp/a1b2c3d4e5f60718293a4b5c6d7e8f90/view"
    assert soc.published_at is not None and soc.published_at.utcoffset() is not None

    sought = by_id["b2c3d4e5f60718293a4b5c6d7e8f90a1"]
    assert sought.notice_type is NoticeType.PLANNING
    assert "Café résumé naïve" in sought.description, "cp1252 accents kept"

    award = by_id["c3d4e5f60718293a4b5c6d7e8f90a1b2"]
    assert award.notice_type is NoticeType.AWARD and not award.notice_type.biddable
    assert (award.value_amount, award.value_currency) == (1_250_000.0, "USD")

    assert by_id["e5f60718293a4b5c6d7e8f90a1b2c3d4"].notice_type is NoticeType.TENDER


def test_a_row_without_a_title_is_refused_by_number_and_the_rest_kept() -> None:
    parsed = parse_file(FIXTURE.read_bytes(), FIXTURE.name)
    refused = parsed.refused_rows
    assert [(e.row, e.message) for e in refused] == [(5, "no title")]


def test_a_csv_missing_the_signature_columns_is_an_ordinary_csv() -> None:
    data = b"NoticeId,Title,Deadline\nX1,Cloud hosting,2026-12-01\n"
    parsed = parse_file(data, "opportunities.csv")
    assert parsed.format == "csv"


def test_a_header_only_export_is_one_sentence() -> None:
    header = FIXTURE.read_bytes().splitlines()[0] + b"\n"
    with pytest.raises(ImportFileError) as raised:
        parse_file(header, "empty_export.csv")
    assert "empty_export.csv" in str(raised.value) and "\n" not in str(raised.value)
