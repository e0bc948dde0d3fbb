"""A tender document's text, page by page, read offline (pypdf, python-docx, openpyxl).

PDF pages are the PDF's own pages. A DOCX has no pages until Word lays it out, so its pages
are counted at the page breaks it records (explicit ones and those Word rendered last), and
every block keeps the heading it sits under as its section. An XLSX sheet is one page, named
after the sheet. Files are untrusted: anything that is not what its name says (an executable
renamed .pdf), encrypted, broken, too large or a zip bomb is refused with one sentence
naming the file, before anything is stored.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from core.documents.layout import tabulate
from core.ingest.archive import check_archive
from core.ingest.content import MB, Content
from core.ingest.errors import ImportFileError
from core.models.documents import PageText

if TYPE_CHECKING:
    from docx.table import _Row
    from pypdf import PageObject, PdfReader

Kind = Literal["pdf", "docx", "xlsx", "text"]
KINDS: dict[str, Kind] = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".txt": "text"}
KINDS |= {".md": "text", ".csv": "text"}
_EXECUTABLES = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce")


class DocumentError(ValueError):
    """A file that cannot be a tender document: one sentence naming it and what to do."""


@dataclass(frozen=True, slots=True)
class Extracted:
    kind: Kind
    pages: list[PageText] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(page.text.split()) for page in self.pages)


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 50 * MB
    max_pages: int = 2_000


def kind_of(filename: str) -> Kind | None:
    return KINDS.get(PurePath(filename).suffix.lower())


def extract(filename: str, data: bytes, limits: Limits | None = None) -> Extracted:
    """The document's text; raises DocumentError with one sentence when it cannot be read."""
    limits = limits or Limits()
    name, kind = check(filename, data, limits)
    if kind == "pdf":
        return _pdf(name, data, limits)
    if kind in ("docx", "xlsx"):
        if not data.startswith(b"PK"):
            raise DocumentError(
                f"{name} is not a {kind.upper()} file: save it again and upload it."
            )
        try:
            check_archive(Content(data, name))
        except ImportFileError as exc:
            raise DocumentError(
                f"{name} is a damaged or oversized {kind.upper()} archive: save it again "
                "from Word or Excel and upload that file."
            ) from exc
        return _docx(name, data, limits) if kind == "docx" else _xlsx(name, data, limits)
    return _text(name, data)


def check(filename: str, data: bytes, limits: Limits) -> tuple[str, Kind]:
    """(file name, kind) of a file that may be a document: a kind Tenderwise reads, not empty,
    not too large, not a program; else DocumentError."""
    name = PurePath(filename).name or "the file"
    kind = kind_of(name)
    if kind is None:
        known = ", ".join(sorted(ext.lstrip(".").upper() for ext in KINDS))
        raise DocumentError(f"{name} is not a document Tenderwise reads: upload {known}.")
    if len(data) > limits.max_bytes:
        raise DocumentError(
            f"{name} is {len(data) / MB:.0f} MB, over the {limits.max_bytes // MB} MB limit "
            "for documents: split it, or raise DOCUMENTS_MAX_MB."
        )
    if not data.strip():
        raise DocumentError(f"{name} is empty: upload the document itself.")
    if data.startswith(_EXECUTABLES):
        raise DocumentError(f"{name} is a program, not a document: upload the {kind.upper()}.")
    return name, kind


def pdf_page_count(name: str, data: bytes, limits: Limits | None = None) -> int:
    """The pages of a PDF that passes the checks (a PDF, not encrypted, readable, under the
    page limit), without reading their text: quick, so an upload is refused at once and a
    long document's text can be read in the background (`pdf_pages`)."""
    limits = limits or Limits()
    with _pdf_errors(name):
        count = len(_pdf_reader(name, data).pages)
    if count > limits.max_pages:
        raise DocumentError(
            f"{name} has {count:,} pages, over the {limits.max_pages:,}-page limit: "
            "upload the part with the requirements, or raise DOCUMENTS_MAX_PAGES."
        )
    return count


def pdf_pages(name: str, data: bytes, first: int, last: int) -> list[PageText]:
    """The text of pages `first`…`last` (1-based, inclusive) of a PDF."""
    with _pdf_errors(name):
        reader = _pdf_reader(name, data)
        return [
            PageText(number, _page_text(reader.pages[number - 1]))
            for number in range(first, min(last, len(reader.pages)) + 1)
        ]


def _page_text(page: PageObject) -> str:
    """The page as laid out, tables as tab-separated rows (core.documents.layout); pypdf's
    plain reading where its layout mode cannot place the text."""
    try:
        text = tabulate(page.extract_text(extraction_mode="layout") or "")
    except Exception:  # layout mode is stricter about fonts than the plain reading
        text = page.extract_text() or ""
    # Word's PDFs write "certiﬁcation" with a ligature and hard spaces: plain letters here
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "").strip()


def _pdf(name: str, data: bytes, limits: Limits) -> Extracted:
    count = pdf_page_count(name, data, limits)
    return Extracted("pdf", pdf_pages(name, data, 1, count))


def _pdf_reader(name: str, data: bytes) -> PdfReader:
    from pypdf import PdfReader  # imported here: only documents need it

    if not data.lstrip()[:5] == b"%PDF-":
        raise DocumentError(f"{name} is not a PDF: export the document as PDF and upload it.")
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise DocumentError(f"{name} is encrypted: save an unprotected copy and upload that.")
    return reader


@contextmanager
def _pdf_errors(name: str) -> Iterator[None]:
    """pypdf's many ways of saying "damaged" as one sentence naming the file."""
    from pypdf.errors import PdfReadError

    try:
        yield
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(
            f"{name} could not be read as a PDF (it is damaged): export it again and upload "
            "the new file."
        ) from exc


def _docx(name: str, data: bytes, limits: Limits) -> Extracted:
    import docx  # python-docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on damaged files
        raise DocumentError(
            f"{name} could not be opened as a Word document: save it again as .docx."
        ) from exc
    pages: list[PageText] = []
    lines: list[str] = []
    number, section = 1, None

    def close_page() -> None:
        if lines:
            pages.append(PageText(number, "\n".join(lines), section))
            lines.clear()

    for block in document.iter_inner_content():  # paragraphs and tables, in reading order
        if isinstance(block, Table):
            rows = ["\t".join(_cells(row)) for row in block.rows]
            close_page()
            lines.extend(r for r in rows if r.strip())
            close_page()
            continue
        paragraph = block
        # Word's last layout (rendered breaks) or explicit page breaks, whichever it recorded.
        hard = len(paragraph._p.xpath('./w:r/w:br[@w:type="page"]'))
        breaks = max(len(paragraph.rendered_page_breaks), hard)
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if breaks and lines:
            close_page()
            number += 1
        elif breaks:
            number += 1 if pages else 0
        if text and style.startswith(("Heading", "Title")):
            close_page()
            section = text
        if text and (style.startswith("List") or paragraph._p.xpath("./w:pPr/w:numPr")):
            text = f"• {text}"  # Word draws list bullets and numbers; the text lacks them
        if text:
            lines.append(text)
        if number > limits.max_pages:
            break
    close_page()
    return Extracted("docx", pages)


def _cells(row: _Row) -> list[str]:
    """A table row's cell texts, a cell merged across columns once."""
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if not cells or text != cells[-1]:
            cells.append(text)
    return cells


def _xlsx(name: str, data: bytes, limits: Limits) -> Extracted:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # as for openpyxl everywhere: many kinds mean "broken"
        raise DocumentError(
            f"{name} could not be opened as an Excel workbook: save it again as .xlsx."
        ) from exc
    pages: list[PageText] = []
    try:
        for number, sheet in enumerate(workbook.worksheets, start=1):
            if number > limits.max_pages or not hasattr(sheet, "iter_rows"):
                break
            rows = [
                "\t".join("" if v is None else str(v) for v in row)
                for row in sheet.iter_rows(values_only=True)
            ]
            pages.append(PageText(number, "\n".join(r for r in rows if r.strip()), sheet.title))
    except Exception as exc:
        raise DocumentError(
            f"{name} could not be read as an Excel workbook: save it again as .xlsx."
        ) from exc
    finally:
        workbook.close()
    return Extracted("xlsx", pages)


def _text(name: str, data: bytes) -> Extracted:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise DocumentError(f"{name} is not text: upload it as PDF, DOCX or XLSX.")
    if "\x00" in text:
        raise DocumentError(f"{name} is not text: upload it as PDF, DOCX or XLSX.")
    # Form feeds separate pages in text exported from PDFs.
    pages = [PageText(n, part.strip()) for n, part in enumerate(text.split("\f"), start=1)]
    return Extracted("text", [p for p in pages if p.text])
