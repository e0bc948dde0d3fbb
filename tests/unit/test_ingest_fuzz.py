"""Whatever bytes arrive, importers answer with tenders, row errors or one ImportFileError."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import datetime

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest import ImportFileError, parse_file
from core.ingest.errors import FieldProblem
from core.ingest.fields import FIELD_ALIASES
from core.ingest.values import parse_cpv, parse_date, parse_money
from core.models import ParsedFile

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILENAMES = st.sampled_from(["t.csv", "t.json", "t.xlsx", "t.txt", "t"])
ALIASES = st.sampled_from([alias for aliases in FIELD_ALIASES.values() for alias in aliases])
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["£1,200,000", "120.000,50 €", "31/12/2026", "72000000-5", "-5", "5m", ""]),
)


def parse_or_refuse(data: bytes, filename: str) -> ParsedFile | None:
    try:
        parsed = parse_file(data, filename)
    except ImportFileError as exc:
        assert "\n" not in str(exc)
        return None
    assert parsed.tenders, "a file with no tenders must be refused, not returned empty"
    assert all(tender.title.strip() for tender in parsed.tenders)
    assert all(error.row >= 1 for error in parsed.errors)
    return parsed


@FUZZ
@given(data=st.binary(max_size=2_000), filename=FILENAMES)
def test_random_bytes(data: bytes, filename: str) -> None:
    parse_or_refuse(data, filename)


@FUZZ
@given(
    header=st.lists(ALIASES | st.text(max_size=10), min_size=1, max_size=6),
    rows=st.lists(st.lists(CELL, max_size=7), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_csv_text(
    header: list[str], rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    parsed = parse_or_refuse(buffer.getvalue().encode(encoding, errors="replace"), "t.csv")
    if parsed is not None:
        assert all(error.row >= 2 for error in parsed.errors)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(ALIASES | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@FUZZ
@given(document=JSON_VALUES)
def test_random_json(document: object) -> None:
    parse_or_refuse(json.dumps(document).encode(), "t.json")


@FUZZ
@given(records=st.lists(st.dictionaries(ALIASES, JSON_VALUES | CELL, max_size=8), max_size=6))
def test_random_json_tenders(records: list[dict[str, object]]) -> None:
    parse_or_refuse(json.dumps(records).encode(), "t.json")


@FUZZ
@given(cell=st.text(max_size=40) | st.floats() | st.integers())
def test_cell_readers_only_raise_field_problems(cell: object) -> None:
    for reader in (parse_money, parse_date):
        with contextlib.suppress(FieldProblem):
            reader(cell)
    assert all(len(code) == 8 and code.isdigit() for code in parse_cpv(cell))


XLSX_CELL = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31)),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
)


@settings(max_examples=25, deadline=None)
@given(
    header=st.lists(ALIASES, min_size=1, max_size=5),
    rows=st.lists(st.lists(XLSX_CELL, max_size=6), max_size=5),
)
def test_random_xlsx_cells(header: list[str], rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parse_or_refuse(buffer.getvalue(), "t.xlsx")


def _small_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["title", "value", "deadline"])
    sheet.append(["Roads", "£5", "31/12/2026"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOK = _small_workbook()


@settings(max_examples=60, deadline=None)  # each example opens a workbook: slower
@given(
    cut=st.integers(min_value=4, max_value=len(WORKBOOK)),
    flips=st.lists(
        st.tuples(st.integers(min_value=4, max_value=len(WORKBOOK) - 1), st.integers(0, 255)),
        max_size=20,
    ),
)
def test_damaged_workbooks(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(WORKBOOK)
    for position, byte in flips:
        data[position] = byte
    parse_or_refuse(bytes(data[:cut]), "t.xlsx")
