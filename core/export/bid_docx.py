"""A bid draft as a Word document (python-docx): title page, sections, appendix."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument

from core.export.bid_content import (
    APPENDIX_HEADING,
    GAP_NOTE,
    Block,
    document_title,
    draft_facts,
    one_line,
    rating_lists,
    require_bid,
    scores,
    sections,
    tender_facts_rows,
    version_line,
)
from core.models import BidDocument, BidVersion, RatingResult, TenderState, utcnow

# Core properties (title, author) hold at most 255 characters in python-docx.
MAX_PROPERTY = 255


def bid_docx(
    state: TenderState,
    company: str | None = None,
    *,
    now: datetime | None = None,
    version: BidVersion | None = None,
) -> bytes:
    """The bid as a Word document: title page, the four sections, the rating appendix.

    With `version`, that version's text is exported and the title page names it and its status.
    """
    bid = require_bid(state, version)
    now = now or utcnow()
    document = Document()
    _docx_title_page(document, state, bid, company, now, version)
    document.add_page_break()
    for heading, blocks in sections(bid):
        document.add_heading(heading, level=1)
        _docx_blocks(document, blocks)
    _docx_appendix(document, state.rating)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_title_page(
    document: DocxDocument,
    state: TenderState,
    bid: BidDocument,
    company: str | None,
    now: datetime,
    version: BidVersion | None,
) -> None:
    title = document_title(state)
    author = one_line(company) if company else ""
    document.core_properties.title = title[:MAX_PROPERTY]
    document.core_properties.author = (author or "Tenderwise")[:MAX_PROPERTY]
    document.add_heading(title, level=0)
    if author:
        document.add_paragraph(f"Prepared by {author}")
    if version is not None:
        document.add_paragraph(version_line(version))
    _docx_table(document, tender_facts_rows(state, now))
    document.add_paragraph()
    _docx_table(document, draft_facts(bid, now))
    document.add_paragraph().add_run(GAP_NOTE).italic = True


def _docx_table(document: DocxDocument, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        label_cell, value_cell = table.add_row().cells
        label_cell.paragraphs[0].add_run(label).bold = True
        value_cell.text = value


def _docx_blocks(document: DocxDocument, blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            # python-docx turns the "\n" between kept lines into line breaks.
            document.add_paragraph(block.text)


def _docx_appendix(document: DocxDocument, rating: RatingResult | None) -> None:
    document.add_heading(APPENDIX_HEADING, level=1)
    if rating is None:
        document.add_paragraph("This tender has no rating, so there are no scores to show.")
        return
    _docx_table(document, scores(rating))
    for heading, items in rating_lists(rating):
        document.add_heading(heading, level=2)
        for item in items:
            document.add_paragraph(item, style="List Bullet")
