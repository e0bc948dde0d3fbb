"""The bid editor's checks and refusals: section texts and notes as stored, a version saved
meanwhile, an approval that cannot be made (core.bids.editor uses them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from core.models import BID_SECTIONS, BidDocument, BidStatus, BidVersion
from core.review.service import format_when

MAX_SECTION = 20_000
MAX_NOTE = 500
SECTION_HEADINGS: dict[str, str] = dict(BID_SECTIONS)


class BidEditError(ValueError):
    """A bid change that cannot be made; the message is one sentence saying what to do."""


class NothingChanged(BidEditError):
    """The change would save the same text again, so no version was added."""


def _heading(section: str) -> str:
    heading = SECTION_HEADINGS.get(section)
    if heading is None:
        names = ", ".join(SECTION_HEADINGS)
        raise BidEditError(f"A bid has no section {section!r}; the sections are {names}.")
    return heading


def _section_text(section: str, text: str) -> str:
    """The text as stored (line endings normalised, outer whitespace trimmed), or a refusal."""
    heading = _heading(section)
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise BidEditError(
            f"{heading} is empty: write something, or mark the gap with [to complete]."
        )
    if len(cleaned) > MAX_SECTION:
        raise BidEditError(
            f"{heading} has {len(cleaned):,} characters, more than the {MAX_SECTION:,} a "
            "section may hold: shorten it."
        )
    return cleaned


def _note(note: str) -> str:
    cleaned = " ".join(note.split())
    if len(cleaned) > MAX_NOTE:
        raise BidEditError(f"The note has {len(cleaned):,} characters; keep it under {MAX_NOTE}.")
    return cleaned


def _document(
    base: BidDocument, changes: Mapping[str, str | None], created_at: datetime
) -> BidDocument:
    """The base version with some fields changed, dated when it was saved."""
    return BidDocument.model_validate(
        base.model_dump() | dict(changes) | {"created_at": created_at}
    )


def _same_text(a: BidDocument, b: BidDocument) -> bool:
    return all(getattr(a, field) == getattr(b, field) for field in SECTION_HEADINGS)


def _by(version: BidVersion) -> str:
    return version.edited_by or "the analyst"


def _saved_meanwhile(latest: BidVersion) -> BidEditError:
    return BidEditError(
        f"Version {latest.version} was saved by {_by(latest)} meanwhile; reload the page "
        "and make your change on that version."
    )


def _approve_refusal(tender_id: int, version: int, latest: BidVersion | None) -> BidEditError:
    if latest is None:
        return BidEditError(f"Tender {tender_id} has no bid to approve; reload the page.")
    if latest.version == version and latest.status is not BidStatus.DRAFT:
        when = format_when(latest.approved_at) if latest.approved_at else "an earlier time"
        return BidEditError(
            f"Version {version} was already approved by {latest.approved_by or 'someone'} "
            f"at {when}; edit it to start a new draft."
        )
    if latest.version > version:
        return BidEditError(
            f"Version {latest.version} was saved by {_by(latest)} meanwhile; reload the page "
            "and approve that version instead."
        )
    return BidEditError(
        f"The bid for tender {tender_id} has no version {version}; reload the page."
    )
