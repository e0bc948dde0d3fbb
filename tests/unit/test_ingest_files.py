"""Whole files: each format, row errors with the row numbers users see, whole-file refusals."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from core.ingest import (
    SUPPORTED_EXTENSIONS,
    ImportFileError,
    parse_file,
    parse_path,
)
from core.models import ParsedFile
from tests.unit.ingest_checks import one_sentence_refusal

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHARED_DATA = Path(__file__).parents[3] / "shared" / "data"


def refusal(data: bytes, filename: str) -> str:
    """The refusal message, checked to be one sentence that names the file."""
    return one_sentence_refusal(parse_file, data, filename)


def problems(parsed: ParsedFile) -> list[tuple[int, str]]:
    """The row problems, but for the file's one note on values without a currency (tested on
    its own below)."""
    return [(e.row, e.message) for e in parsed.errors if "no currency" not in e.message]


def test_values_without_a_currency_are_said_once_and_a_country_gives_one() -> None:
    data = b"title,value,country\nA,100,\nB,200,United Kingdom\nC,300,XX\nD,400,SE\n"
    parsed = parse_file(data, "t.csv")
    assert [(t.value_amount, t.value_currency) for t in parsed.tenders] == [
        (100, None),
        (200, "GBP"),
        (300, None),
        (400, "SEK"),
    ]
    assert [(e.row, e.level) for e in parsed.errors] == [(2, "warning")]
    assert "the values of 2 rows from here have no currency" in parsed.errors[0].message


def test_supported_extensions_are_what_the_upload_widget_offers() -> None:
    assert SUPPORTED_EXTENSIONS == ("csv", "xlsx", "json", "jsonl", "xml")


def test_basic_csv_imports_every_row() -> None:
    parsed = parse_path(FIXTURES / "tenders_basic.csv")
    assert (parsed.filename, parsed.format) == ("tenders_basic.csv", "csv")
    # "2.5 million" and "250k" say no currency, and the file names no country: said, not hidden
    assert [(e.row, e.level) for e in parsed.errors] == [(6, "warning")]
    assert "the values of 2 rows from here have no currency" in parsed.errors[0].message
    assert [tender.source_id for tender in parsed.tenders] == [f"T-00{n}" for n in range(1, 9)]
    first = parsed.tenders[0]
    assert first.source == "csv"
    assert first.title == "Cloud hosting for the land registry"
    assert first.buyer == "HM Land Registry"
    assert (first.value_amount, first.value_currency) == (1_200_000, "GBP")
    assert first.deadline == datetime(2026, 12, 31, tzinfo=UTC)
    assert first.cpv_codes == ["72212730"]
    assert first.raw["estimated_value"] == "£1,200,000"
    assert first.raw["organization"] == "HM Land Registry"
    # A quoted cell may span lines.
    assert parsed.tenders[1].description.splitlines()[1].startswith("Accessibility")
    assert parsed.tenders[1].cpv_codes == ["72413000", "79822500"]
    empty = parsed.tenders[6]
    assert (empty.value_amount, empty.deadline, empty.cpv_codes) == (None, None, [])


def test_semicolon_cp1252_csv_keeps_euro_and_accents() -> None:
    data = (FIXTURES / "tenders_semicolon_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is Windows-1252
    parsed = parse_file(data, "achats.csv")
    assert parsed.errors == []
    first, second, third = parsed.tenders
    assert first.buyer == "Mairie de Saint-Étienne"
    assert (first.value_amount, first.value_currency) == (120_000.5, "EUR")
    assert first.raw["Value"] == "120.000,50 €"
    assert first.raw["Remarque"] == "à vérifier"
    assert second.title == "Rénovation énergétique – école"
    assert (second.value_amount, second.cpv_codes) == (1_500_000, ["45000000"])
    assert third.buyer == "Ville d’Orléans"
    assert third.deadline == datetime(2027, 2, 28, tzinfo=UTC)


def test_bom_csv_header_is_recognised() -> None:
    parsed = parse_path(FIXTURES / "tenders_bom.csv")
    assert [tender.source_id for tender in parsed.tenders] == ["B-1", "B-2"]
    assert "id" in parsed.tenders[0].raw  # no BOM glued to the first header
    assert parsed.tenders[1].value_currency == "CHF"


def test_partly_bad_csv_keeps_good_rows_and_numbers_the_bad_ones() -> None:
    parsed = parse_path(FIXTURES / "tenders_partly_bad.csv")
    assert [tender.source_id for tender in parsed.tenders] == ["P-1", "P-4", "P-5", "P-8"]
    assert problems(parsed) == [
        (3, "no title"),
        (5, "warning: value 'abc' is not an amount; imported without a value"),
        (
            6,
            "warning: deadline '12/31/2026' is not a date (use 31/12/2026 or 2026-12-31); "
            "imported without a deadline",
        ),
        (8, "no title"),
        (9, "warning: value '-5' is negative; imported without a value"),
        (9, "warning: cpv 'IT services' has no 8-digit CPV code; imported without CPV codes"),
        (9, "warning: url 'javascript:alert(1)' is not a web address; imported without a link"),
    ]
    kinds = [e.is_warning for e in parsed.errors if "no currency" not in e.message]
    assert kinds == [False, True, True, False] + [True] * 3
    bad_value = parsed.tenders[1]
    assert (bad_value.value_amount, bad_value.deadline is not None) == (None, True)
    assert parsed.tenders[3].url is None


def test_row_numbers_count_records_like_a_spreadsheet() -> None:
    data = b'title,value\n"two\nlines",1\n\nsecond,abc\n'
    assert problems(parse_file(data, "t.csv")) == [
        (4, "warning: value 'abc' is not an amount; imported without a value")
    ]


def test_header_below_a_title_line_is_found() -> None:
    data = b"Export from the portal, 2026-01-01\n\nID;Title;Budget\nX-1;Roads;1000\n"
    parsed = parse_file(data, "export.csv")
    assert [(tender.source_id, tender.title) for tender in parsed.tenders] == [("X-1", "Roads")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_from_the_header(delimiter: str) -> None:
    data = delimiter.join(["title", "budget", "cpv"]) + "\n"
    data += delimiter.join(['"Roads, bridges; tunnels"', "1000", "45000000"]) + "\n"
    parsed = parse_file(data.encode(), "t.txt")
    assert parsed.tenders[0].title == "Roads, bridges; tunnels"
    assert parsed.tenders[0].value_amount == 1000


def test_utf16_tab_separated_text_from_excel_imports() -> None:
    data = "title\tbuyer\nNettoyage\tVille de Liège\n".encode("utf-16")
    assert parse_file(data, "export.txt").tenders[0].buyer == "Ville de Liège"


def test_currency_column_wins_over_the_symbol_and_header_unit_fills_in() -> None:
    data = "title,Value (EUR),currency\nA,£5,USD\nB,5000,\nC,£7,\n".encode()
    tenders = parse_file(data, "t.csv").tenders
    assert [(t.value_amount, t.value_currency) for t in tenders] == [
        (5, "USD"),
        (5000, "EUR"),
        (7, "GBP"),
    ]


def test_source_override_and_ragged_rows() -> None:
    data = b"title,,title\nA,x,y,extra\nB\n"
    parsed = parse_file(data, "t.csv", source="portal-x")
    assert [tender.source for tender in parsed.tenders] == ["portal-x", "portal-x"]
    assert parsed.tenders[0].raw == {
        "title": "A",
        "column 2": "x",
        "title (2)": "y",
        "column 4": "extra",
    }
    assert parsed.tenders[1].raw == {"title": "B"}


def test_huge_cells_are_cut_with_a_warning() -> None:
    description = "word " * 1_000_000  # a 5 MB cell
    data = f'title,description\n{"T" * 600},"{description}"\n'.encode()
    parsed = parse_file(data, "big.csv")
    tender = parsed.tenders[0]
    assert len(tender.title) == 500
    assert len(tender.description) <= 20_000
    assert problems(parsed) == [
        (2, "warning: title was 600 characters long; cut to 500"),
        (2, "warning: description was 4,999,999 characters long; cut to 20,000"),
    ]


def test_json_list_of_objects() -> None:
    parsed = parse_path(FIXTURES / "tenders.json")
    assert parsed.format == "json"
    assert [tender.source_id for tender in parsed.tenders] == ["J-1", "J-2"]
    first, second = parsed.tenders
    assert (first.value_amount, first.value_currency) == (1_200_000, "GBP")
    assert first.cpv_codes == ["72212730", "72000000"]
    assert first.description == "Managed hosting."
    assert first.url == "https://example.org/notice/1"
    assert first.raw["cpv"] == ["72212730-5", "72000000"]
    assert (second.title, second.value_currency) == ("Website redesign", "EUR")
    assert problems(parsed) == [(3, "no title")]  # the empty object (4) is skipped


@pytest.mark.parametrize(
    "document",
    [
        {"tenders": [{"title": "A"}]},
        {"data": [{"title": "A"}]},
        {"title": "A"},
    ],
)
def test_json_wrappers_and_single_objects(document: object) -> None:
    parsed = parse_file(json.dumps(document).encode(), "t.json")
    assert [tender.title for tender in parsed.tenders] == ["A"]


def test_json_nested_values_and_nan() -> None:
    data = b'[{"title": "A", "buyer": {"name": "Town"}, "value": {"amount": 5, "currency": "EUR"}},'
    data += b' {"title": "B", "value": NaN}, {"title": "C", "value": ' + b"9" * 5000 + b"}]"
    parsed = parse_file(data, "t.json")
    first, second, third = parsed.tenders
    assert (first.buyer, first.value_amount, first.value_currency) == ("Town", 5, "EUR")
    assert second.value_amount is None
    assert third.value_amount is None
    assert [error.row for error in parsed.errors] == [3]


@pytest.mark.parametrize(
    ("data", "filename", "file_format"),
    [
        (b'[{"title": "A"}]', "tenders.csv", "json"),
        (b"title\nA\n", "tenders.xlsx", "csv"),
        (b"title\nA\n", "tenders", "csv"),
        (b"title;buyer\nA;B\n", "export.dat", "csv"),
    ],
)
def test_content_decides_the_format(data: bytes, filename: str, file_format: str) -> None:
    assert parse_file(data, filename).format == file_format


def test_text_named_json_is_reported_as_invalid_json_rather_than_read_as_a_table() -> None:
    assert "is not valid JSON (line 1, column 1)" in refusal(b"title\nA\n", "tenders.json")


def xlsx_bytes(sheets: dict[str, list[list[object]]], path: Path) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


def test_xlsx_uses_the_first_sheet_with_a_header_and_sheet_row_numbers(tmp_path: Path) -> None:
    data = xlsx_bytes(
        {
            "Notes": [["Exported 2026-01-01"], ["nothing to see"]],
            "Tenders": [
                ["Open tenders"],
                [],
                ["Tender ID", "Title", "Closing date", "Value", "CPV"],
                [101, "Cloud", datetime(2026, 12, 31, 17, 0), 1200000.0, 72000000],
                [None, None, None, None, None],
                [102, None, None, 5.0, None],
                [103, "Roads", "31/12/2026", "abc", "45000000-7"],
            ],
        },
        tmp_path / "t.xlsx",
    )
    parsed = parse_file(data, "t.xlsx")
    assert parsed.format == "xlsx"
    cloud, roads = parsed.tenders
    assert (cloud.source_id, cloud.value_amount, cloud.cpv_codes) == (
        "101",
        1_200_000,
        ["72000000"],
    )
    assert cloud.deadline == datetime(2026, 12, 31, 17, tzinfo=UTC)
    assert cloud.raw["Closing date"] == "2026-12-31T17:00:00"
    assert roads.deadline == datetime(2026, 12, 31, tzinfo=UTC)
    assert problems(parsed) == [
        (6, "no title"),
        (7, "warning: value 'abc' is not an amount; imported without a value"),
    ]


def test_xlsx_without_a_title_column_is_refused(tmp_path: Path) -> None:
    data = xlsx_bytes({"Sheet": [["foo", "bar"], [1, 2]]}, tmp_path / "t.xlsx")
    message = refusal(data, "t.xlsx")
    assert message == (
        "t.xlsx has no title column (looked for title, name, subject); "
        "rename the column, or say which column holds the title, and import again."
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, member in members.items():
            archive.writestr(name, member)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"", "tenders.csv", "is empty"),
        (b" \r\n\t", "tenders.csv", "is empty"),
        (b"\xef\xbb\xbf", "tenders.csv", "is empty"),
        (bytes(range(256)) * 8, "tenders.csv", "is not a text or spreadsheet file"),
        (b"\x01\x02\x03\x04junk\x05\x06" * 50, "tenders.bin", "is not a text or spreadsheet file"),
        (b"title\nCaf\xe9 \x81\x8d\n", "tenders.csv", "is not in a text encoding Tenderwise reads"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "tenders.pdf", "is a PDF"),
        (b"%PDF-1.4 renamed", "tenders.csv", "is a PDF"),
        (zip_bytes({"word/document.xml": b"<w:document/>"}), "bid.docx", "is a Word document"),
        (zip_bytes({"word/document.xml": b"<w:document/>"}), "bid.xlsx", "is a Word document"),
        (zip_bytes({"tenders.csv": b"title\nA\n"}), "tenders.zip", "is a ZIP archive"),
        (zip_bytes({"xl/workbook.xml": b"not xml"}), "t.xlsx", "could not be opened as an Excel"),
        (b"PK\x03\x04broken", "t.xlsx", "is a damaged Excel or ZIP file"),
        (b"title,value\n", "tenders.csv", "has no tenders below its header row"),
        (b"title,value\n,5\n,6\n", "tenders.csv", "(row 2: no title, and 1 more)"),
        (b'[{"title": "A"', "tenders.json", "is not valid JSON (line 1, column 15)"),
        (b'{"title": "A",\n\n  "x": }', "tenders.json", "is not valid JSON (line 3, column 8)"),
        (b"[1, 2, 3]", "tenders.json", "does not hold a list of tender objects"),
        (b'"just a string"', "tenders.json", "does not hold a list of tender objects"),
        (b'{"meta": 1}', "tenders.json", "does not hold a list of tender objects"),
        (b'[{"foo": 1}]', "tenders.json", "has no title field (looked for title, name, subject)"),
        (b"[]", "tenders.json", "has no tenders"),
        (b"[" * 100_000, "deep.json", "is nested too deeply"),
        (b"<?xml version='1.0'?><rss version='2.0'/>", "feed.xml", "is not in a format"),
        (b"<?xml version='1.0'?><TED_EXPORT/>", "notice.xml", "notice.xml"),
        (b"<html><body>Tenders</body></html>", "tenders.csv", "is not in a format"),
    ],
)
def test_unusable_files_are_refused_in_one_sentence(data: bytes, filename: str, says: str) -> None:
    assert says in refusal(data, filename)


def test_wrong_columns_message_says_what_to_do() -> None:
    assert refusal(b"foo,bar\n1,2\n", "tenders.csv") == (
        "tenders.csv has no title column (looked for title, name, subject); "
        "rename the column, or say which column holds the title, and import again."
    )


def test_missing_path_is_an_import_file_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="could not be read"):
        parse_path(tmp_path / "missing.csv")


def test_a_file_named_with_a_path_is_reported_by_its_name() -> None:
    parsed = parse_file(b"title\nA\n", "C:/exports/tenders.csv")
    assert parsed.filename == "tenders.csv"


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared real tender data is not present")
def test_real_public_files_import_or_are_refused_cleanly() -> None:
    # OCDS, TED XML and eForms get their own importers later; until then: a clean refusal.
    files = [path for path in sorted(SHARED_DATA.rglob("*")) if path.is_file()]
    assert files
    for path in files:
        try:
            parse_path(path)
        except ImportFileError as exc:
            assert "\n" not in str(exc) and path.name in str(exc)


def test_ocds_flattened_to_one_row_per_procedure_reads_as_its_paths_say() -> None:
    # The "main" sheet of the OCDS Data Registry's CSV/Excel downloads (Find a Tender, Public
    # Contracts Scotland, Sell2Wales): one row per procedure, columns named by OCDS path.
    data = (
        b"ocid,id,date,tag,tender/title,tender/description,buyer/name,tender/value/amount,"
        b"tender/value/currency,tender/minValue/amount,tender/tenderPeriod/endDate,"
        b"tender/classification/scheme,tender/classification/id\n"
        b"ocds-h6vhtk-0001,rel-9,2027-06-01T10:00:00Z,tender,Cloud hosting,Hosting of apps,"
        b"Harbour Council,240000,GBP,100000,2027-07-24T12:00:00+01:00,CPV,72415000\n"
    )
    parsed = parse_file(data, "main.csv")
    (tender,) = parsed.tenders
    assert (tender.source_id, tender.title, tender.buyer) == (
        "ocds-h6vhtk-0001",
        "Cloud hosting",
        "Harbour Council",
    )
    assert (tender.value_low, tender.value_amount, tender.value_currency) == (100000, 240000, "GBP")
    assert tender.deadline == datetime(2027, 7, 24, 11, 0, tzinfo=UTC)
    assert tender.cpv_codes == ["72415000"] and problems(parsed) == []
