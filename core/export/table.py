"""The results table as CSV or XLSX, safe to open in a spreadsheet.

Cells that a spreadsheet would read as a formula (OWASP "CSV injection": text starting with
=, +, -, @, tab or carriage return) are prefixed with an apostrophe, so a hostile tender
title is shown as text, never run.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from core.export import ExportError
from core.models import TenderState

TableFormat = Literal["csv", "xlsx"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms some spreadsheet locales also read as formula signs.
_WIDE_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
# Spreadsheet cells hold at most 32,767 characters.
MAX_CELL_CHARS = 32_000
# Characters a worksheet cannot hold (openpyxl refuses them: one hostile title would stop the
# whole export) or that a terminal reads as escape codes; tab, LF and CR stay.
_NOT_CELL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# (column, header) in the order bid teams read them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Tenderwise id"),
    ("title", "Title"),
    ("buyer", "Buyer"),
    ("status", "Status"),
    ("deadline", "Deadline (UTC)"),
    ("value_amount", "Estimated value"),
    ("value_low", "Value range from"),
    ("value_currency", "Currency"),
    ("cpv_codes", "CPV codes"),
    ("country", "Country"),
    ("relevant", "Relevant"),
    ("confidence", "Relevance confidence"),
    ("categories", "Capabilities"),
    ("overall_score", "Overall score"),
    ("strategic_fit", "Strategic fit"),
    ("win_probability", "Win probability"),
    ("effort_required", "Effort required"),
    ("recommendation", "Recommendation"),
    ("strengths", "Strengths"),
    ("risks", "Risks"),
    ("has_bid", "Bid draft"),
    ("analyst", "Analyst"),
    ("source", "Source"),
    ("source_id", "Source id"),
    ("url", "Notice URL"),
)


def neutralise(value: str) -> str:
    """Text a spreadsheet would evaluate as a formula becomes literal text.

    Leading blanks are looked through too: an import that trims spaces (LibreOffice offers
    it) would otherwise turn " =cmd()" into a formula.
    """
    starts = (*FORMULA_STARTS, *_WIDE_FORMULA_STARTS)
    if value.startswith(starts) or value.lstrip().startswith(starts):
        return "'" + value
    return value


def table_rows(states: Iterable[TenderState]) -> list[dict[str, Any]]:
    """One flat row per tender: numbers stay numbers, lists become '; '-joined text."""
    return [_row(state) for state in states]


def _row(state: TenderState) -> dict[str, Any]:
    tender, relevance, rating = state.tender, state.filter, state.rating
    return {
        "id": tender.id,
        "title": tender.title,
        "buyer": tender.buyer,
        "status": state.status.value,
        "deadline": tender.deadline,
        "value_amount": tender.value_amount,
        "value_low": tender.value_low,
        "value_currency": tender.value_currency,
        "cpv_codes": "; ".join(tender.cpv_codes),
        "country": tender.country,
        "relevant": None if relevance is None else ("yes" if relevance.is_relevant else "no"),
        "confidence": None if relevance is None else round(relevance.confidence, 3),
        "categories": "; ".join(relevance.categories) if relevance else None,
        "overall_score": rating.overall_score if rating else None,
        "strategic_fit": rating.strategic_fit if rating else None,
        "win_probability": rating.win_probability if rating else None,
        "effort_required": rating.effort_required if rating else None,
        "recommendation": rating.recommendation.label if rating else None,
        "strengths": "; ".join(rating.strengths) if rating else None,
        "risks": "; ".join(rating.risks) if rating else None,
        "has_bid": "yes" if state.bid is not None else "no",
        "analyst": (rating or relevance).analyst if (rating or relevance) else None,
        "source": tender.source,
        "source_id": tender.source_id,
        "url": tender.url,
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise(_NOT_CELL_TEXT.sub("", str(value)))[:MAX_CELL_CHARS]


def csv_bytes(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]] = COLUMNS
) -> bytes:
    """UTF-8 with a BOM, so Excel opens accents correctly; every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column, _ in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return _text(value)


def xlsx_bytes(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]] = COLUMNS,
    title: str = "Tenders",
) -> bytes:
    """One sheet; numbers and dates typed, text cells stored as text (never formulas)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append([header for _, header in columns])
    for r, row in enumerate(rows, start=2):
        for c, (column, _) in enumerate(columns, start=1):
            value = row.get(column)
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
            elif isinstance(value, datetime):
                cell.value = value.replace(tzinfo=None)
                cell.number_format = "yyyy-mm-dd hh:mm"
            else:
                cell.value = _text(value)
                cell.data_type = TYPE_STRING  # openpyxl would otherwise store "=…" as a formula
    sheet.freeze_panes = "B2"
    for c, (_, header) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = max(12, min(50, len(header) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_bytes(states: Iterable[TenderState], fmt: TableFormat) -> bytes:
    rows = table_rows(states)
    return csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)


def export_table(states: Iterable[TenderState], fmt: TableFormat, out: Path) -> int:
    """Write the table to `out`; returns the number of tenders written."""
    rows = table_rows(states)
    write_export(out, csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows), f"tenders.{fmt}")
    return len(rows)


def write_export(out: Path, data: bytes, example: str) -> None:
    """Write an export to the file `out` (its folder made); ExportError in one sentence."""
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / example}.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise ExportError(
            f"Could not write {out} ({exc.strerror or exc}); pick another path."
        ) from exc
