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
