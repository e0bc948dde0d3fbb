"""Zip bombs posing as workbooks are refused before anything is unpacked; long raw values cut."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bench.bombs import bomb
from core.ingest import ImportFileError, parse_file
from core.ingest.archive import ArchiveLimits, check_archive
from core.ingest.content import Content
from core.ingest.rows import RAW_CUT_KEY, RAW_TEXT_LIMIT, capped_raw

MB = 1 << 20


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["cell", "strings"])
def test_a_bomb_is_refused_in_one_sentence_naming_the_file(kind: str) -> None:
    data = bomb(kind, 64 * MB)  # packs to well under 1 MB
    assert len(data) < MB
    with pytest.raises(ImportFileError) as refused:
        parse_file(data, f"offers-{kind}.xlsx")
    message = str(refused.value)
    assert message.count("offers-") >= 1 and "looks like a zip bomb" in message
    assert "times its packed size" in message and message.endswith("import that file.")
    assert "\n" not in message


def test_limits_on_members_and_total_size_are_settings() -> None:
    content = Content(workbook([["Title"], ["Cleaning"]]), "small.xlsx")
    check_archive(content)  # a normal workbook passes
    few = ArchiveLimits(members=3, member_bytes=500 * MB, total_bytes=1000 * MB, ratio=100)
    with pytest.raises(ImportFileError, match=r"holds .* files inside, over the limit of 3"):
        check_archive(content, few)
    small = ArchiveLimits(members=100, member_bytes=500 * MB, total_bytes=1, ratio=100)
    with pytest.raises(ImportFileError, match=r"would unpack to .* over the limit of 0 MB"):
        check_archive(content, small)


def test_a_damaged_archive_is_one_sentence() -> None:
    data = workbook([["Title"], ["Cleaning"]])
    broken = data[:200] + b"\x00" * 50 + data[-100:]
    with pytest.raises(ImportFileError, match="damaged"):
        parse_file(broken, "broken.xlsx")


def test_a_normal_workbook_still_imports() -> None:
    parsed = parse_file(workbook([["Title", "Buyer"], ["Cleaning", "Council"]]), "ok.xlsx")
    assert [t.title for t in parsed.tenders] == ["Cleaning"]


def test_long_raw_values_are_cut_with_a_note_and_the_rest_kept() -> None:
    raw = {"title": "Cleaning", "notes": "x" * (RAW_TEXT_LIMIT + 5), "items": [{"a": 1}] * 1500}
    capped = capped_raw(raw)
    assert capped["title"] == "Cleaning"
    assert capped["notes"].startswith("x" * 100) and capped["notes"].endswith("5 characters cut]")
    assert len(capped["items"]) == 1000
    assert "2 values were longer" in capped[RAW_CUT_KEY]
    short = {"title": "Cleaning"}
    assert capped_raw(short) is short


def test_an_imported_row_keeps_a_cut_raw_payload() -> None:
    long_cell = "y" * (RAW_TEXT_LIMIT * 3)
    csv = f"Title,Notes\nCleaning,{long_cell}\n".encode()
    (tender,) = parse_file(csv, "long.csv").tenders
    assert len(tender.raw["Notes"]) < RAW_TEXT_LIMIT + 100 and RAW_CUT_KEY in tender.raw


def test_bomb_files_are_valid_zip_archives() -> None:
    with zipfile.ZipFile(io.BytesIO(bomb("cell", 16 * MB))) as archive:
        assert "xl/workbook.xml" in archive.namelist()


def test_a_currency_is_only_ever_an_iso_4217_code() -> None:
    from core.ingest.fields import currency_code, match_headers

    assert currency_code("gbp") == "GBP" and currency_code("€") == "EUR"
    assert currency_code("LOW") is None and currency_code("ABC") is None
    columns = match_headers(["Title", "Value Low", "Value (GBP)"])
    assert columns.currency_hint in (None, "GBP")
    csv = b"Title,Value Low\nCloud hosting,240000\n"
    (tender,) = parse_file(csv, "values.csv").tenders
    assert tender.value_amount == 240000 and tender.value_currency != "LOW"
