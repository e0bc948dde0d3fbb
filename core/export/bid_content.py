"""What every bid document holds, whatever its format: the facts a buyer reads on the title
page, the four sections parsed into blocks, and the pieces of the internal brief (the tender's
facts as the team reads them, where the draft came from, the rating).

Tender and analyst text is untrusted: characters XML cannot hold are dropped first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from core.analysts.wording import format_date
from core.export import ExportError
from core.models import BID_SECTIONS, BidDocument, BidStatus, BidVersion, RatingResult, TenderState
from core.views.describe import describe_analyst
from core.views.tender import tender_facts

GAP_NOTE = "Text marked [to complete] is a gap the bid team must fill before submitting."
DRAFT_NOTE = "Draft: not yet approved for submission."

_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# XML 1.0 forbids C0 controls other than tab/newline, lone surrogates and U+FFFE/U+FFFF;
# DEL and C1 controls are legal but never meant as text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)(?:\s+#+)?$")
_BULLET = re.compile(r"^[-•*]\s+(?P<text>.+)$")


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a bid section: a sub-heading, a bullet, or a paragraph (lines kept)."""

    kind: Literal["heading", "bullet", "paragraph"]
    text: str


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


def require_bid(state: TenderState, version: BidVersion | None = None) -> BidDocument:
    """The text to export: the given version's, else the tender's newest draft."""
    if version is not None:
        return version.document
    if state.bid is None:
        raise ExportError(
            f"Tender {state.tender.id} has no bid draft yet: generate the bid before exporting it."
        )
    return state.bid


def when(moment: datetime) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{format_date(moment)} {moment:%H:%M} UTC"


def version_line(version: BidVersion) -> str:
    """'Version 3 · Approved by Alice on 21 Nov 2026' (what the reader holds, and its standing)."""
    line = f"Version {version.version} · "
    approved = is_approved(version)
    if approved and version.approved_by and version.approved_at:
        line += f"Approved by {version.approved_by} on {_day(version.approved_at)}"
    elif approved:
        line += "Approved"
    else:
        line += "Draft, not approved yet"
        if version.edited_by:
            line += f" (edited by {version.edited_by})"
    if version.status is BidStatus.EXPORTED and version.exported_at:
        line += f" · exported on {_day(version.exported_at)}"
    return one_line(line)


def _day(moment: datetime) -> str:
    return format_date(moment.astimezone(UTC) if moment.tzinfo else moment)


def document_title(state: TenderState) -> str:
    return f"Bid response: {one_line(state.tender.title)}"


def buyer_facts(
    state: TenderState, now: datetime, version: BidVersion | None = None
) -> list[tuple[str, str]]:
    """The title page a buyer reads: who it is for, their reference, the deadline, the date."""
    tender = state.tender
    rows = [("Buyer", tender.buyer or "[to complete]")]
    if tender.source_id:
        rows.append(("Buyer's reference", tender.source_id))
    if tender.deadline is not None:
        rows.append(("Submission deadline", when(tender.deadline)))
    if version is not None:
        rows.append(("Version", str(version.version)))
    rows.append(("Date", _day(now)))
    return [(label, one_line(value)) for label, value in rows]


def is_approved(version: BidVersion | None) -> bool:
    return version is not None and version.status in (BidStatus.APPROVED, BidStatus.EXPORTED)


def tender_facts_rows(state: TenderState, now: datetime) -> list[tuple[str, str]]:
    facts = tender_facts(state, now)
    rows = list(facts.facts)
    if facts.url:
        rows.append(("Notice", facts.url))
    return [(label, one_line(value)) for label, value in rows]


def draft_facts(
    bid: BidDocument, now: datetime, version: BidVersion | None = None
) -> list[tuple[str, str]]:
    edited = (
        [("Last edited by", one_line(version.edited_by))] if version and version.edited_by else []
    )
    return [
        *edited,
        ("First drafted by", one_line(describe_analyst(bid.analyst)))
        if edited
        else ("Drafted by", one_line(describe_analyst(bid.analyst))),
        ("Model", one_line(bid.model or "none")),
        ("Prompt version", one_line(bid.prompt_version or "none")),
        ("Drafted on", when(bid.created_at)),
        ("Exported on", when(now)),
    ]


def sections(bid: BidDocument) -> list[tuple[str, list[Block]]]:
    # An empty section still shows up, marked as a gap.
    gap = [Block("paragraph", "[to complete]")]
    return [(heading, text_blocks(getattr(bid, field)) or gap) for field, heading in BID_SECTIONS]


def scores(rating: RatingResult) -> list[tuple[str, str]]:
    return [
        ("Overall score", f"{rating.overall_score:g} / 10"),
        ("Strategic fit", f"{rating.strategic_fit:g} / 10"),
        ("Win probability", f"{rating.win_probability:g} / 10"),
        ("Effort required", f"{rating.effort_required:g} / 10"),
        ("Recommendation", rating.recommendation.label),
        ("Rated by", one_line(describe_analyst(rating.analyst))),
    ]


def rating_lists(rating: RatingResult) -> list[tuple[str, list[str]]]:
    return [
        ("Strengths", [one_line(s) for s in rating.strengths] or ["None recorded."]),
        ("Risks", [one_line(r) for r in rating.risks] or ["None recorded."]),
    ]
