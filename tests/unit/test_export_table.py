"""The results table as CSV and XLSX: every column, numbers as numbers, no formula runs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.export.table import COLUMNS, FORMULA_STARTS, csv_bytes, neutralise, table_rows, xlsx_bytes
from core.models import (
    FilterResult,
    RatingResult,
    Recommendation,
    Tender,
    TenderState,
    TenderStatus,
)

HOSTILE = [
    '=HYPERLINK("http://evil.test","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\t=1+1",
    "\r=1+1",
]


def state(title: str = "Penetration testing", buyer: str | None = "Harbour City") -> TenderState:
    tender = Tender(
        id=7,
        source="test",
        title=title,
        buyer=buyer,
        value_amount=250_000,
        value_currency="EUR",
        deadline=datetime(2027, 1, 15, 12, tzinfo=UTC),
        cpv_codes=["72212730", "79417000"],
    )
    relevance = FilterResult(
        is_relevant=True, confidence=0.9123, categories=["Cybersecurity"], analyst="rules"
    )
    rating = RatingResult(
        overall_score=7.5,
        strategic_fit=8,
        win_probability=6,
        effort_required=4,
        strengths=["CREST testers", "=cmd|' /C calc'!A0"],
        risks=["Tight deadline"],
        recommendation=Recommendation.BID,
        analyst="rules",
    )
    return TenderState(tender=tender, status=TenderStatus.COMPLETE, filter=relevance, rating=rating)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_looking_text_is_kept_as_text(text):
    assert neutralise(text) == "'" + text
    assert neutralise("Penetration testing") == "Penetration testing"


def test_csv_has_every_column_and_no_cell_a_spreadsheet_would_run():
    states = [state(title=t, buyer=t) for t in HOSTILE] + [state()]
    header, *rows = read_csv(csv_bytes(table_rows(states)))
    assert header == [h for _, h in COLUMNS]
    assert len(rows) == len(states)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    plain = dict(zip(header, rows[-1], strict=True))
    assert plain["Title"] == "Penetration testing"
    assert plain["Estimated value"] == "250000"
    assert plain["Overall score"] == "7.5"
    assert plain["Deadline (UTC)"] == "2027-01-15 12:00"
    assert plain["CPV codes"] == "72212730; 79417000"
    assert plain["Strengths"].startswith("CREST testers; =cmd"), "inside a cell, not its start"
    assert plain["Recommendation"] == "Bid"


def test_xlsx_types_numbers_and_dates_and_stores_no_formula():
    data = xlsx_bytes(table_rows([state(title=HOSTILE[0]), state()]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    hostile = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert hostile["Title"].value == "'" + HOSTILE[0]
    assert hostile["Title"].data_type == "s", "a string cell, not a formula"
    assert hostile["Estimated value"].value == 250_000
    assert hostile["Deadline (UTC)"].value == datetime(2027, 1, 15, 12)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_tender_not_analysed_yet_has_empty_analysis_cells():
    pending = TenderState(tender=state().tender, status=TenderStatus.PENDING)
    header, row = read_csv(csv_bytes(table_rows([pending])))
    cells = dict(zip(header, row, strict=True))
    assert cells["Status"] == "pending"
    assert cells["Overall score"] == "" and cells["Relevant"] == ""


@given(st.text(max_size=40))
def test_no_text_cell_ever_starts_a_formula(text):
    assert not neutralise(text).startswith(FORMULA_STARTS)
