"""parse_ocds and the reader that turns the streamed values into rows: one row per release (or
record), numbered in file order, with the file's breaks reported as row errors."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any, BinaryIO

from core.ingest.content import Content
from core.ingest.errors import FieldProblem, ImportFileError
from core.ingest.ocds.json_values import list_of, text_of
from core.ingest.ocds.mapping import map_release
from core.ingest.ocds.sniff import RELEASE_SECTIONS, looks_like_release
from core.ingest.ocds.stream import (
    NOT_BLANK,
    Broken,
    Item,
    has_text,
    json_lines,
    json_stream,
    walk,
)
from core.ingest.rows import TenderBuilder, quote
from core.ingest.values import parse_date
from core.models import ParsedFile

FORMAT = "ocds"
RAW_LIMIT = 200_000  # bytes of JSON: a bigger release keeps only its identifying fields in `raw`
_EXPORT_HINT = "export a release or record package from the portal and import that file"


def parse_ocds(content: Content, source: str) -> ParsedFile:
    name = content.filename
    reader = _Reader(TenderBuilder(name, FORMAT, source))
    with json_stream(content) as stream:
        if not has_text(stream):
            raise ImportFileError(name, f"{name} is empty; choose the file that holds the tenders.")
        if json_lines(stream):
            reader.read_lines(stream)
        else:
            try:
                for item in walk(stream):
                    reader.take(item)
            except Broken as broken:
                reader.broke(broken)
    return reader.result()


class _Reader:
    """Turns the walker's values into rows: one row per release, numbered in file order."""

    def __init__(self, builder: TenderBuilder) -> None:
        self.builder = builder
        self.rows = 0  # releases (or lines standing for them) seen so far
        self.ocds_rows = 0  # rows that looked like OCDS
        self.packages = 0

    @property
    def name(self) -> str:
        return self.builder.filename

    def read_lines(self, stream: BinaryIO) -> None:
        start = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(start)
        for number, line in enumerate(iter(stream.readline, b""), start=1):
            if not NOT_BLANK.search(line):
                continue
            try:
                items = list(walk(io.BytesIO(line)))
            except Broken as broken:
                self.rows += 1
                self.ocds_rows += 1
                if broken.cut_off and stream.tell() == end:
                    message = (
                        f"line {number} ends in the middle of a release; "
                        "the download may have been cut off, so download the file again"
                    )
                else:
                    message = f"line {number} is not valid JSON ({broken.reason}); skipped"
                self.builder.refuse(self.rows, message)
                continue
            for item in items:
                self.take(item)

    def take(self, item: Item) -> None:
        if item.kind == "package":
            self.packages += 1
        elif item.kind == "release":
            self._release(item.value, item.size)
        elif item.kind == "record":
            self._record(item.value, item.size)
        else:
            self._value(item.value, item.size)

    def _value(self, value: Any, size: int) -> None:
        """A top-level value (or element of a top-level list): release, record or package."""
        if isinstance(value, dict):
            if "compiledRelease" in value or (
                "ocid" in value and isinstance(value.get("releases"), list)
            ):
                self._record(value, size)
                return
            if isinstance(value.get("releases"), list):
                self.packages += 1
                for release in value["releases"]:
                    self._release(release, size)
                return
            if isinstance(value.get("records"), list):
                self.packages += 1
                for record in value["records"]:
                    self._record(record, size)
                return
            if looks_like_release(value):
                self._release(value, size)
                return
        self.rows += 1
        self.builder.refuse(self.rows, "not an OCDS release (it has no ocid, tag or tender)")

    def _record(self, record: Any, size: int) -> None:
        if not isinstance(record, dict):
            self._release(record, size)  # refused there as "not a JSON object"
            return
        release, problem = _release_of_record(record)
        if release is None:
            self.rows += 1
            self.ocds_rows += 1
            self.builder.refuse(self.rows, problem)
            return
        self._release(release, size)

    def _release(self, release: Any, size: int) -> None:
        self.rows += 1
        self.ocds_rows += 1
        row = self.rows
        if not isinstance(release, dict):
            self.builder.refuse(row, f"not a JSON object but {_json_kind(release)}")
            return
        mapped = map_release(release)
        if not mapped.title:
            self.builder.refuse(row, mapped.no_title_message())
            return
        before = self.builder.kept
        raw = _raw(release, size)
        self.builder.add(row, mapped.values, raw, None, mapped.extra)
        if self.builder.kept > before:
            for warning in mapped.warnings:
                self.builder.warn(row, warning)

    def broke(self, broken: Broken) -> None:
        name = self.name
        if self.rows == 0:
            if broken.cut_off:
                raise ImportFileError(
                    name,
                    f"{name} ends before its first release is complete; "
                    "the download may have been cut off, so download the file again.",
                )
            raise ImportFileError(
                name,
                f"{name} is not valid JSON ({broken.reason}); fix the file or download it again.",
            )
        count = f"release {self.rows:,}"
        if broken.cut_off:
            message = (
                f"the file ends early, after {count}: the download may have been cut off, "
                "so any later releases are missing"
            )
        else:
            message = (
                f"the file is not valid JSON after {count} ({broken.reason}); "
                "later releases were not read"
            )
        self.builder.refuse(self.rows + 1, message)

    def result(self) -> ParsedFile:
        name = self.name
        if self.ocds_rows == 0 and self.packages:
            raise ImportFileError(
                name, f"{name} is an OCDS package without releases; {_EXPORT_HINT}."
            )
        if self.ocds_rows == 0:
            raise ImportFileError(
                name,
                f"{name} is JSON but not OCDS (no releases, records or ocid were found); "
                f"{_EXPORT_HINT}.",
            )
        return self.builder.result()


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number"


def _release_of_record(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The compiledRelease; else the latest embedded release by date (ties: the last one)."""
    ocid = text_of(record.get("ocid"))
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        release = compiled
    else:
        releases = [r for r in list_of(record.get("releases")) if isinstance(r, dict)]
        if not releases:
            return None, f"no title: record {quote(ocid)} has no compiledRelease and no releases"
        release = max(enumerate(releases), key=lambda pair: (_date_key(pair[1]), pair[0]))[1]
        if not any(section in release for section in (*RELEASE_SECTIONS, "buyer", "parties")):
            return None, (
                f"no title: record {quote(ocid)} has no compiledRelease and its releases are "
                "only links; import the release package instead"
            )
    if ocid and "ocid" not in release:
        release = {"ocid": ocid, **release}
    return release, ""


def _date_key(release: dict[str, Any]) -> tuple[int, datetime | str]:
    try:
        moment = parse_date(release.get("date"))
    except FieldProblem:
        moment = None
    return (1, moment) if moment else (0, "")


def _raw(release: dict[str, Any], size: int) -> dict[str, Any]:
    """The release as published; a very large one keeps only what identifies it."""
    if size < RAW_LIMIT:
        return release
    length = len(json.dumps(release, ensure_ascii=False).encode("utf-8"))
    if length <= RAW_LIMIT:
        return release
    kept = {
        field: release[field]
        for field in ("ocid", "id", "date", "tag", "language", "initiationType")
        if field in release
    }
    kept["tenderwise_note"] = (
        f"the release was {length:,} bytes of JSON; only its identifying fields are kept here"
    )
    return kept
