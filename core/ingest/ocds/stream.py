"""Reading the JSON as a stream: ijson events → one release (or record) at a time, JSON Lines
detection, and the file's bytes positioned where the JSON starts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson

from core.ingest.content import Content

MAX_DEPTH = 100  # real OCDS is under 20 levels deep, record packages included
_BUFFER = 64 * 1024  # ijson's read size; byte positions below are exact to within one buffer
_LONGEST_FIRST_LINE = 8 * 1024 * 1024  # a longer first line is not read alone as JSON Lines
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
NOT_BLANK = re.compile(rb"\S")
_YAJL_REASON = re.compile(r"(?:lexical|parse) error: ([^.\\\n]+)")
OPEN = frozenset({"start_map", "start_array"})
CLOSE = frozenset({"end_map", "end_array"})


class Broken(Exception):
    """The JSON stream stopped being readable; `reason` completes "… (reason)"."""

    def __init__(self, reason: str, *, cut_off: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cut_off = cut_off


@dataclass(frozen=True, slots=True)
class Item:
    """One value the walker hands over, and how it was found.

    kind: "release" (an element of a package's releases), "record" (an element of records),
    "value" (a top-level value or an element of a top-level array: a release, record or package),
    "package" (a releases/records list began: no value, only the fact).
    """

    kind: str
    value: Any
    size: int  # upper bound of the value's size in bytes


def _broken_from(exc: Exception) -> Broken:
    text = str(exc)
    if "premature EOF" in text:
        return Broken("it ends in the middle of a value", cut_off=True)
    if "invalid bytes in UTF8" in text:
        return Broken("it holds bytes that are not UTF-8 text", cut_off=False)
    if "overflow" in text:
        return Broken("a number is too large to read", cut_off=False)
    match = _YAJL_REASON.search(text)
    return Broken(match[1].strip() if match else "unreadable JSON", cut_off=False)


def walk(stream: BinaryIO) -> Iterator[Item]:
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
            elif event in OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    raise Broken(f"it is nested more than {MAX_DEPTH} levels deep", cut_off=False)
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
                    yield Item("package", None, 0)
                elif depth == array_depth + 1:
                    stack, started = [container], stream.tell()
                else:
                    parent = stack[-1]
                    if type(parent) is list:
                        parent.append(container)
                    else:
                        parent[key] = container
                    stack.append(container)
            elif event in CLOSE:
                depth -= 1
                if array_depth and depth == array_depth:  # an element of the streamed list
                    yield Item(kind, stack[0], stream.tell() - started + _BUFFER)
                    stack = []
                elif array_depth and depth == array_depth - 1:  # the streamed list itself
                    array_depth = 0
                    stack = [top] if top is not None else []
                elif depth == 0:
                    if top is not None and not streamed:
                        yield Item("value", top, stream.tell() - started + _BUFFER)
                    top, stack = None, []
                else:
                    stack.pop()
            elif depth == 0 or (array_depth and depth == array_depth):
                yield Item(kind if depth else "value", value, 0)  # a bare scalar: not OCDS
            else:
                parent = stack[-1]
                if type(parent) is list:
                    parent.append(value)
                else:
                    parent[key] = value
    except ijson.JSONError as exc:
        raise _broken_from(exc) from None
    except (ValueError, UnicodeError) as exc:  # defensive: the backend's own complaints
        raise Broken(f"unreadable JSON ({type(exc).__name__})", cut_off=False) from None


def _is_record(value: dict[str, Any]) -> bool:
    """An OCDS record: one procedure with its releases; not a package of releases."""
    return "compiledRelease" in value or "ocid" in value


def json_stream(content: Content) -> BinaryIO:
    """The file as UTF-8 bytes, positioned where the JSON starts (after a byte-order mark).

    UTF-16 JSON (rare) is converted in memory; anything else is read as it is, from disk when
    the upload is a file there.
    """
    head = content.head
    if head.startswith(UTF16_BOMS):
        return io.BytesIO(content.read().decode("utf-16", errors="replace").encode("utf-8"))
    stream = content.open()
    if head.startswith(UTF8_BOM):
        stream.seek(len(UTF8_BOM))
    return stream


def has_text(stream: BinaryIO) -> bool:
    """Whether anything but blanks follows the stream's position (which is kept)."""
    start = stream.tell()
    try:
        while chunk := stream.read(_BUFFER):
            if NOT_BLANK.search(chunk):
                return True
        return False
    finally:
        stream.seek(start)


def json_lines(stream: BinaryIO) -> bool:
    """JSON Lines: the first line alone is a JSON object and more text follows it."""
    start = stream.tell()
    try:
        line = stream.readline(_LONGEST_FIRST_LINE + 1)
        if not line.endswith(b"\n") or not has_text(stream):
            return False
    finally:
        stream.seek(start)
    first = line.strip()
    if not first.startswith(b"{"):
        return False
    try:
        for _ in walk(io.BytesIO(first)):
            pass
    except Broken:
        return False
    return True
