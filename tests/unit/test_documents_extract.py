"""Tender documents read offline, page by page; a bad file is one sentence naming it."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from core.documents.extract import DocumentError, Limits, extract
from tests.fakes import pdf_bytes

SPEC = [
    ["1. Scope", "The supplier shall host the service in the UK."],
    ["2. Security", "The supplier must hold ISO 27001.", "Cyber Essentials Plus is desirable."],
    ["3. Evaluation", "Quality 60% / Price 40%"],
]


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("1. Scope", level=1)
    document.add_paragraph("The supplier shall host the service in the UK.")
    document.add_page_break()
    document.add_heading("2. Security", level=1)
    document.add_paragraph("The supplier must hold ISO 27001.")
    table = document.add_table(rows=2, cols=2)
    weights = (("Quality", "60%"), ("Price", "40%"))
    for row, (criterion, weight) in zip(table.rows, weights, strict=True):
        row.cells[0].text, row.cells[1].text = criterion, weight
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_pdf_is_read_page_by_page_with_its_page_numbers() -> None:
    text = extract("spec.pdf", pdf_bytes(SPEC))
    assert text.kind == "pdf"
    assert [page.number for page in text.pages] == [1, 2, 3]
    assert "must hold ISO 27001" in text.pages[1].text
    assert text.pages[2].text.splitlines() == ["3. Evaluation", "Quality 60% / Price 40%"]


def test_a_docx_keeps_its_pages_and_the_heading_each_part_sits_under() -> None:
    text = extract("spec.docx", docx_bytes())
    assert text.kind == "docx"
    scope, security, criteria = text.pages
    assert (scope.number, scope.section) == (1, "1. Scope")
    assert (security.number, security.section) == (2, "2. Security")
    assert "must hold ISO 27001" in security.text
    assert criteria.text.splitlines() == ["Quality\t60%", "Price\t40%"]


def test_plain_text_pages_split_at_form_feeds() -> None:
    text = extract("notes.txt", b"First page\fSecond page\n")
    assert [(p.number, p.text) for p in text.pages] == [(1, "First page"), (2, "Second page")]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n", "could not be read"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "is a program"),
        ("fake.pdf", b"<html>not a pdf</html>", "is not a PDF"),
        ("bomb.docx", _zip_bomb(), "damaged or oversized"),
        ("empty.docx", b"", "is empty"),
        ("spec.exe", b"whatever", "not a document Tenderwise reads"),
    ],
)
def test_a_bad_file_is_refused_in_one_sentence_naming_it(name: str, data: bytes, says: str) -> None:
    with pytest.raises(DocumentError) as refused:
        extract(name, data, Limits(max_bytes=1024 * 1024))
    message = str(refused.value)
    assert message.startswith(name) and says in message
    assert "\n" not in message and message.endswith(".")


def test_an_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(SPEC))))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError, match=r"encrypted\.pdf is encrypted"):
        extract("encrypted.pdf", buffer.getvalue())


def test_limits_are_settings() -> None:
    big = pdf_bytes(SPEC)
    with pytest.raises(DocumentError, match="over the 1 MB limit"):
        extract("spec.pdf", big + b" " * (1024 * 1024), Limits(max_bytes=1024 * 1024))
    with pytest.raises(DocumentError, match="over the 2-page limit"):
        extract("spec.pdf", big, Limits(max_pages=2))


def test_pdf_ligatures_hard_spaces_and_soft_hyphens_become_plain_text() -> None:
    from core.documents.extract import _page_text

    class Page:  # what pypdf gives for a page Word exported
        def extract_text(self, extraction_mode: str = "plain") -> str:
            return "The supplier must hold ISO\u00a027001 certi\ufb01cation and a\u00adgree."

    assert _page_text(Page()) == "The supplier must hold ISO 27001 certification and agree."  # type: ignore[arg-type]
