"""A document attached to a tender (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class PageText:
    """One page of a document's text: 1-based as the reader sees it, with the heading it sits
    under (DOCX) or its sheet (XLSX) as its section."""

    number: int
    text: str
    section: str | None = None


class DocumentRecord(BaseModel):
    id: int
    tender_id: int
    sha256: str
    filename: str
    kind: str
    size_bytes: int
    pages: int
    words: int
    added_by: str
    added_at: datetime
    state: str = "ready"  # "reading" (pages still being read in the background) or "failed"
    pages_read: int = 0
    error: str | None = None  # why it could not be read (state "failed")
    in_matrix: bool = False  # its requirements are in the compliance matrix

    @property
    def reading(self) -> bool:
        return self.state == "reading"


MATRIX_STATUSES = ("open", "answered", "compliant", "partial", "non-compliant", "not applicable")


class RequirementRow(BaseModel):
    """A row of a tender's compliance matrix."""

    tender_id: int
    ref: str
    text: str
    source: str | None = None
    page: int | None = None
    section: str | None = None
    mandatory: bool
    kind: str  # "obligation" or "evaluation"
    weight: float | None = None
    owner: str | None = None
    status: str = "open"
    response: str = ""
    origin: str = "extracted"  # or "added" by the bid team
    dropped: bool = False
    merged_into: str | None = None  # the ref a dropped row was merged into
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def blocking(self) -> bool:
        """A mandatory requirement not yet answered, or answered as not met."""
        return (
            self.mandatory
            and self.kind == "obligation"
            and not self.dropped
            and self.status in ("open", "non-compliant")
        )
