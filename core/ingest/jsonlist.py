"""JSON importer: a list of flat objects that use the same field names as the CSV columns."""

from __future__ import annotations

import json
from typing import Any

from core.ingest.content import Content, decode_text
from core.ingest.errors import ImportFileError
from core.ingest.fields import TITLE_HINT, Columns, match_headers
from core.ingest.rows import TenderBuilder
from core.models import ParsedFile

# Wrappers that exports put around the list: {"tenders": [...]}, {"data": [...]}, …
LIST_KEYS = ("tenders", "data", "items", "results", "records", "notices")


def _records(document: Any) -> list[Any] | None:
    """The list of tender objects in a document, or None when there is none."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
        if match_headers(list(document)).has_title:
            return [document]  # a single tender object
    return None


def _no_constant(_: str) -> None:
    """NaN and Infinity are not JSON: read them as null rather than store them."""
    return None


def _bounded_int(digits: str) -> int | str:
    """Integers past 50 digits stay text: Python refuses to convert very long ones at all."""
    return int(digits) if len(digits) <= 50 else digits


def _is_empty(record: dict[str, Any]) -> bool:
    return all(value is None or value == "" or value == [] for value in record.values())


def parse_json(content: Content, source: str) -> ParsedFile:
    filename = content.filename
    try:
        document = json.loads(
            decode_text(content), parse_constant=_no_constant, parse_int=_bounded_int
        )
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            filename,
            f"{filename} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}; "
            "fix the file or export it again.",
        ) from exc
    except ValueError as exc:  # any other complaint of the decoder
        raise ImportFileError(
            filename, f"{filename} is not valid JSON; fix the file or export it again."
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(
            filename,
            f"{filename} is nested too deeply to be a list of tenders; "
            "export the tenders as a JSON list of objects and import again.",
        ) from exc
    records = _records(document)
    if records is None or (records and not any(isinstance(item, dict) for item in records)):
        raise ImportFileError(
            filename,
            f"{filename} does not hold a list of tender objects; "
            "export the tenders as a JSON list of objects and import again.",
        )
    builder = TenderBuilder(filename, "json", source)
    # Objects in one export share their keys: match the headers once per key set.
    columns_by_keys: dict[tuple[str, ...], Columns] = {}
    any_title = False
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            builder.refuse(number, "not an object with tender fields")
            continue
        if _is_empty(record):
            continue
        keys = tuple(record)
        columns = columns_by_keys.get(keys)
        if columns is None:
            columns = columns_by_keys[keys] = match_headers(keys)
        any_title = any_title or columns.has_title
        values = {field: record[keys[position]] for field, position in columns.positions}
        builder.add(number, values, record, columns.currency_hint)
    if records and not any_title:
        raise ImportFileError(
            filename,
            f"{filename} has no title field (looked for {TITLE_HINT}); "
            "rename the field and import again.",
        )
    return builder.result()
