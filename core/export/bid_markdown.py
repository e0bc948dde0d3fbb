"""A bid draft as Markdown, escaped so a tender's text cannot become links or HTML."""

from __future__ import annotations

import re
from datetime import datetime

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
    internal: bool = False,
) -> str:
    """The bid as Markdown, with the same content as the DOCX (`version`, `internal` as in
    bid_docx)."""
    bid = require_bid(state, version)
    now = now or utcnow()
    lines = [f"# {md_escape(document_title(state))}", ""]
    if company:
        lines += [f"Submitted by {md_escape(one_line(company))}", ""]
    lines += [*_md_facts(buyer_facts(state, now, version)), ""]
    if not is_approved(version):
        lines += [f"_{md_escape(DRAFT_NOTE)}_", ""]
    lines += ["---", ""]
    for heading, blocks in sections(bid):
        lines += [f"## {heading}", "", *_md_blocks(blocks)]
    if internal:
        lines += ["---", "", f"## {BRIEF_HEADING}", ""]
        lines += _md_brief(state, version, now, level=3)
    return "\n".join(lines).rstrip("\n") + "\n"


def brief_markdown(
    state: TenderState,
    company: str | None = None,
    *,
    now: datetime | None = None,
    version: BidVersion | None = None,
) -> str:
    """The internal brief on its own, as brief_docx has it."""
    require_bid(state, version)
    now = now or utcnow()
    lines = [f"# Internal brief: {md_escape(one_line(state.tender.title))}", ""]
    if company:
        lines += [f"For the {md_escape(one_line(company))} bid team", ""]
    lines += _md_brief(state, version, now, level=2)
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_brief(
    state: TenderState, version: BidVersion | None, now: datetime, level: int
) -> list[str]:
    lines = [f"**{md_escape(BRIEF_WARNING)}**", ""]
    if version is not None:
        lines += [md_escape(version_line(version)), ""]
    for part in brief_parts(state, require_bid(state, version), now, version):
        lines += _md_part(part, level)
    return lines


def _md_part(part: Part, level: int) -> list[str]:
    lines = [f"{'#' * level} {part.heading}", ""]
    for paragraph in part.text:
        lines += [md_escape(paragraph), ""]
    if part.rows:
        lines += [*_md_facts(part.rows), ""]
    if part.items:
        lines += [*(f"- {md_escape(item)}" for item in part.items), ""]
    return lines


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
