"""CSV and XLSX importers: find the header row, then one tender per row."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from core.ingest.archive import check_archive
from core.ingest.columns import report_layout
from core.ingest.content import Content, text_lines
from core.ingest.errors import ImportFileError
from core.ingest.fields import TITLE_HINT, Columns, cell_text, match_headers, raw_keys, raw_value
from core.ingest.rows import TenderBuilder
from core.models import ParsedFile

# Portals paste whole specifications into one cell; the csv module's 128 KB default would abort.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

HEADER_SEARCH_ROWS = 20  # exports often put a title line or two above the header
DELIMITERS = (",", ";", "\t")


NO_TITLE = "has no title column"
SAY_TITLE = "say which column holds the title"


def _no_title_column(filename: str) -> ImportFileError:
    return ImportFileError(
        filename,
        f"{filename} {NO_TITLE} (looked for {TITLE_HINT}); "
        f"rename the column, or {SAY_TITLE}, and import again.",
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits a header line into a recognisable title column; else the most
    frequent of comma, semicolon and tab on the first non-empty line."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    for line in lines:
        best: tuple[int, str] | None = None
        for delimiter in DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            columns = match_headers(cells)
            if columns.has_title and (best is None or len(columns.positions) > best[0]):
                best = (len(columns.positions), delimiter)
        if best:
            return best[1]
    first = lines[0] if lines else ""
    return max(DELIMITERS, key=first.count)


def _read_rows(rows: Iterable[Sequence[Any]], builder: TenderBuilder, *, text_cells: bool) -> bool:
    """Feed rows (1-based as the user sees them) to the builder; False when no header was found."""
    columns: Columns | None = None
    keys: list[str] = []
    headers: list[str] = []
    reported = False
    for number, row in enumerate(rows, start=1):
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                return False
            headers = [cell_text(cell).strip() for cell in row]
            found = match_headers(headers)
            if found.has_title:
                columns, keys = found, raw_keys(headers)
            continue
        if text_cells:
            if not "".join(row).strip():
                continue  # a blank line, or a row of empty cells
        elif all(cell is None or not cell_text(cell).strip() for cell in row):
            continue
        width = len(keys)
        if len(row) > width:
            keys.extend(f"column {position}" for position in range(width + 1, len(row) + 1))
        if text_cells:
            raw = dict(zip(keys, row, strict=False))
        else:
            raw = {key: raw_value(cell) for key, cell in zip(keys, row, strict=False)}
        if not reported:  # the header with the first row, for the preview's column list
            report_layout(headers, columns.used, [cell_text(cell) for cell in row])
            reported = True
        length = len(row)
        values = {
            field: row[position] for field, position in columns.positions if position < length
        }
        builder.add(number, values, raw, columns.currency_hint)
    if columns is not None and not reported:
        report_layout(headers, columns.used, [])
    return columns is not None


def parse_csv(content: Content, source: str) -> ParsedFile:
    lines = text_lines(content)
    delimiter = sniff_delimiter(lines.read(65_536))
    lines.seek(0)
    reader = csv.reader(lines, delimiter=delimiter)
    builder = TenderBuilder(content.filename, "csv", source)
    try:
        found = _read_rows(reader, builder, text_cells=True)
    except csv.Error as exc:
        raise ImportFileError(
            content.filename,
            f"{content.filename} could not be read as CSV (line {reader.line_num}: {exc}); "
            "save it again as CSV and import the new file.",
        ) from exc
    if not found:
        raise _no_title_column(content.filename)
    return builder.result()


def _broken_workbook(filename: str) -> ImportFileError:
    return ImportFileError(
        filename,
        f"{filename} could not be opened as an Excel workbook; "
        "open it in Excel, save it as .xlsx and import again.",
    )


def _sheet_rows(sheet: Any, filename: str) -> Iterator[Sequence[Any]]:
    # openpyxl raises many kinds of errors on damaged files; all of them mean "broken workbook".
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:
        raise _broken_workbook(filename) from exc


def parse_xlsx(content: Content, source: str) -> ParsedFile:
    """The first sheet with a recognisable header row; row numbers are the sheet's row numbers."""
    import openpyxl  # imported here: a slow import that CSV and JSON imports never need

    filename = content.filename
    check_archive(content)  # before openpyxl unpacks anything
    try:
        workbook = openpyxl.load_workbook(content.open(), read_only=True, data_only=True)
    except Exception as exc:  # same reason as in _sheet_rows
        raise _broken_workbook(filename) from exc
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet
            # Some writers store a wrong sheet size (A1:A1); forget it and read what is there.
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
            builder = TenderBuilder(filename, "xlsx", source)
            if _read_rows(_sheet_rows(sheet, filename), builder, text_cells=False):
                return builder.result()
    finally:
        workbook.close()
    raise _no_title_column(filename)
