"""What the bytes of an upload are: magic numbers, zip contents, text encoding.

A `Content` is an upload held in memory or a file on disk. Importers that stream (OCDS, CSV,
XLSX) read it through `open()`, so a 100 MB package on disk is never held whole; the XML
importers, which build one notice's tree anyway, take `read()`. `fraction_read()` tells how far
the last stream opened has got, for progress bars.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path, PurePath
from typing import BinaryIO

from core.ingest.errors import ImportFileError

_HEAD = 4096
_CHUNK = 256 * 1024
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf]")
_EXPORT_HINT = (
    "export the tenders as CSV, XLSX, JSON, OCDS JSON, TED XML or eForms XML and import that file"
)


class Content:
    """An uploaded file (bytes) or a file on disk (`path`), with the cheap facts importers use
    to claim it."""

    def __init__(self, data: bytes | None = None, filename: str = "", *, path: Path | None = None):
        if (data is None) == (path is None):
            raise ValueError("Content needs either the bytes or the path of a file")
        self._data = data
        self.path = path
        # The name only, as before any importer reads it: "uploads/tenders.csv" → "tenders.csv".
        name = PurePath(filename).name if filename else ""
        self.filename = name or filename or (path.name if path is not None else "the upload")
        self._stream: BinaryIO | None = None

    @classmethod
    def from_path(cls, path: Path) -> Content:
        return cls(path=path, filename=path.name)

    @cached_property
    def size(self) -> int:
        if self._data is not None:
            return len(self._data)
        assert self.path is not None
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        """The file as a binary stream from its start, for the importer; the caller closes it.

        Bytes in memory are shared, not copied. The stream is remembered for `fraction_read`.
        """
        stream = self._open()
        self._stream = stream
        return stream

    def _open(self) -> BinaryIO:
        if self._data is not None:
            return io.BytesIO(self._data)
        assert self.path is not None
        return self.path.open("rb")

    def read(self) -> bytes:
        """The whole file: for formats parsed as one document (XML notices, JSON lists)."""
        if self._data is not None:
            return self._data
        assert self.path is not None
        return self.path.read_bytes()

    def prefix(self, size: int) -> bytes:
        """The first `size` bytes (fewer when the file is shorter)."""
        if self._data is not None:
            return self._data[:size]
        with self._open() as stream:
            return stream.read(size)

    def chunks(self) -> Iterator[bytes]:
        """The file in pieces of 256 KB, from its start."""
        if self._data is not None:
            view = memoryview(self._data)
            for start in range(0, len(view), _CHUNK):
                yield bytes(view[start : start + _CHUNK])
            return
        with self._open() as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk

    def fraction_read(self) -> float:
        """How far (0–1) the last stream from `open()` has read; 0 before any was opened."""
        stream, size = self._stream, self.size
        if stream is None or not size:
            return 0.0
        try:
            return min(stream.tell() / size, 1.0)
        except (OSError, ValueError):  # closed: it was read to the end or given up
            return 1.0

    @cached_property
    def extension(self) -> str:
        return PurePath(self.filename).suffix.lower().lstrip(".")

    @cached_property
    def head(self) -> bytes:
        return self.prefix(_HEAD)

    @cached_property
    def head_text(self) -> str | None:
        """The start of the file as text without BOM or leading blanks; None when it is not text."""
        head = self.head
        if head.startswith(_UTF16_BOMS):
            return head.decode("utf-16", errors="ignore").lstrip("\ufeff \t\r\n")
        if b"\x00" in head:
            return None
        # The head may end inside a multi-byte character: ignore errors here, decode strictly later.
        return head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")

    @cached_property
    def zip_names(self) -> frozenset[str] | None:
        """Member names when the file is a zip archive (xlsx, docx, …), else None."""
        if not self.head.startswith(_ZIP_MAGIC):
            return None
        try:
            with self._open() as stream, zipfile.ZipFile(stream) as archive:
                return frozenset(archive.namelist())
        except Exception:  # damaged archives fail in many ways (BadZipFile, NotImplementedError…)
            return frozenset()

    def is_blank(self) -> bool:
        """Nothing but blanks, NULs and byte-order marks; a real file answers in its first chunk."""
        return not any(_NOT_BLANK.search(chunk) for chunk in self.chunks())


MB = 1024 * 1024
LIMIT_SETTING = "TENDERWISE_MAX_UPLOAD_MB"


def refuse_too_large(name: str, size: int, limit_mb: int) -> None:
    """Refuse a file over the configured import limit, before any importer reads it."""
    if size <= limit_mb * MB:
        return
    shown = f"{size / MB:,.1f} MB"
    if size / MB < limit_mb + 0.05:  # would round down to the limit itself
        shown = f"{size:,} bytes"
    raise ImportFileError(
        name,
        f"{name} is {shown}, over the {limit_mb:,} MB import limit; split the export into "
        f"smaller files, or raise {LIMIT_SETTING}.",
    )


def refuse_unusable(content: Content) -> None:
    """Refuse files no importer should try: empty, PDF, Word, archives, binary data."""
    name = content.filename
    if content.is_blank():
        raise ImportFileError(name, f"{name} is empty; choose the file that holds the tenders.")
    head = content.head
    if head.startswith(b"%PDF"):
        raise ImportFileError(name, f"{name} is a PDF, which cannot be imported; {_EXPORT_HINT}.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            name, f"{name} is an old-style Excel or Word file; save it as .xlsx and import again."
        )
    names = content.zip_names
    if names is not None and "xl/workbook.xml" in names:
        return  # a workbook: binary, but the XLSX importer reads it
    if names is not None:
        if not names:
            raise ImportFileError(
                name, f"{name} is a damaged Excel or ZIP file; save or download it again."
            )
        if any(member.startswith("word/") for member in names):
            kind = "a Word document, which cannot be imported"
        elif "mimetype" in names or "content.xml" in names:
            kind = "an OpenDocument file, which cannot be imported"
        else:
            kind = "a ZIP archive, which cannot be imported directly"
        raise ImportFileError(name, f"{name} is {kind}; {_EXPORT_HINT}.")
    if content.head_text is None or _looks_binary(content.head_text):
        raise ImportFileError(name, f"{name} is not a text or spreadsheet file; {_EXPORT_HINT}.")


def _looks_binary(text: str) -> bool:
    """Control characters other than tab/newline in more than 1% of the head mean binary data."""
    if not text:
        return False
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f")
    return controls > len(text) // 100


def text_encoding(content: Content) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Excel on Windows).

    The whole file is checked, a chunk at a time, so that a bad byte at the end still counts.
    """
    head = content.head
    candidates = ("utf-16",) if head.startswith(_UTF16_BOMS) else ("utf-8-sig", "cp1252")
    for encoding in candidates:
        if _decodes(content, encoding):
            return encoding
    name = content.filename
    raise ImportFileError(
        name,
        f"{name} is not in a text encoding Tenderwise reads; "
        "save it as CSV UTF-8 and import again.",
    )


def _decodes(content: Content, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in content.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(content: Content) -> str:
    return content.read().decode(text_encoding(content))


def text_lines(content: Content) -> io.TextIOWrapper:
    """The file as lines of text, decoded as it is read: a 50 MB CSV is never held twice."""
    encoding = text_encoding(content)
    return io.TextIOWrapper(content.open(), encoding=encoding, newline="")
