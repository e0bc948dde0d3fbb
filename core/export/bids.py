"""Bid drafts as DOCX or Markdown files, one per tender, written to a folder or a ZIP.

Every document has the same content: a title page with the tender's facts and where the draft
came from, the four bid sections, and an appendix with the rating. Tender and analyst text is
untrusted: it goes in as text (python-docx escapes XML; Markdown is backslash-escaped), and
characters XML cannot hold are dropped first.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument

from core.analysts.wording import format_date
from core.describe import describe_analyst
from core.models import BID_SECTIONS, BidDocument, RatingResult, TenderState, utcnow
from core.tender_view import tender_facts

BidFormat = Literal["docx", "md"]
GAP_NOTE = "Text marked [to complete] is a gap the bid team must fill before submitting."
APPENDIX_HEADING = "Appendix: strengths and risks"
MAX_FILENAME = 80
# Core properties (title, author) hold at most 255 characters in python-docx.
MAX_PROPERTY = 255

_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# XML 1.0 forbids C0 controls other than tab/newline, lone surrogates and U+FFFE/U+FFFF;
# DEL and C1 controls are legal but never meant as text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)(?:\s+#+)?$")
_BULLET = re.compile(r"^[-•*]\s+(?P<text>.+)$")
# A Markdown file is read raw as well as rendered, so only characters that can start markup
# are escaped (core.markup escapes more, for Streamlit's extra directives).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
_MD_LIST_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")
_FILENAME_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


class ExportError(RuntimeError):
    """The bids could not be exported; the message is one sentence saying what to do."""


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a bid section: a sub-heading, a bullet, or a paragraph (lines kept)."""

    kind: Literal["heading", "bullet", "paragraph"]
    text: str


# --- text shared by both formats -------------------------------------------------------------


def clean_text(text: str) -> str:
    """Newlines normalised, characters that XML cannot hold (NUL, vertical tab…) removed."""
    return _NOT_TEXT.sub("", _LINE_BREAKS.sub("\n", text))


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def text_blocks(text: str) -> list[Block]:
    """Paragraphs split on blank lines; '- ', '• ', '* ' lines are bullets; '#' lines headings."""
    blocks: list[Block] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            blocks.append(Block("paragraph", "\n".join(lines)))
            lines.clear()

    for raw in clean_text(text).split("\n"):
        line = " ".join(raw.split())
        heading, bullet = _HEADING.match(line), _BULLET.match(line)
        if heading or bullet or not line:
            end_paragraph()
        if heading:
            blocks.append(Block("heading", heading["text"]))
        elif bullet:
            blocks.append(Block("bullet", bullet["text"]))
        elif line:
            lines.append(line)
    end_paragraph()
    return blocks


def _require_bid(state: TenderState) -> BidDocument:
    if state.bid is None:
        raise ExportError(
            f"Tender {state.tender.id} has no bid draft yet: generate the bid before exporting it."
        )
    return state.bid


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{format_date(moment)} {moment:%H:%M} UTC"


def _document_title(state: TenderState) -> str:
    return f"Bid response: {one_line(state.tender.title)}"


def _tender_facts(state: TenderState, now: datetime) -> list[tuple[str, str]]:
    facts = tender_facts(state, now)
    rows = list(facts.facts)
    if facts.url:
        rows.append(("Notice", facts.url))
    return [(label, one_line(value)) for label, value in rows]


def _draft_facts(bid: BidDocument, now: datetime) -> list[tuple[str, str]]:
    return [
        ("Drafted by", one_line(describe_analyst(bid.analyst))),
        ("Model", one_line(bid.model or "none")),
        ("Prompt version", one_line(bid.prompt_version or "none")),
        ("Drafted on", _when(bid.created_at)),
        ("Exported on", _when(now)),
    ]


def _sections(bid: BidDocument) -> list[tuple[str, list[Block]]]:
    # An empty section still shows up, marked as a gap.
    gap = [Block("paragraph", "[to complete]")]
    return [(heading, text_blocks(getattr(bid, field)) or gap) for field, heading in BID_SECTIONS]


def _scores(rating: RatingResult) -> list[tuple[str, str]]:
    return [
        ("Overall score", f"{rating.overall_score:g} / 10"),
        ("Strategic fit", f"{rating.strategic_fit:g} / 10"),
        ("Win probability", f"{rating.win_probability:g} / 10"),
        ("Effort required", f"{rating.effort_required:g} / 10"),
        ("Recommendation", rating.recommendation.label),
        ("Rated by", one_line(describe_analyst(rating.analyst))),
    ]


def _rating_lists(rating: RatingResult) -> list[tuple[str, list[str]]]:
    return [
        ("Strengths", [one_line(s) for s in rating.strengths] or ["None recorded."]),
        ("Risks", [one_line(r) for r in rating.risks] or ["None recorded."]),
    ]


# --- DOCX ------------------------------------------------------------------------------------


def bid_docx(
    state: TenderState, company: str | None = None, *, now: datetime | None = None
) -> bytes:
    """The bid as a Word document: title page, the four sections, the rating appendix."""
    bid = _require_bid(state)
    now = now or utcnow()
    document = Document()
    _docx_title_page(document, state, bid, company, now)
    document.add_page_break()
    for heading, blocks in _sections(bid):
        document.add_heading(heading, level=1)
        _docx_blocks(document, blocks)
    _docx_appendix(document, state.rating)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_title_page(
    document: DocxDocument, state: TenderState, bid: BidDocument, company: str | None, now: datetime
) -> None:
    title = _document_title(state)
    author = one_line(company) if company else ""
    document.core_properties.title = title[:MAX_PROPERTY]
    document.core_properties.author = (author or "Tenderwise")[:MAX_PROPERTY]
    document.add_heading(title, level=0)
    if author:
        document.add_paragraph(f"Prepared by {author}")
    _docx_table(document, _tender_facts(state, now))
    document.add_paragraph()
    _docx_table(document, _draft_facts(bid, now))
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
    _docx_table(document, _scores(rating))
    for heading, items in _rating_lists(rating):
        document.add_heading(heading, level=2)
        for item in items:
            document.add_paragraph(item, style="List Bullet")


# --- Markdown --------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text shown literally: no links, images, HTML, emphasis or headings can start in it."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    if escaped[:1] in ("-", "+", "="):
        return "\\" + escaped
    return _MD_LIST_NUMBER.sub(r"\1\\\2", escaped)


def bid_markdown(
    state: TenderState, company: str | None = None, *, now: datetime | None = None
) -> str:
    """The bid as Markdown, with the same content as the DOCX."""
    bid = _require_bid(state)
    now = now or utcnow()
    lines = [f"# {md_escape(_document_title(state))}", ""]
    if company:
        lines += [f"Prepared by {md_escape(one_line(company))}", ""]
    lines += [*_md_facts(_tender_facts(state, now)), ""]
    lines += ["**About this draft**", "", *_md_facts(_draft_facts(bid, now)), ""]
    lines += [f"_{md_escape(GAP_NOTE)}_", "", "---", ""]
    for heading, blocks in _sections(bid):
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
    lines += ["### Scores", "", *_md_facts(_scores(rating)), ""]
    for heading, items in _rating_lists(rating):
        lines += [f"### {heading}", "", *(f"- {md_escape(item)}" for item in items), ""]
    return lines


# --- files -----------------------------------------------------------------------------------


def bid_filename(state: TenderState, extension: str) -> str:
    """'tender-12-cloud-hosting-for-the-council.docx': ASCII, short, safe on every OS."""
    ext = re.sub(r"[^a-z0-9]", "", extension.lower())
    if not ext:
        raise ValueError(f"not a file extension: {extension!r}")
    # The fixed "tender-" prefix also keeps clear of Windows' reserved names (CON, NUL, COM1…).
    stem = f"tender-{state.tender.id if state.tender.id is not None else 'unsaved'}"
    room = MAX_FILENAME - len(stem) - len(ext) - 2
    slug = _shorten(_slug(state.tender.title), room)
    return f"{stem}-{slug}.{ext}" if slug else f"{stem}.{ext}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_FILENAME_LETTERS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _shorten(slug: str, room: int) -> str:
    """At most `room` characters, cut at a word boundary when one is near the end."""
    if len(slug) <= room:
        return slug
    cut = slug.rfind("-", 0, room + 1)
    return slug[:cut] if cut > room // 2 else slug[:room].rstrip("-")


def _renderer(fmt: str) -> Callable[[TenderState, str | None], bytes]:
    if fmt == "docx":
        return bid_docx
    if fmt == "md":
        return lambda state, company: bid_markdown(state, company).encode("utf-8")
    raise ExportError(f"Bids cannot be exported as {fmt!r}: choose docx or md.")


def bid_files(
    states: Iterable[TenderState], fmt: BidFormat, company: str | None = None
) -> list[tuple[str, bytes]]:
    """(file name, content) for every tender that has a bid; names are unique."""
    render = _renderer(fmt)
    files: list[tuple[str, bytes]] = []
    taken: set[str] = set()
    for state in states:
        if state.bid is None:
            continue
        name = bid_filename(state, fmt)
        stem, _, ext = name.rpartition(".")
        copy = 1
        while name in taken:
            copy += 1
            name = f"{stem}-{copy}.{ext}"
        taken.add(name)
        files.append((name, render(state, company)))
    return files


def export_bids(
    states: Iterable[TenderState], fmt: BidFormat, out_dir: Path, company: str | None = None
) -> list[Path]:
    """Writes one file per tender with a bid into out_dir (created if needed); returns the paths."""
    files = bid_files(states, fmt, company)
    _make_folder(out_dir)
    paths = []
    for name, content in files:
        path = out_dir / name
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise ExportError(
                f"Could not write {path} ({exc.strerror or exc}): choose a folder you can write to."
            ) from exc
        paths.append(path)
    return paths


def _make_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a folder: choose a folder for the bids.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"Could not create the folder {out_dir} ({exc.strerror or exc}): "
            "choose a folder you can write to."
        ) from exc


def bids_zip(states: Iterable[TenderState], fmt: BidFormat, company: str | None = None) -> bytes:
    """A ZIP with one file per tender that has a bid, named as export_bids names them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in bid_files(states, fmt, company):
            archive.writestr(name, content)
    return buffer.getvalue()
