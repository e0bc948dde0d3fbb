"""A bid draft as Markdown, escaped so a tender's text cannot become links or HTML."""

from __future__ import annotations

import re
from datetime import datetime

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
from core.models import BidVersion, RatingResult, TenderState, utcnow

# A Markdown file is read raw as well as rendered, so only characters that can start markup
# are escaped (core.views.markup escapes more, for Streamlit's extra directives).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
_MD_LIST_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")


def md_escape(text: str) -> str:
    """Text shown literally: no links, images, HTML, emphasis or headings can start in it."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    if escaped[:1] in ("-", "+", "="):
        return "\\" + escaped
    return _MD_LIST_NUMBER.sub(r"\1\\\2", escaped)


def bid_markdown(
    state: TenderState,
    company: str | None = None,
    *,
    now: datetime | None = None,
    version: BidVersion | None = None,
) -> str:
    """The bid as Markdown, with the same content as the DOCX (`version` as in bid_docx)."""
    bid = require_bid(state, version)
    now = now or utcnow()
    lines = [f"# {md_escape(document_title(state))}", ""]
    if company:
        lines += [f"Prepared by {md_escape(one_line(company))}", ""]
    if version is not None:
        lines += [md_escape(version_line(version)), ""]
    lines += [*_md_facts(tender_facts_rows(state, now)), ""]
    lines += ["**About this draft**", "", *_md_facts(draft_facts(bid, now)), ""]
    lines += [f"_{md_escape(GAP_NOTE)}_", "", "---", ""]
    for heading, blocks in sections(bid):
        lines += [f"## {heading}", "", *_md_blocks(blocks)]
    lines += _md_appendix(state.rating)
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_facts(rows: list[tuple[str, str]]) -> list[str]:
    return [f"- **{label}:** {md_escape(value)}" for label, value in rows]


def _md_blocks(blocks: list[Block]) -> list[str]:
    lines: list[str] = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1].kind if index + 1 < len(blocks) else None
        if block.kind == "heading":
            lines += [f"### {md_escape(block.text)}", ""]
        elif block.kind == "bullet":
            lines.append(f"- {md_escape(block.text)}")
            if following != "bullet":
                lines.append("")
        else:
            # Two trailing spaces keep the draft's single line breaks.
            lines += ["  \n".join(md_escape(line) for line in block.text.split("\n")), ""]
    return lines


def _md_appendix(rating: RatingResult | None) -> list[str]:
    lines = [f"## {APPENDIX_HEADING}", ""]
    if rating is None:
        return [*lines, "This tender has no rating, so there are no scores to show.", ""]
    lines += ["### Scores", "", *_md_facts(scores(rating)), ""]
    for heading, items in rating_lists(rating):
        lines += [f"### {heading}", "", *(f"- {md_escape(item)}" for item in items), ""]
    return lines
