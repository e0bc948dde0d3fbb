"""Every export path against hostile tender text: file names and spreadsheet cells.

File names built from a tender (bid DOCX/Markdown files, ZIP members) hold no path
separators, no '..', no control characters and no Windows-reserved name, are length-capped
and never empty. Table cells (CSV, XLSX) never start a formula, and characters a worksheet
cannot hold never stop the export.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.export.bids import (
    MAX_FILENAME,
    bid_docx,
    bid_filename,
    bid_files,
    bid_markdown,
    bids_zip,
    export_bids,
)
from core.export.table import COLUMNS, csv_bytes, neutralise, table_rows, xlsx_bytes
from core.models import (
    BidDocument,
    FilterResult,
    RatingResult,
    Recommendation,
    Tender,
    TenderState,
    TenderStatus,
)

FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
WIDE_SIGNS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\Windows\\System32\\drivers",
    "/absolute/path",
    "C:\\Users\\victim\\evil",
    "CON",
    "nul",
    "COM1.txt",
    "LPT9",
    "aux.docx",
    "name\x00with\x1fcontrols\x7f",
    "line\nbreak\rcarriage\ttab",
    "...",
    ". .",
    '?*:<>|"',
    "Υπηρεσίες νέφους",
    "東京都の入札",
    "emoji 🚀 only",
    "a" * 500,
    "word " * 99,
    "\u202egnp.exe",  # right-to-left override
    "trailing dot.",
    "=cmd|' /C calc'!A0",
]
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.test","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\n=1+1",
    "\x00=1+1",
    "\uff1dSUM(1,2)",
    "=cmd|' /C calc'!A0",
]


def state(
    title: str = "Cloud hosting",
    buyer: str | None = "City of Ely",
    tender_id: int | None = 12,
    *,
    text: str = "Managed hosting.",
) -> TenderState:
    tender = Tender(
        id=tender_id,
        source="test",
        source_id=text,
        title=title,
        buyer=buyer,
        description=text,
        value_amount=100_000,
        value_currency="EUR",
        deadline=datetime(2027, 1, 15, 12, tzinfo=UTC),
        cpv_codes=["72000000"],
        url=text,
    )
    relevance = FilterResult(
        is_relevant=True, confidence=0.9, categories=[text], reasoning=text, analyst="rules"
    )
    rating = RatingResult(
        overall_score=7.5,
        strategic_fit=8,
        win_probability=6,
        effort_required=4,
        strengths=[text],
        risks=[text],
        recommendation=Recommendation.BID,
        reasoning=text,
        analyst="rules",
    )
    section = f"{text} The team delivers this in phases. [to complete]"
    bid = BidDocument(
        executive_summary=section,
        technical_approach=section,
        value_proposition=section,
        timeline_estimate=section,
        analyst="rules",
    )
    return TenderState(
        tender=tender, status=TenderStatus.COMPLETE, filter=relevance, rating=rating, bid=bid
    )


def assert_safe_name(name: str, ext: str) -> None:
    assert name, "never empty"
    assert len(name) <= MAX_FILENAME, name
    assert "/" not in name and "\\" not in name, name
    assert ".." not in name, name
    assert not CONTROL.search(name), repr(name)
    assert name.isascii(), name
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*\.[a-z0-9]+", name), name
    stem = name.split(".")[0]
    assert stem.upper() not in WINDOWS_RESERVED, name
    assert name.endswith(f".{ext}") and not stem.endswith(("-", " ", ".")), name
    assert Path(name).name == name and not Path(name).is_absolute()


# ------------------------------------------------------------------------------ file names
@pytest.mark.parametrize("title", HOSTILE_NAMES)
@pytest.mark.parametrize("ext", ["docx", "md"])
def test_bid_file_names_from_hostile_titles_are_safe(title: str, ext: str) -> None:
    assert_safe_name(bid_filename(state(title, buyer=title), ext), ext)


def test_a_title_with_nothing_usable_still_names_the_file() -> None:
    for title in ("...", "東京都の入札", "   .", "?*:<>|"):
        assert bid_filename(state(title), "docx") == "tender-12.docx"
    assert bid_filename(state("x", tender_id=None), "md") == "tender-unsaved-x.md"


def test_a_hostile_extension_cannot_add_a_path() -> None:
    assert bid_filename(state(), "../../x/docx") == "tender-12-cloud-hosting.xdocx"
    with pytest.raises(ValueError):
        bid_filename(state(), "../..")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300), st.integers(min_value=1, max_value=10**12))
def test_no_title_ever_makes_an_unsafe_name(title: str, tender_id: int) -> None:
    if not title.strip():
        title = "x"
    try:
        hostile = state(title, tender_id=tender_id)
    except ValueError:  # the model itself refuses some strings (too long, blank)
        return
    assert_safe_name(bid_filename(hostile, "docx"), "docx")


def test_zip_members_and_written_files_stay_inside_the_folder(tmp_path: Path) -> None:
    states = [state(title, tender_id=i) for i, title in enumerate(HOSTILE_NAMES, start=1)]
    states += [state("../../etc/passwd", tender_id=99), state("../../etc/passwd", tender_id=99)]
    for fmt in ("docx", "md"):
        files = bid_files(states, fmt)
        names = [name for name, _ in files]
        assert len(names) == len(set(names)) == len(states), "unique names, nothing dropped"
        for name in names:
            assert_safe_name(name, fmt)
        with zipfile.ZipFile(io.BytesIO(bids_zip(states, fmt))) as archive:
            members = archive.namelist()
        assert sorted(members) == sorted(names)
        for member in members:
            assert not member.startswith("/") and ".." not in member and "\\" not in member
        out = tmp_path / fmt
        written = export_bids(states, fmt, out)
        assert len(written) == len(states)
        assert all(path.resolve().parent == out.resolve() for path in written)
        assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert not (tmp_path / "etc").exists()


def test_documents_hold_hostile_text_without_breaking() -> None:
    text = "\x00\x07 bad\x1b[31m text \ufffe =cmd() <w:p> ]]> \u202e"
    hostile = state("=HYPERLINK(1)\x00", buyer="@cmd\x1f", text=text)
    assert bid_docx(hostile, "Acme")[:2] == b"PK"
    markdown = bid_markdown(hostile, "Acme")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", markdown), repr(markdown)


# ------------------------------------------------------------------------------ table cells
def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("value", [v for v in HOSTILE_CELLS if not v.startswith("\x00")])
def test_formula_text_is_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_every_text_column_of_the_csv_is_neutralised() -> None:
    states = [state(v, buyer=v, tender_id=i, text=v) for i, v in enumerate(HOSTILE_CELLS, 1)]
    header, *rows = _csv_cells(csv_bytes(table_rows(states)))
    assert header == [h for _, h in COLUMNS] and len(rows) == len(states)
    for row in rows:
        for cell in row:
            assert not cell.startswith((*FORMULA_SIGNS, *WIDE_SIGNS)), (header, row)
            assert not cell.lstrip().startswith((*FORMULA_SIGNS, *WIDE_SIGNS)), cell
            assert "\x00" not in cell
    titles = [dict(zip(header, row, strict=True))["Title"] for row in rows]
    assert titles[0] == "'" + HOSTILE_CELLS[0], "the text is kept, as text"


def test_the_xlsx_holds_hostile_text_as_strings_and_no_formula() -> None:
    values = [*HOSTILE_CELLS, "bell\x07 and escape\x1b[31m", "NUL\x00 and C1\x9b controls"]
    states = [state(v, buyer=v, tender_id=i, text=v) for i, v in enumerate(values, 1)]
    data = xlsx_bytes(table_rows(states))  # one bad character must not stop the export
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    for cell in cells:
        if isinstance(cell.value, str):
            assert not cell.value.startswith((*FORMULA_SIGNS, *WIDE_SIGNS)), cell.value
            assert not cell.value.lstrip().startswith((*FORMULA_SIGNS, *WIDE_SIGNS)), cell.value
    csv_bytes(table_rows(states))  # and the CSV encodes


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_no_cell_ever_starts_a_formula(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith((*FORMULA_SIGNS, *WIDE_SIGNS))
    assert not cell.lstrip().startswith((*FORMULA_SIGNS, *WIDE_SIGNS))
