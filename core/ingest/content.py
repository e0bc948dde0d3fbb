"""What the bytes of an upload are: magic numbers, zip contents, text encoding."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath

from core.ingest.errors import ImportFileError

_HEAD = 4096
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_EXPORT_HINT = (
    "export the tenders as CSV, XLSX, JSON, OCDS JSON, TED XML or eForms XML and import that file"
)


@dataclass(frozen=True)
class Content:
    """An uploaded file with the cheap facts importers use to claim it."""

    data: bytes
    filename: str

    @cached_property
    def extension(self) -> str:
        return PurePath(self.filename).suffix.lower().lstrip(".")

    @cached_property
    def head(self) -> bytes:
        return self.data[:_HEAD]

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
        if not self.data.startswith(_ZIP_MAGIC):
            return None
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                return frozenset(archive.namelist())
        except Exception:  # damaged archives fail in many ways (BadZipFile, NotImplementedError…)
            return frozenset()


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
    if not content.data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
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
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Excel on Windows)."""
    data = content.data
    candidates = ("utf-16",) if data.startswith(_UTF16_BOMS) else ("utf-8-sig", "cp1252")
    for encoding in candidates:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    name = content.filename
    raise ImportFileError(
        name,
        f"{name} is not in a text encoding Tenderwise reads; "
        "save it as CSV UTF-8 and import again.",
    )


def decode_text(content: Content) -> str:
    return content.data.decode(text_encoding(content))


def text_lines(content: Content) -> io.TextIOWrapper:
    """The file as lines of text, decoded as it is read: a 50 MB CSV is never held twice."""
    return io.TextIOWrapper(io.BytesIO(content.data), encoding=text_encoding(content), newline="")
