"""A bid as a Word document (python-docx): a title page and the four sections for the buyer,
and the team's internal brief, on its own or as an appendix asked for with `internal`."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument

from core.export.bid_content import (
    DRAFT_NOTE,
    Block,
    buyer_facts,
    document_title,
    is_approved,
    one_line,
    require_bid,
    sections,
    version_line,
)
from core.export.brief_content import BRIEF_HEADING, BRIEF_WARNING, Part, brief_parts
from core.models import BidVersion, TenderState, utcnow

# Core properties (title, author) hold at most 255 characters in python-docx.
MAX_PROPERTY = 255


def bid_docx(
    state: TenderState,
    company: str | None = None,
    *,
    now: datetime | None = None,
    version: BidVersion | None = None,
    internal: bool = False,
) -> bytes:
    """The bid for the buyer: title page (company, buyer, reference, deadline) and the four
    sections. With `version`, that version's text; with `internal`, the brief follows it."""
    bid = require_bid(state, version)
    now = now or utcnow()
    document = _document(document_title(state), company)
    _title_page(document, state, company, now, version)
    document.add_page_break()
    for heading, blocks in sections(bid):
        document.add_heading(heading, level=1)
        _blocks(document, blocks)
    if internal:
        document.add_page_break()
        document.add_heading(BRIEF_HEADING, level=1)
        _brief(document, state, version, now, level=2)
    return _saved(document)


def brief_docx(
    state: TenderState,
    company: str | None = None,
    *,
    now: datetime | None = None,
    version: BidVersion | None = None,
) -> bytes:
    """The internal brief on its own: the tender as the team reads it, the assessment, the
    response plan, the gaps and any internal wording left in the bid, where the draft came from."""
    require_bid(state, version)
    now = now or utcnow()
    document = _document(f"Internal brief: {one_line(state.tender.title)}", company)
    document.add_heading(f"Internal brief: {one_line(state.tender.title)}", level=0)
    if company:
        document.add_paragraph(f"For the {one_line(company)} bid team")
    _brief(document, state, version, now, level=1)
    return _saved(document)


def _document(title: str, company: str | None) -> DocxDocument:
    document = Document()
    document.core_properties.title = title[:MAX_PROPERTY]
    document.core_properties.author = (one_line(company or "") or "Tenderwise")[:MAX_PROPERTY]
    return document


def _saved(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _title_page(
    document: DocxDocument,
    state: TenderState,
    company: str | None,
    now: datetime,
    version: BidVersion | None,
) -> None:
    document.add_heading(document_title(state), level=0)
    author = one_line(company) if company else ""
    if author:
        document.add_paragraph(f"Submitted by {author}")
    _table(document, buyer_facts(state, now, version))
    if not is_approved(version):
        document.add_paragraph().add_run(DRAFT_NOTE).italic = True


def _brief(
    document: DocxDocument,
    state: TenderState,
    version: BidVersion | None,
    now: datetime,
    level: int,
) -> None:
    document.add_paragraph().add_run(BRIEF_WARNING).bold = True
    if version is not None:
        document.add_paragraph(version_line(version))
    bid = require_bid(state, version)
    for part in brief_parts(state, bid, now, version):
        _part(document, part, level)


def _part(document: DocxDocument, part: Part, level: int) -> None:
    document.add_heading(part.heading, level=level)
    for paragraph in part.text:
        document.add_paragraph(paragraph)
    if part.rows:
        _table(document, part.rows)
    for item in part.items:
        document.add_paragraph(item, style="List Bullet")


def _table(document: DocxDocument, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        label_cell, value_cell = table.add_row().cells
        label_cell.paragraphs[0].add_run(label).bold = True
        value_cell.text = value


def _blocks(document: DocxDocument, blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            # python-docx turns the "\n" between kept lines into line breaks.
            document.add_paragraph(block.text)
