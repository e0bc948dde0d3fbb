"""Saved versions of a tender's bid document and their workflow state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from core.models.analysis import BidDocument


class BidStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    EXPORTED = "exported"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class BidVersion(BaseModel):
    """One saved version of a tender's bid document, with its workflow state."""

    tender_id: int
    version: int
    document: BidDocument
    status: BidStatus = BidStatus.DRAFT
    #: who wrote this version by hand (None: the analyst wrote it)
    edited_by: str | None = None
    note: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    exported_at: datetime | None = None


class BidConflict(Exception):
    """Storage could not save a bid change: a newer version or approval came first."""

    def __init__(self, latest: BidVersion | None) -> None:
        super().__init__("the bid changed")
        self.latest = latest
