"""OCDS importer: release packages, record packages, single releases and JSON Lines.

The file is read with ijson's event parser (the yajl C backend) and only one release is built as
Python objects at a time, so a package of any size is never held as one document. ijson's
prefixed parser (`ijson.items`) is not used on purpose: it keeps the dotted path of every open
level, so a file nested thousands of levels deep would take gigabytes; the plain event stream
below has no such cost and refuses nesting deeper than MAX_DEPTH.

Each release (or each record, through its compiledRelease) is one row, numbered from 1 in file
order. A file that breaks part-way (cut-off download, bad byte) keeps the releases read before
the break and reports the break as one row error; a file that breaks before its first release is
refused. In JSON Lines a bad line costs only that line.
"""

from __future__ import annotations

import functools
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import ijson
from pydantic import ValidationError

from core.ingest.content import Content
from core.ingest.errors import FieldProblem, ImportFileError
from core.ingest.fields import currency_code
from core.ingest.rows import DESCRIPTION_LIMIT, SHORT_LIMIT, TenderBuilder, quote
from core.ingest.values import parse_cpv, parse_date, parse_money
from core.models import Classification, Lot, NoticeDocument, NoticeType, ParsedFile

FORMAT = "ocds"
MAX_DEPTH = 100  # real OCDS is under 20 levels deep, record packages included
RAW_LIMIT = 200_000  # bytes of JSON: a bigger release keeps only its identifying fields in `raw`
_BUFFER = 64 * 1024  # ijson's read size; byte positions below are exact to within one buffer
_SNIFF_BYTES = 64 * 1024
_LONGEST_FIRST_LINE = 8 * 1024 * 1024  # a longer first line is not read alone as JSON Lines
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NOT_BLANK = re.compile(rb"\S")
_PLAIN_CPV = re.compile(r"[0-9]{8}(?:-[0-9])?")
_YAJL_REASON = re.compile(r"(?:lexical|parse) error: ([^.\\\n]+)")
_EXPORT_HINT = "export a release or record package from the portal and import that file"

_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})

# Top-level keys only OCDS packages carry; a plain JSON export may share "uri" or "version".
_PACKAGE_KEYS = frozenset({"publishedDate", "publisher", "extensions", "publicationPolicy"})
_RELEASE_SECTIONS = ("tender", "planning", "awards", "contracts")
_OCDS_TAGS = frozenset(
    {
        "planning",
        "planningUpdate",
        "tender",
        "tenderAmendment",
        "tenderUpdate",
        "tenderCancellation",
        "award",
        "awardUpdate",
        "awardCancellation",
        "contract",
        "contractUpdate",
        "contractAmendment",
        "implementation",
        "implementationUpdate",
        "contractTermination",
        "compiled",
    }
)
_TAG_NOTICE: dict[str, NoticeType] = {
    "planning": NoticeType.PLANNING,
    "planningupdate": NoticeType.PLANNING,
    "tender": NoticeType.TENDER,
    "tenderamendment": NoticeType.TENDER,
    "tenderupdate": NoticeType.TENDER,
    "tendercancellation": NoticeType.CANCELLATION,
    "award": NoticeType.AWARD,
    "awardupdate": NoticeType.AWARD,
    "awardcancellation": NoticeType.AWARD,  # an award was withdrawn: the call is still closed
    "contract": NoticeType.AWARD,
    "contractupdate": NoticeType.AWARD,
    "contracttermination": NoticeType.AWARD,
    "implementation": NoticeType.AWARD,
    "implementationupdate": NoticeType.AWARD,
    "contractamendment": NoticeType.MODIFICATION,
    "amendment": NoticeType.MODIFICATION,
    "amendments": NoticeType.MODIFICATION,
}
# A release with several tags ("tender", "award", "contract") announces its latest stage.
_STAGE = {
    NoticeType.PLANNING: 1,
    NoticeType.TENDER: 2,
    NoticeType.AWARD: 3,
    NoticeType.MODIFICATION: 4,
    NoticeType.CANCELLATION: 5,
}
# Scheme names whose codes are CPV codes: Prozorro's ДК021 is the Ukrainian edition of CPV 2008.
_CPV_SCHEMES = frozenset({"CPV", "CPV2008", "EUCPV", "ДК021", "DK021", "ДК0212015", "DK0212015"})
# Other schemes as the analysts and filters spell them, whatever case the publisher used.
_SCHEME_NAMES = {name.upper(): name for name in ("UNSPSC", "NAICS", "PSC", "NIGP", "GSIN", "CPVS")}
# NUTS codes of the United Kingdom ("UKM82"): Scottish and Welsh portals give no country name.
_UK_NUTS = re.compile(r"UK(?:[C-N][0-9A-Z]{0,3})?")
# Find a Tender names each Procurement Act notice (UK1 pipeline … UK17) in documents[].noticeType.
_UK_NOTICE = re.compile(r"UK[0-9]{1,2}")
# An award or contract titled by a bare reference ("NBM51620779", "CN-2025-0113"): one token
# with a digit. A description says more, so it is preferred when there is one.
_REFERENCE = re.compile(r"(?=\S*[0-9])[A-Za-z0-9][A-Za-z0-9._/-]*")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# A sentence ends at . ! ? after a word of three characters or more, before a capital letter:
# "at St. Mary's", "e.g. the" and "approx. 5" do not end one.
_SENTENCE_END = re.compile(r"[^\s.!?]{3}[.!?](?=\s+[A-Z])")
_SHORTEST_SENTENCE = 25  # a shorter first sentence ("Summary.") is no title on its own
DERIVED_TITLE_LIMIT = 150  # characters of a title taken from a description

# countryName as publishers write it → ISO 3166-1 alpha-2 (other names are kept as written).
_COUNTRY_NAMES: dict[str, str] = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "ukraine": "UA",
    "україна": "UA",
    "украина": "UA",
    "nigeria": "NG",
    "ireland": "IE",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "italy": "IT",
    "italia": "IT",
    "spain": "ES",
    "españa": "ES",
    "portugal": "PT",
    "netherlands": "NL",
    "belgium": "BE",
    "poland": "PL",
    "polska": "PL",
    "romania": "RO",
    "moldova": "MD",
    "republic of moldova": "MD",
    "georgia": "GE",
    "armenia": "AM",
    "kazakhstan": "KZ",
    "kyrgyzstan": "KG",
    "lithuania": "LT",
    "latvia": "LV",
    "estonia": "EE",
    "czechia": "CZ",
    "czech republic": "CZ",
    "slovakia": "SK",
    "hungary": "HU",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "mexico": "MX",
    "méxico": "MX",
    "colombia": "CO",
    "paraguay": "PY",
    "argentina": "AR",
    "chile": "CL",
    "peru": "PE",
    "perú": "PE",
    "ecuador": "EC",
    "honduras": "HN",
    "guatemala": "GT",
    "dominican republic": "DO",
    "república dominicana": "DO",
    "uruguay": "UY",
    "panama": "PA",
    "panamá": "PA",
    "costa rica": "CR",
    "el salvador": "SV",
    "brazil": "BR",
    "brasil": "BR",
    "zambia": "ZM",
    "uganda": "UG",
    "kenya": "KE",
    "tanzania": "TZ",
    "ghana": "GH",
    "malawi": "MW",
    "afghanistan": "AF",
    "nepal": "NP",
    "philippines": "PH",
    "indonesia": "ID",
    "india": "IN",
    "australia": "AU",
    "new zealand": "NZ",
}


# --------------------------------------------------------------------------- reading the JSON


class _Broken(Exception):
    """The JSON stream stopped being readable; `reason` completes "… (reason)"."""

    def __init__(self, reason: str, *, cut_off: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cut_off = cut_off


@dataclass(frozen=True, slots=True)
class _Item:
    """One value the walker hands over, and how it was found.

    kind: "release" (an element of a package's releases), "record" (an element of records),
    "value" (a top-level value or an element of a top-level array: a release, record or package),
    "package" (a releases/records list began: no value, only the fact).
    """

    kind: str
    value: Any
    size: int  # upper bound of the value's size in bytes


def _broken_from(exc: Exception) -> _Broken:
    text = str(exc)
    if "premature EOF" in text:
        return _Broken("it ends in the middle of a value", cut_off=True)
    if "invalid bytes in UTF8" in text:
        return _Broken("it holds bytes that are not UTF-8 text", cut_off=False)
    if "overflow" in text:
        return _Broken("a number is too large to read", cut_off=False)
    match = _YAJL_REASON.search(text)
    return _Broken(match[1].strip() if match else "unreadable JSON", cut_off=False)


def _walk(stream: BinaryIO) -> Iterator[_Item]:
    """Stream the JSON values from the stream's position, building one release (or record) at
    a time.

    A top-level object is built whole, except its "releases"/"records" list, whose elements are
    yielded one by one as they complete; a top-level list yields its elements the same way.
    Several top-level values in a row (JSON Lines) are read one after the other.
    """
    depth = 0
    stack: list[Any] = []  # containers being built, innermost last
    key: Any = None
    array_depth = 0  # depth of the list whose elements are yielded one by one (0: none)
    kind = "value"
    top: dict[str, Any] | None = None  # the top-level object being built
    streamed = False  # whether that object's releases/records were yielded already
    started = 0
    events = ijson.basic_parse(stream, buf_size=_BUFFER, use_float=True, multiple_values=True)
    try:
        for event, value in events:
            if event == "map_key":
                key = value
            elif event in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Broken(f"it is nested more than {MAX_DEPTH} levels deep", cut_off=False)
                container: Any = {} if event == "start_map" else []
                if depth == 1:
                    streamed, started = False, stream.tell()
                    if event == "start_array":
                        top, stack, array_depth, kind = None, [], 1, "value"
                    else:
                        top, stack = container, [container]
                elif (
                    depth == 2
                    and top is not None
                    and event == "start_array"
                    and key in ("releases", "records")
                    and not _is_record(top)
                ):
                    array_depth, kind, streamed = 2, key[:-1], True
                    stack = []
                    yield _Item("package", None, 0)
                elif depth == array_depth + 1:
                    stack, started = [container], stream.tell()
                else:
                    parent = stack[-1]
                    if type(parent) is list:
                        parent.append(container)
                    else:
                        parent[key] = container
                    stack.append(container)
            elif event in _CLOSE:
                depth -= 1
                if array_depth and depth == array_depth:  # an element of the streamed list
                    yield _Item(kind, stack[0], stream.tell() - started + _BUFFER)
                    stack = []
                elif array_depth and depth == array_depth - 1:  # the streamed list itself
                    array_depth = 0
                    stack = [top] if top is not None else []
                elif depth == 0:
                    if top is not None and not streamed:
                        yield _Item("value", top, stream.tell() - started + _BUFFER)
                    top, stack = None, []
                else:
                    stack.pop()
            elif depth == 0 or (array_depth and depth == array_depth):
                yield _Item(kind if depth else "value", value, 0)  # a bare scalar: not OCDS
            else:
                parent = stack[-1]
                if type(parent) is list:
                    parent.append(value)
                else:
                    parent[key] = value
    except ijson.JSONError as exc:
        raise _broken_from(exc) from None
    except (ValueError, UnicodeError) as exc:  # defensive: the backend's own complaints
        raise _Broken(f"unreadable JSON ({type(exc).__name__})", cut_off=False) from None


def _is_record(value: dict[str, Any]) -> bool:
    """An OCDS record: one procedure with its releases; not a package of releases."""
    return "compiledRelease" in value or "ocid" in value


def _json_stream(content: Content) -> BinaryIO:
    """The file as UTF-8 bytes, positioned where the JSON starts (after a byte-order mark).

    UTF-16 JSON (rare) is converted in memory; anything else is read as it is, from disk when
    the upload is a file there.
    """
    head = content.head
    if head.startswith(_UTF16_BOMS):
        return io.BytesIO(content.read().decode("utf-16", errors="replace").encode("utf-8"))
    stream = content.open()
    if head.startswith(_UTF8_BOM):
        stream.seek(len(_UTF8_BOM))
    return stream


def _has_text(stream: BinaryIO) -> bool:
    """Whether anything but blanks follows the stream's position (which is kept)."""
    start = stream.tell()
    try:
        while chunk := stream.read(_BUFFER):
            if _NOT_BLANK.search(chunk):
                return True
        return False
    finally:
        stream.seek(start)


def _json_lines(stream: BinaryIO) -> bool:
    """JSON Lines: the first line alone is a JSON object and more text follows it."""
    start = stream.tell()
    try:
        line = stream.readline(_LONGEST_FIRST_LINE + 1)
        if not line.endswith(b"\n") or not _has_text(stream):
            return False
    finally:
        stream.seek(start)
    first = line.strip()
    if not first.startswith(b"{"):
        return False
    try:
        for _ in _walk(io.BytesIO(first)):
            pass
    except _Broken:
        return False
    return True


# --------------------------------------------------------------------------- sniffing


def sniff_ocds(content: Content) -> int:
    """100 when the start of the file is an OCDS package, record, release or JSON Lines of them."""
    text = content.head_text
    if not text or text[0] not in "{[":
        return 0
    if content.head.startswith(_UTF16_BOMS):
        head = text.encode("utf-8")
    else:
        head = content.prefix(len(_UTF8_BOM) + _SNIFF_BYTES)
        start = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
        head = head[start : start + _SNIFF_BYTES]
    return 100 if _head_is_ocds(head) else 0


def _head_is_ocds(head: bytes) -> bool:
    top_keys: set[str] = set()
    tags: list[str] = []
    list_key: str | None = None  # "releases"/"records" when the head reached that list
    element_keys: set[str] | None = None  # keys of the first release/record/element seen
    is_array = False
    depth = 0
    key: Any = None
    element_depth = 0
    try:
        for event, value in ijson.basic_parse(io.BytesIO(head), multiple_values=True):
            if event == "map_key":
                key = value
                if depth == 1 and not is_array:
                    top_keys.add(value)
                elif depth == element_depth and element_keys is not None:
                    element_keys.add(value)
            elif event in _OPEN:
                depth += 1
                if depth == 1:
                    is_array = event == "start_array"
                    element_depth = 2 if is_array else 0
                elif (
                    depth == 2
                    and not is_array
                    and event == "start_array"
                    and key in ("releases", "records")
                ):
                    list_key, element_depth = key, 3
                elif depth == element_depth and element_keys is None and event == "start_map":
                    element_keys = set()
            elif event in _CLOSE:
                depth -= 1
                if depth == 0 or (element_keys is not None and depth < element_depth):
                    break
            elif key == "tag" and depth in (1, 2) and not is_array and isinstance(value, str):
                tags.append(value)  # "tag": "tender" or "tag": ["tender", "award"]
    except Exception:  # noqa: S110 - the head is cut off mid-value: what was read is enough
        pass
    if top_keys & {"ocid", "compiledRelease"}:
        return True  # a release, or a record with its releases
    if is_array or list_key is not None:
        if element_keys is not None:
            return _looks_like_release(element_keys)
        return list_key is not None and bool(top_keys & _PACKAGE_KEYS)
    if len(top_keys & _PACKAGE_KEYS) >= 2:
        return True  # package metadata so long that the head ends before the releases
    if "initiationType" in top_keys:
        return True
    return bool(tags) and all(tag in _OCDS_TAGS for tag in tags)


def _looks_like_release(keys: set[str] | dict[str, Any]) -> bool:
    if {"ocid", "initiationType", "compiledRelease"} & set(keys):
        return True
    return "tag" in keys and any(section in keys for section in _RELEASE_SECTIONS)


# --------------------------------------------------------------------------- parsing


def parse_ocds(content: Content, source: str) -> ParsedFile:
    name = content.filename
    reader = _Reader(TenderBuilder(name, FORMAT, source))
    with _json_stream(content) as stream:
        if not _has_text(stream):
            raise ImportFileError(name, f"{name} is empty; choose the file that holds the tenders.")
        if _json_lines(stream):
            reader.read_lines(stream)
        else:
            try:
                for item in _walk(stream):
                    reader.take(item)
            except _Broken as broken:
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
            if not _NOT_BLANK.search(line):
                continue
            try:
                items = list(_walk(io.BytesIO(line)))
            except _Broken as broken:
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

    def take(self, item: _Item) -> None:
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
            if _looks_like_release(value):
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
        mapped = _map_release(release)
        if not mapped.title:
            self.builder.refuse(row, mapped.no_title_message())
            return
        before = self.builder.kept
        raw = _raw(release, size)
        self.builder.add(row, mapped.values, raw, None, mapped.extra)
        if self.builder.kept > before:
            for warning in mapped.warnings:
                self.builder.warn(row, warning)

    def broke(self, broken: _Broken) -> None:
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
    ocid = _text(record.get("ocid"))
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        release = compiled
    else:
        releases = [r for r in _list(record.get("releases")) if isinstance(r, dict)]
        if not releases:
            return None, f"no title: record {quote(ocid)} has no compiledRelease and no releases"
        release = max(enumerate(releases), key=lambda pair: (_date_key(pair[1]), pair[0]))[1]
        if not any(section in release for section in (*_RELEASE_SECTIONS, "buyer", "parties")):
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


# --------------------------------------------------------------------------- mapping


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    """A JSON scalar as text ("" for objects, lists, null and booleans)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return ""


def _cap(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= SHORT_LIMIT else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _web(value: Any) -> str | None:
    text = _text(value)
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")) and " " not in text and len(text) <= 2_000:
        return text
    return None


@dataclass
class _Mapped:
    values: dict[str, Any]
    extra: dict[str, Any]
    warnings: list[str]
    title: str
    ocid: str

    def no_title_message(self) -> str:
        where = f" {quote(self.ocid)}" if self.ocid else ""
        return f"no title: release{where} has no title and no description to take one from"


def _map_release(release: dict[str, Any]) -> _Mapped:
    tender = _dict(release.get("tender"))
    planning = _dict(release.get("planning"))
    budget = _dict(planning.get("budget"))
    awards = [a for a in _list(release.get("awards")) if isinstance(a, dict)]
    contracts = [c for c in _list(release.get("contracts")) if isinstance(c, dict)]
    items = [i for i in _list(tender.get("items")) if isinstance(i, dict)]
    lots = [lot for lot in _list(tender.get("lots")) if isinstance(lot, dict)]
    # Award and contract items: where contract notices (NSW eTendering) put what was bought.
    later_items = [
        item
        for holder in (*awards, *contracts)
        for item in _list(holder.get("items"))
        if isinstance(item, dict)
    ]
    warnings: list[str] = []
    ocid = _text(release.get("ocid"))
    notice_type = _notice_type(release, tender, awards, contracts, planning)

    title = _title(release, tender, budget, lots, items, awards, contracts, later_items)
    if not title and notice_type is NoticeType.CANCELLATION and ocid:
        # Find a Tender publishes cancellations as stubs ({"tag": ["tenderCancellation"],
        # "tender": {"status": "cancelled"}}): the procedure they stop is all there is to name.
        title = f"{notice_type.label} for {ocid}"
    description = _first_text(
        [tender.get("description")],
        [award.get("description") for award in awards],
        [contract.get("description") for contract in contracts],
        [item.get("description") for item in later_items],
    )
    buyer, country = _buyer(release, tender, awards, contracts)
    cpv, classifications = _classifications(tender, items, later_items, warnings)
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "buyer": buyer,
        "value": _value(tender, budget, lots),
        "deadline": _deadline(tender),
        "cpv": cpv,
        "country": country,
        "language": _language(release.get("language")),
        "url": _notice_url(release, tender, planning, awards, contracts),
        "source_id": ocid,
    }
    extra: dict[str, Any] = {
        "notice_type": notice_type,
        "form_type": _form_type(release, (planning, tender, *awards, *contracts)),
        "procedure_id": ocid or None,
        "published_at": _published(release.get("date"), warnings),
        "classifications": classifications,
        "lots": _lots(lots, items, warnings),
        "documents": _documents(tender),
        # Only tender.title is the procedure's published title; any other is derived, and a
        # later notice's derived title does not replace a stored one (OCDS merge rule).
        "title_derived": not _text(tender.get("title")),
    }
    return _Mapped(values, extra, warnings, title, ocid)


def _first_text(*groups: list[Any]) -> str:
    for group in groups:
        for value in group:
            text = _text(value)
            if text:
                return text
    return ""


def _title(
    release: dict[str, Any],
    tender: dict[str, Any],
    budget: dict[str, Any],
    lots: list[dict[str, Any]],
    items: list[dict[str, Any]],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    later_items: list[dict[str, Any]],
) -> str:
    """The tender's own title; else a lot, item or budget naming it; else an award or contract
    title; else the first sentence of a description. An award titled only by a reference number
    gives its reference when nothing describes it. Nothing is made up: every title is text the
    publisher wrote."""
    named = _first_text(
        [tender.get("title")],
        [lot.get("title") for lot in lots],
        [item.get("description") for item in items],
        [budget.get("description"), budget.get("project"), release.get("title")],
    )
    if named:
        return named
    closing = [_text(holder.get("title")) for holder in (*awards, *contracts)]
    for title in closing:
        if title and not _REFERENCE.fullmatch(title):
            return title
    texts = [
        tender.get("description"),
        *(holder.get("description") for holder in (*awards, *contracts)),
        *(item.get("description") for item in later_items),
    ]
    for text in texts:
        headline = _headline(text)
        if headline:
            return headline
    return next((title for title in closing if title), "")


def _headline(value: Any) -> str:
    """The first line of a description, cut at the end of its first sentence and at
    DERIVED_TITLE_LIMIT characters (on a word boundary); HTML tags are dropped."""
    text = _text(value)
    if "<" in text and ">" in text:
        text = _ANY_TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    line = next((" ".join(part.split()) for part in text.splitlines() if part.strip()), "")
    for end in _SENTENCE_END.finditer(line):
        if end.end() >= _SHORTEST_SENTENCE:
            line = line[: end.end()]
            break
    line = line.removesuffix(".").rstrip()
    if len(line) > DERIVED_TITLE_LIMIT:
        cut = line[: DERIVED_TITLE_LIMIT - 1]
        space = cut.rfind(" ")
        line = (cut[:space] if space > DERIVED_TITLE_LIMIT // 2 else cut).rstrip(" ,;:-") + "…"
    return line


def _party(release: dict[str, Any], *, party_id: Any = None, role: str = "") -> dict[str, Any]:
    for party in _list(release.get("parties")):
        if not isinstance(party, dict):
            continue
        if party_id is not None and party.get("id") == party_id:
            return party
        if role and role in _list(party.get("roles")):
            return party
    return {}


def _buyer(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
) -> tuple[str, str]:
    """The buyer's name and country: buyer, else parties[buyer], else the procuring entity, else
    a buyer given on an award or contract (NSW contract notices), else a central purchasing
    body. The name falls back to identifier.legalName."""
    buyer = _dict(release.get("buyer"))
    entity = _dict(tender.get("procuringEntity"))
    candidates = [
        buyer,
        _party(release, party_id=buyer.get("id")) if buyer.get("id") is not None else {},
        _party(release, role="buyer"),
        entity,
        _party(release, party_id=entity.get("id")) if entity.get("id") is not None else {},
        _party(release, role="procuringEntity"),
        *(_dict(holder.get("buyer")) for holder in (*awards, *contracts)),
        # A central purchasing body runs the procedure for its members: the buyer only when
        # the notice names no one else.
        _party(release, role="centralPurchasingBody"),
    ]
    name = _first_text([org.get("name") for org in candidates])
    if not name:
        name = _first_text([_dict(org.get("identifier")).get("legalName") for org in candidates])
    addresses = [_dict(org.get("address")) for org in candidates]
    place = _first_text([address.get("countryName") for address in addresses])
    if not place:
        place = _first_text([address.get("country") for address in addresses])  # "GB"
    if not place and any(_UK_NUTS.fullmatch(_text(a.get("region"))) for a in addresses):
        place = "GB"
    return name, _country(place)


def _country(name: str) -> str:
    cleaned = " ".join(name.split())
    known = _COUNTRY_NAMES.get(cleaned.casefold())
    if known:
        return known
    if len(cleaned) == 2 and cleaned.isascii() and cleaned.isalpha():
        return cleaned.upper()
    return cleaned


def _language(value: Any) -> str | None:
    """'en-GB', 'EN', 'uk' → 'en', 'en', 'uk': the language subtag the analysts use."""
    text = _text(value)
    primary = re.split(r"[-_]", text, maxsplit=1)[0]
    if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha():
        return primary.lower()
    return None


def _amount(money: Any) -> float | None:
    """A positive amount in an OCDS Value object; 0 means "not stated" in most publications."""
    try:
        amount, _ = parse_money(_dict(_net_or_gross(money)).get("amount"))
    except FieldProblem:
        return None
    return amount if amount else None


def _net_or_gross(money: Any) -> Any:
    """An OCDS Value, with the UK extension's amountGross (VAT included) standing in for a
    missing amount: Find a Tender gives only the gross value on about one tender notice in six."""
    if not isinstance(money, dict) or money.get("amount") not in (None, "", 0):
        return money
    gross = money.get("amountGross")
    if gross in (None, "", 0):
        return money
    return {"amount": gross, "currency": money.get("currency")}


def _total(holders: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The sum of the holders' values when every one has a value, all in the same currency."""
    values = [_dict(_net_or_gross(holder.get("value"))) for holder in holders]
    currencies = {_text(money.get("currency")).upper() for money in values}
    amounts = [_amount(money) for money in values]
    if holders and len(currencies) == 1 and all(amounts):
        return {"amount": sum(a for a in amounts if a), "currency": currencies.pop()}
    return None


def _value(tender: dict[str, Any], budget: dict[str, Any], lots: list[dict[str, Any]]) -> Any:
    """tender.value; else the budget (OCDS 1.1 budget.amount, 1.0 budget.value); else the sum of
    the lots' values when every lot has one in the same currency. An amount of 0 means "not
    stated" in most publications and is passed over. An award's value is not the estimate."""
    value = _net_or_gross(tender.get("value"))
    if isinstance(value, dict) and value.get("amount") not in (None, ""):
        try:
            amount, _ = parse_money(value.get("amount"))
        except FieldProblem:
            return value  # the builder keeps the tender and says why the value was left out
        if amount:
            return value
    for money in (budget.get("amount"), budget.get("value")):
        if _amount(money):
            return _net_or_gross(money)
    return _total(lots)


def _deadline(tender: dict[str, Any]) -> Any:
    """tenderPeriod.endDate; else the deadline for expressions of interest, the first one a
    bidder must meet in Find a Tender's two-stage (competitive flexible) procedures."""
    end = _dict(tender.get("tenderPeriod")).get("endDate")
    if end not in (None, ""):
        return end
    return tender.get("expressionOfInterestDeadline")


@functools.lru_cache(maxsize=256)
def _is_cpv_scheme(scheme: str) -> bool:
    return re.sub(r"[\s_:.\-]", "", scheme).upper() in _CPV_SCHEMES


def _cpv_codes(code: str) -> list[str]:
    if _PLAIN_CPV.fullmatch(code):
        return [code[:8]]  # "45233141-9", "45233141": most codes, without a regex search
    return parse_cpv(code)


def _classifications(
    tender: dict[str, Any],
    items: list[dict[str, Any]],
    later_items: list[dict[str, Any]],
    warnings: list[str],
) -> tuple[list[str], list[Classification]]:
    """CPV codes (CPV and ДК021 schemes) and every other scheme's codes, from the tender, its
    items and their additional classifications; award and contract items when the tender has
    no code. A code in the CPV scheme that is not a CPV code stays a classification, with a
    warning. Well-known scheme names are spelt one way ("unspsc" → "UNSPSC").
    """

    def entries(holders: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[Any] = []
        for holder in holders:
            found.append(holder.get("classification"))
            found.extend(_list(holder.get("additionalClassifications")))
        return [entry for entry in found if isinstance(entry, dict)]

    found = entries([tender, *items])
    if not any(_text(entry.get("id")) for entry in found):
        found = entries(later_items)
    cpv: list[str] = []
    others: dict[tuple[str, str], Classification] = {}
    for entry in found:
        scheme = _text(entry.get("scheme"))
        code = _text(entry.get("id"))
        if not code:
            continue
        if _is_cpv_scheme(scheme) or (not scheme and re.fullmatch(r"\d{8}-\d", code)):
            codes = _cpv_codes(code)
            if codes:
                cpv.extend(c for c in codes if c not in cpv)
                continue
            # Kept as the publisher wrote it, so nobody has to open the raw JSON to see it.
            warnings.append(
                f"CPV code {quote(code)} is not an 8-digit CPV code; "
                "kept as given under other classifications"
            )
        scheme = _SCHEME_NAMES.get(scheme.upper(), scheme) if scheme else "unknown"
        if (scheme, code) in others:
            continue
        if len(code) > 80 or len(scheme) > 40:
            warnings.append(f"{quote(scheme)} code {quote(code)} is too long to keep; left out")
            continue
        description = _cap(_text(entry.get("description")), SHORT_LIMIT) or None
        others[(scheme, code)] = Classification(scheme=scheme, code=code, description=description)
    return cpv, list(others.values())


def _lots(
    lots: list[dict[str, Any]], items: list[dict[str, Any]], warnings: list[str]
) -> list[Lot]:
    result: list[Lot] = []
    for lot in lots:
        lot_id = _text(lot.get("id"))
        label = quote(lot_id or _text(lot.get("title")) or f"{len(result) + 1}")
        amount, currency = None, None
        money = _net_or_gross(lot.get("value"))
        if isinstance(money, dict) and money.get("amount") not in (None, ""):
            try:
                amount, currency = parse_money(money)
            except FieldProblem as problem:
                warnings.append(
                    f"lot {label} value {quote(money.get('amount'))} {problem}; "
                    "imported without its value"
                )
        codes: list[str] = []
        for item in items:
            if not lot_id or _text(item.get("relatedLot")) != lot_id:
                continue
            # Find a Tender puts a lot's CPV codes in additionalClassifications only.
            entries = [item.get("classification"), *_list(item.get("additionalClassifications"))]
            for entry in entries:
                classification = _dict(entry)
                if _is_cpv_scheme(_text(classification.get("scheme"))):
                    found = _cpv_codes(_text(classification.get("id")))
                    codes.extend(c for c in found if c not in codes)
        try:
            result.append(
                Lot(
                    id=_cap(lot_id, SHORT_LIMIT) or None,
                    title=_cap(_text(lot.get("title")), SHORT_LIMIT) or None,
                    description=_cap(_text(lot.get("description")), DESCRIPTION_LIMIT),
                    value_amount=amount,
                    value_currency=currency_code(currency) if amount is not None else None,
                    cpv_codes=codes,
                )
            )
        except ValidationError:
            warnings.append(f"lot {label} could not be read; imported without it")
    return result


def _documents(tender: dict[str, Any]) -> list[NoticeDocument]:
    documents: list[NoticeDocument] = []
    seen: set[str] = set()
    for document in _list(tender.get("documents")):
        if not isinstance(document, dict):
            continue
        url = _web(document.get("url"))
        if url is None or url in seen:
            continue
        seen.add(url)
        title = _cap(_text(document.get("title")), SHORT_LIMIT) or None
        documents.append(NoticeDocument(title=title, url=url))
    return documents


def _notice_url(
    release: dict[str, Any],
    tender: dict[str, Any],
    planning: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
) -> str | None:
    """The notice the release publishes: the document with the release's id (Find a Tender),
    else a tender notice, else another notice document (the contract notice of the Scottish and
    Welsh portals, Contracts Finder's award notice); else the release's own uri/url/links (PCS
    links only to its API); else any tender document."""
    documents = [
        document
        for section in (tender, *awards, *contracts, planning)
        for document in _list(section.get("documents"))
        if isinstance(document, dict) and _web(document.get("url"))
    ]
    release_id = _text(release.get("id"))
    notices = [d for d in documents if _text(d.get("documentType")).endswith("Notice")]
    for found in (
        [d for d in documents if release_id and _text(d.get("id")) == release_id],
        [d for d in notices if _text(d.get("documentType")) == "tenderNotice"],
        notices,
    ):
        if found:
            return _web(found[0].get("url"))
    for field in ("uri", "url"):
        if _web(release.get(field)):
            return _web(release.get(field))
    for link in _list(release.get("links")):
        link = _dict(link)
        if _text(link.get("rel")) not in ("next", "prev") and _web(link.get("href")):
            return _web(link.get("href"))
    for document in _list(tender.get("documents")):
        if _web(_dict(document).get("url")):
            return _web(_dict(document).get("url"))
    return None


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [tag.strip() for tag in _list(value) if isinstance(tag, str) and tag.strip()]


def _form_type(release: dict[str, Any], sections: tuple[dict[str, Any], ...]) -> str | None:
    """The tags ("award,contract"), after the Procurement Act notice number when Find a Tender
    gives one ("UK6,award,contract")."""
    tags = _tags(release.get("tag"))
    notice = _uk_notice(release, sections)
    return ",".join([notice, *tags] if notice else tags)[:200] or None


def _uk_notice(release: dict[str, Any], sections: tuple[dict[str, Any], ...]) -> str:
    """documents[].noticeType ("UK4"): of the document with the release's id, else the last one
    in stage order (planning, tender, awards, contracts), as a compiled release lists them."""
    release_id = _text(release.get("id"))
    found = ""
    for section in sections:
        for document in _list(section.get("documents")):
            document = _dict(document)
            code = _text(document.get("noticeType")).upper()
            if not _UK_NOTICE.fullmatch(code):
                continue
            if release_id and _text(document.get("id")) == release_id:
                return code
            found = code
    return found


def _notice_type(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    planning: dict[str, Any],
) -> NoticeType:
    """The latest stage the tags announce; a cancelled tender is a cancellation whatever the tags.

    Without a known tag (a compiledRelease says "compiled"), tender.status and the sections
    present decide: complete → award, unsuccessful → other, active with awards → award.
    """
    status = _text(tender.get("status")).lower()
    if status in ("cancelled", "withdrawn"):
        return NoticeType.CANCELLATION
    kinds = [_TAG_NOTICE[t.lower()] for t in _tags(release.get("tag")) if t.lower() in _TAG_NOTICE]
    if kinds:
        return max(kinds, key=_STAGE.__getitem__)
    if status == "complete":
        return NoticeType.AWARD
    if status == "unsuccessful":
        return NoticeType.OTHER
    if status in ("planning", "planned"):
        return NoticeType.PLANNING
    if awards or contracts:
        return NoticeType.AWARD
    if tender:
        return NoticeType.TENDER
    if planning:
        return NoticeType.PLANNING
    return NoticeType.OTHER


def _published(value: Any, warnings: list[str]) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except FieldProblem as problem:
        warnings.append(f"release date {quote(value)} {problem}; imported without it")
        return None
